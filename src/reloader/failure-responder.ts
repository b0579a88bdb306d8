// What answers while no server process has the project loaded: the supervisor's own node:http server,
// which never listens (the supervisor hands it connections) and gives every request the failure page.
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { DEBUG_ALLOWED_HOSTS, isAllowedHost } from '../framework/http/host-validation.js';
import type { ServerLog } from '../log/server-log.js';
import { SERVER_VERSION } from '../server/software.js';
import { TlsTermination, type TlsCredentials } from '../server/tls-termination.js';
import { EVENT_STREAM_HEADERS, injectTag, LIVE_RELOAD_PREFIX, liveReloadAnswer, LiveReloadEvents, scriptTag } from './live-reload.js';
import { COMING_REQUEST_MS, type FailurePage, type LiveReloadInfo } from './protocol.js';

/** Live reload on the failure page: the token its pages load the script with, and the hosts answered. */
export interface FailureLiveReload {
  token: string;
  allowedHosts: readonly string[];
}

/**
 * Live reload on the failure page (`enabled`: not --nolivereload): while the project was last served
 * with it on (`served`: what that load said, null when off), or has never been served (undefined: whether
 * its settings turn DEBUG on is not known yet); hosts as it last allowed them.
 */
export function failureLiveReload(enabled: boolean, served: LiveReloadInfo | null | undefined, token: string): FailureLiveReload | null {
  if (!enabled || served === null) return null;
  return { token, allowedHosts: served?.allowedHosts ?? DEBUG_ALLOWED_HOSTS };
}

/**
 * Answers each request on the connections it is given with one page, `Connection: close`, logged as
 * Django does; with live reload, the page loads the script, and open pages reload when the page changes
 * or the project serves again.
 */
export class FailureResponder {
  // Not imported: on Node >= 22 the import loads undici (see gwi-server.ts).
  readonly #server = process.getBuiltinModule('node:http').createServer();
  readonly #log: ServerLog;
  #page: FailurePage;
  #liveReload: FailureLiveReload | null;
  /** The open pages' event streams (with live reload on). */
  #events: LiveReloadEvents | null;
  /** Open connections, and when each was accepted (null once a request came on it). */
  readonly #sockets = new Map<Socket, number | null>();
  /** With HTTPS, the page is served over TLS too. */
  readonly #tls: TlsTermination | null;

  constructor(log: ServerLog, page: FailurePage, liveReload: FailureLiveReload | null, tls: TlsCredentials | null = null) {
    this.#log = log;
    this.#tls = tls && new TlsTermination(tls, log);
    this.#page = page;
    this.#liveReload = liveReload;
    this.#events = liveReload && new LiveReloadEvents(liveReload.token);
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.set(socket, Date.now());
      socket.once('close', () => this.#sockets.delete(socket));
    });
    this.#server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#answer(req, res));
  }

  /** The page from now on: open pages reload to show it. */
  show(page: FailurePage, liveReload: FailureLiveReload | null): void {
    this.reloadPages();
    this.#page = page;
    this.#liveReload = liveReload;
    this.#events = liveReload && new LiveReloadEvents(liveReload.token);
  }

  /** Open pages reload (the project serves again, or the page changed); their event streams end. */
  reloadPages(): void {
    this.#events?.reload();
    this.#events?.endAll();
  }

  /** Serves a connection the supervisor accepted (paused, with pauseOnConnect). */
  accept(socket: Socket): void {
    if (this.#tls) {
      this.#tls.accept(socket, (secure) => this.#server.emit('connection', secure));
      return;
    }
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
    this.#events?.endAll();
    this.#tls?.destroyPending();
    for (const socket of this.#sockets.keys()) socket.destroy();
  }

  #answer(req: IncomingMessage, res: ServerResponse): void {
    this.#sockets.set(req.socket, null);
    const url = req.url ?? '';
    if (this.#liveReload && this.#events && url.startsWith(LIVE_RELOAD_PREFIX)) {
      this.#answerLiveReload(req, res, this.#events, this.#liveReload.allowedHosts);
      return;
    }
    const page = this.#page;
    let body: Buffer = Buffer.from(page.body, 'utf8');
    if (this.#liveReload && page.headers.some(([name, value]) => name.toLowerCase() === 'content-type' && value.startsWith('text/html'))) {
      body = injectTag(body, scriptTag(this.#liveReload.token));
    }
    const headers = [...page.headers, ['Content-Length', String(body.length)], ['Server', SERVER_VERSION], ['Connection', 'close']];
    res.writeHead(page.status, headers.flat());
    res.end(body);
    this.#log.logAccess(req, page.status, body.length);
  }

  /** The script, or an event stream, silently; a refused host is logged. */
  #answerLiveReload(req: IncomingMessage, res: ServerResponse, events: LiveReloadEvents, allowedHosts: readonly string[]): void {
    const path = (req.url ?? '').replace(/\?.*$/, '');
    const answer = liveReloadAnswer(path, req.headers.host ?? '', (host) => isAllowedHost(host, allowedHosts));
    const common = ['Server', SERVER_VERSION, 'Connection', 'close'];
    if (answer === 'events') {
      res.writeHead(200, [...EVENT_STREAM_HEADERS.flat(), ...common]);
      const disconnect = events.connect({ write: (text) => res.write(text), end: () => res.end() });
      res.once('close', disconnect);
      return;
    }
    const body = Buffer.from(answer.body, 'utf8');
    const code = Number(answer.status.slice(0, 3));
    res.writeHead(code, [...answer.headers.flat(), 'Content-Length', String(body.length), ...common]);
    res.end(body);
    if (code >= 300) this.#log.logAccess(req, code, body.length);
  }
}
