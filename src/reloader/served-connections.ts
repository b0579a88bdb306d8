// The connections a server process serves for the supervisor, and the two ways it lets go of them: when
// newer code loads (retire), each is handed back to the supervisor as soon as it is idle, with nothing
// sent to the client and none of its bytes read (one being answered reads no further meanwhile); when the
// server stops (drain), or newer code loads and the connection is TLS (a TLS session cannot move to
// another process), each is closed once its responses are out.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CONNECTION_IDLE, lastResponse, responsesUnderWay, type GwiServer } from '../server/gwi-server.js';
import { COMING_REQUEST_MS } from './protocol.js';

interface Served {
  id: number;
  accepted: number;
  /** The first bytes of a request are parsed and its head is not complete: node's parser holds them. */
  arriving: boolean;
  /** The last request whose head was complete: its body may still be arriving. */
  request: IncomingMessage | null;
  /** A look once node's parser is through its current packet is due (see #settle). */
  lookAgain: boolean;
}

/** What the process tells the supervisor about a connection it lets go of. */
export type LetGo = (message: { type: 'closed' | 'released'; id: number }) => void;

type Mode = 'serving' | 'retiring' | 'draining';

/**
 * Calls `listener` whenever node's parser sees the first byte of a request on `socket` (llhttp's
 * on_message_begin, which node exposes to its own server only: its HTTPParser's kOnMessageBegin slot,
 * reset for every connection). False when this node has no such slot.
 */
function onMessageBegin(socket: Socket, listener: () => void): boolean {
  type Parser = Record<number, unknown> & { constructor: { kOnMessageBegin?: unknown } };
  const parser = (socket as Socket & { parser?: Parser | null }).parser;
  const slot = parser?.constructor.kOnMessageBegin;
  if (!parser || typeof slot !== 'number') return false;
  const previous = parser[slot];
  parser[slot] = function (this: unknown, ...args: unknown[]): unknown {
    listener();
    return typeof previous === 'function' ? (previous as (...a: unknown[]) => unknown).apply(this, args) : undefined;
  };
  return true;
}

export class ServedConnections {
  readonly #server: GwiServer;
  readonly #letGo: LetGo;
  readonly #open = new Map<Socket, Served>();
  /** Connections handed over that node:http does not read yet (their TLS handshake is under way). */
  readonly #accepting = new Set<Socket>();
  #mode: Mode = 'serving';
  #done: (() => void) | null = null;

  constructor(server: GwiServer, letGo: LetGo) {
    this.#server = server;
    this.#letGo = letGo;
    const headComplete = (req: IncomingMessage, res: ServerResponse): void => {
      const served = this.#open.get(req.socket);
      if (served === undefined) return;
      served.arriving = false;
      served.request = req;
      if (this.#ending) res.shouldKeepAlive = false;
      if (this.#mode !== 'serving') this.#settleAtEnd(req);
    };
    // Before the server's own listeners, so that a draining server's response is the connection's last.
    server.httpServer.prependListener('request', headComplete);
    server.httpServer.prependListener('checkContinue', headComplete);
  }

  /** Serves a connection the supervisor handed over as `id` (or hands it straight back when retiring). */
  accept(socket: Socket, id: number): void {
    if (this.#mode === 'retiring') {
      socket.destroy();
      this.#letGo({ type: 'released', id });
      return;
    }
    this.#accepting.add(socket);
    socket.once('close', () => {
      if (!this.#accepting.delete(socket)) return;
      this.#letGo({ type: 'closed', id });
      this.#checkDone();
    });
    this.#server.acceptConnection(socket, (connection) => {
      this.#accepting.delete(socket);
      this.#serve(connection, id);
    });
  }

  /** `socket` is the one node:http reads: the one handed over, or its TLS socket. */
  #serve(socket: Socket, id: number): void {
    const served: Served = { id, accepted: Date.now(), arriving: false, request: null, lookAgain: false };
    this.#open.set(socket, served);
    socket.once('close', () => {
      if (!this.#open.delete(socket)) return;
      this.#letGo({ type: 'closed', id });
      this.#checkDone();
    });
    // Without the hook a partly received request would look idle: such a connection is never handed back.
    if (!onMessageBegin(socket, () => (served.arriving = true))) served.arriving = true;
    socket.on(CONNECTION_IDLE, () => this.#settle(socket));
    if (this.#ending) this.#endLaterIfIdle(socket);
  }

  /**
   * Hands every connection back as soon as it is idle; resolves when none is left. TLS connections are
   * closed instead, as by drain(): the client's next request opens a new one, to the newer code.
   */
  retire(): Promise<void> {
    this.#leaveServing('retiring');
    if (this.#server.secure) return this.#endAll();
    for (const socket of this.#open.keys()) this.#settle(socket);
    return this.#whenDone();
  }

  /**
   * Closes every connection once its responses are out (the last one says `Connection: close`); one
   * that may have a request on its way (a part of it arrived, or it was handed over a moment ago) gets
   * time for it. Resolves when none is left.
   */
  drain(): Promise<void> {
    this.#leaveServing('draining');
    return this.#endAll();
  }

  #leaveServing(mode: Mode): void {
    if (this.#mode === 'serving') for (const served of this.#open.values()) if (served.request) this.#settleAtEnd(served.request);
    this.#mode = mode;
  }

  /** A response can end before its request's body has arrived; the connection is idle after both. */
  #settleAtEnd(req: IncomingMessage): void {
    if (!req.complete) req.once('end', () => this.#settle(req.socket));
  }

  #endAll(): Promise<void> {
    for (const [socket, served] of this.#open) {
      if (responsesUnderWay(socket) > 0) {
        const last = lastResponse(socket);
        if (last) last.shouldKeepAlive = false;
      } else if (this.#holdsRequest(served) || (socket.bytesRead === 0 && Date.now() - served.accepted < COMING_REQUEST_MS)) {
        this.#endLaterIfIdle(socket);
      } else {
        socket.end();
      }
    }
    return this.#whenDone();
  }

  /** Connections close once idle: the server stops, or newer code loads and TLS cannot move to it. */
  get #ending(): boolean {
    return this.#mode === 'draining' || (this.#mode === 'retiring' && this.#server.secure);
  }

  /** A part of a request is in this process: its head, or the rest of its body, is still arriving. */
  #holdsRequest(served: Served): boolean {
    return served.arriving || (served.request !== null && !served.request.complete);
  }

  /** The connection may have become idle: while retiring, it goes back (TLS: it ends); while draining, it ends. */
  #settle(socket: Socket): void {
    const served = this.#open.get(socket);
    if (served === undefined || this.#mode === 'serving') return;
    const answering = responsesUnderWay(socket) > 0;
    if (this.#holdsRequest(served)) {
      // Answered with its whole body read, the request is complete for node's parser only in its next
      // callback, after this turn's promises: look once more when that packet is through.
      if (!answering && !served.arriving && !served.lookAgain) {
        served.lookAgain = true;
        setImmediate(() => {
          served.lookAgain = false;
          if (served.request?.complete) this.#settle(socket);
        });
      }
      return;
    }
    if (answering) {
      // Its requests are all in: read nothing more (pause() stops reading from the kernel), so that a
      // request the client sends meanwhile waits there for the newer code instead of being answered here.
      if (!this.#ending) socket.pause();
      return;
    }
    if (this.#ending) {
      socket.end();
      return;
    }
    // All in this turn: no byte is read between the check above and the close of this process's copy.
    this.#open.delete(socket);
    socket.destroy();
    this.#letGo({ type: 'released', id: served.id });
    this.#checkDone();
  }

  #endLaterIfIdle(socket: Socket): void {
    setTimeout(() => {
      if (this.#open.has(socket) && responsesUnderWay(socket) === 0) socket.end();
    }, COMING_REQUEST_MS).unref();
  }

  #whenDone(): Promise<void> {
    return new Promise((resolve) => {
      this.#done = resolve;
      this.#checkDone();
    });
  }

  #checkDone(): void {
    if (this.#mode !== 'serving' && this.#open.size === 0 && this.#accepting.size === 0) this.#done?.();
  }
}
