// The URL, path and environ helpers of wsgiref.util, for servers, middleware and tests.
import { BytesInput } from './input.js';
import { StringErrors } from './error-stream.js';
import { quoteLatin1 } from './latin1.js';
import { boundedMemo } from './memo.js';
import { pyRepr } from './py-repr.js';
import type { Environ } from './types.js';

/** The environ keys the URL helpers read; a full `Environ` satisfies it. */
export interface UrlEnviron {
  'gwi.url_scheme': string;
  HTTP_HOST?: string | undefined;
  SERVER_NAME: string;
  SERVER_PORT: string;
  SCRIPT_NAME?: string;
  PATH_INFO?: string;
  QUERY_STRING?: string;
}

/** The application's base URL: scheme, host and the quoted `SCRIPT_NAME` (or `/`). */
export function applicationUri(environ: UrlEnviron): string {
  const scheme = environ['gwi.url_scheme'];
  let url = scheme + '://';
  if (environ.HTTP_HOST) {
    url += environ.HTTP_HOST;
  } else {
    url += environ.SERVER_NAME;
    const defaultPort = scheme === 'https' ? '443' : '80';
    if (environ.SERVER_PORT !== defaultPort) url += ':' + environ.SERVER_PORT;
  }
  return url + quoteLatin1(environ.SCRIPT_NAME || '/', '/');
}

/** The full request URL; the query string is appended raw, as the client sent it. */
export function requestUri(environ: UrlEnviron, includeQuery = true): string {
  let url = applicationUri(environ);
  // `;`, `=` and `,` stay literal so path parameters (`/spam;cookie=1,2`) survive the round trip.
  const pathInfo = quoteLatin1(environ.PATH_INFO ?? '', '/;=,');
  // applicationUri already ended in the `/` that stands for an empty SCRIPT_NAME.
  url += environ.SCRIPT_NAME ? pathInfo : pathInfo.slice(1);
  if (includeQuery && environ.QUERY_STRING) url += '?' + environ.QUERY_STRING;
  return url;
}

/**
 * Moves the first segment of `PATH_INFO` to the end of `SCRIPT_NAME` and returns it, or `null`
 * when `PATH_INFO` is empty (or only `/.`). Mutates `environ`, as routing middleware expects.
 */
export function shiftPathInfo(environ: { SCRIPT_NAME?: string; PATH_INFO?: string }): string | null {
  const pathInfo = environ.PATH_INFO ?? '';
  if (!pathInfo) return null;

  let parts = pathInfo.split('/');
  if (parts.length < 2) {
    // wsgiref fails here too (IndexError): there is no segment after a first `/`.
    throw new TypeError(`PATH_INFO has no segment to shift: ${pyRepr(pathInfo)}`);
  }
  // Empty and `.` segments are dropped, but not the last one: it tells `/x` from `/x/`.
  const middle = parts.slice(1, -1).filter((part) => part !== '' && part !== '.');
  parts = [parts[0] as string, ...middle, parts[parts.length - 1] as string];
  const name = parts.splice(1, 1)[0] as string;

  let scriptName = normpath((environ.SCRIPT_NAME ?? '') + '/' + name);
  if (scriptName.endsWith('/')) scriptName = scriptName.slice(0, -1);
  if (!name && !scriptName.endsWith('/')) scriptName += '/';

  environ.SCRIPT_NAME = scriptName;
  environ.PATH_INFO = parts.join('/');
  // A lone trailing `.` is never filtered above; it shifts nothing.
  return name === '.' ? null : name;
}

/** Python's `posixpath.normpath`: pure string work, no file system. */
function normpath(path: string): string {
  // POSIX gives exactly two leading slashes an implementation-defined meaning, so they are kept.
  const leading = path.startsWith('//') && !path.startsWith('///') ? 2 : path.startsWith('/') ? 1 : 0;
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      const last = out[out.length - 1];
      if (last !== undefined && last !== '..') {
        out.pop();
        continue;
      }
      // There is nothing above the root of an absolute path: `/..` is `/`.
      if (leading > 0) continue;
    }
    out.push(part);
  }
  return '/'.repeat(leading) + out.join('/') || '.';
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailers',
  'transfer-encoding',
  'upgrade',
]);

/** Whether an application may not send this header (RFC 2616 §13.5.1); note `Trailer` is allowed. */
export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(headerKey(name));
}

// Printable ASCII and HTAB only.
const PLAIN_HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/**
 * Whether a header value has nothing to refuse or encode (nearly every value): checks can stop here.
 * Values repeat from response to response (Content-Type, the security headers): remembered.
 */
export const isPlainHeaderValue = boundedMemo((value) => PLAIN_HEADER_VALUE.test(value));

/** A header name lower-cased, the key for case-insensitive lookups (names repeat: remembered). */
export const headerKey = boundedMemo((name) => name.toLowerCase());

/** An RFC 1123 date for HTTP headers, like `Thu, 01 Jan 1970 00:00:00 GMT`. */
export function formatDateTime(timestampMs: number): string {
  return new Date(timestampMs).toUTCString();
}

/** `'https'` when `HTTPS` is `yes`, `on` or `1` (case-sensitive, as wsgiref), else `'http'`. */
export function guessScheme(environ: { HTTPS?: unknown }): 'http' | 'https' {
  const https = environ.HTTPS;
  return https === 'yes' || https === 'on' || https === '1' ? 'https' : 'http';
}

function setDefault(environ: Record<string, unknown>, key: string, value: unknown): void {
  if (!(key in environ)) environ[key] = value;
}

/**
 * Fills in every key a GWI environ needs, without touching keys already there: the starting
 * point for tests of applications and middleware.
 */
export function setupTestingDefaults(environ: Record<string, unknown>): Environ {
  setDefault(environ, 'SERVER_NAME', '127.0.0.1');
  setDefault(environ, 'SERVER_PROTOCOL', 'HTTP/1.0');
  setDefault(environ, 'HTTP_HOST', environ.SERVER_NAME);
  setDefault(environ, 'REQUEST_METHOD', 'GET');
  if (!('SCRIPT_NAME' in environ) && !('PATH_INFO' in environ)) {
    environ.SCRIPT_NAME = '';
    environ.PATH_INFO = '/';
  }
  setDefault(environ, 'gwi.version', [1, 0]);
  setDefault(environ, 'gwi.run_once', false);
  setDefault(environ, 'gwi.multithread', false);
  setDefault(environ, 'gwi.multiprocess', false);
  setDefault(environ, 'gwi.input', new BytesInput());
  setDefault(environ, 'gwi.errors', new StringErrors());
  setDefault(environ, 'gwi.url_scheme', guessScheme(environ));
  if (environ['gwi.url_scheme'] === 'http') setDefault(environ, 'SERVER_PORT', '80');
  else if (environ['gwi.url_scheme'] === 'https') setDefault(environ, 'SERVER_PORT', '443');
  return environ as Environ;
}
