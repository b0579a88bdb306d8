// ServerHandler: runs the application for one request and writes its response (wsgiref.handlers'
// BaseHandler with Django's basehttp changes): headers held until the first body bytes, close() once.
// Buffer is imported in every module: Node's global Buffer is a getter, called on each use (callgrind:
// ~150 instructions per response for one use here).
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { asBuffer } from '../gateway/bytes.js';
import type { Application, Body, Environ, ErrorStream, HeaderList, Write } from '../gateway/types.js';
import { isPromiseLike } from '../gateway/maybe-promise.js';
import { headerKey } from '../gateway/util.js';
import type { ServerLog } from '../log/server-log.js';
import { cutConnection } from './cut-connection.js';
import { httpDate } from './http-date.js';
import type { RequestInput } from './request-input.js';
import { checkHeaders, checkStatus } from './start-response-checks.js';

export const ERROR_STATUS = '500 Internal Server Error';
export const ERROR_BODY = Buffer.from('A server error occurred.  Please contact the administrator.', 'latin1');

/** What the handler needs from its server. */
export interface HandlerContext {
  log: ServerLog;
  errors: ErrorStream;
  serverSoftware: string;
  /** `--nothreading`: every response says `Connection: close`, as Django's does. */
  closeConnection: boolean;
}

// The largest last chunk of an array body sent with res.end() instead of its own write.
const TAIL_LIMIT = 16 * 1024;
// The largest last chunk sent as a latin-1 string: node:http then writes head and body as one string
// (one write) instead of corking a head and a buffer into a writev; callgrind: 1,400 instructions fewer
// per makeServer hello response. Above this the extra copy into a string would cost more than it saves.
const STRING_TAIL_LIMIT = 1024;

function noBodyStatus(code: number): boolean {
  return code < 200 || code === 204 || code === 304;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return value != null && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value != null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** Thrown inside the body loop (and by write()) when the client went away: ends the response quietly. */
class ClientGone extends Error {
  constructor() {
    super('The client closed the connection');
  }
}

export class ServerHandler {
  status: string | null = null;
  headers: HeaderList | null = null;
  headersSent = false;
  /** Body bytes sent, as the access log reports them. */
  bytesSent = 0;
  result: Body | null = null;

  readonly #head: boolean;
  /** The status code of the head sent. */
  #code = 0;
  #usedWrite = false;
  #declaredLength = -1;
  /** Body bytes wait in node's buffer for the socket to drain. */
  #unflushed = false;
  /** The status allows no body (1xx, 204, 304): a declared Content-Length describes the resource. */
  #noBody = false;
  /** The head said `Connection: close`. */
  #closing = false;
  #clientGone = false;
  #finished = false;
  /** The last chunk of an array body, written by res.end(). */
  #tail: Uint8Array | null = null;
  #closedWaiter: (() => void) | null = null;
  readonly #onClosed: ((handler: ServerHandler) => void) | null;
  /** A 'close' listener is on the response. */
  #watching = false;
  #closed: Promise<void> | null = null;

  constructor(
    readonly environ: Environ,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly input: RequestInput,
    readonly context: HandlerContext,
    /** The request said `Expect: 100-continue`: until the body is read, the client may hold it back. */
    readonly expectsContinue = false,
    /** Called once the response is finished or its connection gone. */
    onClosed: ((handler: ServerHandler) => void) | null = null,
  ) {
    this.#head = req.method === 'HEAD';
    this.#onClosed = onClosed;
    // A request can wait in the queue (threading: false) while its client leaves: 'close' is then past.
    if (res.destroyed) this.#responseClosed();
    // --nothreading starts the next request only after this response's 'close' (whenClosed).
    else if (context.closeConnection) this.#watchClose();
  }

  /** Settles when the response is finished or its connection is gone. */
  whenClosed(): Promise<void> {
    if (this.#finished) return Promise.resolve();
    this.#watchClose();
    this.#closed ??= new Promise((resolve) => (this.#closedWaiter = resolve));
    return this.#closed;
  }

  /**
   * Listens for the response's 'close' from the moment it has to wait for something (the application,
   * the socket, a close()): a client leaving then must stop the response. A response over in one go
   * needs no listener (one fewer per request on the hot path).
   */
  #watchClose(): void {
    if (this.#watching) return;
    this.#watching = true;
    this.res.on('close', () => this.#responseClosed());
  }

  #responseClosed(): void {
    if (!this.res.writableFinished) this.#clientGone = true;
    this.#release();
  }

  /** The response is over (or its client gone): the server hears of it once. */
  #release(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#closedWaiter?.();
    this.#onClosed?.(this);
  }

  /**
   * Runs the application and writes its response. Returns undefined when all of it happened at once
   * (an array body, a synchronous close(): the common case costs no promise), otherwise a promise that
   * settles when the response is over.
   */
  run(app: Application): Promise<void> | undefined {
    const pending = this.#serve(app);
    if (pending !== undefined) this.#watchClose();
    // Over in one go: the response has ended, and no 'close' listener waits to tell (unless --nothreading's).
    else if (!this.#watching) this.#release();
    return pending;
  }

  #serve(app: Application): Promise<void> | undefined {
    let pending: Promise<void> | undefined;
    try {
      const result = app(this.environ, this.startResponse);
      if (isPromiseLike(result)) {
        pending = result.then((body) => {
          this.result = body;
          return this.finishResponse();
        });
      } else {
        this.result = result;
        pending = this.finishResponse();
      }
    } catch (err) {
      return this.#failed(err);
    }
    return pending?.then(undefined, (err: unknown) => this.#failed(err));
  }

  #failed(err: unknown): Promise<void> | undefined {
    if (this.#clientGone) {
      const socket = this.req.socket;
      this.context.log.logBrokenPipe(
        socket.remoteAddress ?? '',
        socket.remotePort ?? 0,
        socket.remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4',
      );
      return undefined;
    }
    return this.handleError(err);
  }

  readonly startResponse = (status: string, headers: HeaderList, excInfo?: unknown): Write => {
    if (excInfo !== undefined && excInfo !== null) {
      // Too late to change the response: the error being handled goes on up.
      if (this.headersSent) throw excInfo;
    } else if (this.headers !== null) {
      throw new Error('Headers already set!');
    }
    // Checked before anything is stored, so a corrected call can still follow.
    checkStatus(status);
    checkHeaders(headers);
    this.status = status;
    this.headers = headers;
    return this.write;
  };

  readonly write: Write = (data: Uint8Array): Promise<void> => {
    if (!(data instanceof Uint8Array)) throw new TypeError(`write() argument must be a Uint8Array (got ${inspect(data)})`);
    if (this.status === null) throw new Error('write() before startResponse()');
    this.#usedWrite = true;
    // Like a broken pipe in wsgiref: the application learns that nobody is listening and stops.
    if (this.#clientGone) throw new ClientGone();
    if (!this.headersSent) {
      this.#sendHeaders(-1);
      // node:http holds a head until body bytes follow; PEP 3333 has the first write() send it.
      if (data.length === 0) this.res.flushHeaders();
    }
    return this.#sendBody(data) ?? Promise.resolve();
  };

  /**
   * Sends the body, ends the response, logs it and closes the body; undefined when that all happened
   * at once, otherwise a promise of it. On an error the body is closed and the error passed on.
   */
  finishResponse(): Promise<void> | undefined {
    let sending: Promise<void> | undefined;
    try {
      sending = this.#sendResult(this.result);
      if (sending === undefined) this.#finishContent();
    } catch (err) {
      return this.#abandon(err);
    }
    if (sending === undefined) return this.#logAndClose();
    return sending.then(() => this.#finishContent()).then(
      () => this.#logAndClose(),
      (err: unknown) => this.#abandon(err),
    );
  }

  /** Sends every chunk of the body; a promise only when one of them has to wait for the socket. */
  #sendResult(result: Body | null): Promise<void> | undefined {
    if (Array.isArray(result)) return this.#sendArray(result as unknown[], 0);
    if (isIterable(result)) return this.#sendIterable(result);
    if (isAsyncIterable(result)) return this.#sendAsyncIterable(result);
    throw new TypeError(`The application must return an iterable body (got ${inspect(result)})`);
  }

  #sendArray(chunks: unknown[], from: number): Promise<void> | undefined {
    for (let i = from; i < chunks.length; i++) {
      // Every chunk already exists, so the last one can go out with the end of the response (one
      // write instead of two: measurably cheaper on the hot path).
      const pending = this.#chunk(chunks[i], i === chunks.length - 1);
      if (pending) return pending.then(() => this.#sendArray(chunks, i + 1));
    }
    return undefined;
  }

  // for...of, so that a generator body that fails or is abandoned still runs its finally blocks.
  async #sendIterable(result: Iterable<unknown>): Promise<void> {
    for (const chunk of result) {
      const pending = this.#chunk(chunk);
      if (pending) await pending;
    }
  }

  async #sendAsyncIterable(result: AsyncIterable<unknown>): Promise<void> {
    for await (const chunk of result) {
      const pending = this.#chunk(chunk);
      if (pending) await pending;
    }
  }

  #logAndClose(): Promise<void> | undefined {
    this.context.log.logAccess(this.req, this.#code, this.bytesSent);
    return this.#closeResult();
  }

  async #abandon(err: unknown): Promise<never> {
    try {
      await this.#closeResult();
    } catch (closeError) {
      // The body's own error is the one passed on; this one must not hide it.
      this.logException(closeError);
    }
    throw err;
  }

  /** The 500 response of wsgiref when nothing was sent yet; otherwise the connection is cut. */
  async handleError(err: unknown): Promise<void> {
    this.logException(err);
    if (this.headersSent) {
      // A response that already ended stays as it is (close() failed after it); any other is cut,
      // once what was written has gone out (the server destroys what a handler leaves unfinished).
      if (!this.res.writableEnded) {
        this.res.flushHeaders();
        await cutConnection(this.res);
      }
      return;
    }
    this.result = [ERROR_BODY];
    this.#usedWrite = false;
    // Replaced directly rather than through excInfo: an application may throw undefined or null.
    this.status = null;
    this.headers = null;
    this.startResponse(ERROR_STATUS, [['Content-Type', 'text/plain']]);
    await this.finishResponse();
  }

  logException(err: unknown): void {
    this.context.errors.write(`${inspect(err)}\n`);
  }

  #closeResult(): Promise<void> | undefined {
    const result = this.result;
    this.result = null;
    if (result && typeof result.close === 'function') {
      const closing = result.close();
      if (isPromiseLike(closing)) return closing;
    }
    return undefined;
  }

  /** Sends one body chunk; the `last` one of an array is kept for res.end(). */
  #chunk(chunk: unknown, last = false): Promise<void> | undefined {
    if (this.#clientGone) throw new ClientGone();
    if (!(chunk instanceof Uint8Array)) throw new TypeError(`Body chunk must be a Uint8Array (got ${inspect(chunk)})`);
    if (chunk.length === 0) return undefined;
    if (!this.headersSent) {
      if (this.status === null) throw new Error('startResponse() was not called before the first body chunk');
      // PEP 3333: a one-element array is the whole body, so its length is known.
      const single = !this.#usedWrite && Array.isArray(this.result) && this.result.length === 1;
      this.#sendHeaders(single ? chunk.length : -1);
    }
    return this.#sendBody(chunk, last);
  }

  #sendBody(chunk: Uint8Array, last = false): Promise<void> | undefined {
    if (this.#head || chunk.length === 0) return undefined;
    let data = chunk;
    if (this.#declaredLength >= 0 && this.bytesSent + data.length > this.#declaredLength) {
      data = data.subarray(0, this.#declaredLength - this.bytesSent);
      this.bytesSent += data.length;
      if (data.length > 0) this.res.write(data);
      throw new Error(`Response body is longer than its Content-Length (${this.#declaredLength} bytes)`);
    }
    this.bytesSent += data.length;
    // A small last chunk rides on res.end(); a large one is written (and waited for) like the others.
    if (last && data.length <= TAIL_LIMIT) {
      this.#tail = data;
      return undefined;
    }
    if (this.res.write(data)) return undefined;
    return this.#drained();
  }

  /** Settles when the socket takes more data, or when the response closes (the client left). */
  #drained(): Promise<void> {
    const res = this.res;
    this.#unflushed = true;
    return new Promise((resolve) => {
      const done = (): void => {
        res.off('drain', drained);
        res.off('close', done);
        resolve();
      };
      const drained = (): void => {
        this.#unflushed = false;
        done();
      };
      res.on('drain', drained);
      res.on('close', done);
    });
  }

  #deliveredInFull(): boolean {
    return this.headersSent && !this.#unflushed && this.#tail === null && this.#declaredLength >= 0 && this.bytesSent === this.#declaredLength;
  }

  #finishContent(): void {
    if (this.#clientGone) {
      // The client left after every declared byte was handed to its socket (wsgiref's sendall had
      // returned): it got its response, which is logged as served. Otherwise no access line for a
      // response it never got.
      if (this.#deliveredInFull()) return;
      throw new ClientGone();
    }
    if (!this.headersSent) {
      if (this.status === null) throw new Error('The application returned without calling startResponse()');
      this.#sendHeaders(this.#head ? -1 : 0);
    }
    if (!this.#head && !this.#noBody && this.#declaredLength > this.bytesSent) {
      if (this.#tail) this.res.write(this.#tail);
      this.#tail = null;
      throw new Error(
        `Response body is shorter than its Content-Length (${this.bytesSent} of ${this.#declaredLength} bytes)`,
      );
    }
    const tail = this.#tail;
    this.#tail = null;
    if (tail === null) this.res.end();
    // As latin-1, code unit n is byte n: node:http writes back exactly these bytes.
    else if (tail.length <= STRING_TAIL_LIMIT) this.res.end(asBuffer(tail).toString('latin1'), 'latin1');
    else this.res.end(tail);
    // The rest of a body read halfway (after the head went out) is still on the wire: this
    // connection cannot carry another request.
    if (!this.#closing && this.input.partlyRead) void cutConnection(this.res);
  }

  /** Writes the status line and head; `length` ≥ 0 is a Content-Length the server computed. */
  #sendHeaders(length: number): void {
    const status = this.status as string;
    const headers = this.headers as HeaderList;
    // checkStatus() saw three digits.
    const code = (status.charCodeAt(0) - 0x30) * 100 + (status.charCodeAt(1) - 0x30) * 10 + status.charCodeAt(2) - 0x30;
    this.#code = code;
    this.#noBody = noBodyStatus(code);
    // node:http takes a flat [name, value, name, value, ...] list: fewer arrays per response. Date
    // and Server lead, as in Django's responses, unless the application set its own (rare).
    const head: string[] = ['Date', httpDate(), 'Server', this.context.serverSoftware];
    let hasDate = false;
    let hasServer = false;
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i] as [string, string];
      const name = header[0];
      const value = header[1];
      head.push(name, value);
      // Only three names matter here, and most names have none of their lengths: no lookup for those.
      const nameLength = name.length;
      if (nameLength !== 4 && nameLength !== 6 && nameLength !== 14) continue;
      const lower = headerKey(name);
      if (lower === 'date') hasDate = true;
      else if (lower === 'server') hasServer = true;
      else if (lower === 'content-length') this.#declaredLength = /^[0-9]+$/.test(value) ? Number(value) : -1;
    }
    if (hasServer) head.splice(2, 2);
    if (hasDate) head.splice(0, 2);
    // A HEAD response keeps an application's Content-Length but never a computed one (Django 5.1).
    if (this.#declaredLength < 0 && length >= 0 && !this.#head && !this.#noBody) {
      head.push('Content-Length', String(length));
      this.#declaredLength = length;
    }
    const res = this.res;
    res.sendDate = false;
    this.#closing = this.#mustClose();
    if (this.#closing) head.push('Connection', 'close');
    // node:http would add Connection: keep-alive to HTTP/1.1 answers; Django's carry no such line.
    else if (this.req.httpVersionMinor === 1) res.removeHeader('Connection');
    this.headersSent = true;
    res.writeHead(code, status.slice(4), head);
  }

  #mustClose(): boolean {
    if (this.context.closeConnection) return true;
    // A body the application left half-read (or never asked for) cannot be skipped safely.
    if (this.expectsContinue && !this.input.started) return true;
    return this.input.partlyRead;
  }
}
