// Test requests (Django's RequestFactory): the environ a request would have, built as the reference server
// builds it, from a method, a path, data and options; RequestFactory makes a GwiRequest of it for a view.
import { Buffer } from 'node:buffer';
import { fileWrapper } from '../../gateway/file-wrapper.js';
import { BytesInput } from '../../gateway/input.js';
import { firstNonLatin1, unquoteLatin1 } from '../../gateway/latin1.js';
import type { Environ } from '../../gateway/types.js';
import { setupTestingDefaults } from '../../gateway/util.js';
import { cookieQuote } from '../http/cookies.js';
import { GwiRequest } from '../http/request.js';
import { encodeData, MULTIPART_CONTENT, urlencode, type QueryData } from './request-body.js';

/** The options of a request. */
export interface RequestOptions {
  /** Query parameters (Django's query_params); they replace the path's own query string. */
  query?: QueryData;
  /** Request headers by name ('Accept', 'X-Requested-With'), over the factory's. */
  headers?: Readonly<Record<string, string>>;
  /** Over https (SERVER_PORT 443) instead of http. */
  secure?: boolean;
  /** The body's content type: post's default is MULTIPART_CONTENT, put's, patch's, delete's and options' application/octet-stream. */
  contentType?: string;
  /** Environ keys set as they are, last (Django's **extra): REMOTE_ADDR, SCRIPT_NAME... */
  extra?: Readonly<Record<string, unknown>>;
}

export interface RequestFactoryOptions {
  /** Headers sent with every request. */
  headers?: Readonly<Record<string, string>>;
  /** Environ keys of every request. */
  extra?: Readonly<Record<string, unknown>>;
}

/** Django's HttpHeaders.to_wsgi_name: `X-Requested-With` → HTTP_X_REQUESTED_WITH; Content-Type and Content-Length unprefixed. */
function toWsgiName(header: string): string {
  const name = header.replace(/-/g, '_').toUpperCase();
  return name === 'CONTENT_TYPE' || name === 'CONTENT_LENGTH' ? name : `HTTP_${name}`;
}

/** Text as the latin-1 string of its UTF-8 bytes: what a server makes of text a client sent in UTF-8. */
function utf8Native(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Header values are sent as they are when they are latin-1 (as fetch sends them), else in UTF-8. */
function toWsgiHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [toWsgiName(name), firstNonLatin1(value) < 0 ? value : utf8Native(value)]),
  );
}

/** The path and query string of a URL or path; the scheme, host and fragment are not part of a request's path. */
function splitPath(url: string): { path: string; query: string } {
  const rest = (url.split('#', 1)[0] as string).replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*/, '');
  const mark = rest.indexOf('?');
  return mark < 0 ? { path: rest, query: '' } : { path: rest.slice(0, mark), query: rest.slice(mark + 1) };
}

/**
 * What get(), post() and the others build, each request's environ, and what becomes of it: `request(environ)`
 * gives the result (a GwiRequest for RequestFactory, the application's response for Client).
 */
export abstract class BaseRequestFactory<R, O extends RequestOptions = RequestOptions> {
  /** The cookies sent with every request, by name (a Client keeps the ones its responses set). */
  readonly cookies = new Map<string, string>();
  readonly #defaults: Record<string, unknown>;

  constructor({ headers = {}, extra = {} }: RequestFactoryOptions = {}) {
    this.#defaults = { ...toWsgiHeaders(headers), ...extra };
  }

  /** What the environ becomes. */
  protected abstract request(environ: Environ): Promise<R>;

  /** A GET; `data` is its query string. */
  async get(path: string, data?: QueryData | null, options?: Omit<O, 'contentType'>): Promise<R> {
    return this.generic('GET', path, '', withQuery(data, options));
  }

  /** A HEAD; `data` is its query string. */
  async head(path: string, data?: QueryData | null, options?: Omit<O, 'contentType'>): Promise<R> {
    return this.generic('HEAD', path, '', withQuery(data, options));
  }

  trace(path: string, options?: Omit<O, 'contentType'>): Promise<R> {
    return this.generic('TRACE', path, '', options as O | undefined);
  }

  /** A POST; form data goes as multipart/form-data unless `contentType` says otherwise (JSON for application/json). */
  post(path: string, data: unknown = {}, options?: O): Promise<R> {
    return this.#withBody('POST', path, data ?? {}, options, MULTIPART_CONTENT);
  }

  /** A PUT; `data` is sent as it is (text or bytes), or as JSON with a JSON `contentType`. */
  put(path: string, data: unknown = '', options?: O): Promise<R> {
    return this.#withBody('PUT', path, data, options);
  }

  patch(path: string, data: unknown = '', options?: O): Promise<R> {
    return this.#withBody('PATCH', path, data, options);
  }

  delete(path: string, data: unknown = '', options?: O): Promise<R> {
    return this.#withBody('DELETE', path, data, options);
  }

  options(path: string, data: unknown = '', options?: O): Promise<R> {
    return this.#withBody('OPTIONS', path, data, options);
  }

  async #withBody(method: string, path: string, data: unknown, options: O | undefined, contentType = 'application/octet-stream'): Promise<R> {
    const type = options?.contentType ?? contentType;
    return this.generic(method, path, await encodeData(data, type), { ...options, contentType: type } as O);
  }

  /** A request with any method and a body already encoded (Django's generic). */
  generic(method: string, path: string, data: string | Uint8Array = '', options?: O): Promise<R> {
    return this.request(this.#environ(method, path, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, options ?? ({} as O)));
  }

  /** Django's _base_environ and generic(), with what the reference server adds (setupTestingDefaults, a file wrapper). */
  #environ(method: string, url: string, body: Uint8Array, options: O): Environ {
    const { path, query } = splitPath(url);
    const environ: Record<string, unknown> = {
      PATH_INFO: unquoteLatin1(utf8Native(path)),
      QUERY_STRING: (options.query && urlencode(options.query)) || utf8Native(query),
      REMOTE_ADDR: '127.0.0.1',
      REQUEST_METHOD: method,
      SCRIPT_NAME: '',
      SERVER_NAME: 'testserver',
      SERVER_PORT: options.secure ? '443' : '80',
      SERVER_PROTOCOL: 'HTTP/1.1',
      'gwi.url_scheme': options.secure ? 'https' : 'http',
      'gwi.input': new BytesInput(body),
      'gwi.file_wrapper': fileWrapper,
    };
    if (this.cookies.size > 0) {
      environ.HTTP_COOKIE = [...this.cookies].map(([name, value]) => `${name}=${cookieQuote(value)}`).sort().join('; ');
    }
    if (body.length > 0) {
      environ.CONTENT_LENGTH = String(body.length);
      environ.CONTENT_TYPE = options.contentType ?? 'application/octet-stream';
    }
    Object.assign(environ, this.#defaults, toWsgiHeaders(options.headers ?? {}), options.extra);
    return setupTestingDefaults(environ);
  }
}

/** GET's and HEAD's `data` as the query (Django refuses both at once). */
function withQuery<O extends RequestOptions>(data: QueryData | null | undefined, options: Omit<O, 'contentType'> | undefined): O {
  if (data && options?.query) throw new TypeError('The query option and data are mutually exclusive.');
  return { ...options, query: data ?? options?.query } as O;
}

/** Requests to call a view with directly: `await factory.get('/hello/')`, `await factory.post('/submit/', { foo: 'bar' })`. */
export class RequestFactory extends BaseRequestFactory<GwiRequest> {
  protected async request(environ: Environ): Promise<GwiRequest> {
    return new GwiRequest(environ);
  }
}
