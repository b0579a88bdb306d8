// What answers while no server process has the project loaded: the supervisor's own node:http server,
// which never listens (the supervisor hands it connections) and gives every request the 500 page.
import { Buffer } from 'node:buffer';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { loadFailureResponse } from '../framework/debug/load-failure.js';
import type { HttpResponse } from '../framework/http/response.js';
import type { ServerLog } from '../log/server-log.js';
import { SERVER_VERSION } from '../server/gwi-server.js';
import { COMING_REQUEST_MS, type FailurePage } from './protocol.js';

/** A response as it crosses the IPC channel. */
export function pageOf(response: HttpResponse): FailurePage {
  return { status: response.statusCode, headers: response.headerList(), body: response.content.toString('utf8') };
}

/** What the supervisor itself finds wrong with a server process; its stack says nothing about the project, the page shows none. */
abstract class ServerProcessError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
    this.stack = `${name}: ${message}`;
  }
}

/** The server process died after it had started (a crash, a kill): not the project failing to load. */
export class ServerProcessExited extends ServerProcessError {
  constructor(code: number | null, signal: NodeJS.Signals | null) {
    super('ServerProcessExited', `The server process ${signal ? `was killed by ${signal}` : `exited with code ${code}`}.`);
  }
}

/** The load has not answered within the load timeout: most likely an endless loop at import. */
export class LoadTimeout extends ServerProcessError {
  constructor(timeoutMs: number) {
    const after = timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`;
    super('LoadTimeout', `The project has not finished loading after ${after}: is there an endless loop at import?`);
  }
}

/** The page for a server process that exited unexpectedly, or whose load is stuck. */
export function serverProcessPage(error: ServerProcessExited | LoadTimeout): FailurePage {
  return pageOf(loadFailureResponse(error));
}

/** Answers each request on the connections it is given with one page, `Connection: close`, logged as Django does. */
export class FailureResponder {
  readonly #server = http.createServer();
  readonly #log: ServerLog;
  #page: FailurePage;
  /** Open connections, and when each was accepted (null once a request came on it). */
  readonly #sockets = new Map<Socket, number | null>();

  constructor(log: ServerLog, page: FailurePage) {
    this.#log = log;
    this.#page = page;
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.set(socket, Date.now());
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#answer(req, res));
  }

  /** The page from now on. */
  show(page: FailurePage): void {
    this.#page = page;
  }

  /** Serves a connection the supervisor accepted (paused, with pauseOnConnect). */
  accept(socket: Socket): void {
    this.#server.emit('connection', socket);
    socket.resume();
  }

  /**
   * The project loads again: connections that have sent nothing for a while (a browser's preconnect)
   * are closed, so the browser's next request reaches the new server process, not this stale page.
   * One accepted a moment ago has its request on the way: it gets the page, as it would have.
   */
  release(): void {
    const now = Date.now();
    for (const [socket, accepted] of this.#sockets) {
      if (accepted !== null && socket.bytesRead === 0 && now - accepted >= COMING_REQUEST_MS) socket.end();
    }
  }

  /** Ends every connection (the supervisor stops). */
  close(): void {
    for (const socket of this.#sockets.keys()) socket.destroy();
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    this.#sockets.set(req.socket, null);
    const page = this.#page;
    const body = Buffer.from(page.body, 'utf8');
    const headers = [...page.headers, ['Content-Length', String(body.length)], ['Server', SERVER_VERSION], ['Connection', 'close']];
    res.writeHead(page.status, headers.flat());
    res.end(body);
    this.#log.logAccess(req, page.status, body.length);
  }
}
