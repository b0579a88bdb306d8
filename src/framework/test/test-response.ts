// What a test client's request got back (the response of Django's test client): the status, headers and
// whole body the application answered with and, when gwi's handler answered, its request and resolved view.
import { Buffer } from 'node:buffer';
import { Headers } from '../../gateway/headers.js';
import type { Environ } from '../../gateway/types.js';
import { parseHeaderParameters } from '../http/multipart.js';
import type { GwiRequest } from '../http/request.js';
import type { ResolverMatch } from '../urls/resolver-match.js';
import { decodeBytes } from '../utils/encoding.js';
import { isJsonContentType } from './request-body.js';
import type { Answer } from './run-application.js';

/** Django's conditional_content_removal: servers send no body for HEAD, 1xx, 204 and 304. */
function isBodiless(statusCode: number, method: string): boolean {
  return method === 'HEAD' || (statusCode >= 100 && statusCode < 200) || statusCode === 204 || statusCode === 304;
}

export class TestResponse {
  readonly statusCode: number;
  /** The status line's text after the code ('OK'). */
  readonly reasonPhrase: string;
  /** The response headers, looked up in any case: `headers.get('Content-Type')`, `headers.getAll('Set-Cookie')`. */
  readonly headers: Headers;
  /** The body's bytes (empty for HEAD, 1xx, 204 and 304, as a server sends them). */
  readonly content: Buffer;
  /** The environ the application was called with (Django's response.request). */
  readonly environ: Environ;
  /** The request gwi's handler made of the environ (Django's response.wsgi_request); null for another application. */
  readonly request: GwiRequest | null;
  /** The redirects followed to get this response, as [url, status code] pairs (`follow: true`). */
  redirectChain: [url: string, statusCode: number][] = [];

  constructor(answer: Answer, environ: Environ, request: GwiRequest | null) {
    this.statusCode = Number(answer.status.slice(0, 3));
    this.reasonPhrase = answer.status.slice(4);
    this.headers = new Headers(answer.headers);
    this.content = isBodiless(this.statusCode, environ.REQUEST_METHOD) ? Buffer.alloc(0) : answer.content;
    this.environ = environ;
    this.request = request;
  }

  /** The view the URL resolved to (Django's response.resolver_match); null when gwi's handler did not resolve one. */
  get resolverMatch(): ResolverMatch | null {
    return this.request?.resolverMatch ?? null;
  }

  /** The Content-Type's charset, else UTF-8. */
  get charset(): string {
    return parseHeaderParameters(this.headers.get('Content-Type') ?? '')[1].charset ?? 'utf-8';
  }

  /** The body decoded with its charset. */
  text(): string {
    return decodeBytes(this.content, this.charset);
  }

  /** The body parsed as JSON; an error when the Content-Type is not JSON's, as in Django. */
  json(): unknown {
    const contentType = this.headers.get('Content-Type');
    if (!isJsonContentType(contentType ?? '')) throw new TypeError(`Content-Type header is "${contentType}", not "application/json"`);
    return JSON.parse(this.text());
  }
}
