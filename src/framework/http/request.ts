// GwiRequest: the request a view receives (Django's WSGIRequest/HttpRequest), built from a GWI environ.
// The body is a stream, so reading it is asynchronous and always bounded by the upload settings.
import { Buffer } from 'node:buffer';
import { asBuffer } from '../../gateway/bytes.js';
import { pyRepr } from '../../gateway/py-repr.js';
import type { Environ, InputStream } from '../../gateway/types.js';
import type { MaybePromise } from '../../gateway/maybe-promise.js';
import { boundedMemo, upperCase } from '../../gateway/memo.js';
import { currentSettings, settings, type Settings } from '../conf/settings.js';
import { parseCookie } from './cookies.js';
import { BadRequest, DisallowedHost, RequestDataTooBig } from '../exceptions.js';
import { MultiPartParser, parseHeaderParameters, type ByteSource, type UploadedFile } from './multipart.js';
import { decodeBytes, escapeUriPath, iriToUri, MultiValueDict, QueryDict, quote } from './query-dict.js';

/** The body was already consumed as a stream (by the multipart parser), so it cannot be read whole. */
export class RawPostDataException extends Error {
  override name = 'RawPostDataException';
}

const READ_SIZE = 64 * 1024;
const EMPTY = Buffer.alloc(0);

// Environ values are read as `environ.KEY`, not environ[key] in a helper: a load site that sees one key
// stays a fast property load, where one shared by every key goes megamorphic.

/** A native (latin-1) environ value, '' (or `fallback`) when it is missing. */
function nativeOf(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

/** A native (latin-1) environ value as the bytes the client sent. */
function bytesOf(value: unknown): Buffer {
  return Buffer.from(nativeOf(value), 'latin1');
}

/**
 * ASCII bytes read the same in latin-1 and UTF-8: such a string needs no decoding (nearly every
 * request). A loop, as the strings are short: a regular expression costs more to call than to run.
 */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A native environ value decoded as UTF-8, bad bytes replaced (Django's get_str_from_wsgi). */
function textOf(value: unknown): string {
  const native = nativeOf(value);
  return isAscii(native) ? native : decodeBytes(Buffer.from(native, 'latin1'), 'utf-8');
}

/** The length of a valid UTF-8 sequence at `i`, or 0 (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 === 0xe0) low = 0xa0;
    if (b0 === 0xed) high = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 === 0xf0) low = 0x90;
    if (b0 === 0xf4) high = 0x8f;
  } else return 0;
  for (let k = 1; k < length; k++) {
    const b = bytes[i + k];
    if (b === undefined || b < (k === 1 ? low : 0x80) || b > (k === 1 ? high : 0xbf)) return 0;
  }
  return length;
}

/**
 * Django's repercent_broken_unicode: the bytes that are not valid UTF-8 are percent-escaped, so the
 * path decodes losslessly (`/caf\xe9` → `/caf%E9`) and a broken URL can still give a 404.
 */
export function repercentBrokenUnicode(bytes: Uint8Array): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += Buffer.from(bytes.subarray(start, i)).toString('utf8') + '%' + (bytes[i] as number).toString(16).toUpperCase().padStart(2, '0');
    start = ++i;
  }
  return out + Buffer.from(bytes.subarray(start)).toString('utf8');
}

/** Django's get_path_info: PATH_INFO as text ('/' when empty). */
export function getPathInfo(environ: Environ): string {
  const native = nativeOf(environ.PATH_INFO, '/');
  return (isAscii(native) ? native : repercentBrokenUnicode(Buffer.from(native, 'latin1'))) || '/';
}

/**
 * Django's get_script_name: FORCE_SCRIPT_NAME, else SCRIPT_URL/REDIRECT_URL (set by Apache's
 * mod_rewrite) minus PATH_INFO, else SCRIPT_NAME.
 */
export function getScriptName(environ: Environ): string {
  const forced = currentSettings().FORCE_SCRIPT_NAME;
  if (forced !== null) return forced;
  let scriptUrl = nativeOf(environ.SCRIPT_URL) || nativeOf(environ.REDIRECT_URL);
  if (scriptUrl) {
    // mod_wsgi squashes repeated slashes in PATH_INFO: do the same here before cutting it off.
    scriptUrl = scriptUrl.replace(/\/+/g, '/');
    const pathInfo = nativeOf(environ.PATH_INFO);
    if (pathInfo && scriptUrl.endsWith(pathInfo)) scriptUrl = scriptUrl.slice(0, -pathInfo.length);
    return decodeBytes(Buffer.from(scriptUrl, 'latin1'), 'utf-8');
  }
  return textOf(environ.SCRIPT_NAME);
}

/** Whether TextDecoder knows `charset` (Python's codecs.lookup). */
function isKnownEncoding(charset: string): boolean {
  try {
    decodeBytes(EMPTY, charset);
    return true;
  } catch {
    return false;
  }
}

// Django's host_validation_re: a DNS name or a bracketed IPv6 address, then an optional port.
const HOST_VALIDATION = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$/;

/** Django's split_domain_port: ['', ''] for a host that is not syntactically valid. */
export function splitDomainPort(host: string): [domain: string, port: string] {
  const match = HOST_VALIDATION.exec(host.toLowerCase());
  if (!match) return ['', ''];
  const domain = match[1] as string;
  return [domain.endsWith('.') ? domain.slice(0, -1) : domain, match[2] ?? ''];
}

/** The domain of a Host header ('' when invalid), parsed once per distinct host. */
const domainOf = boundedMemo((host) => splitDomainPort(host)[0]);

// Django's default for an empty ALLOWED_HOSTS under DEBUG.
const DEBUG_ALLOWED_HOSTS: readonly string[] = ['.localhost', '127.0.0.1', '[::1]'];

/** Django's validate_host: `*` matches anything, `.example.com` the domain and its subdomains. */
export function validateHost(domain: string, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((pattern) => {
    if (pattern === '*') return true;
    if (!pattern) return false;
    const lower = pattern.toLowerCase();
    return lower === domain || (lower.startsWith('.') && (domain.endsWith(lower) || domain === lower.slice(1)));
  });
}

/** Python's str.title() on a header name: `X-FORWARDED-FOR` → `X-Forwarded-For`. */
function titleCase(name: string): string {
  let out = '';
  let previousCased = false;
  for (const ch of name) {
    const cased = ch.toLowerCase() !== ch.toUpperCase();
    out += cased ? (previousCased ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    previousCased = cased;
  }
  return out;
}

/**
 * The request headers as a case-insensitive, read-only mapping (Django's HttpHeaders): the HTTP_*
 * keys plus CONTENT_TYPE and CONTENT_LENGTH, named as `Content-Type`. Lookups accept `_` for `-`.
 */
export class HttpHeaders implements Iterable<[string, string]> {
  readonly #headers = new Map<string, [string, string]>();

  constructor(environ: Environ) {
    for (const [key, value] of Object.entries(environ)) {
      if (typeof value !== 'string') continue;
      const name = HttpHeaders.parseHeaderName(key);
      if (name !== null) this.#headers.set(name.toLowerCase(), [name, value]);
    }
  }

  /** `HTTP_USER_AGENT` → `User-Agent`; null for an environ key that is not a header. */
  static parseHeaderName(key: string): string | null {
    let header: string;
    if (key.startsWith('HTTP_')) header = key.slice(5);
    else if (key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH') header = key;
    else return null;
    return titleCase(header.replace(/_/g, '-'));
  }

  get(name: string): string | undefined;
  get<D>(name: string, defaultValue: D): string | D;
  get<D>(name: string, defaultValue?: D): string | D | undefined {
    return this.#headers.get(name.replace(/_/g, '-').toLowerCase())?.[1] ?? defaultValue;
  }

  has(name: string): boolean {
    return this.#headers.has(name.replace(/_/g, '-').toLowerCase());
  }

  get size(): number {
    return this.#headers.size;
  }

  keys(): string[] {
    return [...this.#headers.values()].map(([name]) => name);
  }

  entries(): IterableIterator<[string, string]> {
    return [...this.#headers.values()].map(([name, value]): [string, string] => [name, value])[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

/** The body stream, cut at CONTENT_LENGTH (PEP 3333: never read past it). */
class BodyStream implements ByteSource {
  #remaining: number;

  constructor(
    private readonly input: InputStream,
    limit: number,
  ) {
    this.#remaining = limit;
  }

  async read(size: number): Promise<Uint8Array> {
    if (this.#remaining <= 0 || size <= 0) return EMPTY;
    const chunk = await this.input.read(Math.min(size, this.#remaining));
    this.#remaining = chunk.length === 0 ? 0 : this.#remaining - chunk.length;
    return chunk;
  }
}

/** A body already in memory, as a ByteSource (multipart after body() was read). */
class BufferSource implements ByteSource {
  #at = 0;

  constructor(private readonly data: Buffer) {}

  async read(size: number): Promise<Uint8Array> {
    const chunk = this.data.subarray(this.#at, this.#at + size);
    this.#at += chunk.length;
    return chunk;
  }
}

const NOT_PARSED = 'The request body is read asynchronously: `await request.post()` (or `await request.files()`) first.';

/** The request a view receives. */
export class GwiRequest {
  readonly environ: Environ;
  /** Django's name for the environ: the same object. */
  readonly META: Environ;
  /** REQUEST_METHOD, upper-cased. */
  readonly method: string;
  readonly scriptName: string;
  /** PATH_INFO as text (bytes that are not UTF-8 percent-escaped); '/' when empty. */
  readonly pathInfo: string;
  /** scriptName + pathInfo. */
  readonly path: string;
  /** A URLconf for this request only (set by middleware), instead of ROOT_URLCONF. */
  urlconf?: Settings['ROOT_URLCONF'];

  /** CONTENT_TYPE as received, parsed on first use: most requests never look at it. */
  readonly #rawContentType: string;
  #parsedContentType: [string, Record<string, string>] | null = null;
  /** undefined until derived from the Content-Type's charset (or set). */
  #encoding: string | null | undefined = undefined;
  #get: QueryDict | null = null;
  #cookies: Record<string, string> | null = null;
  #headers: HttpHeaders | null = null;
  readonly #stream: BodyStream;
  /** Whether the stream was (or is being) read by someone: the body can only be read once. */
  #streamUsed = false;
  #body: Promise<Buffer> | null = null;
  #bodyBytes: Buffer | null = null;
  #postLoad: Promise<void> | null = null;
  #post: QueryDict | null = null;
  #files: MultiValueDict<UploadedFile> | null = null;
  #parser: MultiPartParser | null = null;

  constructor(environ: Environ) {
    this.environ = environ;
    this.META = environ;
    this.method = upperCase(String(environ.REQUEST_METHOD ?? ''));
    this.scriptName = getScriptName(environ);
    this.pathInfo = getPathInfo(environ);
    // Django also writes the decoded PATH_INFO/SCRIPT_NAME back into META; gwi leaves the environ's
    // native (latin-1) strings alone, as the GWI contract has them: read pathInfo/scriptName instead.
    this.path =
      this.scriptName === '' && this.pathInfo.startsWith('/')
        ? this.pathInfo // what the general form below gives, without a regular expression
        : `${this.scriptName.replace(/\/+$/, '')}/${this.pathInfo.replace('/', '')}`;
    // Declared by src/index.ts (its type is the urls package's), set by the handler.
    this.resolverMatch = null;
    this.#rawContentType = nativeOf(environ.CONTENT_TYPE);
    this.#stream = new BodyStream(environ['gwi.input'], this.#contentLimit());
  }

  /** CONTENT_LENGTH; without one, a body the server de-chunked is read to its end, any other is empty. */
  #contentLimit(): number {
    const length = this.#contentLength();
    if (length !== null) return length;
    return this.environ['gwi.input_terminated'] === true ? Infinity : 0;
  }

  #contentLength(): number | null {
    const raw = this.environ.CONTENT_LENGTH;
    if (typeof raw !== 'string' || raw.trim() === '') return null;
    // An unparsable length is 0, as in Django.
    return /^\s*\+?\d+\s*$/.test(raw) ? Number(raw) : 0;
  }

  /** The Content-Type without parameters, lower-cased ('' when there is none). */
  get contentType(): string {
    return this.#contentTypeParts()[0];
  }

  get contentParams(): Record<string, string> {
    return this.#contentTypeParts()[1];
  }

  #contentTypeParts(): [string, Record<string, string>] {
    const raw = this.#rawContentType;
    this.#parsedContentType ??= raw === '' ? ['', Object.create(null) as Record<string, string>] : parseHeaderParameters(raw);
    return this.#parsedContentType;
  }

  /** The charset of the query string and form data: the Content-Type's charset, or null (DEFAULT_CHARSET). */
  get encoding(): string | null {
    if (this.#encoding === undefined) {
      const charset = this.contentParams.charset;
      this.#encoding = charset && isKnownEncoding(charset) ? charset : null;
    }
    return this.#encoding;
  }

  /** Changing it re-parses GET, and POST when the body was read whole (Django's encoding setter). */
  set encoding(value: string | null) {
    this.#encoding = value;
    this.#get = null;
    if (this.#bodyBytes !== null && this.#parser === null) {
      this.#postLoad = null;
      this.#post = null;
      this.#files = null;
    }
  }

  /** `http` or `https`: the gwi.url_scheme, unless SECURE_PROXY_SSL_HEADER says otherwise. */
  get scheme(): string {
    const proxyHeader = settings.SECURE_PROXY_SSL_HEADER;
    if (proxyHeader) {
      // The pair's shape is checked when settings are configured.
      const [header, secureValue] = proxyHeader;
      const value = this.environ[header];
      if (typeof value === 'string') return value.split(',', 1)[0]?.trim() === secureValue ? 'https' : 'http';
    }
    return String(this.environ['gwi.url_scheme']);
  }

  isSecure(): boolean {
    return this.scheme === 'https';
  }

  /** The query string, parsed (TooManyFieldsSent beyond DATA_UPLOAD_MAX_NUMBER_FIELDS). */
  get GET(): QueryDict {
    this.#get ??= new QueryDict(bytesOf(this.environ.QUERY_STRING), { encoding: this.encoding ?? settings.DEFAULT_CHARSET });
    return this.#get;
  }

  /** The cookies sent (a prototype-less object); a malformed header never throws. */
  get COOKIES(): Record<string, string> {
    this.#cookies ??= parseCookie(textOf(this.environ.HTTP_COOKIE));
    return this.#cookies;
  }

  get headers(): HttpHeaders {
    this.#headers ??= new HttpHeaders(this.environ);
    return this.#headers;
  }

  /** The Host header without validation (X-Forwarded-Host, Host, or SERVER_NAME:SERVER_PORT). */
  #rawHost(): string {
    const forwarded = this.environ.HTTP_X_FORWARDED_HOST;
    if (currentSettings().USE_X_FORWARDED_HOST && typeof forwarded === 'string') return forwarded;
    const host = this.environ.HTTP_HOST;
    if (typeof host === 'string') return host;
    const port = this.getPort();
    const name = String(this.environ.SERVER_NAME);
    return port !== (this.isSecure() ? '443' : '80') ? `${name}:${port}` : name;
  }

  /** Django's get_host(): the host, checked against ALLOWED_HOSTS (DisallowedHost when not allowed). */
  getHost(): string {
    const host = this.#rawHost();
    const config = currentSettings();
    let allowed: readonly string[] = config.ALLOWED_HOSTS;
    if (config.DEBUG && allowed.length === 0) allowed = DEBUG_ALLOWED_HOSTS;
    const domain = domainOf(host);
    // The domain is lower-cased: one listed as it is (the usual case) matches without lower-casing the list.
    if (domain && (allowed.includes(domain) || validateHost(domain, allowed))) return host;
    let message = `Invalid HTTP_HOST header: ${pyRepr(host)}.`;
    message += domain
      ? ` You may need to add ${pyRepr(domain)} to ALLOWED_HOSTS.`
      : ' The domain name provided is not valid according to RFC 1034/1035.';
    throw new DisallowedHost(message);
  }

  /** X-Forwarded-Port with USE_X_FORWARDED_PORT, else SERVER_PORT. */
  getPort(): string {
    const forwarded = this.environ.HTTP_X_FORWARDED_PORT;
    if (settings.USE_X_FORWARDED_PORT && typeof forwarded === 'string') return forwarded;
    return String(this.environ.SERVER_PORT);
  }

  /**
   * The path and query string, escaped for a URL (`/caf%C3%A9?q=1`). The query string's bytes are
   * escaped as bytes (Django escapes their latin-1 reading as UTF-8, which doubles raw UTF-8).
   */
  getFullPath(forceAppendSlash = false): string {
    return this.#fullPath(this.path, forceAppendSlash);
  }

  /** As getFullPath, without the script name. */
  getFullPathInfo(forceAppendSlash = false): string {
    return this.#fullPath(this.pathInfo, forceAppendSlash);
  }

  #fullPath(path: string, forceAppendSlash: boolean): string {
    const query = bytesOf(this.environ.QUERY_STRING);
    return (
      escapeUriPath(path) +
      (forceAppendSlash && !path.endsWith('/') ? '/' : '') +
      (query.length > 0 ? '?' + quote(query, "/#%[]=:;$&()+,!?*@'~") : '')
    );
  }

  /**
   * Django's build_absolute_uri: `location` (default: this request's full path) made absolute with
   * this request's scheme and host (getHost(), so it may throw DisallowedHost).
   */
  buildAbsoluteUri(location?: string): string {
    let target = location ?? `//${this.getFullPath()}`;
    const { scheme, netloc, path } = urlSplit(target);
    if (!(scheme && netloc)) {
      const base = `${this.scheme}://${this.getHost()}`;
      if (path.startsWith('/') && !scheme && !netloc && !path.includes('/.')) {
        if (target.startsWith('//')) target = target.slice(2);
        target = base + target;
      } else {
        target = new URL(target, base + this.path).href;
      }
    }
    return iriToUri(target);
  }

  /**
   * The raw body, read once: at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (RequestDataTooBig when
   * CONTENT_LENGTH says more, or as soon as more arrives).
   */
  body(): Promise<Buffer> {
    this.#body ??= this.#readBody();
    return this.#body;
  }

  async #readBody(): Promise<Buffer> {
    if (this.#streamUsed) throw new RawPostDataException("You cannot access body after reading from request's data stream");
    const max = settings.DATA_UPLOAD_MAX_MEMORY_SIZE;
    if (max !== null && (this.#contentLength() ?? 0) > max) {
      throw new RequestDataTooBig('Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.');
    }
    this.#streamUsed = true;
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // One byte beyond the limit is enough to know it is exceeded: never buffer more.
      const size = max === null ? READ_SIZE : Math.min(READ_SIZE, max + 1 - total);
      const chunk = await this.#stream.read(size);
      if (chunk.length === 0) break;
      total += chunk.length;
      if (max !== null && total > max) throw new RequestDataTooBig('Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.');
      chunks.push(asBuffer(chunk));
    }
    this.#bodyBytes = Buffer.concat(chunks, total);
    return this.#bodyBytes;
  }

  /** The body as JSON (decoded with the request's charset); BadRequest when it is not JSON. */
  async json(): Promise<unknown> {
    const text = decodeBytes(await this.body(), this.encoding ?? 'utf-8');
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new BadRequest(`Invalid JSON in the request body: ${(err as Error).message}`);
    }
  }

  /**
   * The form data of a POST (urlencoded or multipart), parsed once. Other methods and content types
   * give an empty QueryDict, as in Django. After a parse error, POST and FILES are empty.
   */
  async post(): Promise<QueryDict> {
    await this.#loadPost();
    return this.#post as QueryDict;
  }

  /** The uploaded files of a multipart POST. */
  async files(): Promise<MultiValueDict<UploadedFile>> {
    await this.#loadPost();
    return this.#files as MultiValueDict<UploadedFile>;
  }

  /** The parsed form data, once `await request.post()` ran. */
  get POST(): QueryDict {
    if (this.#post === null) throw new Error(`request.POST is not available yet. ${NOT_PARSED}`);
    return this.#post;
  }

  /** The uploaded files, once `await request.post()` (or files()) ran. */
  get FILES(): MultiValueDict<UploadedFile> {
    if (this.#files === null) throw new Error(`request.FILES is not available yet. ${NOT_PARSED}`);
    return this.#files;
  }

  #loadPost(): Promise<void> {
    this.#postLoad ??= this.#parsePost().catch((err: unknown) => {
      // Django's _mark_post_parse_error: later reads (the error page, middleware) see empty data.
      this.#post = new QueryDict(null, { encoding: this.encoding ?? settings.DEFAULT_CHARSET });
      this.#files = new MultiValueDict();
      this.#postLoad = Promise.resolve();
      throw err;
    });
    return this.#postLoad;
  }

  async #parsePost(): Promise<void> {
    const encoding = this.encoding ?? settings.DEFAULT_CHARSET;
    let post = new QueryDict(null, { encoding });
    let files = new MultiValueDict<UploadedFile>();
    if (this.method === 'POST' && this.contentType === 'multipart/form-data') {
      // A body already read whole is parsed from memory; otherwise the stream is parsed as it arrives.
      let source: ByteSource;
      if (this.#body !== null) source = new BufferSource(await this.#body);
      else if (this.#streamUsed) throw new RawPostDataException("You cannot access body after reading from request's data stream");
      else {
        this.#streamUsed = true;
        source = this.#stream;
      }
      this.#parser = new MultiPartParser(
        { CONTENT_TYPE: this.environ.CONTENT_TYPE, CONTENT_LENGTH: this.environ.CONTENT_LENGTH },
        source,
        { encoding },
      );
      [post, files] = await this.#parser.parse();
    } else if (this.method === 'POST' && this.contentType === 'application/x-www-form-urlencoded') {
      // RFC 1866: this content type has no charset, it is always UTF-8.
      const charset = this.encoding;
      if (charset !== null && charset.toLowerCase().replace('_', '-') !== 'utf-8') {
        throw new BadRequest("HTTP requests with the 'application/x-www-form-urlencoded' content type must be UTF-8 encoded.");
      }
      post = new QueryDict(await this.body(), { encoding: 'utf-8' });
    }
    this.#post = post;
    this.#files = files;
  }

  /** Frees the uploads: their temporary files are removed (the handler calls it when the response closes). */
  close(): MaybePromise<void> {
    return this.#parser?.close();
  }

  toString(): string {
    return `<GwiRequest: ${this.method} ${pyRepr(this.getFullPath())}>`;
  }
}

/** The parts of Python's urlsplit that build_absolute_uri needs. */
function urlSplit(url: string): { scheme: string; netloc: string; path: string } {
  let rest = url;
  let scheme = '';
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(rest);
  if (match) {
    scheme = (match[1] as string).toLowerCase();
    rest = rest.slice(match[0].length);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? '' : rest.slice(end + 2);
  }
  return { scheme, netloc, path: rest.split(/[?#]/, 1)[0] as string };
}
