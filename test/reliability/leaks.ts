// The end of every reliability case: the server still answers a fresh request byte for byte, and the
// failure left nothing behind: no connection or request on the server, no file descriptor or child
// process in this process. Also the raw client and the gate the cases drive their failures with.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { expect } from 'vitest';
import type { Application } from '../../src/gateway/types.js';
import { SERVER } from '../helpers/expected.js';
import { normalizeDate, rawRequest, serve, STAMP, waitFor, type ServeOptions, type Served } from '../helpers/serve.js';

/** A request the server must answer exactly once a case is over, and the access line it logs. */
export interface Probe {
  request: string;
  response: string;
  logged: string;
}

/** `GET /probe`, answered by start()'s wrapper before the application under test sees it. */
export const PROBE: Probe = {
  request: 'GET /probe HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
  response: `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\nprobe ok`,
  logged: `${STAMP} "GET /probe HTTP/1.1" 200 8\n`,
};

interface Holdings {
  fds: number;
  children: string[];
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** The pids whose parent is this process. */
function childPids(): string[] {
  const self = String(process.pid);
  const children: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited meanwhile
    }
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so split after the last ')'.
    if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === self) children.push(entry);
  }
  return children;
}

export interface Case extends Served {
  probe: Probe;
  /** What the process held once the server was up. */
  before: Holdings;
}

const running: Served[] = [];
const clients = new Set<net.Socket>();

/**
 * Serves `app` on a real socket. Without `probe`, `GET /probe` is answered (PROBE) before `app` sees
 * it; with one, `app` must answer that probe itself.
 */
export async function start(app: Application, { probe, ...options }: ServeOptions & { probe?: Probe } = {}): Promise<Case> {
  const served = await serve(
    probe ? app : (environ, startResponse) => {
      if (environ.PATH_INFO !== '/probe') return app(environ, startResponse);
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [Buffer.from('probe ok')];
    },
    options,
  );
  running.push(served);
  return { ...served, probe: probe ?? PROBE, before: { fds: openFds(), children: childPids() } };
}

/** For afterEach: every client socket destroyed, every server closed. */
export async function stopAll(): Promise<void> {
  for (const socket of clients) socket.destroy();
  clients.clear();
  await Promise.all(running.splice(0).map((served) => served.close()));
}

/** Waits (a while) for `read()` to give `expected`, then asserts it, so a failure shows the value. */
async function settles<T>(read: () => T | Promise<T>, expected: T): Promise<void> {
  await waitFor(async () => (await read()) === expected).catch(() => undefined);
  expect(await read()).toEqual(expected);
}

function connections(c: Case): Promise<number> {
  return new Promise((resolve, reject) =>
    c.server.httpServer.getConnections((err, count) => (err ? reject(err) : resolve(count))),
  );
}

/** The probe is answered and logged exactly; then no connection, request, descriptor or child is left. */
export async function expectRecovered(c: Case): Promise<void> {
  const log = c.log();
  const answer = await rawRequest(c, c.probe.request);
  expect(normalizeDate(answer.toString('latin1'))).toBe(c.probe.response);
  expect(c.log()).toBe(log + c.probe.logged);
  await settles(() => connections(c), 0);
  await settles(() => c.server.pending, 0);
  await settles(openFds, c.before.fds);
  expect(childPids()).toEqual(c.before.children);
}

/** A connection the test drives byte by byte; stopAll() destroys it if the test did not. */
export class RawClient {
  received = Buffer.alloc(0);
  /** Resolves when the connection is closed (by either side). */
  readonly closed: Promise<void>;
  /** This end's port, as the server logs its peer. */
  readonly port: number;

  private constructor(readonly socket: net.Socket) {
    this.port = socket.localPort ?? 0;
    socket.on('data', (chunk: Buffer) => (this.received = Buffer.concat([this.received, chunk])));
    // A cut connection may end in ECONNRESET; 'close' follows and is what the cases look at.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(target: { host: string; port: number }): Promise<RawClient> {
    const socket = net.connect(target.port, target.host);
    clients.add(socket);
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }


  send(data: string): void {
    this.socket.write(Buffer.from(data, 'latin1'));
  }

  /** What arrived so far, as latin-1 text with the Date header normalized. */
  text(): string {
    return normalizeDate(this.received.toString('latin1'));
  }

  /** Waits until `text` has arrived. */
  async receive(text: string): Promise<void> {
    await waitFor(() => this.received.includes(text, 0, 'latin1'));
  }
}

/** A promise the test opens when it chooses: the way a case makes an application hang, then stop hanging. */
export class Gate {
  open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
}

/** Django's broken-pipe line (a logging timestamp with milliseconds, Python's peer tuple). */
export function brokenPipe(client: RawClient, host = '127.0.0.1'): string {
  const peer = host.includes(':') ? `('${host}', ${client.port}, 0, 0)` : `('${host}', ${client.port})`;
  return `[22/Nov/2026 04:35:45,405] - Broken pipe from ${peer}\n`;
}
