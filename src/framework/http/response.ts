// Responses (Django's HttpResponse family). A response IS the GWI body: startResponse(response.statusLine,
// response.headerList()), then return the response; the server iterates it and calls close() once.
import { Buffer } from 'node:buffer';
import { asBuffer } from '../../gateway/bytes.js';
import type { HeaderList } from '../../gateway/types.js';
import { isPromiseLike, type MaybePromise } from '../../gateway/maybe-promise.js';
import { DEFAULTS } from '../conf/global-settings.js';
import { currentSettings, settingsConfigured } from '../conf/settings.js';
import { makeCookie, makeDeletionCookie, type Cookie, type CookieOptions } from './cookies.js';
import { DisallowedRedirect } from '../exceptions.js';
import { ResponseHeaders, type HeadersInit } from './response-headers.js';
import { decodeBytes, iriToUri } from '../utils/encoding.js';
import { requestFinished } from '../signals.js';
import { isPlainObject } from '../../gateway/plain-object.js';

// Not imported: an import of node:http on Node >= 22 loads undici (see server/gwi-server.ts).
const { STATUS_CODES } = process.getBuiltinModule('node:http');

/** Bytes, or text encoded with the response's charset. */
export type ContentChunk = string | Uint8Array;

/** Constructor options shared by every response. */
export interface ResponseOptions {
  /** The status code (100–599); each class has its default. */
  status?: number;
  /** The reason phrase; default from the status code. */
  reason?: string;
  /** Default `text/html; charset=<charset>`; not together with a Content-Type in `headers`. */
  contentType?: string;
  /** The charset text content is encoded with; default the Content-Type's, else DEFAULT_CHARSET. */
  charset?: string;
  headers?: HeadersInit;
}

function defaultCharset(): string {
  // Responses are also built when settings failed to load (the load-failure page): fall back to the default.
  return (settingsConfigured() ? currentSettings() : DEFAULTS).DEFAULT_CHARSET;
}

/** Encodes text in `charset` (Node knows UTF-8, latin-1, ASCII and UTF-16LE); never silently truncates. */
export function encodeText(text: string, charset: string): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8'); // the default charset: no name to normalise
  const name = charset.toLowerCase().replace(/_/g, '-');
  if (name === 'utf-8' || name === 'utf8') return Buffer.from(text, 'utf8');
  const single = ['iso-8859-1', 'latin-1', 'latin1', 'l1', 'iso8859-1'].includes(name) ? 0xff : ['ascii', 'us-ascii'].includes(name) ? 0x7f : 0;
  if (single > 0) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > single) throw new TypeError(`'${charset}' cannot encode the character at position ${i} of the response content`);
    }
    return Buffer.from(text, 'latin1');
  }
  if (name === 'utf-16le' || name === 'utf-16') return Buffer.from(text, 'utf16le');
  throw new TypeError(`Cannot encode the response content with charset '${charset}' (use utf-8, latin-1, ascii or utf-16le)`);
}

const CHARSET_IN_CONTENT_TYPE = /;\s*charset=([^\s;]+)/i;

/** What every response has: status, headers, cookies, closing. */
export abstract class HttpResponseBase {
  /** The status a class answers with unless told otherwise. */
  static defaultStatus = 200;

  readonly headers: ResponseHeaders;
  /** Run once by close() (files, generators, the request's uploads), before requestFinished. */
  readonly closers: (() => void | Promise<void>)[] = [];
  /** Whether the body is produced asynchronously (StreamingHttpResponse). */
  abstract readonly streaming: boolean;
  #statusCode: number;
  #reason: string | null;
  #charset: string | null;
  /** Made on first use: most responses set no cookie. */
  #cookies: Map<string, Cookie> | null = null;
  #closed = false;
  /** The promise of close() when a closer was asynchronous. */
  #closing: Promise<void> | null = null;

  constructor({ status, reason, contentType, charset, headers }: ResponseOptions = {}) {
    this.headers = new ResponseHeaders(headers);
    this.#charset = charset ?? null;
    this.#statusCode = (this.constructor as typeof HttpResponseBase).defaultStatus;
    if (status !== undefined) this.statusCode = status;
    this.#reason = reason ?? null;
    if (headers === undefined || !this.headers.has('Content-Type')) {
      this.headers.set('Content-Type', contentType ?? `text/html; charset=${this.charset}`);
    } else if (contentType) {
      throw new TypeError("'headers' must not contain 'Content-Type' when the 'contentType' option is provided.");
    }
  }

  /** The cookies to set, one Set-Cookie header each. */
  get cookies(): Map<string, Cookie> {
    this.#cookies ??= new Map();
    return this.#cookies;
  }

  get statusCode(): number {
    return this.#statusCode;
  }

  set statusCode(value: number) {
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError('HTTP status code must be an integer.');
    if (value < 100 || value > 599) throw new RangeError('HTTP status code must be an integer from 100 to 599.');
    this.#statusCode = value;
  }

  /** The given reason, else the standard phrase of the status code. */
  get reasonPhrase(): string {
    return this.#reason ?? STATUS_CODES[this.#statusCode] ?? 'Unknown Status Code';
  }

  set reasonPhrase(value: string) {
    this.#reason = value;
  }

  /** The given charset, else the Content-Type's (quotes removed), else DEFAULT_CHARSET. */
  get charset(): string {
    if (this.#charset !== null) return this.#charset;
    const contentType = this.headers.get('Content-Type') ?? '';
    // Without a ';' there is no charset parameter: most content types are spared the expression.
    const match = contentType.includes(';') ? CHARSET_IN_CONTENT_TYPE.exec(contentType) : null;
    return match ? (match[1] as string).replace(/"/g, '') : defaultCharset();
  }

  set charset(value: string) {
    this.#charset = value;
  }

  /** `404 Not Found`: the status for startResponse. */
  get statusLine(): string {
    return `${this.#statusCode} ${this.reasonPhrase}`;
  }

  /** The headers for startResponse: every header, then one Set-Cookie per cookie. */
  headerList(): HeaderList {
    const list: HeaderList = this.headers.list();
    if (this.#cookies !== null) for (const cookie of this.#cookies.values()) list.push(['Set-Cookie', cookie.outputString()]);
    return list;
  }

  /**
   * Django's set_cookie. `expires` as a Date becomes Max-Age (and expires) from now; `maxAge` alone
   * also sets expires; `path` defaults to '/'; `samesite` is Lax, Strict or None.
   */
  setCookie(key: string, value = '', options: CookieOptions = {}): void {
    this.cookies.set(key, makeCookie(key, value, options));
  }

  /** Django's delete_cookie: an empty cookie that expired in 1970, same path and domain. */
  deleteCookie(key: string, options: Pick<CookieOptions, 'path' | 'domain' | 'samesite'> = {}): void {
    this.cookies.set(key, makeDeletionCookie(key, options));
  }

  /** Bytes for the body: text encoded with the charset. */
  protected makeBytes(value: ContentChunk): Buffer {
    if (typeof value === 'string') return encodeText(value, this.charset);
    return asBuffer(value);
  }

  /** Whether close() ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Runs the closers once (an error in one does not stop the others, as in Django), then sends
   * requestFinished with this response as the sender. Synchronous when every closer is; otherwise a
   * promise, and later calls return the same promise.
   */
  close(): MaybePromise<void> {
    if (this.#closed) return this.#closing ?? undefined;
    this.#closed = true;
    const closers = this.closers.splice(0);
    this.#closing = this.#runClosers(closers, 0) ?? null;
    return this.#closing ?? undefined;
  }

  /** The closers from `from` on, then requestFinished; a promise from the first closer that returns one. */
  #runClosers(closers: readonly (() => void | Promise<void>)[], from: number): Promise<void> | undefined {
    for (let i = from; i < closers.length; i++) {
      let result: void | Promise<void>;
      try {
        result = (closers[i] as () => void | Promise<void>)();
      } catch {
        // Django ignores closer errors: the response was already sent.
        continue;
      }
      if (isPromiseLike(result)) {
        return Promise.resolve(result).then(
          () => this.#runClosers(closers, i + 1),
          () => this.#runClosers(closers, i + 1),
        );
      }
    }
    if (requestFinished.hasListeners()) requestFinished.send(this, {});
    return undefined;
  }
}

/** A response with its whole body in memory. */
export class HttpResponse extends HttpResponseBase implements Iterable<Uint8Array> {
  readonly streaming = false;
  #container: Buffer[] = [];

  constructor(content: ContentChunk | Iterable<ContentChunk> = '', options: ResponseOptions = {}) {
    super(options);
    this.content = content;
  }

  /** The body bytes. Setting it takes text (encoded with the charset), bytes, or an iterable of them. */
  get content(): Buffer {
    if (this.#container.length !== 1) this.#container = [Buffer.concat(this.#container)];
    return this.#container[0] as Buffer;
  }

  set content(value: ContentChunk | Iterable<ContentChunk>) {
    if (typeof value === 'string' || value instanceof Uint8Array) {
      this.#container = [this.makeBytes(value)];
      return;
    }
    // An iterable is consumed now, so the response can be iterated more than once.
    const chunks: Buffer[] = [];
    for (const chunk of value) chunks.push(this.makeBytes(chunk));
    const closable = value as { close?: unknown };
    if (typeof closable.close === 'function') {
      try {
        (closable.close as () => unknown)();
      } catch {
        // As Django: a failing close() of consumed content does not matter.
      }
    }
    this.#container = [Buffer.concat(chunks)];
  }

  /** The body decoded with the charset. */
  get text(): string {
    return decodeBytes(this.content, this.charset || 'utf-8');
  }

  /** Appends to the body (the response as a file). */
  write(data: ContentChunk): void {
    this.#container.push(this.makeBytes(data));
  }

  /** The body, once, as one chunk. */
  *[Symbol.iterator](): Iterator<Uint8Array> {
    yield this.content;
  }
}

/** A response whose body is produced piece by piece (a generator, a file); it has no `content`. */
export class StreamingHttpResponse extends HttpResponseBase implements AsyncIterable<Uint8Array> {
  readonly streaming = true;
  #source: Iterable<ContentChunk> | AsyncIterable<ContentChunk> = [];
  #iterator: Iterator<ContentChunk> | AsyncIterator<ContentChunk> | null = null;

  constructor(streamingContent: Iterable<ContentChunk> | AsyncIterable<ContentChunk> = [], options: ResponseOptions = {}) {
    super(options);
    this.streamingContent = streamingContent;
  }

  /** The body as bytes, iterable once. */
  get streamingContent(): AsyncIterable<Uint8Array> {
    return { [Symbol.asyncIterator]: () => this.#chunks() };
  }

  set streamingContent(value: Iterable<ContentChunk> | AsyncIterable<ContentChunk>) {
    this.#source = value;
    this.#iterator = null;
    const closable = value as { close?: unknown };
    if (typeof closable.close === 'function') this.closers.push(() => (closable.close as () => void | Promise<void>).call(value));
  }

  async *#chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    if (this.#iterator !== null) throw new Error('The streaming content of a response can be iterated only once.');
    const source = this.#source;
    const iterator: Iterator<ContentChunk> | AsyncIterator<ContentChunk> =
      Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
    this.#iterator = iterator;
    // A body abandoned early (the client went away) still runs the generator's finally blocks on close().
    let finished = false;
    this.closers.push(async () => {
      if (!finished) await iterator.return?.();
    });
    try {
      for (;;) {
        const step = await iterator.next();
        if (step.done) break;
        yield this.makeBytes(step.value);
      }
    } finally {
      finished = true;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.streamingContent[Symbol.asyncIterator]();
  }

  /** The whole body, read now (Django's getvalue()). */
  async getValue(): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
}

export interface JsonResponseOptions extends ResponseOptions {
  /** Only plain objects unless false (Django's safe flag). */
  safe?: boolean;
  /** JSON.stringify's replacer and indentation. */
  replacer?: (this: unknown, key: string, value: unknown) => unknown;
  space?: string | number;
}

/**
 * JSON (Django's JsonResponse), `application/json`. The text is JSON.stringify's (compact, non-ASCII
 * as is), not Python's json.dumps spacing: both parse the same.
 */
export class JsonResponse extends HttpResponse {
  constructor(data: unknown, { safe = true, replacer, space, ...options }: JsonResponseOptions = {}) {
    if (safe && !isPlainObject(data)) {
      throw new TypeError('In order to allow non-dict objects to be serialized set the safe parameter to False.');
    }
    super(JSON.stringify(data, replacer, space) ?? 'null', { ...options, contentType: options.contentType ?? 'application/json' });
  }
}

export interface RedirectOptions extends ResponseOptions {
  /** 307/308 instead of 302/301: the client repeats the method and body (Django 5.2's preserve_request). */
  preserveRequest?: boolean;
}

const UNSAFE_URL_CHARS = /[\t\r\n]/g;
const LEADING_C0_OR_SPACE = /^[\x00-\x20]+/;

/** The scheme of a URL as Python's urlsplit sees it (after dropping what browsers ignore too). */
function urlScheme(url: string): string {
  const cleaned = url.replace(LEADING_C0_OR_SPACE, '').replace(UNSAFE_URL_CHARS, '');
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(cleaned);
  return match ? (match[1] as string).toLowerCase() : '';
}

/** A redirect: Location is the URL (escaped as a URI); schemes other than http, https and ftp are refused. */
export abstract class HttpResponseRedirectBase extends HttpResponse {
  static allowedSchemes = ['http', 'https', 'ftp'];
  static preserveRequestStatus = 307;

  constructor(redirectTo: string | URL, { preserveRequest = false, ...options }: RedirectOptions = {}) {
    super('', options);
    const url = String(redirectTo);
    this.headers.set('Location', iriToUri(url));
    const cls = this.constructor as typeof HttpResponseRedirectBase;
    if (preserveRequest) this.statusCode = cls.preserveRequestStatus;
    const scheme = urlScheme(url);
    if (scheme && !cls.allowedSchemes.includes(scheme)) throw new DisallowedRedirect(`Unsafe redirect to URL with protocol '${scheme}'`);
  }

  /** The Location header. */
  get url(): string {
    return this.headers.get('Location') as string;
  }
}

export class HttpResponseRedirect extends HttpResponseRedirectBase {
  static override defaultStatus = 302;
}

export class HttpResponsePermanentRedirect extends HttpResponseRedirectBase {
  static override defaultStatus = 301;
  static override preserveRequestStatus = 308;
}

/** 304: no body and no Content-Type; setting content throws. */
export class HttpResponseNotModified extends HttpResponse {
  static override defaultStatus = 304;

  constructor(options: ResponseOptions = {}) {
    super('', options);
    this.headers.delete('Content-Type');
  }

  override get content(): Buffer {
    return super.content;
  }

  override set content(value: ContentChunk | Iterable<ContentChunk>) {
    const empty = typeof value === 'string' || value instanceof Uint8Array ? value.length === 0 : false;
    if (!empty) throw new TypeError('You cannot set content to a 304 (Not Modified) response');
    super.content = value;
  }

  override write(data: ContentChunk): void {
    if (data.length > 0) throw new TypeError('You cannot set content to a 304 (Not Modified) response');
  }
}

export class HttpResponseBadRequest extends HttpResponse {
  static override defaultStatus = 400;
}

export class HttpResponseForbidden extends HttpResponse {
  static override defaultStatus = 403;
}

export class HttpResponseNotFound extends HttpResponse {
  static override defaultStatus = 404;
}

/** 405 with `Allow: GET, POST`. */
export class HttpResponseNotAllowed extends HttpResponse {
  static override defaultStatus = 405;

  constructor(permittedMethods: Iterable<string>, content: ContentChunk | Iterable<ContentChunk> = '', options: ResponseOptions = {}) {
    super(content, options);
    this.headers.set('Allow', [...permittedMethods].join(', '));
  }
}

export class HttpResponseGone extends HttpResponse {
  static override defaultStatus = 410;
}

export class HttpResponseServerError extends HttpResponse {
  static override defaultStatus = 500;
}

export function isResponse(value: unknown): value is HttpResponseBase {
  return value instanceof HttpResponseBase;
}
