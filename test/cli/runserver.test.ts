// `gwi runserver` as a user runs it: a project outside the repository (no node_modules), port 0, real
// requests; the exact output lines, streams and exit codes of Django 5.2 (reference §1).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import {
  buildIfStale,
  cleanEnv,
  copyFixtureProject,
  GWI,
  GwiProcess,
  killAll,
  occupyPort,
  portIsFree,
  runGwi,
} from './gwi-process.js';
import { BOLD, RED, span, YELLOW } from '../helpers/sgr.js';

const DATE = /^[A-Z][a-z]+ \d\d, \d{4} - \d\d:\d\d:\d\d$/;
const LOG_TIME = String.raw`\[\d\d/[A-Z][a-z]{2}/\d{4} \d\d:\d\d:\d\d\]`;
const WARNING_LINES = [
  'WARNING: This is a development server. Do not use it in a production setting. Use a production GWI server instead.',
  'For more information on production servers see the "Production" section of gwi\'s README.md.',
];
const CHECKS_OK = ['Performing system checks...', '', 'System check identified no issues (0 silenced).'];

let project: { dir: string; remove: () => void };

beforeAll(() => {
  buildIfStale();
  project = copyFixtureProject();
  writeFileSync(
    path.join(project.dir, 'mysite', 'settings_broken.ts'),
    "import { defineSettings } from 'gwi';\n\nexport default defineSettings({ DEBUG: = true });\n",
  );
}, 120_000);

afterEach(killAll);

afterAll(() => project.remove());

function gwi(args: string[], env: Record<string, string> = {}): GwiProcess {
  return new GwiProcess(['runserver', ...args], { cwd: project.dir, env: cleanEnv(env) });
}

function runserver(args: string[], env: Record<string, string> = {}) {
  return runGwi(['runserver', ...args], { cwd: project.dir, env: cleanEnv(env) });
}

/** The banner lines for a server announced at `url`, with the date line replaced by 'DATE'. */
function banner(url: string): string[] {
  return ['DATE', `gwi version ${VERSION}, using settings 'mysite/settings'`, `Starting development server at ${url}`, 'Quit the server with CONTROL-C.', ''];
}

/** stdout as lines, the banner's date line checked and replaced by 'DATE'. */
function stdoutLines(text: string): string[] {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => (DATE.test(line) ? 'DATE' : line));
}

async function get(port: number, urlPath: string, host = '127.0.0.1'): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://${host}:${port}${urlPath}`);
  return { status: response.status, body: await response.text() };
}

describe('gwi runserver: serving', () => {
  it('checks, prints the banner on bind, serves, logs on stderr, and stops on SIGINT with exit 0', async () => {
    const server = gwi(['0']);
    const port = await server.started();
    await server.waitFor(/README\.md\.\n/);
    expect(stdoutLines(server.stdout)).toEqual([...CHECKS_OK, ...banner(`http://127.0.0.1:${port}/`), ...WARNING_LINES]);
    // The auto-reloader's line (Django's "Watching for file changes with StatReloader"), only with DEBUG.
    expect(server.stderr).toBe('Watching for file changes with chokidar\n');

    expect(await get(port, '/hello/ada/')).toEqual({ status: 200, body: 'Hello, ada!\n' });
    expect(await get(port, '/static/hello.txt')).toEqual({ status: 200, body: 'static text\n' });
    await server.waitFor(/hello\.txt HTTP\/1\.1" 200 12\n/, 'stderr');
    expect(server.stderr.split('\n')).toEqual([
      'Watching for file changes with chokidar',
      expect.stringMatching(new RegExp(`^${LOG_TIME} "GET /hello/ada/ HTTP/1.1" 200 12$`)),
      expect.stringMatching(new RegExp(`^${LOG_TIME} "GET /static/hello.txt HTTP/1.1" 200 12$`)),
      '',
    ]);

    const before = server.stdout;
    server.child.kill('SIGINT');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout).toBe(before);
    expect(await portIsFree(port)).toBe(true);
  });

  it('stops quietly on SIGTERM with exit 0 and frees the port', async () => {
    const server = gwi(['0']);
    const port = await server.started();
    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr).toBe('Watching for file changes with chokidar\n');
    expect(await portIsFree(port)).toBe(true);
  });

  it('hides the production warning only for GWI_RUNSERVER_HIDE_WARNING=true', async () => {
    const hidden = gwi(['0'], { GWI_RUNSERVER_HIDE_WARNING: 'true' });
    const port = await hidden.started();
    // Nothing follows the banner's blank line: a request's answer proves the output is complete.
    await get(port, '/hello/x/');
    expect(hidden.stdout.endsWith('Quit the server with CONTROL-C.\n\n')).toBe(true);

    const shown = gwi(['0'], { GWI_RUNSERVER_HIDE_WARNING: 'True' });
    await shown.started();
    await shown.waitFor(/^WARNING: This is a development server\./m);
  });

  it('--skip-checks starts with the banner', async () => {
    const server = gwi(['--skip-checks', '0']);
    await server.started();
    expect(stdoutLines(server.stdout)[0]).toBe('DATE');
    expect(server.stdout).not.toContain('system checks');
  });

  it('prints check warnings on stderr and still serves', async () => {
    const server = gwi(['--settings', 'mysite/settings_warning', '0']);
    const port = await server.started();
    expect(stdoutLines(server.stdout).slice(0, 3)).toEqual(['Performing system checks...', '', 'DATE']);
    expect(server.stderr).toBe(
      'Watching for file changes with chokidar\n' +
        'System check identified some issues:\n\nWARNINGS:\n' +
        "?: (staticfiles.W004) The directory 'nonexistent_static' in the STATICFILES_DIRS setting does not exist.\n\n" +
        'System check identified 1 issue (0 silenced).\n',
    );
    expect((await get(port, '/hello/w/')).status).toBe(200);
  });

  it('0:0 binds every interface and prints http://0.0.0.0:<port>/', async () => {
    const server = gwi(['0:0']);
    const port = await server.started();
    expect(server.stdout).toContain(`Starting development server at http://0.0.0.0:${port}/\n`);
    expect((await get(port, '/hello/all/')).status).toBe(200);
  });

  it('-6 serves on [::1]', async () => {
    const server = gwi(['-6', '0']);
    const port = await server.started();
    expect(server.stdout).toContain(`Starting development server at http://[::1]:${port}/\n`);
    expect(await get(port, '/hello/six/', '[::1]')).toEqual({ status: 200, body: 'Hello, six!\n' });
  });

  it('[::1]:0 turns IPv6 on by itself', async () => {
    const server = gwi(['[::1]:0']);
    const port = await server.started();
    expect(server.stdout).toContain(`Starting development server at http://[::1]:${port}/\n`);
  });

  it('--nostatic leaves STATIC_URL to the application', async () => {
    const server = gwi(['--nostatic', '0']);
    const port = await server.started();
    expect((await get(port, '/static/hello.txt')).status).toBe(404);
  });

  it('serves static files with DEBUG off only with --insecure', async () => {
    const plain = gwi(['--settings', 'mysite/settings_hosts', '0']);
    const plainPort = await plain.started();
    expect((await get(plainPort, '/static/hello.txt')).status).toBe(404);
    expect(await get(plainPort, '/hello/prod/')).toEqual({ status: 200, body: 'Hello, prod!\n' });

    const insecure = gwi(['--settings', 'mysite/settings_hosts', '--insecure', '0']);
    const insecurePort = await insecure.started();
    expect(await get(insecurePort, '/static/hello.txt')).toEqual({ status: 200, body: 'static text\n' });
  });

  it('--nothreading answers with Connection: close', async () => {
    const server = gwi(['--nothreading', '0']);
    const port = await server.started();
    const response = await fetch(`http://127.0.0.1:${port}/hello/one/`);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.text()).toBe('Hello, one!\n');
  });

  it('--noreload is accepted', async () => {
    const server = gwi(['--noreload', '0']);
    const port = await server.started();
    expect((await get(port, '/hello/n/')).status).toBe(200);
  });
});

describe('gwi runserver: loading the project', () => {
  it("resolves 'gwi' to this installation, whatever the project's tsconfig paths say", async () => {
    const other = copyFixtureProject();
    try {
      mkdirSync(path.join(other.dir, 'fake'));
      writeFileSync(path.join(other.dir, 'fake', 'index.ts'), "throw new Error('the wrong gwi');\n");
      writeFileSync(path.join(other.dir, 'tsconfig.json'), '{ "compilerOptions": { "paths": { "gwi": ["./fake/index.ts"] } } }\n');
      const server = new GwiProcess(['runserver', '0'], { cwd: other.dir });
      const port = await server.started();
      expect(await get(port, '/hello/paths/')).toEqual({ status: 200, body: 'Hello, paths!\n' });
    } finally {
      await killAll();
      other.remove();
    }
  });
});

describe('gwi runserver: colours', () => {
  it('--force-color colours the WARNING and the request log into pipes', async () => {
    const server = gwi(['--force-color', '0']);
    const port = await server.started();
    await server.waitFor(/README\.md\.\x1b\[22m\x1b\[39m\n/);
    expect(server.stdout).toContain(`${span(WARNING_LINES.join('\n'), YELLOW, BOLD)}\n`);
    await get(port, '/nowhere/');
    await server.waitFor(/" 404 \d+\x1b\[39m\n/, 'stderr');
    expect(server.stderr).toMatch(new RegExp(`^${LOG_TIME} \\x1b\\[33m"GET /nowhere/ HTTP/1.1" 404 \\d+\\x1b\\[39m$`, 'm'));
  });

  it('--no-color wins over FORCE_COLOR, also in the request log (GWI_COLORS=nocolor)', async () => {
    const server = gwi(['--no-color', '0'], { FORCE_COLOR: '1' });
    const port = await server.started();
    await get(port, '/nowhere/');
    await server.waitFor(/" 404 \d+\n/, 'stderr');
    expect(server.stdout + server.stderr).not.toContain('\x1b[');
  });

  it('FORCE_COLOR=1 alone colours the WARNING', async () => {
    const server = gwi(['0'], { FORCE_COLOR: '1' });
    await server.started();
    await server.waitFor(/\x1b\[33m\x1b\[1mWARNING: /);
  });

  // util-linux's script(1) gives the process a terminal.
  it('styles a CommandError bold red when the terminal is a TTY', () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(GWI)} runserver abc`;
    // script puts stdout and stderr on one pseudo-terminal (whose ONLCR adds the \r).
    const { stdout, status } = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: project.dir, env: cleanEnv(), encoding: 'utf8' });
    expect(status).toBe(1);
    expect(stdout).toContain(span('CommandError: "abc" is not a valid port number or address:port pair.\r\n', RED, BOLD));
  });
});

describe('gwi runserver: errors', () => {
  it.each([
    [['abc'], 'CommandError: "abc" is not a valid port number or address:port pair.'],
    [['8000:'], 'CommandError: "8000:" is not a valid port number or address:port pair.'],
    [[':8000'], 'CommandError: ":8000" is not a valid port number or address:port pair.'],
    [['-6', '127.0.0.1:8000'], 'CommandError: "127.0.0.1" is not a valid IPv6 address.'],
    [['--noreload', '--nothreading', '--ipv6', '[::1]:abc'], 'CommandError: "[::1]:abc" is not a valid port number or address:port pair.'],
    [['99999'], "CommandError: '99999' is not a valid port number."],
    [['--no-color', '--force-color'], "CommandError: The --no-color and --force-color options can't be used together."],
    [['--noreload', '--settings', 'mysite/settings_prod'], 'CommandError: You must set settings.ALLOWED_HOSTS if DEBUG is False.'],
  ])('%j → one line on stderr, exit 1', async (args, line) => {
    const result = await runserver(args);
    expect(result).toEqual({ code: 1, signal: null, stdout: '', stderr: `${line}\n` });
  });

  it('a missing settings module is a CommandError naming the file looked for', async () => {
    const result = await runserver(['--noreload', '--settings', 'mysite/nothere']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      `CommandError: Settings module 'mysite/nothere' (from --settings) was not found: there is no ${path.join(project.dir, 'mysite', 'nothere')}.ts.\n`,
    );
  });

  it('no settings module at all says how to give one', async () => {
    const empty = path.join(project.dir, 'no-settings');
    mkdirSync(empty, { recursive: true });
    writeFileSync(path.join(empty, 'package.json'), '{ "name": "empty", "type": "module" }\n');
    const result = await runGwi(['runserver', '--noreload'], { cwd: empty, env: cleanEnv() });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(/^CommandError: No settings module was found: .*--settings.*GWI_SETTINGS_MODULE.*package\.json.*\n$/);
  });

  it('GWI_SETTINGS_MODULE names the settings module', async () => {
    const result = await runserver(['--noreload'], { GWI_SETTINGS_MODULE: 'mysite/settings_prod' });
    expect(result.stderr).toBe('CommandError: You must set settings.ALLOWED_HOSTS if DEBUG is False.\n');
  });

  it('a settings module with a syntax error: the error and its file:line, no stack', async () => {
    const result = await runserver(['--noreload', '--settings', 'mysite/settings_broken']);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    const file = path.join(project.dir, 'mysite', 'settings_broken.ts');
    expect(result.stderr).toMatch(
      new RegExp(`^CommandError: Settings module 'mysite/settings_broken' could not be imported: SyntaxError: .+ \\(${file.replace(/[.\\/]/g, '\\$&')}:3:\\d+\\)\\n$`),
    );
  });

  it('an ERROR from the checks: the SystemCheckError report on stderr, exit 1, no banner', async () => {
    const result = await runserver(['--noreload', '--settings', 'mysite/settings_check_error', '0']);
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout: 'Performing system checks...\n\n',
      stderr:
        'SystemCheckError: System check identified some issues:\n\nERRORS:\n?: (fixture.E001) Something is wrong.\n\tHINT: Fix it.\n\n' +
        'System check identified 1 issue (0 silenced).\n',
    });
  });

  it('an application module that throws on import: the error and where, one line', async () => {
    const result = await runserver(['--noreload', '--settings', 'mysite/settings_bad_app', '0']);
    expect(result).toMatchObject({ code: 1, stdout: `${CHECKS_OK.join('\n')}\n` });
    expect(result.stderr).toBe(
      "CommandError: GWI application 'mysite/throwing#application' could not be loaded; Error importing module. " +
        `Error: boom at import (${path.join(project.dir, 'mysite', 'throwing.ts')}:4:7)\n`,
    );
  });

  it('a port in use: Error: That port is already in use., exit 1, no banner', async () => {
    const busy = await occupyPort();
    try {
      const result = await runserver(['--noreload', String(busy.port)]);
      expect(result).toEqual({ code: 1, signal: null, stdout: `${CHECKS_OK.join('\n')}\n`, stderr: 'Error: That port is already in use.\n' });
    } finally {
      await busy.close();
    }
  });

  it("an address this host does not have: Error: That IP address can't be assigned to.", async () => {
    const result = await runserver(['--skip-checks', '192.0.2.1:0']);
    expect(result).toEqual({ code: 1, signal: null, stdout: '', stderr: "Error: That IP address can't be assigned to.\n" });
  });

  it.each([
    [['--bogus'], "gwi runserver: error: unknown option '--bogus'"],
    [['8000', 'extra'], "gwi runserver: error: too many arguments for 'runserver'. Expected 1 argument but got 2."],
  ])('%j: usage and the error on stderr, exit 2', async (args, line) => {
    const result = await runserver(args);
    expect(result).toEqual({ code: 2, signal: null, stdout: '', stderr: `Usage: gwi runserver [options] [addrport]\n${line}\n` });
  });
});

describe('gwi runserver: help and version', () => {
  it('--help lists the options with their help texts, exit 0', async () => {
    const result = await runserver(['--help']);
    expect(result.code).toBe(0);
    // commander wraps long lines: compare with the whitespace collapsed.
    const help = result.stdout.replace(/\s+/g, ' ');
    for (const text of [
      'Usage: gwi runserver [options] [addrport]',
      'Starts a lightweight web server for development and also serves static files.',
      'Optional port number, or ipaddr:port',
      '--ipv6, -6',
      'Tells gwi to use an IPv6 address.',
      'Tells gwi to NOT use threading.',
      'Tells gwi to NOT use the auto-reloader.',
      'Tells gwi to NOT automatically serve static files at STATIC_URL.',
      'Allows serving static files even if DEBUG is False.',
      '--settings <SETTINGS>',
      "Don't colorize the command output.",
      'Force colorization of the command output.',
      'Skip system checks.',
      "Show program's version number and exit.",
      'Show this help message and exit.',
    ]) {
      expect(help).toContain(text);
    }
  });

  it('--version prints the version', async () => {
    expect(await runserver(['--version'])).toEqual({ code: 0, signal: null, stdout: `${VERSION}\n`, stderr: '' });
  });
});

describe('gwi demo', () => {
  it('still serves the demo app', async () => {
    const demo = new GwiProcess(['demo', '0'], { cwd: project.dir });
    const match = await demo.waitFor(/^Serving the demo app at http:\/\/127\.0\.0\.1:(\d+)\/$/m);
    const { status, body } = await get(Number(match[1]), '/');
    expect(status).toBe(200);
    expect(body).toContain('Hello world!');
    demo.child.kill('SIGINT');
    expect((await demo.exited).code).toBe(0);
  });
});
