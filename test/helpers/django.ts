// The real Django, run by Debian's python3 (package python3-django), for the interop tests: a script gets
// `args` (the JSON given), runs with Django's settings configured and, when `now` is given, time.time()
// fixed there; it sets `result`, which comes back as JSON.
import { execFile, spawnSync } from 'node:child_process';

const PYTHON = '/usr/bin/python3';
export const DJANGO_MISSING = `The Django interop tests need Django for ${PYTHON}: install it with apt-get install python3-django`;

/** Whether Debian's python3 can import Django. */
export function hasDjango(): boolean {
  return spawnSync(PYTHON, ['-c', 'import django'], { stdio: 'ignore' }).status === 0;
}

const PRELUDE = `
import json, sys, time
try:
    import django
except ImportError:
    sys.exit(${JSON.stringify(DJANGO_MISSING)})
from django.conf import settings
given = json.load(sys.stdin)
settings.configure(**given['settings'])
if given['now'] is not None:
    time.time = lambda: given['now']
args = given['args']
result = None
`;

const EPILOGUE = `
print(json.dumps(result))
`;

export interface DjangoRun {
  /** settings.configure()'s arguments. */
  settings: Record<string, unknown>;
  /** time.time() in the script (seconds), if fixed. */
  now?: number;
  args?: unknown;
}

/** The script's lines with their common indentation removed: Python's top level starts at column 0. */
function dedent(script: string): string {
  const lines = script.split('\n').filter((line) => line.trim() !== '');
  const indent = Math.min(...lines.map((line) => (/^ */.exec(line) as RegExpExecArray)[0].length));
  return lines.map((line) => line.slice(indent)).join('\n');
}

/** Runs `script` (Python, indented as the test's code is) under Django and returns its `result`. */
export function runDjango(script: string, { settings, now, args = null }: DjangoRun): Promise<unknown> {
  const source = `${PRELUDE}${dedent(script)}${EPILOGUE}`;
  return new Promise((resolve, reject) => {
    const child = execFile(PYTHON, ['-c', source], { encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT' || stderr.includes(DJANGO_MISSING);
        reject(new Error(missing ? DJANGO_MISSING : `Django's script failed: ${stderr || error.message}`));
      } else {
        resolve(JSON.parse(stdout) as unknown);
      }
    });
    child.stdin?.end(JSON.stringify({ settings, now: now ?? null, args }));
  });
}
