// toNodeListener under servers the user creates: node:http, https, and a node:cluster deployment; real sockets.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings } from '../../src/framework/conf/settings.js';
import { getGwiApplication } from '../../src/framework/handlers/gwi.js';
import type { GwiRequest } from '../../src/framework/http/request.js';
import { HttpResponse } from '../../src/framework/http/response.js';
import { clearUrlCaches } from '../../src/framework/urls/base.js';
import { path as route } from '../../src/framework/urls/conf.js';
import type { Application, Environ } from '../../src/gateway/types.js';
import { ServerLog } from '../../src/log/server-log.js';
import { makeStyle } from '../../src/log/termcolors.js';
import { SERVER_SOFTWARE, SERVER_VERSION } from '../../src/server/software.js';
import { toNodeListener, type NodeListenerOptions } from '../../src/server/node-listener.js';
import { ERROR_BODY } from '../../src/server/server-handler.js';
import { LOG_TIME, normalizeDate, rawRequest, STAMP, waitFor } from '../helpers/serve.js';
import { httpRequest, type RequestOptions } from '../helpers/http.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLUSTER_APP = fileURLToPath(new URL('./fixtures/cluster-app.mjs', import.meta.url));

const bytes = (text: string): Uint8Array => Buffer.from(text, 'latin1');

const hello: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [bytes('Hello, world!')];
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface Listening {
  host: string;
  port: number;
  server: http.Server;
  /** What went to the error stream (tracebacks, gwi.errors). */
  stderr(): string;
}

/** Listens on 127.0.0.1:0 with `server`, whose 'request' listener is toNodeListener(app); closed in afterEach. */
async function listen(server: http.Server, capture: { text: string }): Promise<Listening> {
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { host: '127.0.0.1', port, server, stderr: () => capture.text };
}

/** `http.createServer(toNodeListener(app))`, with the error stream captured. */
function serveApp(app: Application, options: NodeListenerOptions = {}, serverOptions: http.ServerOptions = {}): Promise<Listening> {
  const capture = { text: '' };
  const errorStream = { write: (chunk: string | Uint8Array) => ((capture.text += chunk.toString()), true) };
  const listener = toNodeListener(app, { errorStream: errorStream as unknown as NodeJS.WritableStream, ...options });
  return listen(http.createServer(serverOptions, listener), capture);
}

/** Sends `data` on one connection and resolves with what came back once `done(text)` holds (or the server closed). */
function talk(target: { host: string; port: number }, data: string, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = net.connect(target.port, target.host, () => socket.write(bytes(data)));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer in time; got ${JSON.stringify(text)}`));
    }, 5000);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (done(text)) finish();
    });
    socket.on('error', reject);
    socket.on('close', finish);
  });
}

/** True once `count` responses with `body` each came back. */
const responses = (count: number, body: string) => (text: string) => text.split(body).length - 1 >= count;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function request(
  target: { host: string; port: number },
  pathname: string,
  options: Omit<RequestOptions, 'host'> = {},
): Promise<Reply> {
  const reply = await httpRequest(target.port, pathname, { ...options, host: target.host });
  return { status: reply.status, headers: reply.headers, body: reply.bytes.toString('latin1') };
}

/** An app that answers with the environ keys given, one `KEY=value` line each. */
function environApp(keys: string[], seen: Environ[] = []): Application {
  return (environ, startResponse) => {
    seen.push(environ);
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return [bytes(keys.map((key) => `${key}=${String(environ[key])}`).join('\n'))];
  };
}

describe('toNodeListener under http.createServer', () => {
  it('answers a hello app with the reference server head, keeps the connection, and logs nothing', async () => {
    const s = await serveApp(hello);
    const one = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    const text = await talk(s, one + one, responses(2, 'Hello, world!'));
    const answer =
      `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER_VERSION}\r\nContent-Type: text/plain\r\n` +
      'Content-Length: 13\r\n\r\nHello, world!';
    expect(text.replace(/^Date: .*$/gm, 'Date: <DATE>')).toBe(answer + answer);
    expect(text).toMatch(/^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\r$/m);
    expect(s.stderr()).toBe('');
  });

  it('sends an async-generator body chunked, each chunk as it is produced', async () => {
    let closed = 0;
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      async function* body(): AsyncGenerator<Uint8Array> {
        yield bytes('Hello');
        await new Promise((resolve) => setTimeout(resolve, 10));
        yield bytes('');
        yield bytes(', streaming world!');
      }
      return Object.assign(body(), { close: () => void closed++ });
    };
    const s = await serveApp(app);
    const text = await talk(s, 'GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', (t) => t.endsWith('0\r\n\r\n'));
    expect(normalizeDate(text)).toBe(
      `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER_VERSION}\r\nContent-Type: text/plain\r\n` +
        'Transfer-Encoding: chunked\r\n\r\n5\r\nHello\r\n12\r\n, streaming world!\r\n0\r\n\r\n',
    );
    expect(closed).toBe(1);
  });

  it('answers an application error with the 500 text response and writes the traceback to errorStream', async () => {
    const app: Application = () => {
      throw new Error('boom in the view');
    };
    const s = await serveApp(app);
    const text = (await rawRequest(s, 'GET /fail HTTP/1.0\r\n\r\n')).toString('latin1');
    expect(normalizeDate(text)).toBe(
      `HTTP/1.1 500 Internal Server Error\r\nDate: <DATE>\r\nServer: ${SERVER_VERSION}\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${ERROR_BODY.length}\r\nConnection: close\r\n\r\n${ERROR_BODY.toString('latin1')}`,
    );
    expect(s.stderr()).toContain('Error: boom in the view');
    expect(s.stderr()).toContain('node-listener.test.ts');
  });

  it('answers HEAD without a body, keeping the application’s Content-Length and adding none', async () => {
    const declared: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain'], ['Content-Length', '13']]);
      return [bytes('Hello, world!')];
    };
    const s = await serveApp(declared);
    const text = await talk(s, 'HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', (t) => t.includes('\r\n\r\n'));
    expect(normalizeDate(text)).toBe(
      `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER_VERSION}\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\n`,
    );
    const t = await serveApp(hello);
    const computed = (await rawRequest(t, 'HEAD / HTTP/1.0\r\n\r\n')).toString('latin1');
    expect(normalizeDate(computed)).toBe(
      `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER_VERSION}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n`,
    );
  });

  it('reads a POST body through gwi.input, with Content-Length or chunked', async () => {
    const echo: Application = async (environ, startResponse) => {
      const input = environ['gwi.input'];
      const first = await input.readline();
      const rest = await input.read();
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      const type = environ.CONTENT_TYPE ?? '';
      return [bytes(`${environ.REQUEST_METHOD} ${type} [${Buffer.from(first).toString()}] [${Buffer.from(rest).toString()}]`)];
    };
    const s = await serveApp(echo);
    const form = await request(s, '/post', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'line one\nname=gwi&x=1',
    });
    expect(form).toMatchObject({ status: 200, body: 'POST application/x-www-form-urlencoded [line one\n] [name=gwi&x=1]' });
    const chunked = await talk(
      s,
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab\nc\r\n3\r\ndef\r\n0\r\n\r\n',
      (t) => t.endsWith(']'),
    );
    expect(chunked.split('\r\n\r\n')[1]).toBe('POST text/plain [ab\n] [cdef]');
  });

  it('sends 100 Continue only when the application reads, when also attached to checkContinue', async () => {
    let reads = true;
    const app: Application = async (environ, startResponse) => {
      const body = reads ? Buffer.from(await environ['gwi.input'].read()).toString() : 'unread';
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [bytes(body)];
    };
    const capture = { text: '' };
    const listener = toNodeListener(app);
    const server = http.createServer(listener).on('checkContinue', listener);
    const s = await listen(server, capture);
    const head = 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n';
    // The client holds its body back until the 100, as curl does.
    const read = await new Promise<string>((resolve, reject) => {
      let text = '';
      const socket = net.connect(s.port, s.host, () => socket.write(head));
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no 100 Continue and answer in time; got ${JSON.stringify(text)}`));
      }, 3000);
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text === 'HTTP/1.1 100 Continue\r\n\r\n') socket.write('body');
        if (text.endsWith('\r\n\r\nbody')) {
          clearTimeout(timer);
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
    });
    expect(normalizeDate(read)).toBe(
      `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER_VERSION}\r\n` +
        'Content-Type: text/plain\r\nContent-Length: 4\r\n\r\nbody',
    );
    // Not read: no 100, and the connection closes (the client may still send the body it held back).
    reads = false;
    const unread = (await rawRequest(s, head)).toString('latin1');
    expect(normalizeDate(unread)).toBe(
      `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER_VERSION}\r\nContent-Type: text/plain\r\n` +
        'Content-Length: 6\r\nConnection: close\r\n\r\nunread',
    );
  });

  it('leaves 100 Continue to node under a plain createServer: sent once, before the application runs', async () => {
    const app: Application = async (environ, startResponse) => {
      const body = Buffer.from(await environ['gwi.input'].read()).toString();
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [bytes(body)];
    };
    const s = await serveApp(app);
    const text = await talk(
      s,
      'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody',
      (t) => t.endsWith('body'),
    );
    expect(text.match(/100 Continue/g)).toHaveLength(1);
    expect(text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n')).toBe(true);
    expect(text).not.toContain('Connection: close');
  });

  it('builds the environ: SERVER_NAME from the Host header, else the local address; SERVER_PORT the local port', async () => {
    const keys = ['SERVER_NAME', 'SERVER_PORT', 'SERVER_SOFTWARE', 'SERVER_PROTOCOL', 'REMOTE_ADDR', 'PATH_INFO', 'QUERY_STRING', 'HTTP_HOST'];
    const seen: Environ[] = [];
    const s = await serveApp(environApp(keys, seen));
    const named = await request(s, '/a%20b?x=1', { headers: { Host: 'example.com:8080' } });
    expect(named.body.split('\n')).toEqual([
      'SERVER_NAME=example.com',
      `SERVER_PORT=${s.port}`,
      `SERVER_SOFTWARE=${SERVER_SOFTWARE}`,
      'SERVER_PROTOCOL=HTTP/1.1',
      'REMOTE_ADDR=127.0.0.1',
      'PATH_INFO=/a b',
      'QUERY_STRING=x=1',
      'HTTP_HOST=example.com:8080',
    ]);
    const v6 = await request(s, '/', { headers: { Host: '[::1]:8000' } });
    expect(v6.body).toMatch(/^SERVER_NAME=\[::1\]\n/);
    const noHost = await rawRequest(s, 'GET / HTTP/1.0\r\n\r\n');
    expect(noHost.toString('latin1')).toContain('\r\n\r\nSERVER_NAME=127.0.0.1\n');
    const environ = seen[0] as Environ;
    expect(environ['gwi.url_scheme']).toBe('http');
    expect(environ.HTTPS).toBeUndefined();
    expect(environ['gwi.multithread']).toBe(true);
    expect(environ['gwi.multiprocess']).toBe(false);
    expect(environ['gwi.version']).toEqual([1, 0]);
    expect(environ['gwi.input_terminated']).toBe(true);
    expect(typeof environ['gwi.file_wrapper']).toBe('function');
  });

  it('takes SERVER_NAME and gwi.multithread from the options', async () => {
    const s = await serveApp(environApp(['SERVER_NAME', 'SERVER_PORT', 'gwi.multithread']), { serverName: 'api.internal', multithread: false });
    const reply = await request(s, '/', { headers: { Host: 'example.com' } });
    expect(reply.body).toBe(`SERVER_NAME=api.internal\nSERVER_PORT=${s.port}\ngwi.multithread=false`);
  });

  it('writes the access log only when one is given', async () => {
    let logText = '';
    const log = new ServerLog({ stream: { write: (chunk: string) => (logText += chunk) }, style: makeStyle(null), now: () => LOG_TIME });
    const s = await serveApp(hello, { log });
    await request(s, '/logged?q=1');
    await waitFor(() => logText !== '');
    expect(logText).toBe(`${STAMP} "GET /logged?q=1 HTTP/1.1" 200 13\n`);
  });

  it("applies the Node server's limits, not the reference server's Python ones (no 431 for 101 headers)", async () => {
    const s = await serveApp(environApp(['HTTP_X_H100']));
    const headers = Array.from({ length: 100 }, (_, i) => `X-H${i + 1}: v${i + 1}\r\n`).join('');
    const text = (await rawRequest(s, `GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n${headers}\r\n`)).toString('latin1');
    expect(text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
    expect(text.endsWith('\r\n\r\nHTTP_X_H100=v100')).toBe(true);
  });

  it("serves the framework's application (configureSettings + getGwiApplication)", async () => {
    configureSettings({
      DEBUG: false,
      ALLOWED_HOSTS: ['127.0.0.1'],
      ROOT_URLCONF: {
        urlpatterns: [
          route('hello/<str:name>/', (request: GwiRequest, kwargs: Record<string, unknown>) =>
            new HttpResponse(`Hello, ${String(kwargs.name)} at ${request.buildAbsoluteUri()}`, { contentType: 'text/plain' }),
          ),
          route('echo/', async (request: GwiRequest) => new HttpResponse(`got ${(await request.body()).toString()}`, { contentType: 'text/plain' })),
        ],
      },
    });
    cleanups.push(() => {
      resetSettings();
      clearUrlCaches();
    });
    const s = await serveApp(getGwiApplication());
    const hi = await request(s, '/hello/ada/');
    expect(hi).toMatchObject({ status: 200, body: `Hello, ada at http://127.0.0.1:${s.port}/hello/ada/` });
    expect(hi.headers['content-type']).toBe('text/plain');
    expect(hi.headers.server).toBe(SERVER_VERSION);
    const posted = await request(s, '/echo/', { method: 'POST', body: 'a=1&b=2', headers: { 'Content-Type': 'text/plain' } });
    expect(posted).toMatchObject({ status: 200, body: 'got a=1&b=2' });
    expect(s.stderr()).toBe('');
  });
});


describe('toNodeListener under https.createServer', () => {
  // openssl makes the throwaway certificate (Debian's openssl is on every machine this project runs on).
  it('marks the environ https (gwi.url_scheme, HTTPS=on)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gwi-tls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const made = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ]);
    expect(made.status).toBe(0);
    const capture = { text: '' };
    const app = environApp(['gwi.url_scheme', 'HTTPS', 'SERVER_PORT']);
    const server = https.createServer(
      { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) },
      toNodeListener(app),
    );
    const s = await listen(server, capture);
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: s.host, port: s.port, path: '/', rejectUnauthorized: false, agent: false }, (res) => {
          let text = '';
          res.setEncoding('latin1');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe(`gwi.url_scheme=https\nHTTPS=on\nSERVER_PORT=${s.port}`);
  });
});

/** A port that was free a moment ago (cluster workers cannot share port 0: each would get its own). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface ClusterReady {
  port: number;
  primary: number;
  workers: number[];
}

describe('toNodeListener in node:cluster workers', () => {
  it('serves one app from 2 workers on a shared port; SIGTERM to the primary stops them and frees the port', async () => {
    const port = await freePort();
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CLUSTER_APP, String(port)], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let ready: ClusterReady | null = null;
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      for (const pid of ready?.workers ?? []) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    await Promise.race([
      waitFor(() => stdout.includes('\n'), 15_000),
      exited.then((code) => Promise.reject(new Error(`cluster exited (${code}) before serving: ${stderr}`))),
    ]);
    ready = JSON.parse(stdout.replace(/^ready /, '')) as ClusterReady;
    expect(ready.port).toBe(port);
    expect(ready.workers).toHaveLength(2);

    const pids = new Set<number>();
    // The kernel (or the primary's round robin) decides who answers: retry a few rounds before giving up.
    for (let round = 0; round < 5 && pids.size < 2; round++) {
      const replies = await Promise.all(Array.from({ length: 40 }, () => request({ host: '127.0.0.1', port }, '/')));
      for (const reply of replies) {
        expect(reply.status).toBe(200);
        const match = /^worker (\d+) multiprocess$/.exec(reply.body);
        expect(match, reply.body).not.toBeNull();
        pids.add(Number(match?.[1]));
      }
    }
    expect([...pids].sort()).toEqual([...ready.workers].sort());
    expect(pids.has(ready.primary)).toBe(false);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of ready.workers) await waitFor(() => !isAlive(pid), 5000);
    // The port is free again: it can be bound.
    await new Promise<void>((resolve, reject) => {
      const probe = net.createServer();
      probe.on('error', reject);
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
    expect(stderr).toBe('');
  });
});
