// The reloader under abuse, black-box: `gwi runserver` on a copy of the reloader's fixture project, whose
// code crashes at import or later, loops forever at import, gets 200 saves in 2 s or a folder deleted
// under it; and a supervisor killed outright. Each case ends with the server serving the last code and,
// once stopped, no process of the run left (found by an environment variable every process inherits).
import { closeSync, cpSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale, portIsFree, type GwiProcess } from '../cli/gwi-process.js';
import { httpText } from '../helpers/http.js';
import { copyReloaderProject, freePort, isRunning, killEverything, runserver, serverProcesses, waitUntil } from '../reloader/processes.js';

/** Set in the supervisor's environment, inherited by every process it starts (and theirs). */
const RUN_VARIABLE = 'GWI_RELIABILITY_RUN';
const WATCHING = 'Watching for file changes with chokidar\n';
const BANNER = /^Starting development server at http:\/\/127\.0\.0\.1:\d+\/$/gm;

/** This test's copy of the project (its views.ts at hand), and the tag of its processes. */
let project: { dir: string; views: string; run: string; remove: () => void };

beforeAll(() => buildIfStale(), 120_000);

beforeEach(() => {
  const copy = copyReloaderProject();
  project = { ...copy, views: path.join(copy.dir, 'mysite', 'views.ts'), run: randomUUID() };
});

afterEach(async () => {
  // A process blocked in a loop is killed here too, even one no longer anyone's child.
  for (const pid of runProcesses()) process.kill(pid, 'SIGKILL');
  await killEverything();
  project.remove();
});

/** The running processes of this test's run, wherever they are in the process tree. */
function runProcesses(): number[] {
  const entry = `${RUN_VARIABLE}=${project.run}`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry) && isRunning(pid);
      } catch {
        return false;
      }
    });
}

/** `gwi runserver PORT` on the project, tagged with this test's run. */
function start(port: number | '0', env: Record<string, string> = {}): GwiProcess {
  return runserver(project.dir, [String(port)], { [RUN_VARIABLE]: project.run, ...env });
}

/** A module of the project: `body` between gwi's import and a view answering `text`. */
function writeModule(file: string, text: string, body = ''): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const view = `export function index(): HttpResponse {\n  return new HttpResponse('${text}\\n', { contentType: 'text/plain' });\n}\n`;
  writeFileSync(file, `import { HttpResponse } from 'gwi';\n\n${body ? `${body}\n\n` : ''}${view}`);
}

/** One request on a new connection. */
function get(port: number, urlPath = '/'): Promise<{ status: number; body: string }> {
  return httpText(port, urlPath, { timeout: 8000 });
}

/** Three requests, each answered with the 500 page holding every one of `parts`. */
async function expectFailurePages(port: number, ...parts: string[]): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const page = await get(port);
    expect(page.status).toBe(500);
    for (const part of parts) expect(page.body).toContain(part);
  }
}

/** Requests `urlPath` until the answer is `body` (200). */
function served(port: number, body: string, urlPath = '/', timeout = 5000): Promise<boolean> {
  return waitUntil(() => get(port, urlPath).then((reply) => reply.status === 200 && reply.body === body, () => false), timeout);
}

function occurrences(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** Ctrl-C: exit 0, and within 3 s no process of the run left and the port free. */
async function stopCleanly(gwi: GwiProcess, port: number): Promise<void> {
  gwi.child.kill('SIGINT');
  expect(await gwi.exited).toEqual({ code: 0, signal: null });
  expect(await waitUntil(() => runProcesses().length === 0, 3000)).toBe(true);
  expect(await portIsFree(port)).toBe(true);
}

describe('a project that crashes as it starts', () => {
  it('throws at import: the error once with file:line, the 500 page for every request, served once fixed', async () => {
    writeModule(project.views, 'never', "throw new Error('boom at import');");
    const port = await freePort();
    const gwi = start(port);
    await gwi.waitFor(/^CommandError: .*\n/m, 'stderr');
    // stdout is another pipe: what the process wrote there first may arrive after stderr's line.
    await gwi.waitFor(/\n\n/, 'stdout');
    expect(gwi.stderr).toBe(`${WATCHING}CommandError: Error: boom at import (${project.views}:3:7)\n`);
    expect(gwi.stdout).toBe('Performing system checks...\n\n');

    await expectFailurePages(port, '<h1>The project failed to load</h1>', 'Error: boom at import', `<td>${project.views}:3</td>`);
    await gwi.waitFor(/(?:"GET \/ HTTP\/1\.1" 500 \d+\n[^]*){3}/, 'stderr');
    expect(occurrences(gwi.stderr, 'boom at import')).toBe(1);

    writeModule(project.views, 'fixed');
    expect(await served(port, 'fixed\n')).toBe(true);
    await gwi.started();
    // (A request log line may come between the two.)
    expect(gwi.stderr).toContain(`\n${project.views} changed, reloading.\n`);
    expect(occurrences(gwi.stderr, WATCHING)).toBe(2);
    expect(gwi.stdout.match(BANNER)).toHaveLength(1);
    await stopCleanly(gwi, port);
  });

  it('process.exit(1) at import: said once, the exit page for every request, served once fixed', async () => {
    writeModule(project.views, 'never', 'process.exit(1);');
    const port = await freePort();
    const gwi = start(port);
    const exited = 'The server process exited with code 1. gwi reloads on the next change.\n';
    await gwi.waitFor(/gwi reloads on the next change\.\n/, 'stderr');
    expect(gwi.stderr).toBe(`${WATCHING}${exited}`);

    await expectFailurePages(port, 'ServerProcessExited: The server process exited with code 1.');
    expect(occurrences(gwi.stderr, exited)).toBe(1);

    writeModule(project.views, 'fixed');
    expect(await served(port, 'fixed\n')).toBe(true);
    await stopCleanly(gwi, port);
  });
});

describe('a server process that crashes after it started', () => {
  it.each([
    ['calls process.exit(3)', 'setTimeout(() => process.exit(3), 20);', 3, 'The server process exited with code 3.'],
    ['throws from a timer', "setTimeout(() => {\n    throw new Error('async boom');\n  }, 20);", 1, 'Error: async boom'],
  ])('a view that %s: the supervisor stays up with the exit page, the next save serves again', async (_how, crash, code, said) => {
    // crash.ts (the view at /crash/) answers, then takes its process down.
    const crashView = path.join(project.dir, 'mysite', 'crash.ts');
    writeFileSync(
      crashView,
      "import { HttpResponse } from 'gwi';\n\nexport function crash(): HttpResponse {\n" +
        `  ${crash}\n  return new HttpResponse('bye\\n', { contentType: 'text/plain' });\n}\n`,
    );
    const gwi = start('0');
    const port = await gwi.started();
    const [serving] = serverProcesses(gwi);

    expect(await get(port, '/crash/')).toEqual({ status: 200, body: 'bye\n' });
    const exited = `The server process exited with code ${code}. gwi reloads on the next change.\n`;
    await gwi.waitFor(/gwi reloads on the next change\.\n/, 'stderr');
    expect(gwi.stderr).toContain(said);
    if (code === 1) expect(gwi.stderr).toContain(`${crashView}:5\n`);
    expect(await waitUntil(() => !isRunning(serving as number))).toBe(true);
    await expectFailurePages(port, `ServerProcessExited: The server process exited with code ${code}.`);
    expect(occurrences(gwi.stderr, exited)).toBe(1);
    expect(gwi.child.exitCode).toBe(null);

    writeModule(project.views, 'after the crash');
    expect(await served(port, 'after the crash\n')).toBe(true);
    await stopCleanly(gwi, port);
  });
});

describe('an endless loop at import', () => {
  // The load timeout (2 s here, 5 s by default) is what tells a stuck load from a slow one.
  const env = { GWI_LOAD_TIMEOUT_MS: '2000', GWI_RELOAD_GRACE_MS: '300' };
  const stuck = 'The project has not finished loading after 2 s: is there an endless loop at import? gwi reloads on the next change.\n';

  it('after a reload: a request waits for the load timeout and gets the page; the next save kills the looping process and serves', async () => {
    const gwi = start('0', env);
    const port = await gwi.started();
    expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);
    // The standby (the younger) is the one told to load the next code.
    const [, looping] = serverProcesses(gwi) as [number, number];

    const saved = performance.now();
    writeModule(project.views, 'never', 'while (true) {}');
    await gwi.waitFor(/changed, reloading\.\n/, 'stderr');
    // Asked after the save, it waits for the new code's answer (not the old code's): the timeout page.
    const page = await get(port);
    expect(performance.now() - saved).toBeGreaterThanOrEqual(2000);
    expect(page.status).toBe(500);
    expect(page.body).toContain('LoadTimeout: The project has not finished loading after 2 s');
    expect(gwi.stderr).toContain(`\n${stuck}`);
    await expectFailurePages(port, 'LoadTimeout: The project has not finished loading after 2 s');
    expect(isRunning(looping)).toBe(true);

    const fixed = performance.now();
    writeModule(project.views, 'fixed');
    expect(await served(port, 'fixed\n')).toBe(true);
    const recovered = performance.now() - fixed;
    expect(await waitUntil(() => !isRunning(looping), 2000)).toBe(true);
    expect(occurrences(gwi.stderr, stuck)).toBe(1);
    console.info(`endless loop at import: fixing save → fixed code served in ${recovered.toFixed(0)} ms`);
    await stopCleanly(gwi, port);
  });

  it('at start-up: a request waits for the load timeout and gets the page; the next save serves', async () => {
    writeModule(project.views, 'never', 'while (true) {}');
    const port = await freePort();
    const launched = performance.now();
    const gwi = start(port, env);
    // Bound by now: the server process prints this as it starts loading.
    await gwi.waitFor(/Watching/, 'stderr');
    const page = await get(port);
    expect(performance.now() - launched).toBeGreaterThanOrEqual(2000);
    expect(page.status).toBe(500);
    expect(page.body).toContain('LoadTimeout: The project has not finished loading after 2 s');
    await gwi.waitFor(/"GET \/ HTTP\/1\.1" 500 \d+\n/, 'stderr');
    expect(gwi.stderr.replace(/^\[.+\] "GET \/ HTTP\/1\.1" 500 \d+\n/m, '')).toBe(`${WATCHING}${stuck}`);

    writeModule(project.views, 'fixed');
    expect(await served(port, 'fixed\n')).toBe(true);
    await stopCleanly(gwi, port);
  });
});

describe('a supervisor killed with SIGKILL', () => {
  it('its server processes exit by themselves (an open connection too), no orphan, the port free', async () => {
    const gwi = start('0');
    const port = await gwi.started();
    expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);
    // A keep-alive connection the serving process holds.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const closed = new Promise<void>((resolve) => {
      http.get({ host: '127.0.0.1', port, agent }, (res) => {
        res.resume();
        res.socket.once('close', () => resolve());
      });
    });

    await sleep(100);
    gwi.child.kill('SIGKILL');
    expect(await gwi.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await waitUntil(() => runProcesses().length === 0, 3000)).toBe(true);
    await closed;
    agent.destroy();
    expect(await portIsFree(port)).toBe(true);
  });

  it("a server process stuck in an endless loop is killed by the supervisor's watchdog after the grace period", async () => {
    // The view at /crash/ never returns: the process answers nothing, not even 'disconnect'.
    writeFileSync(
      path.join(project.dir, 'mysite', 'crash.ts'),
      "import { HttpResponse } from 'gwi';\n\nexport function crash(): HttpResponse {\n  for (;;);\n}\n",
    );
    const gwi = start('0', { GWI_RELOAD_GRACE_MS: '300' });
    const port = await gwi.started();
    expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);
    const [looping] = serverProcesses(gwi) as [number];
    const hanging = get(port, '/crash/').catch((error: unknown) => String(error));
    // Time for the request to reach the view.
    await sleep(300);

    const supervisor = gwi.child.pid as number;
    gwi.child.kill('SIGKILL');
    expect(await waitUntil(() => !isRunning(supervisor), 2000)).toBe(true);
    await sleep(800);
    // Not yet: its grace period (300 ms) and a second more are its own to stop in.
    expect(isRunning(looping)).toBe(true);
    expect(await waitUntil(() => runProcesses().length === 0, 3000)).toBe(true);
    // (The supervisor's output pipes close when the last process holding them is gone.)
    expect(await gwi.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await hanging).toMatch(/socket hang up|ECONNRESET/);
    expect(await portIsFree(port)).toBe(true);
  });
});

describe('200 saves in 2 s', () => {
  it('a bounded number of reloads, no failed request, and the last save is what serves', async () => {
    const gwi = start('0');
    const port = await gwi.started();
    expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);

    const failures: string[] = [];
    let requests = 0;
    let storming = true;
    const poller = (async () => {
      while (storming) {
        requests++;
        const reply = await get(port).catch((error: unknown) => ({ status: 0, body: String(error) }));
        if (reply.status !== 200) failures.push(`${reply.status} ${reply.body.slice(0, 100)}`);
        await sleep(5);
      }
    })();

    const began = performance.now();
    for (let i = 1; i <= 200; i++) {
      writeModule(project.views, `save ${i}`);
      // Against the clock: a save every 10 ms however long a write takes.
      await sleep(Math.max(0, began + i * 10 - performance.now()));
    }
    const storm = performance.now() - began;
    expect(await served(port, 'save 200\n')).toBe(true);
    // Time for one more reload, if any were to come.
    await sleep(800);
    storming = false;
    await poller;

    expect(await get(port)).toEqual({ status: 200, body: 'save 200\n' });
    const reloads = (gwi.stdout.match(BANNER)?.length ?? 0) - 1;
    const announced = occurrences(gwi.stderr, 'changed, reloading.');
    console.info(
      `200 saves in ${storm.toFixed(0)} ms: ${announced} "changed, reloading." lines, ${reloads} reloads, ` +
        `${failures.length} failed of ${requests} requests`,
    );
    // Loads never overlap (saves during one make one more after it) and each takes at least the quiet
    // time and an import, over 100 ms: at most 2 s / 100 ms, plus the one after the last save.
    expect(reloads).toBeGreaterThanOrEqual(1);
    expect(reloads).toBeLessThanOrEqual(21);
    expect(failures).toEqual([]);
    await stopCleanly(gwi, port);
  }, 30_000);
});

describe('a load that fails while newer saves come', () => {
  it('its failure is never shown: requests wait until the newer code has loaded', async () => {
    const gwi = start('0');
    const port = await gwi.started();
    expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);

    const failures: string[] = [];
    const bodies = new Set<string>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const reply = await get(port).catch((error: unknown) => ({ status: 0, body: String(error) }));
        if (reply.status !== 200) failures.push(`${reply.status} ${reply.body.slice(0, 100)}`);
        else bodies.add(reply.body);
        await sleep(5);
      }
    })();

    // Code that fails 300 ms into its load, replaced by saves every 10 ms for a second meanwhile: when
    // it fails, newer code is on its way (the saves are one burst, loaded once it is over).
    // The module says when it runs (in a file outside the project's folder, which is watched).
    const evaluated = path.join(path.dirname(project.dir), 'evaluated');
    writeModule(
      project.views,
      'never',
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(evaluated)}, '');\n` +
        "await new Promise((resolve) => setTimeout(resolve, 300));\nthrow new Error('superseded');",
    );
    expect(await waitUntil(() => existsSync(evaluated))).toBe(true);
    const began = performance.now();
    for (let i = 1; i <= 100; i++) {
      writeModule(project.views, `save ${i}`);
      await sleep(Math.max(0, began + i * 10 - performance.now()));
    }
    expect(await served(port, 'save 100\n')).toBe(true);
    // The poller's own requests see it too (served() may see it first, and the poller stop before it asks again).
    expect(await waitUntil(() => bodies.has('save 100\n'))).toBe(true);
    polling = false;
    await poller;

    expect(failures).toEqual([]);
    // The old code answered until the first save, and no request failed meanwhile: they waited.
    expect([...bodies][0]).toBe('v0\n');
    expect([...bodies].at(-1)).toBe('save 100\n');
    expect(gwi.stderr).not.toContain('superseded');
    await stopCleanly(gwi, port);
  }, 30_000);
});

describe('50 half-written saves of a 1 MiB module', () => {
  // 20 ms apart, the saves are one burst (the quiet time is 25 ms) unless this process is held up; 40 ms
  // apart, each save starts a load that the next save's half-written file races.
  it.each([20, 40])('%i ms apart: never serves a failure from code a newer save replaced, and ends serving the last save', async (gap) => {
    const gwi = start('0');
    const port = await gwi.started();
    expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);

    const failures: string[] = [];
    let storming = true;
    const poller = (async () => {
      while (storming) {
        const reply = await get(port).catch((error: unknown) => ({ status: 0, body: String(error) }));
        if (reply.status !== 200) failures.push(`${reply.status} ${reply.body.slice(0, 100)}`);
        await sleep(5);
      }
    })();

    // An editor that writes in place: the file is cut to nothing, then written in two parts.
    const padding = `// ${'x'.repeat(1024 * 1024)}\n`;
    const began = performance.now();
    for (let i = 1; i <= 50; i++) {
      const text = Buffer.from(
        `import { HttpResponse } from 'gwi';\n\n${padding}export function index(): HttpResponse {\n  return new HttpResponse('save ${i}\\n', { contentType: 'text/plain' });\n}\n`,
      );
      const fd = openSync(project.views, 'r+');
      ftruncateSync(fd, 0);
      writeSync(fd, text, 0, text.length >> 1, 0);
      await sleep(2);
      writeSync(fd, text, text.length >> 1, text.length - (text.length >> 1), text.length >> 1);
      closeSync(fd);
      await sleep(Math.max(0, began + i * gap - performance.now()));
    }
    expect(await served(port, 'save 50\n')).toBe(true);
    await sleep(800);
    storming = false;
    await poller;

    expect(await get(port)).toEqual({ status: 200, body: 'save 50\n' });
    console.info(`50 half-written saves ${gap} ms apart: ${occurrences(gwi.stderr, 'changed, reloading.')} "changed, reloading." lines, ${failures.length} failed requests`);
    expect(failures).toEqual([]);
    await stopCleanly(gwi, port);
  }, 60_000);
});

describe('a watched folder deleted and created again', () => {
  it('keeps watching it: saves in the new folder reload, at once or after a while', async () => {
    const pages = path.join(project.dir, 'pages');
    const page = path.join(pages, 'views.ts');
    const urls = path.join(project.dir, 'mysite', 'urls.ts');
    writeModule(page, 'page 0');
    writeFileSync(
      urls,
      "import { path } from 'gwi';\nimport { index as page } from '../pages/views.js';\nimport { index } from './views.js';\n\n" +
        "export const urlpatterns = [path('', index), path('page/', page)];\n",
    );
    const gwi = start('0');
    const port = await gwi.started();
    expect(await get(port, '/page/')).toEqual({ status: 200, body: 'page 0\n' });
    const copy = path.join(project.dir, '..', 'pages-copy');

    // Deleted and created again before the supervisor looks (rm -rf then cp -r, a checkout, on a busy
    // machine): stopped meanwhile, it cannot see the folder missing in between.
    writeModule(path.join(copy, 'views.ts'), 'page 1');
    gwi.child.kill('SIGSTOP');
    rmSync(pages, { recursive: true });
    cpSync(copy, pages, { recursive: true });
    gwi.child.kill('SIGCONT');
    expect(await served(port, 'page 1\n', '/page/')).toBe(true);
    writeModule(page, 'page 2');
    expect(await served(port, 'page 2\n', '/page/')).toBe(true);

    // Deleted, the project fails to load without it, then created again.
    rmSync(pages, { recursive: true });
    expect(await waitUntil(() => get(port, '/page/').then(({ status }) => status === 500))).toBe(true);
    writeModule(page, 'page 3');
    expect(await served(port, 'page 3\n', '/page/')).toBe(true);
    writeModule(page, 'page 4');
    expect(await served(port, 'page 4\n', '/page/')).toBe(true);
    expect(await get(port)).toEqual({ status: 200, body: 'v0\n' });
    await stopCleanly(gwi, port);
  });
});
