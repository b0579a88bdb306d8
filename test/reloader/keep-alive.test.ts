// Kept-alive connections across reloads, as the clients a developer runs use them (fetch's pool, an
// http.Agent with keepAlive, a raw socket that pipelines or sends a body in parts): no request fails,
// no byte is lost or answered twice, and the next request on the same connection reaches the new code.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale, type GwiProcess } from '../cli/gwi-process.js';
import { copyReloaderProject, isRunning, killEverything, runserver, serverProcesses, waitUntil } from './processes.js';

let project: { dir: string; remove: () => void };
let views: string;
let release: string;

beforeAll(() => buildIfStale(), 120_000);

beforeEach(() => {
  project = copyReloaderProject();
  views = path.join(project.dir, 'mysite', 'views.ts');
  release = path.join(project.dir, 'release');
  writeFileSync(
    path.join(project.dir, 'mysite', 'urls.ts'),
    "import { path } from 'gwi';\nimport { echo, held, index, slow } from './views.js';\n\n" +
      "export const urlpatterns = [path('', index), path('slow/', slow), path('echo/', echo), path('held/', held)];\n",
  );
  writeView('v0');
});

afterEach(async () => {
  await killEverything();
  project.remove();
});

/**
 * views.ts answering `version`: `/` at once, `/slow/` after 400 ms, `/echo/` with the body it read,
 * `/held/` once the file `release` exists.
 */
function writeView(version: string): void {
  writeFileSync(
    views,
    "import { existsSync } from 'node:fs';\nimport { HttpResponse, type GwiRequest } from 'gwi';\n\n" +
      `const VERSION = '${version}';\nconst RELEASE = ${JSON.stringify(release)};\n` +
      "const text = (body: string) => new HttpResponse(body, { contentType: 'text/plain; charset=utf-8' });\n\n" +
      'export const index = () => text(VERSION);\n' +
      'export const slow = async () => {\n  await new Promise((resolve) => setTimeout(resolve, 400));\n  return text(`${VERSION} slow`);\n};\n' +
      'export const echo = async (request: GwiRequest) => text(`${VERSION} ${(await request.body()).toString()}`);\n' +
      'export const held = async () => {\n  while (!existsSync(RELEASE)) await new Promise((resolve) => setTimeout(resolve, 10));\n  return text(`${VERSION} held`);\n};\n',
  );
}

const BANNER = /Starting development server at http:\/\/127\.0\.0\.1:\d+\//g;

/**
 * Waits until the `n`th banner is out (the first is the start): the `n - 1`th reload serves. With
 * `port`, also until a new connection gets `version`: the supervisor has switched, so the old process
 * has been told to retire (the new process prints its banner before the supervisor hears it is ready).
 */
async function switched(gwi: GwiProcess, n: number, port?: number, version?: string): Promise<void> {
  expect(await waitUntil(() => (gwi.stdout.match(BANNER)?.length ?? 0) >= n, 10_000)).toBe(true);
  if (port === undefined) return;
  const answer = async (): Promise<string> => {
    const connection = new RawConnection(port);
    connection.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    const { body } = await connection.response();
    connection.socket.destroy();
    return body;
  };
  expect(await waitUntil(async () => (await answer()) === version, 10_000)).toBe(true);
}

/** A raw connection that reads whole responses (Content-Length framed) in order. */
class RawConnection {
  readonly socket: net.Socket;
  #buffer = Buffer.alloc(0);
  readonly #waiting: ((response: { status: number; body: string; close: boolean }) => void)[] = [];
  #closed = false;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    this.socket.on('close', () => (this.#closed = true));
  }

  get closed(): boolean {
    return this.#closed;
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /** The next whole response on this connection. */
  response(): Promise<{ status: number; body: string; close: boolean }> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#parse();
    });
  }

  #parse(): void {
    while (this.#waiting.length > 0) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = this.#buffer.subarray(0, end).toString('latin1');
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (this.#buffer.length < end + 4 + length) return;
      const body = this.#buffer.subarray(end + 4, end + 4 + length).toString('utf8');
      this.#buffer = this.#buffer.subarray(end + 4 + length);
      const status = Number(head.slice(9, 12));
      (this.#waiting.shift() as (response: { status: number; body: string; close: boolean }) => void)({
        status,
        body,
        close: /\r\nconnection: *close/i.test(head),
      });
    }
  }
}

const GET = (target: string): string => `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;

describe('kept-alive connections across reloads', () => {
  it('fetch and an http.Agent polling every 5 ms across 30 reloads: no request fails, and no response is older than one before it', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);

    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    const agentPorts = new Set<number>();
    const viaAgent = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve(res.statusCode === 200 ? body : `${res.statusCode} ${body.slice(0, 80)}`));
          res.on('error', reject);
        });
        // A kept-alive socket is connected already: its 'connect' is over.
        req.on('socket', (socket) => {
          if (socket.connecting) socket.once('connect', () => agentPorts.add(socket.localPort as number));
          else agentPorts.add(socket.localPort as number);
        });
        req.on('error', reject);
      });
    const viaFetch = async (): Promise<string> => {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      const body = await res.text();
      return res.status === 200 ? body : `${res.status} ${body.slice(0, 80)}`;
    };

    const failures: string[] = [];
    const seen: Record<string, string[]> = { fetch: [], agent: [] };
    let polling = true;
    const poll = async (name: 'fetch' | 'agent', request: () => Promise<string>): Promise<void> => {
      while (polling) {
        try {
          const body = await request();
          if (!/^v\d+$/.test(body)) failures.push(`${name}: ${body}`);
          seen[name]?.push(body);
        } catch (err) {
          failures.push(`${name}: ${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`);
        }
        await sleep(5);
      }
    };
    const pollers = [poll('fetch', viaFetch), poll('agent', viaAgent)];

    const RELOADS = 30;
    for (let i = 1; i <= RELOADS; i++) {
      writeView(`v${i}`);
      await switched(gwi, i + 1);
      // Both clients see the new code on the connections they keep.
      expect(await waitUntil(() => seen.fetch?.at(-1) === `v${i}` && seen.agent?.at(-1) === `v${i}`, 5000)).toBe(true);
    }
    polling = false;
    await Promise.all(pollers);
    agent.destroy();

    expect(failures).toEqual([]);
    for (const name of ['fetch', 'agent'] as const) {
      const versions = (seen[name] as string[]).map((body) => Number(body.slice(1)));
      // It asked across every reload: each new version answered it (v0 may not have, asked after the first save).
      expect(new Set(versions.filter((version) => version > 0)).size).toBe(RELOADS);
      // Once a client has seen new code it never gets older code again.
      expect(versions.every((version, index) => index === 0 || version >= (versions[index - 1] as number))).toBe(true);
    }
    // The agent kept its connections across the reloads instead of opening new ones.
    expect(agentPorts.size).toBeLessThanOrEqual(2);
  }, 120_000);

  it('an idle connection at the switch: its next request is served by the new code, on the same connection', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    const connection = new RawConnection(port);
    connection.write(GET('/'));
    expect(await connection.response()).toEqual({ status: 200, body: 'v0', close: false });
    expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);
    const [serving] = serverProcesses(gwi) as [number];

    writeView('v1');
    await switched(gwi, 2, port, 'v1');
    // The old process has handed the connection back and gone.
    expect(await waitUntil(() => !isRunning(serving))).toBe(true);
    connection.write(GET('/'));
    expect(await connection.response()).toEqual({ status: 200, body: 'v1', close: false });
    expect(connection.closed).toBe(false);
    connection.socket.destroy();
  });

  it('a body half sent at the switch: the old code answers it, kept alive, and the next request gets the new code', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    const connection = new RawConnection(port);
    connection.write('POST /echo/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nhello');
    await sleep(100);

    writeView('v1');
    await switched(gwi, 2, port, 'v1');
    connection.write('world');
    expect(await connection.response()).toEqual({ status: 200, body: 'v0 helloworld', close: false });
    connection.write(GET('/'));
    expect(await connection.response()).toEqual({ status: 200, body: 'v1', close: false });
    connection.socket.destroy();
  });

  it('a request sent while the one before it is answered at the switch: the new code answers it', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    const connection = new RawConnection(port);
    connection.write(GET('/held/'));
    writeView('v1');
    await switched(gwi, 2, port, 'v1');
    // The old process is still answering /held/: this request must wait for the newer code.
    connection.write(GET('/'));
    await sleep(200);
    writeFileSync(release, '');
    expect(await connection.response()).toEqual({ status: 200, body: 'v0 held', close: false });
    expect(await connection.response()).toEqual({ status: 200, body: 'v1', close: false });
    connection.socket.destroy();
  });

  it('pipelined requests at the switch: every one answered once, in order, then the new code', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    const connection = new RawConnection(port);
    // The slow request is still being answered when the new code takes over.
    connection.write(GET('/slow/') + GET('/') + GET('/'));
    writeView('v1');
    const answers = [await connection.response(), await connection.response(), await connection.response()];
    expect(answers.map(({ body }) => body)).toEqual(['v0 slow', 'v0', 'v0']);
    await switched(gwi, 2, port, 'v1');
    connection.write(GET('/'));
    expect(await connection.response()).toEqual({ status: 200, body: 'v1', close: false });
    connection.socket.destroy();
  });

  it('a request whose first bytes came with the one before it: the old code answers it, not the new code half of it', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    const connection = new RawConnection(port);
    const second = GET('/');
    connection.write(GET('/') + second.slice(0, 10));
    expect((await connection.response()).body).toBe('v0');

    writeView('v1');
    await switched(gwi, 2, port, 'v1');
    await sleep(100);
    connection.write(second.slice(10));
    expect(await connection.response()).toEqual({ status: 200, body: 'v0', close: false });
    connection.write(GET('/'));
    expect(await connection.response()).toEqual({ status: 200, body: 'v1', close: false });
    connection.socket.destroy();
  });
});
