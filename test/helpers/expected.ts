// What the server must send, written out from the references rather than taken from src/: http.server's
// error page and the whole answer to a request the server refuses itself (reference §5.5).
import { VERSION } from '../../src/version.js';

/** The Server header's value. */
export const SERVER = `gwi/${VERSION} Node.js/${process.versions.node}`;

/** http.server's explanation of each status it answers itself. */
export const EXPLAIN: Record<number, string> = {
  400: 'Bad request syntax or unsupported method',
  408: 'Request timed out; try again later',
  414: 'URI is too long',
  501: 'Server does not support this operation',
  505: 'Cannot fulfill request',
};
export const MANY_HEADERS = 'got more than 100 headers';
export const LONG_LINE = 'got more than 65536 bytes when reading header line';

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** http.server's DEFAULT_ERROR_MESSAGE, verbatim from reference §5.5. */
export function errorPage(code: number, message: string, explain: string): string {
  return (
    '<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <meta charset="utf-8">\n' +
    '        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n' +
    `        <p>Error code: ${code}</p>\n        <p>Message: ${escapeHtml(message)}.</p>\n` +
    `        <p>Error code explanation: ${code} - ${escapeHtml(explain)}.</p>\n    </body>\n</html>\n`
  );
}

/** The whole error response as latin-1 text (Date normalized); a HEAD answer stops after the head. */
export function errorResponse(code: number, message: string, explain: string, head = false): string {
  const body = Buffer.from(errorPage(code, message, explain), 'utf8');
  return (
    `HTTP/1.1 ${code} ${message}\r\nServer: ${SERVER}\r\nDate: <DATE>\r\nConnection: close\r\n` +
    `Content-Type: text/html;charset=utf-8\r\nContent-Length: ${body.length}\r\n\r\n` +
    (head ? '' : body.toString('latin1'))
  );
}
