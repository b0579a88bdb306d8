// Test harness: a real GwiServer on loopback (port 0) with its log and stderr captured, and a raw socket client.
import net from 'node:net';
import { makeServer, type GwiServer, type ServerOptions } from '../../src/server/gwi-server.js';
import { ServerLog } from '../../src/log/server-log.js';
import { makeStyle, PALETTES, type Style } from '../../src/log/termcolors.js';
import type { Application } from '../../src/gateway/types.js';

/** The fixed clock of captured logs: 22 Nov 2026 04:35:45 local time. */
export const LOG_TIME = new Date(2026, 10, 22, 4, 35, 45, 405);
export const STAMP = '[22/Nov/2026 04:35:45]';

export interface Served {
  server: GwiServer;
  host: string;
  port: number;
  /** The request log so far (flushed first). */
  log(): string;
  /** What the server wrote to its error stream (tracebacks, gwi.errors). */
  stderr(): string;
  /** Shuts the loop down and closes the server and every connection. */
  close(): Promise<void>;
}

export interface ServeOptions extends ServerOptions {
  host?: string;
  colour?: boolean;
  pollInterval?: number;
}

/** Starts `app` on a real socket with serveForever() running. */
export async function serve(app: Application, options: ServeOptions = {}): Promise<Served> {
  const { host = '127.0.0.1', colour = false, pollInterval = 0.05, ...serverOptions } = options;
  let logText = '';
  let errText = '';
  const style: Style = makeStyle(colour ? { ...PALETTES.dark } : null);
  const log = new ServerLog({ stream: { write: (chunk: string) => (logText += chunk) }, style, now: () => LOG_TIME });
  const errorStream = { write: (chunk: string | Uint8Array) => ((errText += chunk.toString()), true) };
  const server = await makeServer(host, 0, app, {
    log,
    errorStream: errorStream as unknown as NodeJS.WritableStream,
    ...serverOptions,
  });
  const loop = server.serveForever({ pollInterval });
  return {
    server,
    host,
    port: server.serverPort,
    log: () => {
      log.flush();
      return logText;
    },
    stderr: () => errText,
    close: async () => {
      await server.shutdown();
      await loop;
      await server.serverClose();
    },
  };
}

export interface RawOptions {
  /** Give up waiting for the server to close after this many ms (the socket is then destroyed). */
  timeout?: number;
  /** Half-close after sending. */
  end?: boolean;
}

/** Sends raw bytes and collects everything until the server closes (or `timeout`). */
export function rawRequest(
  served: { host: string; port: number },
  data: string | Buffer,
  { timeout = 2000, end = false }: RawOptions = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(served.port, served.host, () => {
      socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
      if (end) socket.end();
    });
    const timer = setTimeout(() => socket.destroy(), timeout);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET') reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

/** The response text with every Date header's value replaced by `<DATE>` (pipelined answers hold several). */
export function normalizeDate(text: string): string {
  return text.replace(/^Date: .*$/gm, 'Date: <DATE>');
}

/** Waits until `check()` is (or resolves) true, polling every few ms; fails after `ms`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 2000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
