// IncomingMessage → Environ: the CGI variables of simple_server/Django's basehttp, without the process environment.
import type { IncomingMessage } from 'node:http';
import { unquoteLatin1 } from '../gateway/latin1.js';
import type { Environ, ErrorStream, FileWrapperFactory, InputStream } from '../gateway/types.js';

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
  const url = req.url ?? '/';
  const mark = url.indexOf('?');
  // A leading run of slashes is one slash (CPython gh-87389: no open redirect through '//host').
  let path = mark < 0 ? url : url.slice(0, mark);
  if (path.startsWith('//')) path = '/' + path.replace(/^\/+/, '');
  const environ: Environ = {
    ...base,
    SERVER_PROTOCOL: `HTTP/${req.httpVersion}`,
    SERVER_SOFTWARE: context.serverSoftware,
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: unquoteLatin1(path),
    QUERY_STRING: mark < 0 ? '' : url.slice(mark + 1),
    REMOTE_ADDR: req.socket.remoteAddress ?? '',
    CONTENT_TYPE: 'text/plain',
    'gwi.version': VERSION,
    'gwi.url_scheme': 'http',
    'gwi.input': context.input,
    'gwi.errors': context.errors,
    'gwi.multithread': context.multithread,
    'gwi.multiprocess': false,
    'gwi.run_once': false,
    'gwi.file_wrapper': context.fileWrapper,
    'gwi.input_terminated': true,
  };
  addHeaders(environ, req.rawHeaders);
  return environ;
}

function addHeaders(environ: Environ, raw: string[]): void {
  let seenType = false;
  let seenLength = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    // Django drops them: X_Forwarded_For would otherwise pass for X-Forwarded-For.
    if (name.includes('_')) continue;
    const key = name.toUpperCase().replace(/-/g, '_');
    if (key === 'CONTENT_TYPE') {
      if (!seenType) environ.CONTENT_TYPE = value;
      seenType = true;
      continue;
    }
    if (key === 'CONTENT_LENGTH') {
      if (!seenLength) environ.CONTENT_LENGTH = value;
      seenLength = true;
      continue;
    }
    // A header named like a CGI variable must not overwrite it (simple_server skips those too).
    if (key in environ) continue;
    const httpKey = `HTTP_${key}` as const;
    const previous = environ[httpKey];
    environ[httpKey] = previous === undefined ? value : `${previous},${value}`;
  }
}
