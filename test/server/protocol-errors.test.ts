// Requests the server answers itself (reference §5.5, §7.4–§7.7, django-runserver §2.3): the exact bytes
// on the wire, the two log lines Django writes, an application never called, and a server still serving.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Application } from '../../src/gateway/types.js';
import { describeClientError } from '../../src/server/protocol-errors.js';
import { EXPLAIN, errorResponse, LONG_LINE, MANY_HEADERS, SERVER } from '../helpers/expected.js';
import { normalizeDate, serve, STAMP, type Served } from '../helpers/serve.js';

const HTTPS_HINT = "You're accessing the development server over HTTPS, but it only supports HTTP.";

function contentLength(response: string): number {
  return Number(/^Content-Length: (\d+)\r$/m.exec(response)?.[1]);
}

/**
 * Sends raw bytes and resolves with everything the server wrote once it closed the connection;
 * fails when the server keeps the connection open longer than `timeout`.
 */
function talk(served: Served, data: string | Buffer, { end = false, timeout = 5000 } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(served.port, served.host, () => {
      socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
      if (end) socket.end();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${timeout} ms`));
    }, timeout);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
  });
}

/** An application that records the PATH_INFO of every call and answers with a few environ facts. */
function recordingApp(): { app: Application; paths: string[] } {
  const paths: string[] = [];
  const app: Application = (environ, startResponse) => {
    paths.push(environ.PATH_INFO);
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    const facts = `${environ.PATH_INFO.length} ${environ.HTTP_X_HI ?? ''} ${(environ.HTTP_X_LONG ?? '').length}`;
    return [Buffer.from(facts, 'latin1')];
  };
  return { app, paths };
}

let served: Served | null = null;
afterEach(async () => {
  await served?.close();
  served = null;
});

async function start(host = '127.0.0.1'): Promise<{ served: Served; paths: string[] }> {
  const { app, paths } = recordingApp();
  served = await serve(app, { host });
  return { served, paths };
}

/** A normal request after the error is served, and logged after what came before. */
async function expectStillServing(s: Served, paths: string[]): Promise<void> {
  const before = s.log();
  const out = await talk(s, 'GET /after HTTP/1.0\r\n\r\n');
  expect(normalizeDate(out)).toBe(
    `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\n` +
      'Content-Length: 4\r\nConnection: close\r\n\r\n6  0',
  );
  expect(paths).toEqual(['/after']);
  expect(s.log()).toBe(`${before}${STAMP} "GET /after HTTP/1.0" 200 4\n`);
}

const LINE_LIMIT = 65536;
// `GET /xxx… HTTP/1.0\r\n` of exactly `bytes` bytes.
const requestLineOf = (bytes: number): string => `GET /${'x'.repeat(bytes - 16)} HTTP/1.0\r\n`;
const headerLineOf = (bytes: number): string => `X-Long: ${'a'.repeat(bytes - 10)}\r\n`;
const headerLines = (count: number, first = 'Host: x\r\n'): string => first + 'X-Hi: v\r\n'.repeat(count - 1);

interface Case {
  name: string;
  request: string;
  code: number;
  message: string;
  explain?: string;
  /** The request line in the access log. */
  logged: string;
  /** Content-Length CPython sends for the same error, where the reference observed it. */
  cpythonLength?: number;
}

const CASES: Case[] = [
  { name: 'one word', request: 'GARBAGE\r\n\r\n', code: 400, message: "Bad request syntax ('GARBAGE')", logged: 'GARBAGE', cpythonLength: 362 },
  { name: 'four words', request: 'GET / HTTP/1.0 extra\r\n\r\n', code: 400, message: "Bad request version ('extra')", logged: 'GET / HTTP/1.0 extra', cpythonLength: 361 },
  { name: 'not HTTP/', request: 'GET / FOO/1.0\r\n\r\n', code: 400, message: "Bad request version ('FOO/1.0')", logged: 'GET / FOO/1.0', cpythonLength: 363 },
  { name: 'lower-case version', request: 'get / http/1.0\r\n\r\n', code: 400, message: "Bad request version ('http/1.0')", logged: 'get / http/1.0', cpythonLength: 364 },
  { name: 'three-part version', request: 'GET / HTTP/1.1.1\r\n\r\n', code: 400, message: "Bad request version ('HTTP/1.1.1')", logged: 'GET / HTTP/1.1.1', cpythonLength: 366 },
  { name: 'space in the path', request: 'GET /spaced out HTTP/1.1\r\nHost: x\r\n\r\n', code: 400, message: "Bad request syntax ('GET /spaced out HTTP/1.1')", logged: 'GET /spaced out HTTP/1.1', cpythonLength: 379 },
  { name: 'HTTP/2.0', request: 'GET / HTTP/2.0\r\n\r\n', code: 505, message: 'Invalid HTTP version (2.0)', logged: 'GET / HTTP/2.0', cpythonLength: 340 },
  { name: 'HTTP/0.9', request: 'GET /\r\n\r\n', code: 505, message: 'Invalid HTTP version (0.9)', logged: 'GET /', cpythonLength: 340 },
  { name: 'HTTP/0.9 POST', request: 'POST /\r\n\r\n', code: 400, message: "Bad HTTP/0.9 request type ('POST')", logged: 'POST /', cpythonLength: 366 },
  { name: 'unknown method', request: 'BREW / HTTP/1.1\r\n\r\n', code: 501, message: "Unsupported method ('BREW')", logged: 'BREW / HTTP/1.1' },
  { name: 'lower-case method', request: 'get / HTTP/1.1\r\n\r\n', code: 501, message: "Unsupported method ('get')", logged: 'get / HTTP/1.1' },
  { name: 'markup as method (escaped in the page only)', request: '<script>x</script> / HTTP/1.0\r\n\r\n', code: 501, message: "Unsupported method ('<script>x</script>')", logged: '<script>x</script> / HTTP/1.0' },
  { name: 'HEAD with a bad version (command not known yet: body sent)', request: 'HEAD / FOO/1.0\r\n\r\n', code: 400, message: "Bad request version ('FOO/1.0')", logged: 'HEAD / FOO/1.0', cpythonLength: 363 },
  { name: 'request line of 65537+ bytes', request: `GET /${'x'.repeat(65537)} HTTP/1.0\r\n\r\n`, code: 414, message: 'Request-URI Too Long', logged: '', cpythonLength: 327 },
  { name: 'request line of exactly 65537 bytes', request: `${requestLineOf(LINE_LIMIT + 1)}\r\n`, code: 414, message: 'Request-URI Too Long', logged: '', cpythonLength: 327 },
  { name: '101 header lines', request: `GET / HTTP/1.1\r\n${headerLines(101)}\r\n`, code: 431, message: 'Too many headers', explain: MANY_HEADERS, logged: 'GET / HTTP/1.1', cpythonLength: 333 },
  { name: 'header line of 65537 bytes', request: `GET / HTTP/1.1\r\n${headerLineOf(LINE_LIMIT + 1)}\r\n`, code: 431, message: 'Line too long', explain: LONG_LINE, logged: 'GET / HTTP/1.1', cpythonLength: 355 },
  { name: '1 MiB header', request: `GET / HTTP/1.1\r\nX-Foo: ${'r'.repeat(1 << 20)}\r\n\r\n`, code: 431, message: 'Line too long', explain: LONG_LINE, logged: 'GET / HTTP/1.1', cpythonLength: 355 },
  { name: 'bare LF line endings', request: 'GET / HTTP/1.1\nHost: x\n\n', code: 400, message: "Expected CRLF after version ('GET / HTTP/1.1')", logged: 'GET / HTTP/1.1' },
  { name: 'bare LF after a header', request: 'GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n', code: 400, message: "Missing expected CR after header value ('Host: x')", logged: 'GET / HTTP/1.1' },
  { name: 'Content-Length with Transfer-Encoding', request: 'POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', code: 400, message: "Transfer-Encoding can't be present with Content-Length ('Transfer-Encoding: chunked')", logged: 'POST / HTTP/1.1' },
  { name: 'duplicate Content-Length', request: 'POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello', code: 400, message: "Duplicate Content-Length ('Content-Length: 6')", logged: 'POST / HTTP/1.1' },
  { name: 'space in a header name', request: 'GET / HTTP/1.1\r\nX Y: v\r\n\r\n', code: 400, message: "Invalid header token ('X Y: v')", logged: 'GET / HTTP/1.1' },
  // RFC 9112 §3.2: the hosts of two Host lines are one too many for ALLOWED_HOSTS to judge.
  { name: 'two Host lines', request: 'GET /stuff HTTP/1.1\r\nHost: localhost\r\nhost: evil.example\r\n\r\n', code: 400, message: "Duplicate Host header ('host: evil.example')", logged: 'GET /stuff HTTP/1.1' },
  // RFC 9112 §6.1: an HTTP/1.0 body framed by a transfer coding is faulty framing.
  { name: 'Transfer-Encoding in HTTP/1.0', request: 'POST /up HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', code: 400, message: "Transfer-Encoding in an HTTP/1.0 request ('Transfer-Encoding: chunked')", logged: 'POST /up HTTP/1.0' },
  // RFC 9112 §3.2: asterisk-form is OPTIONS's alone; an absolute-form target must be an http(s) URI.
  { name: 'asterisk-form for GET', request: 'GET * HTTP/1.1\r\nHost: x\r\n\r\n', code: 400, message: "Bad request target ('*')", logged: 'GET * HTTP/1.1' },
  { name: 'absolute-form that is no http(s) URI', request: 'PUT s://]ufd/: HTTP/1.1\r\nHost: x\r\n\r\n', code: 400, message: "Bad request target ('s://]ufd/:')", logged: 'PUT s://]ufd/: HTTP/1.1' },
  // node:http would drop the connection without a word: the server tunnels nothing.
  { name: 'CONNECT', request: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', code: 501, message: "Unsupported method ('CONNECT')", logged: 'CONNECT example.com:443 HTTP/1.1' },
];

async function expectAnswered(s: Served, paths: string[], c: Case): Promise<void> {
  const out = normalizeDate(await talk(s, c.request));
  expect(out).toBe(errorResponse(c.code, c.message, c.explain ?? EXPLAIN[c.code] ?? '???'));
  if (c.cpythonLength !== undefined) expect(contentLength(out)).toBe(c.cpythonLength);
  expect(s.log()).toBe(`${STAMP} code ${c.code}, message ${c.message}\n${STAMP} "${c.logged}" ${c.code} -\n`);
  expect(paths).toEqual([]);
  await expectStillServing(s, paths);
}

describe('protocol errors on 127.0.0.1', () => {
  it.each(CASES)('$name → $code', async (c) => {
    const { served: s, paths } = await start();
    await expectAnswered(s, paths, c);
  });

  // A ClientHello prefix and 32 random bytes; messages and page lengths are CPython 3.11's for the same bytes.
  // The second one holds a VT (0x0b), which Python's split() takes for a space: a two-word HTTP/0.9 line.
  it.each([
    {
      random: '2972bb044d96df2871ba034c95de2770b9024b94dd266fb8014a93dc256eb700',
      message:
        'Bad request syntax ("\\x16\\x03\\x01\\x00¥\\x01\\x00\\x00¡\\x03\\x03)r»\\x04M\\x96ß(qº\\x03L\\x95Þ\'p¹' +
        '\\x02K\\x94Ý&o¸\\x01J\\x93Ü%n·\\x00")',
      cpythonLength: 467,
    },
    {
      random: '0b30557a9fc4e90e33587da2c7ec11365b80a5caef14395e83a8cdf2173c6186',
      message: "Bad HTTP/0.9 request type ('\\x16\\x03\\x01\\x00¥\\x01\\x00\\x00¡\\x03\\x03')",
      cpythonLength: 402,
    },
  ])('answers a TLS ClientHello with 400 and logs the HTTPS hint, not the access line ($cpythonLength)', async (hello) => {
    const { random, message, cpythonLength } = hello;
    const { served: s, paths } = await start();
    const out = normalizeDate(await talk(s, Buffer.from(`16030100a5010000a10303${random}`, 'hex')));
    expect(out).toBe(errorResponse(400, message, EXPLAIN[400] as string));
    expect(contentLength(out)).toBe(cpythonLength);
    expect(s.log()).toBe(`${STAMP} code 400, message ${message}\n${STAMP} ${HTTPS_HINT}\n`);
    expect(paths).toEqual([]);
    await expectStillServing(s, paths);
  });

  it('answers a HEAD refused on the parsed request with the head only, Content-Length included', async () => {
    const { served: s, paths } = await start();
    const out = normalizeDate(await talk(s, `HEAD / HTTP/1.1\r\n${headerLines(101)}\r\n`));
    expect(out).toBe(errorResponse(431, 'Too many headers', MANY_HEADERS, true));
    expect(contentLength(out)).toBe(333);
    expect(s.log()).toBe(`${STAMP} code 431, message Too many headers\n${STAMP} "HEAD / HTTP/1.1" 431 -\n`);
    expect(paths).toEqual([]);
    await expectStillServing(s, paths);
  });

  it('answers a HEAD that llhttp refused in its headers with the head only', async () => {
    const { served: s, paths } = await start();
    const message = "Invalid header token ('X Y: v')";
    const out = normalizeDate(await talk(s, 'HEAD / HTTP/1.1\r\nX Y: v\r\n\r\n'));
    expect(out).toBe(errorResponse(400, message, EXPLAIN[400] as string, true));
    expect(s.log()).toBe(`${STAMP} code 400, message ${message}\n${STAMP} "HEAD / HTTP/1.1" 400 -\n`);
    expect(paths).toEqual([]);
    await expectStillServing(s, paths);
  });

  it('answers the pipelined request before the 400 of the garbage that follows it', async () => {
    const { served: s, paths } = await start();
    const out = await talk(s, 'GET /first HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n');
    const split = out.indexOf('HTTP/1.1 400 ');
    expect(split).toBeGreaterThan(0);
    expect(normalizeDate(out.slice(0, split))).toBe(
      `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\n6  0`,
    );
    const garbage = errorResponse(400, "Bad request syntax ('GARBAGE')", EXPLAIN[400] as string);
    expect(normalizeDate(out.slice(split))).toBe(garbage);
    // Logged in the order of the requests, as Django does.
    expect(s.log()).toBe(
      `${STAMP} "GET /first HTTP/1.1" 200 4\n` +
        `${STAMP} code 400, message Bad request syntax ('GARBAGE')\n` +
        `${STAMP} "GARBAGE" 400 -\n`,
    );
    expect(paths.splice(0)).toEqual(['/first']);
    await expectStillServing(s, paths);
  });

  it('holds the 400 of the garbage back until a slow pipelined response before it is over', async () => {
    // An application that answers later: its response is still under way when llhttp meets the garbage.
    const app: Application = async (environ, startResponse) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [Buffer.from(`late ${environ.PATH_INFO}`)];
    };
    const s = (served = await serve(app));
    const out = await talk(s, 'GET /first HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n');
    const split = out.indexOf('HTTP/1.1 400 ');
    expect(split).toBeGreaterThan(0);
    expect(normalizeDate(out.slice(0, split))).toBe(
      `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nlate /first`,
    );
    expect(normalizeDate(out.slice(split))).toBe(errorResponse(400, "Bad request syntax ('GARBAGE')", EXPLAIN[400] as string));
    expect(s.log()).toBe(
      `${STAMP} "GET /first HTTP/1.1" 200 11\n` +
        `${STAMP} code 400, message Bad request syntax ('GARBAGE')\n` +
        `${STAMP} "GARBAGE" 400 -\n`,
    );
  });

  it('answers a CONNECT pipelined after a slow response once that response is over', async () => {
    const app: Application = async (environ, startResponse) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [Buffer.from(`late ${environ.PATH_INFO}`)];
    };
    const s = (served = await serve(app));
    const out = await talk(s, 'GET /first HTTP/1.1\r\nHost: x\r\n\r\nCONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n');
    const split = out.indexOf('HTTP/1.1 501 ');
    expect(split).toBeGreaterThan(0);
    expect(normalizeDate(out.slice(0, split))).toBe(
      `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nlate /first`,
    );
    expect(normalizeDate(out.slice(split))).toBe(errorResponse(501, "Unsupported method ('CONNECT')", EXPLAIN[501] as string));
    expect(s.log()).toBe(
      `${STAMP} "GET /first HTTP/1.1" 200 11\n` +
        `${STAMP} code 501, message Unsupported method ('CONNECT')\n` +
        `${STAMP} "CONNECT x:443 HTTP/1.1" 501 -\n`,
    );
  });

  it('sends and logs nothing for a blank line and a half-close, or for a bare half-close', async () => {
    const { served: s, paths } = await start();
    expect(await talk(s, '\r\n', { end: true })).toBe('');
    expect(await talk(s, '', { end: true })).toBe('');
    expect(s.log()).toBe('');
    expect(paths).toEqual([]);
    await expectStillServing(s, paths);
  });
});

describe('the limits that are still served', () => {
  async function expectServed(request: string, facts: string, logged: string): Promise<void> {
    const { served: s, paths } = await start();
    const out = normalizeDate(await talk(s, request));
    expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(out.slice(out.indexOf('\r\n\r\n') + 4)).toBe(facts);
    expect(s.log()).toBe(`${STAMP} "${logged}" 200 ${facts.length}\n`);
    expect(paths).toHaveLength(1);
  }

  it('serves a request line of exactly 65536 bytes, CRLF included', async () => {
    const line = requestLineOf(LINE_LIMIT);
    expect(line.length).toBe(LINE_LIMIT);
    // PATH_INFO is `/` + 65520 × `x`, as CPython's boundary run gave.
    await expectServed(`${line}\r\n`, '65521  0', line.slice(0, -2));
  });

  it('serves 100 header lines', async () => {
    const request = `GET / HTTP/1.1\r\n${headerLines(99, 'Connection: close\r\nHost: x\r\n')}\r\n`;
    expect(request.split('\r\n').length - 3).toBe(100);
    await expectServed(request, `1 ${Array(98).fill('v').join(',')} 0`, 'GET / HTTP/1.1');
  });

  it('serves a header line of exactly 65536 bytes, CRLF included', async () => {
    const header = headerLineOf(LINE_LIMIT);
    expect(header.length).toBe(LINE_LIMIT);
    await expectServed(`GET / HTTP/1.0\r\n${header}\r\n`, `1  ${LINE_LIMIT - 10}`, 'GET / HTTP/1.0');
  });
});

describe('protocol errors on ::1', () => {
  const names = ['one word', 'request line of 65537+ bytes', '101 header lines', 'space in a header name', 'HTTP/2.0'];
  it.each(CASES.filter((c) => names.includes(c.name)))('$name → $code', async (c) => {
    const { served: s, paths } = await start('::1');
    await expectAnswered(s, paths, c);
  });
});

describe('describeClientError', () => {
  // What node:http hands to `clientError`: llhttp's code and reason, the chunk it was parsing, and
  // how far it got. These cases depend on how TCP splits the bytes, so they are not run on a socket.
  const parserError = (code: string, reason: string, packet: string, bytesParsed: number) =>
    Object.assign(new Error(`Parse Error: ${reason}`), {
      code,
      reason,
      bytesParsed,
      rawPacket: Buffer.from(packet, 'latin1'),
    });

  it('ignores a client that hung up', () => {
    expect(describeClientError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toBeNull();
    expect(describeClientError(parserError('HPE_INVALID_EOF_STATE', 'Invalid EOF state', 'GET / HT', 8))).toBeNull();
  });

  it('answers a request line cut by a chunk boundary past 65536 bytes with 414', () => {
    const error = parserError('HPE_INVALID_METHOD', 'Invalid method encountered', 'G'.repeat(65536), 1);
    expect(describeClientError(error)).toMatchObject({ code: 414, message: 'Request-URI Too Long', requestLine: '' });
  });

  it('answers an overflow of llhttp’s own head limit with 431 Line too long, without a body for HEAD', () => {
    const packet = `HEAD / HTTP/1.1\r\nX-Foo: ${'r'.repeat(100)}`;
    expect(describeClientError(parserError('HPE_HEADER_OVERFLOW', 'Header overflow', packet, packet.length))).toEqual({
      code: 431,
      message: 'Line too long',
      explain: LONG_LINE,
      requestLine: 'HEAD / HTTP/1.1',
      head: true,
    });
  });

  it('finds the failing request after a complete one in the same chunk', () => {
    const packet = 'GET /a HTTP/1.1\r\nHost: x\r\n\r\nPUT /b HTTP/1.1\r\nBad Header: v\r\n\r\n';
    const parsed = packet.indexOf('Bad Header') + 4;
    const error = describeClientError(parserError('HPE_INVALID_HEADER_TOKEN', 'Invalid header token', packet, parsed));
    expect(error).toEqual({
      code: 400,
      message: "Invalid header token ('Bad Header: v')",
      explain: EXPLAIN[400],
      requestLine: 'PUT /b HTTP/1.1',
      head: false,
    });
  });

  it('names the blank line a bare LF ends, which does not end the head', () => {
    const packet = 'GET / HTTP/1.1\r\nHost: x\r\n\n';
    const reason = 'Invalid header field char';
    const error = describeClientError(parserError('HPE_INVALID_HEADER_TOKEN', reason, packet, packet.length));
    expect(error).toMatchObject({ code: 400, message: "Invalid header field char ('')", requestLine: 'GET / HTTP/1.1' });
  });

  it('names a chunk line refused inside a body by its syntax only, with the line as the request line', () => {
    // Read as http.server would read the line after a head (a request line), three words would blame a "version".
    const packet = 'POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5; some; parameters=stuff\r\nhello\r\n';
    const parsed = packet.indexOf('; some') + 2;
    const error = parserError('HPE_STRICT', 'Invalid character in chunk extensions', packet, parsed);
    expect(describeClientError(error, true)).toEqual({
      code: 400,
      message: "Bad request syntax ('5; some; parameters=stuff')",
      explain: EXPLAIN[400],
      requestLine: '5; some; parameters=stuff',
    });
    // A later chunk's line, in a packet of its own.
    const later = '6 x\r\n world\r\n';
    expect(describeClientError(parserError('HPE_INVALID_CHUNK_SIZE', 'Invalid character in chunk size', later, 1), true)).toMatchObject({
      code: 400,
      message: "Bad request syntax ('6 x')",
      requestLine: '6 x',
    });
  });

  it('answers a request timeout with 408', () => {
    const timeout = Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' });
    expect(describeClientError(timeout)).toMatchObject({ code: 408, message: 'Request Timeout', requestLine: '' });
  });
});
