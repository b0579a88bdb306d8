// The application the conformance cases are sent to: it answers with what it was given, as JSON, so the
// harness can compare the server's parse of each request with the one the corpus expects.
import { Buffer } from 'node:buffer';
import type { Application, Environ } from '../../src/gateway/types.js';

/** What the echo application answers; strings are latin-1 (each code unit one byte of the request). */
export interface Echo {
  /** The corpus's echoMarker: an answer of the application, not of the server. */
  echo: string;
  REQUEST_METHOD: string;
  SCRIPT_NAME: string;
  PATH_INFO: string;
  QUERY_STRING?: string;
  SERVER_PROTOCOL: string;
  CONTENT_TYPE?: string;
  CONTENT_LENGTH?: string;
  /** Every HTTP_* key of the environ. */
  headers: Record<string, string>;
  /** The body as read from gwi.input. */
  body: string;
}

export function echoApp(marker: string): Application {
  return async (environ: Environ, startResponse) => {
    const body = await environ['gwi.input'].read();
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(environ)) {
      if (key.startsWith('HTTP_') && typeof value === 'string') headers[key] = value;
    }
    const echo: Echo = {
      echo: marker,
      REQUEST_METHOD: environ.REQUEST_METHOD,
      SCRIPT_NAME: environ.SCRIPT_NAME,
      PATH_INFO: environ.PATH_INFO,
      QUERY_STRING: environ.QUERY_STRING,
      SERVER_PROTOCOL: environ.SERVER_PROTOCOL,
      CONTENT_TYPE: environ.CONTENT_TYPE,
      CONTENT_LENGTH: environ.CONTENT_LENGTH,
      headers,
      body: Buffer.from(body).toString('latin1'),
    };
    const json = Buffer.from(JSON.stringify(echo), 'utf8');
    startResponse('200 OK', [
      ['Content-Type', 'application/json'],
      ['Content-Length', String(json.length)],
    ]);
    return [json];
  };
}
