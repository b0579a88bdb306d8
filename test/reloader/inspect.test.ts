// `gwi runserver --inspect` and `--inspect-brk` through the inspector protocol, as a debugger sees them:
// one target on the port before and after a reload, whose Runtime.evaluate sees the code being served.
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale, type GwiProcess } from '../cli/gwi-process.js';
import { httpText } from '../helpers/http.js';
import { WebSocketClient } from '../helpers/websocket.js';
import { copyReloaderProject, freePort, killEverything, runserver, waitUntil } from './processes.js';

let project: { dir: string; remove: () => void };
let inspectPort: number;

beforeAll(() => buildIfStale(), 120_000);

beforeEach(async () => {
  project = copyReloaderProject();
  inspectPort = await freePort();
  writeView('v0');
});

afterEach(async () => {
  await killEverything();
  project.remove();
});

/** views.ts answering `version`, which it also leaves on globalThis when it is imported. */
/**
 * Saves views.ts as an editor's atomic save does (a whole new file renamed over it): one change. A
 * file rewritten in place can be seen as two on a busy machine (truncated, then written over 25 ms
 * later), and each reload's process then takes the inspector in turn.
 */
function writeView(version: string): void {
  const views = path.join(project.dir, 'mysite', 'views.ts');
  writeFileSync(
    `${views}.tmp`,
    "import { HttpResponse } from 'gwi';\n\n" +
      `(globalThis as { viewVersion?: string }).viewVersion = '${version}';\n\n` +
      `export const index = () => new HttpResponse('${version}', { contentType: 'text/plain' });\n`,
  );
  renameSync(`${views}.tmp`, views);
}

interface Target {
  id: string;
  webSocketDebuggerUrl: string;
}

/** The targets the inspector lists on its HTTP endpoint ([] while nothing listens). */
async function targets(): Promise<Target[]> {
  try {
    return JSON.parse((await httpText(inspectPort, '/json/list', { timeout: 2000 })).body) as Target[];
  } catch {
    return [];
  }
}

/** Waits until the inspector lists one target other than `previous`, and returns it. */
async function nextTarget(previous?: Target): Promise<Target> {
  let listed: Target[] = [];
  const found = await waitUntil(async () => {
    listed = await targets();
    expect(listed.length).toBeLessThanOrEqual(1);
    return listed.length === 1 && listed[0]?.id !== previous?.id;
  }, 10_000);
  expect(found).toBe(true);
  return listed[0] as Target;
}

/** A session on a target: commands with their results, and the events it receives. */
class Session {
  readonly socket: WebSocketClient;
  #id = 0;
  readonly #pending = new Map<number, (result: unknown) => void>();
  readonly #events: { method: string; params: unknown }[] = [];

  private constructor(socket: WebSocketClient) {
    this.socket = socket;
    socket.onMessage((text) => {
      const message = JSON.parse(text) as { id?: number; result?: unknown; method?: string; params?: unknown };
      if (message.id !== undefined) this.#pending.get(message.id)?.(message.result);
      else if (message.method) this.#events.push({ method: message.method, params: message.params });
    });
  }

  static async attach(target: Target): Promise<Session> {
    return new Session(await WebSocketClient.connect(target.webSocketDebuggerUrl));
  }

  call(method: string, params: object = {}): Promise<unknown> {
    const id = ++this.#id;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  async evaluate(expression: string): Promise<unknown> {
    const { result } = (await this.call('Runtime.evaluate', { expression, returnByValue: true })) as { result: { value: unknown } };
    return result.value;
  }

  received(method: string): Promise<boolean> {
    return waitUntil(() => this.#events.some((event) => event.method === method));
  }
}

/** What a debugger does with a process that waits for it: attach, take the break, resume. */
async function attachAndResume(target: Target): Promise<Session> {
  const session = await Session.attach(target);
  await session.call('Debugger.enable');
  await session.call('Runtime.runIfWaitingForDebugger');
  expect(await session.received('Debugger.paused')).toBe(true);
  await session.call('Debugger.resume');
  return session;
}

const BANNER_END = /Quit the server with CONTROL-C\.\n\n/g;

/** Waits for the `n`th banner. */
function banner(gwi: GwiProcess, n: number): Promise<boolean> {
  return waitUntil(() => (gwi.stdout.match(BANNER_END)?.length ?? 0) >= n, 10_000);
}

describe('gwi runserver --inspect', () => {
  it('one target, the serving process, before and after a reload; its sessions close when it lets go', async () => {
    const gwi = runserver(project.dir, [`--inspect=${inspectPort}`, '0']);
    const port = await gwi.started();
    expect((await httpText(port, '/')).body).toBe('v0');
    const first = await nextTarget();
    expect(gwi.stdout).toContain(
      `\nDebugger listening on ws://127.0.0.1:${inspectPort}/${first.id} (the serving process; it follows reloads)\nQuit the server`,
    );
    const session = await Session.attach(first);
    expect(await session.evaluate('globalThis.viewVersion')).toBe('v0');

    writeView('v1');
    // The reloaded process opens the inspector once the one serving has closed it, which ends its sessions.
    await session.socket.closed;
    expect(await waitUntil(async () => (await httpText(port, '/')).body === 'v1')).toBe(true);
    const second = await nextTarget(first);
    expect(await banner(gwi, 2)).toBe(true);
    // The banner names the new target, or, when the process loaded before the old one let go of the
    // address (a busy machine), says that it is coming.
    expect([
      `Debugger listening on ws://127.0.0.1:${inspectPort}/${second.id} (the serving process; it follows reloads)\n`,
      `Debugger on 127.0.0.1:${inspectPort} once the previous server process lets go of it\n`,
    ]).toContainEqual(/(Debugger [^\n]*\n)$/.exec(gwi.stdout.split(BANNER_END)[1] ?? '')?.[1]);
    const reattached = await Session.attach(second);
    expect(await reattached.evaluate('globalThis.viewVersion')).toBe('v1');
    // node's own "Debugger listening on …" is left to the banner.
    expect(gwi.stderr).not.toContain('Debugger listening');
  });

  it('a serving process paused in the debugger keeps the port until it is gone; then the new one listens', async () => {
    // The grace period runs from the save (the serving process retires as it is seen): it must outlast the
    // new process's load and banner, which took over 500 ms on a busy machine.
    const gwi = runserver(project.dir, [`--inspect=${inspectPort}`, '0'], { GWI_RELOAD_GRACE_MS: '2000' });
    const port = await gwi.started();
    const first = await nextTarget();
    const session = await Session.attach(first);
    await session.call('Debugger.enable');
    // Paused at the next statement it runs: the message that tells it to close the inspector.
    await session.call('Debugger.pause');
    writeView('v1');
    expect(await session.received('Debugger.paused')).toBe(true);
    expect(await banner(gwi, 2)).toBe(true);
    expect((await targets()).map((target) => target.id)).toEqual([first.id]);
    // Killed after the grace period, as any retiring process.
    await session.socket.closed;
    const second = await nextTarget(first);
    expect(await (await Session.attach(second)).evaluate('globalThis.viewVersion')).toBe('v1');
    expect((await httpText(port, '/')).body).toBe('v1');
  });

  it('--inspect-brk: each load waits for a debugger, breaks, and is not stuck meanwhile', async () => {
    const gwi = runserver(project.dir, [`--inspect-brk=${inspectPort}`, '0'], { GWI_LOAD_TIMEOUT_MS: '300' });
    const first = await nextTarget();
    await sleep(800);
    expect(gwi.stdout).not.toContain('Starting development server');
    expect(gwi.stderr).not.toContain('has not finished loading');
    await attachAndResume(first);
    const port = await gwi.started();
    expect((await httpText(port, '/')).body).toBe('v0');

    writeView('v1');
    const second = await nextTarget(first);
    // A request made after the save waits with the load for a debugger, and gets the new code.
    let answered = false;
    const reply = httpText(port, '/').finally(() => (answered = true));
    await sleep(800);
    expect(answered).toBe(false);
    const session = await attachAndResume(second);
    expect((await reply).body).toBe('v1');
    expect(await banner(gwi, 2)).toBe(true);
    expect(await session.evaluate('globalThis.viewVersion')).toBe('v1');
    expect(gwi.stderr).not.toContain('has not finished loading');

    // Ctrl-C while a load waits for a debugger (its process runs no handler then) still stops everything.
    writeView('v2');
    await nextTarget(second);
    gwi.child.kill('SIGINT');
    expect(await gwi.exited).toEqual({ code: 0, signal: null });
  });

  it('--noreload: the one process listens', async () => {
    const gwi = runserver(project.dir, ['--noreload', `--inspect=${inspectPort}`, '0']);
    const port = await gwi.started();
    expect((await httpText(port, '/')).body).toBe('v0');
    const target = await nextTarget();
    expect(gwi.stdout).toContain(`\nDebugger listening on ws://127.0.0.1:${inspectPort}/${target.id}\nQuit the server`);
    const session = await Session.attach(target);
    expect(await session.evaluate('globalThis.viewVersion')).toBe('v0');
  });
});
