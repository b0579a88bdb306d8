// The package as npm ships it: `npm pack`, installed into an empty folder, runs the new-user path
// (`npx gwi startproject x`, then the new project's own README: `npm install`, `npm test` and
// `npm run dev`) with nothing from this repository.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildIfStale, cleanEnv, REPO } from './gwi-process.js';
import { httpRequest } from '../helpers/http.js';

let dir = '';

beforeAll(() => {
  buildIfStale();
  dir = mkdtempSync(path.join(os.tmpdir(), 'gwi-pack-'));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string): string {
  // --ignore-scripts: the build is already there; rebuilding dist/ would pull it from under other tests.
  return execFileSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

it('installs from its tarball, and a new project passes its test and serves', async () => {
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], REPO);
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz')) as string;
  const app = path.join(dir, 'app');
  execFileSync('mkdir', [app]);
  run('npm', ['init', '-y'], app);
  run('npm', ['install', '--no-audit', '--no-fund', path.join(dir, tarball)], app);
  run('npx', ['gwi', 'startproject', 'x'], app);

  const project = path.join(app, 'x');
  // The registry has no gwi: the new project names the tarball this gwi came from.
  const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  expect(manifest.dependencies.gwi).toBe(`file:${path.join(dir, tarball)}`);
  // The other packages are the ones this repository installed: npm's cache has them.
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project);
  // The project's sample test: vitest finds gwi/test through the installed package's exports.
  const tested = run('npm', ['test'], project).replace(/\x1b\[[0-9;]*m/g, '');
  expect(tested).toMatch(/✓ x\/tests\.test\.ts/);
  expect(tested).toMatch(/Tests\s+1 passed/);
  const server = spawn('npm', ['run', 'dev', '--', '0'], { cwd: project, env: cleanEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => server.on('close', (code) => resolve(code)));
  try {
    let stdout = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${stdout}`)), 30_000);
      server.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /Starting development server at http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
    });
    expect(stdout).toContain("using settings 'x/settings'");
    const reply = await httpRequest(port, '/');
    expect(reply.status).toBe(200);
    expect(reply.bytes.toString('utf8')).toContain('The install worked successfully!');

    // An installed gwi has no src/: the debug page shows gwi's own lines from its source maps.
    expect(existsSync(path.join(project, 'node_modules', 'gwi', 'src'))).toBe(false);
    writeFileSync(path.join(project, 'x', 'urls.ts'), "import { JsonResponse, path } from 'gwi';\n\nexport const urlpatterns = [path('boom/', () => new JsonResponse([1]))];\n");
    let page = '';
    for (const deadline = Date.now() + 15_000; !page.includes('TypeError') && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      page = (await httpRequest(port, '/boom/')).bytes.toString('utf8');
    }
    expect(page).toContain('In order to allow non-dict objects to be serialized');
    // The line that threw, as gwi's TypeScript source has it.
    expect(page).toMatch(/if \(safe &amp;&amp; !isPlainObject\(data\)\) \{/);
  } finally {
    // npm, the supervisor and its server processes: the whole process group.
    process.kill(-(server.pid as number), 'SIGINT');
    await exited;
  }
}, 120_000);
