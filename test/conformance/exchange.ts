// One case on the wire: its bytes over a fresh connection, and the server's answer cut into responses.
import net from 'node:net';

export interface Response {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export interface Answer {
  responses: Response[];
  /** Bytes after the last whole response (a response cut short, or garbage). */
  rest: Buffer;
  /** The server closed the connection (rather than keeping it open once it went quiet). */
  closed: boolean;
}

export interface ExchangeOptions {
  /** Half-close once the bytes are sent: the request ends there. */
  end: boolean;
  /** The server went quiet this long with the connection open: its answer is taken as whole. */
  quietMs: number;
  /** The server said nothing and kept the connection open this long: given up. */
  timeoutMs: number;
}

/** Sends `data` on a new connection and waits until the server closes it or goes quiet. */
export function exchange(host: string, port: number, data: Buffer, options: ExchangeOptions): Promise<Answer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let closed = false;
    let timer: NodeJS.Timeout;
    const socket = net.connect(port, host, () => {
      socket.write(data);
      if (options.end) socket.end();
    });
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...cutResponses(Buffer.concat(chunks), closed), closed });
    };
    const wait = (ms: number): void => {
      clearTimeout(timer);
      timer = setTimeout(finish, ms);
    };
    wait(options.timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      wait(options.quietMs);
    });
    // A reset after the server's answer is one way of closing; what was received still counts.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closed = true;
      finish();
    });
  });
}

/** The chunked body starting at `at`: its bytes and where it ends, or null when it is cut short. */
function dechunk(data: Buffer, at: number): { body: Buffer; end: number } | null {
  const pieces: Buffer[] = [];
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return null;
    at = lineEnd + 2;
    if (size === 0) break;
    if (at + size + 2 > data.length) return null;
    pieces.push(data.subarray(at, at + size));
    at += size + 2;
  }
  const end = data.indexOf('\r\n\r\n', at - 2);
  return end < 0 ? null : { body: Buffer.concat(pieces), end: end + 4 };
}

/** Splits what the server sent into responses (1xx interim answers dropped). */
export function cutResponses(data: Buffer, closed: boolean): Omit<Answer, 'closed'> {
  const responses: Response[] = [];
  let at = 0;
  while (at < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const [statusLine = '', ...fields] = data.subarray(at, headEnd).toString('latin1').split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(statusLine);
    if (!status) break;
    const headers: Record<string, string> = {};
    for (const field of fields) {
      const colon = field.indexOf(':');
      headers[field.slice(0, colon).trim().toLowerCase()] = field.slice(colon + 1).trim();
    }
    const bodyStart = headEnd + 4;
    let body: Buffer;
    let end: number;
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const chunked = dechunk(data, bodyStart);
      if (chunked === null) break;
      ({ body, end } = chunked);
    } else if (headers['content-length'] !== undefined) {
      end = bodyStart + Number(headers['content-length']);
      if (end > data.length) break;
      body = data.subarray(bodyStart, end);
    } else {
      // No length: the body runs to the end of the connection.
      if (!closed) break;
      end = data.length;
      body = data.subarray(bodyStart);
    }
    const code = Number(status[1]);
    if (code >= 200) responses.push({ status: code, headers, body });
    at = end;
  }
  return { responses, rest: data.subarray(at) };
}
