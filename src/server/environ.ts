// IncomingMessage → Environ: the CGI variables of simple_server/Django's basehttp, without the process environment.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { unquoteLatin1 } from '../gateway/latin1.js';
import { boundedMemo } from '../gateway/memo.js';
import type { Environ, ErrorStream, FileWrapperFactory, InputStream } from '../gateway/types.js';
import { parseRequestTarget } from './request-target.js';

/** The per-server part of every environ (WSGIServer.setup_environ). */
export interface BaseEnviron {
  SERVER_NAME: string;
  GATEWAY_INTERFACE: 'CGI/1.1';
  SERVER_PORT: string;
  REMOTE_HOST: '';
  CONTENT_LENGTH: '';
  SCRIPT_NAME: '';
}

export function makeBaseEnviron(serverName: string, port: number): BaseEnviron {
  return {
    SERVER_NAME: serverName,
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PORT: String(port),
    REMOTE_HOST: '',
    CONTENT_LENGTH: '',
    SCRIPT_NAME: '',
  };
}

export interface RequestContext {
  serverSoftware: string;
  input: InputStream;
  errors: ErrorStream;
  multithread: boolean;
  fileWrapper: FileWrapperFactory;
}

const VERSION: readonly [number, number] = Object.freeze([1, 0] as const);

export function buildEnviron(base: BaseEnviron, req: IncomingMessage, context: RequestContext): Environ {
  const target = parseRequestTarget(req.url ?? '/');
  // A request that came over TLS (runserver --https, or any https server) is https: request.isSecure().
  const secure = (req.socket as TLSSocket).encrypted === true;
  // A leading run of slashes is one slash (CPython gh-87389: no open redirect through '//host').
  let path = target.path;
  if (path.startsWith('//')) path = '/' + path.replace(/^\/+/, '');
  // The base fields are written out: in V8 an object literal starting with a spread takes a slow
  // path that cost ~17 µs per request (measured by bench/profile.mjs).
  const environ: Environ = {
    SERVER_NAME: base.SERVER_NAME,
    GATEWAY_INTERFACE: base.GATEWAY_INTERFACE,
    SERVER_PORT: base.SERVER_PORT,
    REMOTE_HOST: base.REMOTE_HOST,
    CONTENT_LENGTH: base.CONTENT_LENGTH,
    SCRIPT_NAME: base.SCRIPT_NAME,
    SERVER_PROTOCOL: req.httpVersion === '1.1' ? 'HTTP/1.1' : `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE: context.serverSoftware,
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: unquoteLatin1(path),
    QUERY_STRING: target.query,
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    CONTENT_TYPE: 'text/plain',
    'gwi.version': VERSION,
    'gwi.url_scheme': secure ? 'https' : 'http',
    'gwi.input': context.input,
    'gwi.errors': context.errors,
    'gwi.multithread': context.multithread,
    'gwi.multiprocess': false,
    'gwi.run_once': false,
    'gwi.file_wrapper': context.fileWrapper,
    'gwi.input_terminated': true,
  };
  addHeaders(environ, req.rawHeaders);
  // The host an absolute-form target names is the request's host, whatever Host says (RFC 9112 §3.2.2):
  // ALLOWED_HOSTS and build_absolute_uri() see that one.
  if (target.authority !== null) environ.HTTP_HOST = target.authority;
  // As a CGI server says TLS (wsgiref's guess_scheme reads it).
  if (secure) environ.HTTPS = 'on';
  return environ;
}

// Names of the environ's own CGI keys: a header named like one (Path-Info, Server-Name) must not
// overwrite it, as simple_server skips those too.
const CGI_KEYS = new Set([
  'SERVER_NAME', 'GATEWAY_INTERFACE', 'SERVER_PORT', 'REMOTE_HOST', 'SCRIPT_NAME', 'SERVER_PROTOCOL',
  'SERVER_SOFTWARE', 'REQUEST_METHOD', 'PATH_INFO', 'QUERY_STRING', 'REMOTE_ADDR',
]);

// Header names repeat from request to request: where each one goes in the environ is remembered.
// null: the header is dropped.
const environKey = boundedMemo((header): string | null => {
  const cgi = header.toUpperCase().replace(/-/g, '_');
  // Django drops names with '_': X_Forwarded_For would otherwise pass for X-Forwarded-For.
  if (header.includes('_') || CGI_KEYS.has(cgi)) return null;
  if (cgi === 'CONTENT_TYPE' || cgi === 'CONTENT_LENGTH') return cgi;
  return `HTTP_${cgi}`;
});

function addHeaders(environ: Environ, raw: string[]): void {
  let seenType = false;
  let seenLength = false;
  for (let i = 0; i < raw.length; i += 2) {
    const key = environKey(raw[i] as string);
    if (key === null) continue;
    const value = raw[i + 1] as string;
    // The first Content-Type/Content-Length counts; the default values must not be joined to.
    if (key === 'CONTENT_TYPE') {
      if (!seenType) environ.CONTENT_TYPE = value;
      seenType = true;
    } else if (key === 'CONTENT_LENGTH') {
      if (!seenLength) environ.CONTENT_LENGTH = value;
      seenLength = true;
    } else {
      const previous = environ[key];
      environ[key] = previous === undefined ? value : `${previous},${value}`;
    }
  }
}
