// TLS ended where a connection is served (the reloader hands raw TCP sockets between processes, and a TLS
// session cannot follow): the first byte tells a TLS ClientHello from plain HTTP, which gets a 400.
import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { ServerLog } from '../log/server-log.js';
import { httpDate } from './http-date.js';
import { answerOnSocket, type ProtocolError } from './protocol-errors.js';
import { SERVER_VERSION } from './software.js';

/** A certificate (its chain, if any, after it) and its private key, PEM. */
export interface TlsCredentials {
  cert: string;
  key: string;
}

/** Every TLS connection starts with a handshake record (content type 22); plain HTTP starts with a method. */
const HANDSHAKE_RECORD = 0x16;

const PLAIN_HTTP: ProtocolError = {
  code: 400,
  message: 'Plain HTTP sent to an HTTPS server',
  explain: 'This development server only supports HTTPS: use an https:// address',
  requestLine: '',
};

export class TlsTermination {
  readonly #context: SecureContext;
  readonly #log: ServerLog;
  readonly #timeoutMs: number;
  /** Connections whose handshake is not done: nothing else holds them. */
  readonly #pending = new Set<Socket>();

  /**
   * `timeoutMs` (0: none) is how long a connection may take to say its first byte and finish the
   * handshake: a client that never does holds no connection for long (node:http's head timeout only
   * starts afterwards).
   */
  constructor({ cert, key }: TlsCredentials, log: ServerLog, timeoutMs = 60_000) {
    // node:tls (~3 MiB) is loaded where HTTPS is served: the reloader's supervisor has no other use for it.
    this.#context = process.getBuiltinModule('node:tls').createSecureContext({ cert, key });
    this.#log = log;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Ends TLS on a connection accepted elsewhere (paused or not): `serve` gets the TLS socket once the
   * handshake is done. Plain HTTP gets its 400 and a line in the log; a failed handshake (a browser that
   * does not trust the certificate) or a silent client is closed without a word.
   */
  accept(socket: Socket, serve: (secure: TLSSocket) => void): void {
    this.#pending.add(socket);
    const timer = this.#timeoutMs > 0 ? setTimeout(() => socket.destroy(), this.#timeoutMs).unref() : null;
    const done = (): void => {
      if (timer !== null) clearTimeout(timer);
      this.#pending.delete(socket);
    };
    socket.once('close', done);
    // A reset now must not take the process down; once TLS has the socket, its errors are the TLS socket's.
    socket.on('error', () => socket.destroy());
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      if (chunk[0] !== HANDSHAKE_RECORD) {
        done();
        this.#refusePlainHttp(socket);
        return;
      }
      // The TLS socket reads what is put back before what the kernel holds.
      socket.unshift(chunk);
      const secure = new (process.getBuiltinModule('node:tls').TLSSocket)(socket, { isServer: true, secureContext: this.#context });
      const failed = (): void => void secure.destroy();
      secure.on('error', failed);
      secure.once('secure', () => {
        done();
        secure.off('error', failed);
        serve(secure);
      });
    });
    socket.resume();
  }

  /** Closes the connections still in their handshake (the server closes). */
  destroyPending(): void {
    for (const socket of this.#pending) socket.destroy();
    this.#pending.clear();
  }

  #refusePlainHttp(socket: Socket): void {
    this.#log.logPlainHttp();
    answerOnSocket(socket, PLAIN_HTTP, SERVER_VERSION, httpDate());
    // The rest of the request is read and dropped: closing with bytes unread would reset the connection,
    // and the client could lose the answer. A client that never closes is cut after a while.
    socket.resume();
    setTimeout(() => socket.destroy(), 1000).unref();
  }
}
