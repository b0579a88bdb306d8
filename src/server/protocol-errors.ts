// Requests that never reach the application: what llhttp refused, or what breaks http.server's limits,
// answered with a status line, headers and http.server's error page, and described as Django logs them.
import { Buffer } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pyRepr } from '../gateway/py-repr.js';
import { requestLineOf } from '../log/server-log.js';
import { statusExplanation, statusPhrase } from './http-status.js';
import { isValidTarget } from './request-target.js';

/** A request answered by the server itself. `requestLine` is what the access log shows. */
export interface ProtocolError {
  code: number;
  message: string;
  explain: string;
  requestLine: string;
  /** A HEAD that failed after its request line: answered without the page, as http.server's send_error does. */
  head?: boolean;
}

/** http.server reads lines of at most 65536 bytes (CRLF included) and at most 100 header lines. */
export const MAX_LINE = 65536;
export const MAX_HEADERS = 100;

// Python's str.split() separators, so messages name the same words Django's do.
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0]+/;

function pySplit(line: string): string[] {
  return line.split(PY_WHITESPACE).filter((word) => word.length > 0);
}

function make(code: number, message: string, requestLine: string, explain = statusExplanation(code)): ProtocolError {
  return { code, message, explain, requestLine };
}

/**
 * http.server's verdict on a request line (parse_request), or null when it would accept the line.
 * Used to name what llhttp refused in the words Django users know.
 */
export function judgeRequestLine(line: string): ProtocolError | null {
  const words = pySplit(line);
  if (words.length >= 3) {
    const version = words[words.length - 1] as string;
    const numbers = version.startsWith('HTTP/') ? version.slice(5).split('.') : [];
    const valid = numbers.length === 2 && numbers.every((n) => /^[0-9]{1,10}$/.test(n));
    if (!valid) return make(400, `Bad request version (${pyRepr(version)})`, line);
    if (Number(numbers[0]) >= 2) return make(505, `Invalid HTTP version (${version.slice(5)})`, line);
  }
  if (words.length < 2 || words.length > 3) return make(400, `Bad request syntax (${pyRepr(line)})`, line);
  if (words.length === 2 && words[0] !== 'GET') {
    return make(400, `Bad HTTP/0.9 request type (${pyRepr(words[0] as string)})`, line);
  }
  return null;
}

/** The limits llhttp does not enforce the way http.server does, checked on a parsed request. */
export function checkParsedRequest(req: IncomingMessage): ProtocolError | null {
  // The length of requestLineOf(req), without building the line for a request that passes.
  const version = req.httpVersion;
  const lineLength = (req.method ?? '').length + 1 + (req.url ?? '').length + (version === '0.9' ? 0 : 6 + version.length);
  if (lineLength + 2 > MAX_LINE) return make(414, statusPhrase(414), '');
  if (req.httpVersionMajor !== 1) {
    const requestLine = requestLineOf(req);
    // An HTTP/0.9 line other than `GET path` is refused by http.server before its version is.
    const verdict = version === '0.9' ? judgeRequestLine(requestLine) : null;
    return verdict ?? make(505, `Invalid HTTP version (${version})`, requestLine);
  }
  const raw = req.rawHeaders;
  if (raw.length / 2 > MAX_HEADERS) {
    return make(431, 'Too many headers', requestLineOf(req), `got more than ${MAX_HEADERS} headers`);
  }
  let hosts = 0;
  // The first field line refused: the header limits above still come first, as http.server reads them.
  let refused: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    if (name.length + value.length + 4 > MAX_LINE) {
      return make(431, 'Line too long', requestLineOf(req), `got more than ${MAX_LINE} bytes when reading header line`);
    }
    if (refused !== null) continue;
    // A second Host would let the application and whatever stands in front of it see different hosts
    // (RFC 9112 §3.2).
    if (name.length === 4 && name.toLowerCase() === 'host' && ++hosts === 2) {
      refused = `Duplicate Host header (${pyRepr(`${name}: ${value}`)})`;
    }
    // HTTP/1.0 has no transfer codings: a body framed by one cannot be trusted (RFC 9112 §6.1).
    if (req.httpVersionMinor === 0 && name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      refused = `Transfer-Encoding in an HTTP/1.0 request (${pyRepr(`${name}: ${value}`)})`;
    }
  }
  if (refused !== null) return make(400, refused, requestLineOf(req));
  if (!isValidTarget(req.method ?? '', req.url ?? '')) {
    return make(400, `Bad request target (${pyRepr(req.url ?? '')})`, requestLineOf(req));
  }
  return null;
}

/** http.server's answer to a method it has no handler for; CONNECT is one (gwi tunnels nothing). */
export function unsupportedMethod(method: string, requestLine: string): ProtocolError {
  return make(501, `Unsupported method (${pyRepr(method)})`, requestLine);
}

interface ParserError extends Error {
  code?: string;
  reason?: string;
  bytesParsed?: number;
  rawPacket?: Buffer;
}

// Errors that only mean the client went away: nothing to answer, nothing to log.
const HANG_UPS = new Set(['ECONNRESET', 'EPIPE', 'HPE_INVALID_EOF_STATE', 'ERR_STREAM_DESTROYED']);

/**
 * Where the failing request starts in the packet llhttp was parsing: after the last blank line
 * before the failing byte. Only CRLF ends a head (llhttp is strict), so a bare `\n\n` does not.
 */
function requestStart(packet: string, failed: number): number {
  const crlf = packet.lastIndexOf('\r\n\r\n', failed - 1);
  return crlf >= 0 ? crlf + 4 : 0;
}

function lineAt(packet: string, start: number): [line: string, end: number] {
  const newline = packet.indexOf('\n', start);
  const end = newline < 0 ? packet.length : newline;
  return [packet.slice(start, end).replace(/\r$/, ''), end];
}

/**
 * Turns a node:http `clientError` into the answer to send, or null when the client hung up. `inBody`:
 * llhttp failed inside the body of a request already handed to the application (a chunked one).
 */
export function describeClientError(err: ParserError, inBody = false): ProtocolError | null {
  if (err.code === undefined || HANG_UPS.has(err.code)) return null;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return make(408, statusPhrase(408), '');
  const packet = err.rawPacket ? err.rawPacket.toString('latin1') : '';
  // bytesParsed points into the line llhttp refused, or just past it when a bare LF ended it: `failed` is in that line.
  const parsed = Math.min(err.bytesParsed ?? 0, packet.length);
  const bareLf = parsed > 0 && packet[parsed - 1] === '\n' && packet[parsed - 2] !== '\r';
  const failed = bareLf ? parsed - 1 : parsed;
  const start = requestStart(packet, failed);
  const [firstLine, firstLineEnd] = lineAt(packet, start);
  // http.server reads at most 65536 bytes of a request line before answering 414 (even without its LF).
  const tooLong = firstLine.length + 2 > MAX_LINE;
  const requestLine = tooLong ? '' : firstLine;
  const reason = err.reason ?? err.message;
  // Failing past the request line of a HEAD: http.server knows the command and sends no body.
  const head = failed > firstLineEnd && pySplit(firstLine)[0] === 'HEAD';
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    // Past llhttp's limit at least one line broke http.server's limits; which one is unknowable here.
    const explain = `got more than ${MAX_LINE} bytes when reading header line`;
    return { ...make(431, 'Line too long', requestLine, explain), head };
  }
  if (err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW') return make(413, statusPhrase(413), requestLine);
  if (inBody) {
    // http.server never decodes a chunked body: it reads the refused line (a chunk-size line, say) as
    // the next request line. Only its syntax is named; it has no method or version to blame.
    const [line] = lineAt(packet, packet.lastIndexOf('\n', failed - 1) + 1);
    if (line.length + 2 > MAX_LINE) return make(414, statusPhrase(414), '');
    return make(400, `Bad request syntax (${pyRepr(line)})`, line);
  }
  if (tooLong) return make(414, statusPhrase(414), '');
  if (failed <= firstLineEnd) {
    const verdict = judgeRequestLine(firstLine);
    if (verdict) return verdict;
    if (err.code === 'HPE_INVALID_METHOD') return unsupportedMethod(pySplit(firstLine)[0] ?? '', requestLine);
    // A line http.server would take, ended by a bare LF: the line ending is what llhttp refused.
    if (bareLf) return make(400, `${reason} (${pyRepr(firstLine)})`, requestLine);
    return make(400, `Bad request syntax (${pyRepr(firstLine)})`, requestLine);
  }
  // The line holding the refused byte; a bare LF belongs to the line it ends.
  const [badLine] = lineAt(packet, packet.lastIndexOf('\n', failed - 1) + 1);
  return { ...make(400, `${reason} (${pyRepr(badLine)})`, requestLine), head };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** http.server's DEFAULT_ERROR_MESSAGE, filled in. */
export function errorPage(error: ProtocolError): Buffer {
  return Buffer.from(
    '<!DOCTYPE HTML>\n' +
      '<html lang="en">\n' +
      '    <head>\n' +
      '        <meta charset="utf-8">\n' +
      '        <title>Error response</title>\n' +
      '    </head>\n' +
      '    <body>\n' +
      '        <h1>Error response</h1>\n' +
      `        <p>Error code: ${error.code}</p>\n` +
      `        <p>Message: ${escapeHtml(error.message)}.</p>\n` +
      `        <p>Error code explanation: ${error.code} - ${escapeHtml(error.explain)}.</p>\n` +
      '    </body>\n' +
      '</html>\n',
    'utf8',
  );
}

function errorHeaders(serverSoftware: string, date: string, body: Buffer): [string, string][] {
  return [
    ['Server', serverSoftware],
    ['Date', date],
    ['Connection', 'close'],
    ['Content-Type', 'text/html;charset=utf-8'],
    ['Content-Length', String(body.length)],
  ];
}

/** Answers a parsed request through its own response, so pipelined answers keep their order. */
export function answerWithResponse(
  res: ServerResponse,
  error: ProtocolError,
  serverSoftware: string,
  date: string,
  head: boolean,
): void {
  const body = errorPage(error);
  res.sendDate = false;
  res.writeHead(error.code, error.message, errorHeaders(serverSoftware, date, body));
  res.end(head ? undefined : body);
}

/** Answers on the raw socket: llhttp gave up, so there is no response object to write through. */
export function answerOnSocket(socket: Socket, error: ProtocolError, serverSoftware: string, date: string): void {
  const body = errorPage(error);
  let text = `HTTP/1.1 ${error.code} ${error.message}\r\n`;
  for (const [name, value] of errorHeaders(serverSoftware, date, body)) text += `${name}: ${value}\r\n`;
  const head = Buffer.from(text + '\r\n', 'latin1');
  socket.end(error.head ? head : Buffer.concat([head, body]));
}
