// The GWI server (simple_server's WSGIServer + Django's basehttp): node:http parses, the loop of
// BaseServer dispatches, a ServerHandler per request runs the application.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';
import { inspect } from 'node:util';
import { StreamErrors } from '../gateway/error-stream.js';
import { fileWrapper } from '../gateway/file-wrapper.js';
import type { Application, ErrorStream } from '../gateway/types.js';
import { requestLineOf, ServerLog } from '../log/server-log.js';
import { BaseServer } from './base-server.js';
import { buildEnviron, makeBaseEnviron, type BaseEnviron } from './environ.js';
import { httpDate } from './http-date.js';
import {
  answerOnSocket,
  answerWithResponse,
  checkParsedRequest,
  describeClientError,
  MAX_HEADERS,
  MAX_LINE,
  type ProtocolError,
  unsupportedMethod,
} from './protocol-errors.js';
import { RequestInput } from './request-input.js';
import { resolveHost, serverNameOf } from './address.js';
import { SERVER_SOFTWARE, SERVER_VERSION } from './software.js';
import { ServerHandler, type HandlerContext } from './server-handler.js';
import { TlsTermination, type TlsCredentials } from './tls-termination.js';


/** One request as the loop sees it. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  expectsContinue: boolean;
}

export interface ServerOptions {
  /** Serve requests concurrently (default true); false answers one at a time with `Connection: close`. */
  threading?: boolean;
  /** Resolve a host name to an IPv6 address (Django's `--ipv6`). */
  ipv6?: boolean;
  /** Listen on an inherited socket (a `net.Server`, a `net.Socket` or `{ fd }`) instead of binding. */
  handle?: net.Server | Socket | { fd: number };
  /** False: bind nothing; connections are handed over with acceptConnection(). */
  listen?: boolean;
  /** The request log (default: Django's format on stderr, coloured on a TTY). */
  log?: ServerLog;
  /** Where tracebacks go; also `gwi.errors` (default process.stderr). */
  errorStream?: NodeJS.WritableStream;
  /**
   * The listen backlog. Default: node's 511, not Django's 10 — a browser or load tool opening many
   * connections at once would otherwise see connections dropped by the kernel.
   */
  requestQueueSize?: number;
  /**
   * Milliseconds a client has to send a request's head (default node's 60 000; 0: no limit). A client
   * still trickling header bytes then gets a 408 and is disconnected: a slowloris holds no connection
   * for long, on a bound server and on connections handed over alike.
   */
  headersTimeout?: number;
  /**
   * Serve HTTPS with this certificate and key: TLS ends in this process, on the connections it binds or
   * is handed (acceptConnection), and plain HTTP sent to it gets a 400.
   */
  tls?: TlsCredentials;
}

const DEFAULT_HEADERS_TIMEOUT_MS = 60_000;

// Room for a 65536-byte request line plus 100 header lines of 65536 bytes: llhttp's own limit must
// never be the first one a request meets, so each limit gets http.server's answer.
const MAX_HEADER_BYTES = MAX_LINE * (MAX_HEADERS + 2);

// What the server keeps on each connection: one object, so a request touches the socket once.
const CONNECTION = Symbol('gwi.connection');
/** Emitted by a socket when its last response under way is over. */
export const CONNECTION_IDLE = 'gwi:idle';
interface Connection {
  /** Responses under way, so a protocol error found later is answered after them. */
  active: number;
  /** The response to the last request parsed: the only one whose body may still be arriving. */
  last: ServerResponse | null;
}
interface TrackedSocket extends Socket {
  [CONNECTION]?: Connection;
}

function connectionOf(socket: TrackedSocket): Connection {
  return (socket[CONNECTION] ??= { active: 0, last: null });
}

/** Responses under way on a connection this server serves; the socket emits CONNECTION_IDLE when it falls to 0. */
export function responsesUnderWay(socket: Socket): number {
  return connectionOf(socket).active;
}

/** The response to the last request parsed on a connection (the one a draining server closes after). */
export function lastResponse(socket: Socket): ServerResponse | null {
  return connectionOf(socket).last;
}

/** One response on the socket is over; the last one lets a deferred protocol-error answer go out. */
function released(socket: TrackedSocket): void {
  const connection = connectionOf(socket);
  if (--connection.active === 0) socket.emit(CONNECTION_IDLE);
}

/** ServerHandler's onClosed for this server's requests. */
function responseClosed(handler: ServerHandler): void {
  released(handler.req.socket);
}

/**
 * The step every request takes, under this server or any other Node server (toNodeListener): its
 * gwi.input (sending `100 Continue` when the application first reads), its environ, and the
 * ServerHandler that will answer it.
 */
export function makeHandler(
  exchange: Exchange,
  baseEnviron: BaseEnviron,
  context: HandlerContext,
  multithread: boolean,
  onClosed: ((handler: ServerHandler) => void) | null,
): ServerHandler {
  const { req, res, expectsContinue } = exchange;
  const input = new RequestInput(req, expectsContinue ? () => res.headersSent || res.writeContinue() : null);
  const environ = buildEnviron(baseEnviron, req, {
    serverSoftware: SERVER_SOFTWARE,
    input,
    errors: context.errors,
    multithread,
    fileWrapper,
  });
  return new ServerHandler(environ, req, res, input, context, expectsContinue, onClosed);
}

/** A handler that returned without ending its response must not leave the connection hanging. */
export function endUnfinished(res: ServerResponse): void {
  if (!res.writableEnded) res.destroy();
}

/** socketserver's block of dashes: an error the handler itself could not answer. */
export function reportRequestError(errors: ErrorStream, socket: Socket, err: unknown): void {
  errors.write(
    `${'-'.repeat(40)}\nException occurred during processing of request from ` +
      `('${socket.remoteAddress}', ${socket.remotePort})\n${inspect(err)}\n${'-'.repeat(40)}\n`,
  );
}

export class GwiServer extends BaseServer<Exchange> {
  readonly httpServer: Server;
  readonly log: ServerLog;
  readonly errors: ErrorStream;
  baseEnviron: BaseEnviron;
  serverName: string;
  serverAddress: readonly [host: string, port: number];
  #app: Application | null = null;
  readonly #context: HandlerContext;
  readonly #tls: TlsTermination | null;
  /** With TLS, the socket that listens (node:http only parses what TLS has decrypted). */
  #listener: net.Server | null = null;

  constructor(host: string, port: number, options: ServerOptions = {}) {
    super(options.threading ?? true);
    this.log = options.log ?? new ServerLog();
    this.errors = new StreamErrors(options.errorStream ?? process.stderr);
    this.serverName = host;
    this.serverAddress = [host, port];
    this.baseEnviron = makeBaseEnviron(host, port);
    this.#context = {
      log: this.log,
      errors: this.errors,
      serverSoftware: SERVER_VERSION,
      closeConnection: !this.threading,
    };
    const headersTimeout = options.headersTimeout ?? DEFAULT_HEADERS_TIMEOUT_MS;
    this.#tls = options.tls ? new TlsTermination(options.tls, this.log, headersTimeout) : null;
    // Not imported: an import of node:http builds its ES module facade, which reads every export, and
    // on Node >= 22 one of them loads undici (~35 ms of every start; nodejs/node#57649).
    this.httpServer = process.getBuiltinModule('node:http').createServer({
      maxHeaderSize: MAX_HEADER_BYTES,
      requireHostHeader: false,
      headersTimeout,
      // How often node looks for expired heads: a timeout fires within 1.25 × headersTimeout.
      connectionsCheckingInterval: Math.min(30_000, Math.max(10, headersTimeout / 4)),
    });
    // Python's limits are enforced in checkParsedRequest(); node's header count cap must not hide them.
    this.httpServer.maxHeadersCount = 0;
    this.httpServer.on('request', (req, res) => this.#onRequest(req, res, false));
    this.httpServer.on('checkContinue', (req, res) => this.#onRequest(req, res, true));
    this.httpServer.on('checkExpectation', (req, res) => this.#refuse(req, res, {
      code: 417,
      message: 'Expectation Failed',
      explain: 'Expect condition could not be satisfied',
      requestLine: requestLineOf(req),
    }));
    this.httpServer.on('clientError', (err, socket) => this.#onClientError(err, socket as TrackedSocket));
    // Without a listener node drops a CONNECT without a word; http.server answers a method it does not serve.
    this.httpServer.on('connect', (req: IncomingMessage, socket: Socket) => {
      this.#answerWhenIdle(socket as TrackedSocket, unsupportedMethod('CONNECT', requestLineOf(req)));
    });
  }

  get serverPort(): number {
    return this.serverAddress[1];
  }

  /** Whether this server serves HTTPS (`tls`). */
  get secure(): boolean {
    return this.#tls !== null;
  }

  setApp(app: Application): void {
    this.#app = app;
  }

  getApp(): Application | null {
    return this.#app;
  }

  /** Binds (or adopts `options.handle`) and learns the real address; called by makeServer(). */
  async serverBind(options: ServerOptions = {}): Promise<void> {
    const [host, port] = this.serverAddress;
    if (options.listen !== false) {
      const server = this.#tls ? (this.#listener = net.createServer((socket) => this.acceptConnection(socket))) : this.httpServer;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        const done = () => {
          server.off('error', reject);
          resolve();
        };
        if (options.handle) server.listen(options.handle, done);
        else {
          resolveHost(host, options.ipv6 ?? false).then(
            (address) => server.listen({ host: address, port, backlog: options.requestQueueSize }, done),
            reject,
          );
        }
      });
      const address = server.address();
      if (address && typeof address === 'object') this.serverAddress = [address.address, address.port];
    }
    if (options.listen === false || this.#tls) {
      // node starts checking its connections for expired heads when the server listens; connections
      // handed over (acceptConnection, also by the TLS listener) need the same checks.
      this.httpServer.emit('listening');
    }
    this.serverName = await serverNameOf(this.serverAddress[0]);
    this.baseEnviron = makeBaseEnviron(this.serverName, this.serverPort);
  }

  /**
   * Serves a connection accepted elsewhere (the reloader's supervisor hands them over). `served` gets
   * the socket node:http reads: `socket` itself, at once, or with TLS its TLS socket once the handshake
   * is done (never, if it fails).
   */
  acceptConnection(socket: Socket, served?: (connection: Socket) => void): void {
    // As node:http does for the connections it accepts (noDelay): a response written in parts must not
    // wait on Nagle's algorithm for the client's delayed ACK.
    socket.setNoDelay(true);
    if (this.#tls) {
      this.#tls.accept(socket, (secure) => {
        this.httpServer.emit('connection', secure);
        served?.(secure);
      });
      return;
    }
    this.httpServer.emit('connection', socket);
    served?.(socket);
    // Sockets handed over are paused (pauseOnConnect, or sent from another process): start reading.
    socket.resume();
  }

  /** Stops listening and ends every connection; requests still queued are dropped. */
  async serverClose(): Promise<void> {
    const server = this.httpServer;
    // close() also stops node's connection checks, so it runs even when nothing was bound (its
    // callback then gets ERR_SERVER_NOT_RUNNING, which is no news).
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const { res } of this.takeQueued()) res.destroy();
    this.#listener?.close();
    this.#tls?.destroyPending();
    server.closeAllConnections();
    await closed;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    const socket = req.socket as TrackedSocket;
    const connection = connectionOf(socket);
    connection.active++;
    connection.last = res;
    const problem = checkParsedRequest(req);
    if (problem) {
      res.once('close', () => released(socket));
      this.#refuse(req, res, problem);
      return;
    }
    this.enqueue({ req, res, expectsContinue });
  }

  #refuse(req: IncomingMessage, res: ServerResponse, problem: ProtocolError): void {
    this.#logProtocolError(problem);
    answerWithResponse(res, problem, SERVER_VERSION, httpDate(), req.method === 'HEAD');
  }

  #logProtocolError(problem: ProtocolError): void {
    this.log.logProtocolError(problem.code, problem.message);
    this.log.logRequest(problem.requestLine, problem.code, '-');
  }

  #onClientError(err: Error, socket: TrackedSocket): void {
    const { last } = connectionOf(socket);
    const inBody = last !== null && !last.req.complete;
    const problem = describeClientError(err, inBody);
    if (!problem || !socket.writable) {
      socket.destroy();
      return;
    }
    // llhttp gave up inside the body of the request being served (a bad chunk size): whoever reads
    // that body would wait for the rest forever. Answer now (a response that has begun is cut after
    // what it sent) and close the connection, which ends the body with an error.
    if (inBody && !last.writableEnded) {
      if (last.headersSent) socket.end();
      else this.#answerOnSocket(socket, problem);
      socket.once('finish', () => socket.destroy());
      return;
    }
    this.#answerWhenIdle(socket, problem);
  }

  #answerOnSocket(socket: Socket, problem: ProtocolError): void {
    this.#logProtocolError(problem);
    answerOnSocket(socket, problem, SERVER_VERSION, httpDate());
  }

  /** Answers on the socket itself, after the earlier pipelined requests on this connection. */
  #answerWhenIdle(socket: TrackedSocket, problem: ProtocolError): void {
    if (connectionOf(socket).active === 0) this.#answerOnSocket(socket, problem);
    else socket.once(CONNECTION_IDLE, () => this.#answerOnSocket(socket, problem));
  }

  processRequest(exchange: Exchange): Promise<void> | undefined {
    const app = this.#app;
    if (app === null) throw new Error('No application: call setApp() before serving');
    const handler = makeHandler(exchange, this.baseEnviron, this.#context, this.threading, responseClosed);
    const served = handler.run(app);
    if (this.threading) return served;
    // --nothreading: the next request waits until this connection has closed.
    return served === undefined ? handler.whenClosed() : served.then(() => handler.whenClosed());
  }

  /** socketserver's block of dashes: an error the handler itself could not answer. */
  handleError(exchange: Exchange, err: unknown): void {
    reportRequestError(this.errors, exchange.req.socket, err);
    exchange.res.destroy();
  }

  shutdownRequest(exchange: Exchange): void {
    endUnfinished(exchange.res);
  }
}

/** Binds `host:port` (port 0 picks a free one) and resolves with the server, ready to serve `app`. */
export async function makeServer(
  host: string,
  port: number,
  app: Application,
  options: ServerOptions = {},
): Promise<GwiServer> {
  const server = new GwiServer(host, port, options);
  await server.serverBind(options);
  server.setApp(app);
  return server;
}
