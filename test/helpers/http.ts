// A real HTTP request for tests: node:http, a fresh connection each time (agent: false), the whole answer.
import http from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  /** The body as received. */
  bytes: Buffer;
  /** How many pieces the body arrived in. */
  chunks: number;
}

export interface RequestOptions {
  host?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Fails when the server says nothing for this many ms. */
  timeout?: number;
}

export function httpRequest(
  port: number,
  path: string,
  { host = '127.0.0.1', method = 'GET', headers, body, timeout }: RequestOptions = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, path, method, headers, agent: false, timeout }, (res) => {
      const pieces: Buffer[] = [];
      res.on('data', (chunk: Buffer) => pieces.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          bytes: Buffer.concat(pieces),
          chunks: pieces.length,
        }),
      );
      res.on('error', reject);
    });
    if (timeout !== undefined) req.on('timeout', () => req.destroy(new Error(`no answer to ${method} ${path} within ${timeout} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A request's status and body as text, the shape the black-box runserver tests compare. */
export async function httpText(port: number, path: string, options: RequestOptions = {}): Promise<{ status: number; body: string }> {
  const reply = await httpRequest(port, path, options);
  return { status: reply.status, body: reply.bytes.toString('utf8') };
}
