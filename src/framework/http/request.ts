// GwiRequest: the request a view receives (Django's WSGIRequest/HttpRequest), built from a GWI environ.
// The body is a stream, so reading it is asynchronous and always bounded by the upload settings.
import { Buffer } from 'node:buffer';
import { pyRepr } from '../../gateway/py-repr.js';
import type { Environ } from '../../gateway/types.js';
import type { MaybePromise } from '../../gateway/maybe-promise.js';
import { upperCase } from '../../gateway/memo.js';
import type { Settings } from '../conf/global-settings.js';
import { currentSettings, settings } from '../conf/settings.js';
import { BodyStream, BufferSource } from './body.js';
import { parseCookie } from './cookies.js';
import { BadRequest } from '../exceptions.js';
import { HttpHeaders } from './headers.js';
import { checkAllowedHost } from './hosts.js';
import { MultiPartParser, parseHeaderParameters, type ByteSource } from './multipart.js';
import type { UploadedFile } from './uploaded-file.js';
import { MultiValueDict, QueryDict } from './query-dict.js';
import { decodeBytes, escapeUriPath, iriToUri, quote, repercentBrokenUnicode } from '../utils/encoding.js';

/** The body was already consumed as a stream (by the multipart parser), so it cannot be read whole. */
export class RawPostDataException extends Error {
  override name = 'RawPostDataException';
}

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
    this.#stream = new BodyStream(environ);
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
    return checkAllowedHost(this.#rawHost());
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
    this.#stream.checkContentLength(max);
    this.#streamUsed = true;
    this.#bodyBytes = await this.#stream.readAll(max);
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
