import { promises as dns } from 'node:dns';
import net from 'node:net';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Application } from '../../src/gateway/types.js';
import { ServerLog } from '../../src/log/server-log.js';
import { makeStyle } from '../../src/log/termcolors.js';
import { demoApp } from '../../src/server/demo-app.js';
import { GwiServer, makeServer, type Exchange } from '../../src/server/gwi-server.js';
import { run } from '../../src/server/run.js';
import { rawRequest, serve, waitFor, type Served } from '../helpers/serve.js';
import { httpRequest } from '../helpers/http.js';

const quietLog = () => new ServerLog({ stream: { write: () => true }, style: makeStyle(null) });

const hello: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [Buffer.from('Hello, world!')];
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function track(served: Served): Served {
  cleanups.push(() => served.close());
  return served;
}

async function closeable(server: GwiServer): Promise<GwiServer> {
  cleanups.push(async () => {
    await server.shutdown();
    await server.serverClose();
  });
  return server;
}

async function get(port: number, path = '/', host = '127.0.0.1'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const reply = await httpRequest(port, path, { host });
  return { status: reply.status, headers: reply.headers, body: reply.bytes.toString('latin1') };
}

describe('makeServer', () => {
  it('binds port 0 and reports the real port, address and server name', async () => {
    const server = await closeable(await makeServer('127.0.0.1', 0, hello, { log: quietLog() }));
    expect(server.serverPort).toBeGreaterThan(0);
    expect(server.serverAddress).toEqual(['127.0.0.1', server.serverPort]);
    expect(server.serverName).toBe('localhost');
    expect(server.baseEnviron).toEqual({
      SERVER_NAME: 'localhost',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PORT: String(server.serverPort),
      REMOTE_HOST: '',
      CONTENT_LENGTH: '',
      SCRIPT_NAME: '',
    });
    expect(server.getApp()).toBe(hello);
  });

  it('binds ::1 and serves over IPv6', async () => {
    const served = track(await serve(hello, { host: '::1' }));
    expect(served.server.serverAddress).toEqual(['::1', served.port]);
    const res = await get(served.port, '/', '::1');
    expect(res.body).toBe('Hello, world!');
    expect(served.log()).toBe('[22/Nov/2026 04:35:45] "GET / HTTP/1.1" 200 13\n');
  });

  it('resolves a host name to IPv4, or to IPv6 with ipv6: true', async () => {
    const v4 = await closeable(await makeServer('localhost', 0, hello, { log: quietLog() }));
    expect(v4.serverAddress[0]).toBe('127.0.0.1');
    const v6Localhost = await dns.lookup('localhost', { family: 6 }).then(
      () => true,
      () => false,
    );
    const attempt = makeServer('localhost', 0, hello, { log: quietLog(), ipv6: true });
    if (v6Localhost) {
      const v6 = await closeable(await attempt);
      expect(net.isIPv6(v6.serverAddress[0])).toBe(true);
    } else {
      // This machine's resolver has no IPv6 entry for localhost: the lookup error is the answer.
      await expect(attempt).rejects.toMatchObject({ code: 'ENOTFOUND' });
    }
  });

  it('rejects with EADDRINUSE when the port is taken, and leaves nothing listening', async () => {
    const first = await closeable(await makeServer('127.0.0.1', 0, hello, { log: quietLog() }));
    const err = await makeServer('127.0.0.1', first.serverPort, hello, { log: quietLog() }).catch((e: unknown) => e);
    expect((err as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
  });

  it('adopts an inherited listening socket instead of binding', async () => {
    const listener = net.createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as net.AddressInfo).port;
    const served = track(await serve(hello, { handle: listener }));
    expect(served.port).toBe(port);
    expect((await get(port)).body).toBe('Hello, world!');
  });

  it('serves connections handed over with acceptConnection() when it binds nothing', async () => {
    const server = await closeable(await makeServer('127.0.0.1', 8000, hello, { log: quietLog(), listen: false }));
    expect(server.httpServer.listening).toBe(false);
    expect(server.serverAddress).toEqual(['127.0.0.1', 8000]);
    expect(server.baseEnviron.SERVER_PORT).toBe('8000');
    const acceptor = net.createServer({ pauseOnConnect: true }, (socket) => server.acceptConnection(socket));
    await new Promise<void>((resolve) => acceptor.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => acceptor.close(() => resolve())));
    const loop = server.serveForever({ pollInterval: 0.05 });
    const port = (acceptor.address() as net.AddressInfo).port;
    expect((await get(port)).body).toBe('Hello, world!');
    await server.shutdown();
    await loop;
  });

  it('sends a response written in parts on a handed-over keep-alive connection without waiting for ACKs', async () => {
    // Three writes a turn apart: with Nagle's algorithm on (a handed-over socket keeps the acceptor's
    // options), the second waits for the client's delayed ACK, ~40 ms a response on Linux.
    const parts: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return (async function* () {
        for (const part of ['a', 'b', 'c']) {
          yield Buffer.from(part);
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
    };
    const server = await closeable(await makeServer('127.0.0.1', 8000, parts, { log: quietLog(), listen: false }));
    const acceptor = net.createServer({ pauseOnConnect: true }, (socket) => server.acceptConnection(socket));
    await new Promise<void>((resolve) => acceptor.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => acceptor.close(() => resolve())));
    const loop = server.serveForever({ pollInterval: 0.05 });
    const port = (acceptor.address() as net.AddressInfo).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(async () => agent.destroy());
    const getOverKeepAlive = () =>
      new Promise<string>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, agent }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve(body));
        }).on('error', reject);
      });
    const started = performance.now();
    for (let i = 0; i < 20; i++) expect(await getOverKeepAlive()).toBe('abc');
    // Measured: ~30 ms with TCP_NODELAY, ~850 ms without.
    expect(performance.now() - started).toBeLessThan(400);
    await server.shutdown();
    await loop;
  });

  it('keeps the connection of a body read to its Content-Length whose last bytes came in a packet of their own', async () => {
    // The application has the whole body before node's parser calls the request complete (its next
    // callback): the answer must not take that for a body left half-read.
    const echo: Application = async (environ, startResponse) => {
      const input = environ['gwi.input'];
      const chunks: Uint8Array[] = [];
      for (let left = Number(environ.CONTENT_LENGTH); left > 0; ) {
        const chunk = await input.read(left);
        chunks.push(chunk);
        left -= chunk.length;
      }
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [Buffer.concat(chunks)];
    };
    const served = track(await serve(echo));
    const socket = net.connect(served.port, '127.0.0.1');
    cleanups.push(async () => void socket.destroy());
    let received = '';
    socket.setEncoding('latin1').on('data', (chunk: string) => (received += chunk));
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello');
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write('world');
    await waitFor(() => received.endsWith('helloworld'));
    expect(received).not.toMatch(/\r\nConnection: close\r\n/i);
    socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc');
    await waitFor(() => received.endsWith('abc'));
    expect(received.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
  });

  it('answers 500 when no application was set, and keeps serving', async () => {
    const served = track(await serve(hello));
    served.server.setApp(null as unknown as Application);
    const out = (await rawRequest(served, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).toString('latin1');
    expect(out).toBe('');
    expect(served.stderr()).toContain('Exception occurred during processing of request from');
    expect(served.stderr()).toContain('No application: call setApp() before serving');
    served.server.setApp(hello);
    expect((await get(served.port)).body).toBe('Hello, world!');
  });
});

describe('serveForever, shutdown and handleRequest', () => {
  it('shutdown() wakes the loop at once instead of waiting out the poll interval', async () => {
    const server = await closeable(await makeServer('127.0.0.1', 0, hello, { log: quietLog() }));
    const loop = server.serveForever({ pollInterval: 3600 });
    expect((await get(server.serverPort)).status).toBe(200);
    await server.shutdown();
    await expect(loop).resolves.toBeUndefined();
  });

  it('shutdown() with no loop running returns at once, and the loop can run again after a shutdown', async () => {
    const server = await closeable(await makeServer('127.0.0.1', 0, hello, { log: quietLog() }));
    await server.shutdown();
    const first = server.serveForever({ pollInterval: 0.01 });
    await server.shutdown();
    await first;
    const second = server.serveForever({ pollInterval: 0.01 });
    expect((await get(server.serverPort)).body).toBe('Hello, world!');
    await server.shutdown();
    await second;
  });

  it('refuses a second concurrent loop', async () => {
    const server = await closeable(await makeServer('127.0.0.1', 0, hello, { log: quietLog() }));
    const loop = server.serveForever({ pollInterval: 0.01 });
    await expect(server.serveForever()).rejects.toThrow('This server is already serving');
    await expect(server.handleRequest({ timeout: 0.01 })).rejects.toThrow('This server is already serving');
    await server.shutdown();
    await loop;
  });

  it('stops twenty loops shut down as soon as they start (no lost wake-up)', async () => {
    const servers = await Promise.all(
      Array.from({ length: 20 }, () => makeServer('127.0.0.1', 0, hello, { log: quietLog() })),
    );
    servers.forEach((server) => cleanups.push(() => server.serverClose()));
    const loops = servers.map((server) => server.serveForever({ pollInterval: 3600 }));
    await Promise.all(servers.map((server) => server.shutdown()));
    await Promise.all(loops);
  });

  it('runs serviceActions() on every turn, idle turns included', async () => {
    class Counting extends GwiServer {
      turns = 0;
      override serviceActions(): void {
        this.turns++;
      }
    }
    const server = new Counting('127.0.0.1', 0, { log: quietLog() });
    await server.serverBind();
    server.setApp(hello);
    await closeable(server);
    const loop = server.serveForever({ pollInterval: 0.01 });
    await waitFor(() => server.turns >= 3);
    const before = server.turns;
    await get(server.serverPort);
    await waitFor(() => server.turns > before);
    await server.shutdown();
    await loop;
  });

  it('handleRequest() calls handleTimeout() when nothing arrives in time', async () => {
    class Timing extends GwiServer {
      timeouts = 0;
      override handleTimeout(): void {
        this.timeouts++;
      }
    }
    const server = new Timing('127.0.0.1', 0, { log: quietLog() });
    await server.serverBind();
    server.setApp(hello);
    await closeable(server);
    await server.handleRequest({ timeout: 0.02 });
    expect(server.timeouts).toBe(1);
    server.timeout = 0.02;
    await server.handleRequest();
    expect(server.timeouts).toBe(2);
  });

  it('handleRequest() serves exactly one request and resolves once it is answered', async () => {
    let calls = 0;
    const app: Application = (environ, startResponse) => {
      calls++;
      return hello(environ, startResponse);
    };
    const server = await closeable(await makeServer('127.0.0.1', 0, app, { log: quietLog() }));
    const first = get(server.serverPort);
    await server.handleRequest({ timeout: 5 });
    expect(calls).toBe(1);
    expect((await first).body).toBe('Hello, world!');
    const second = get(server.serverPort);
    await waitFor(() => server.pending === 1);
    expect(calls).toBe(1);
    await server.handleRequest();
    expect((await second).status).toBe(200);
    expect(calls).toBe(2);
  });

  it('verifyRequest() returning false ends the request without an answer', async () => {
    class Picky extends GwiServer {
      override verifyRequest(exchange: Exchange): boolean {
        return exchange.req.url !== '/refused';
      }
    }
    const server = new Picky('127.0.0.1', 0, { log: quietLog() });
    await server.serverBind();
    server.setApp(hello);
    await closeable(server);
    const loop = server.serveForever({ pollInterval: 0.05 });
    const target = { host: '127.0.0.1', port: server.serverPort };
    expect((await rawRequest(target, 'GET /refused HTTP/1.1\r\nHost: x\r\n\r\n')).length).toBe(0);
    expect((await get(server.serverPort, '/ok')).status).toBe(200);
    await server.shutdown();
    await loop;
  });
});

/** An app that holds each response for `ms`, recording how many run at once and in which order. */
function slowApp(ms: number) {
  const state = { running: 0, most: 0, events: [] as string[] };
  const app: Application = async (environ, startResponse) => {
    const path = environ.PATH_INFO;
    state.running++;
    state.most = Math.max(state.most, state.running);
    state.events.push(`start ${path}`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return {
      *[Symbol.iterator]() {
        yield Buffer.from(path);
      },
      close() {
        state.running--;
        state.events.push(`end ${path}`);
      },
    };
  };
  return { app, state };
}

describe('threading', () => {
  it('serves concurrent requests concurrently in threading mode', async () => {
    const { app, state } = slowApp(150);
    const served = track(await serve(app));
    const [a, b] = await Promise.all([get(served.port, '/a'), get(served.port, '/b')]);
    expect([a.body, b.body]).toEqual(['/a', '/b']);
    expect(state.most).toBe(2);
  });

  it('serves one request at a time with threading: false, each answer closing its connection', async () => {
    const { app, state } = slowApp(100);
    const served = track(await serve(app, { threading: false }));
    const [a, b] = await Promise.all([get(served.port, '/a'), get(served.port, '/b')]);
    expect([a.body, b.body]).toEqual(['/a', '/b']);
    expect(state.most).toBe(1);
    // The second request starts only after the first response has finished.
    expect(state.events.slice(0, 2)).toEqual([state.events[0], `end ${state.events[0]?.slice(6)}`]);
    const raw = (await rawRequest(served, 'GET /c HTTP/1.1\r\nHost: x\r\n\r\n')).toString('latin1');
    expect(raw).toContain('\r\nConnection: close\r\n');
  });

  it('reports gwi.multithread as the mode says', async () => {
    const app: Application = (environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [Buffer.from(String(environ['gwi.multithread']))];
    };
    const threaded = track(await serve(app));
    const single = track(await serve(app, { threading: false }));
    expect((await get(threaded.port)).body).toBe('true');
    expect((await get(single.port)).body).toBe('false');
  });
});

describe('run', () => {
  it('calls onBind with the real port, serves, and resolves with the port freed when aborted', async () => {
    const controller = new AbortController();
    let port = 0;
    const log = quietLog();
    const running = run('127.0.0.1', 0, hello, {
      log,
      signal: controller.signal,
      onBind: (bound) => {
        port = bound;
      },
    });
    await waitFor(() => port !== 0);
    expect((await get(port)).body).toBe('Hello, world!');
    controller.abort();
    await running;
    const reuse = await closeable(await makeServer('127.0.0.1', port, hello, { log: quietLog() }));
    expect(reuse.serverPort).toBe(port);
  });

  it('rejects with the bind error', async () => {
    const first = await closeable(await makeServer('127.0.0.1', 0, hello, { log: quietLog() }));
    await expect(run('127.0.0.1', first.serverPort, hello, { log: quietLog() })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});

describe('demoApp', () => {
  it('answers "Hello world!" and the sorted environ, without the process environment', async () => {
    const served = track(await serve(demoApp));
    const res = await get(served.port, '/p%61th?q=1');
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body, 'latin1'));
    const lines = res.body.split('\n');
    expect(lines.slice(0, 2)).toEqual(['Hello world!', '']);
    const keys = lines.slice(2, -1).map((line) => line.split(' = ')[0] as string);
    expect(keys).toEqual([...keys].sort());
    expect(lines).toContain("PATH_INFO = '/path'");
    expect(lines).toContain("QUERY_STRING = 'q=1'");
    expect(lines).toContain('gwi.version = [1, 0]');
    expect(lines).toContain("gwi.url_scheme = 'http'");
    expect(keys).not.toContain('PATH');
    expect(keys).not.toContain('HOME');
  });
});
