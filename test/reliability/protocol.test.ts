// Protocol failures on a real socket, each proved whole: the exact answer, the exact log lines, the
// application never reached where it must not be (smuggling), and then expectRecovered(): a fresh request
// served exactly, no connection, file descriptor or child process left (wsgi-stack §7.4–§7.7,
// django-runserver §2.3, §3.1).
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Application } from '../../src/gateway/types.js';
import { EXPLAIN, errorResponse, LONG_LINE, MANY_HEADERS, SERVER } from '../helpers/expected.js';
import { normalizeDate, rawRequest, STAMP, waitFor } from '../helpers/serve.js';
import { brokenPipe, type Case, expectRecovered, Gate, RawClient, start, stopAll } from './leaks.js';

afterEach(stopAll);

/** An application that records every PATH_INFO it is called with. */
function recorder(): { app: Application; paths: string[] } {
  const paths: string[] = [];
  const app: Application = (environ, startResponse) => {
    paths.push(environ.PATH_INFO);
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return [Buffer.from(`seen ${environ.PATH_INFO}`, 'latin1')];
  };
  return { app, paths };
}

/**
 * An application that reads its whole request body (after sending `started\n` when `respondFirst`),
 * recording how the read failed; it lets the failure propagate, as most applications do.
 */
function bodyReader({ respondFirst = false } = {}): { app: Application; reading: Gate; failures: string[] } {
  const reading = new Gate();
  const failures: string[] = [];
  const app: Application = async (environ, startResponse) => {
    if (respondFirst) await startResponse('200 OK', [['Content-Type', 'text/plain']])(Buffer.from('started\n'));
    reading.open();
    try {
      await environ['gwi.input'].read();
    } catch (err) {
      failures.push(`${(err as Error).message} ${(err as NodeJS.ErrnoException).code}`);
      throw err;
    }
    startResponse('200 OK', []);
    return [];
  };
  return { app, reading, failures };
}

const HTTPS_HINT = "You're accessing the development server over HTTPS, but it only supports HTTP.";
// A TLS ClientHello's first 43 bytes; message and page as CPython 3.11 gives them for these bytes.
const CLIENT_HELLO = Buffer.from('16030100a5010000a103032972bb044d96df2871ba034c95de2770b9024b94dd266fb8014a93dc256eb700', 'hex');
const HELLO_MESSAGE =
  'Bad request syntax ("\\x16\\x03\\x01\\x00¥\\x01\\x00\\x00¡\\x03\\x03)r»\\x04M\\x96ß(qº\\x03L\\x95Þ\'p¹' +
  '\\x02K\\x94Ý&o¸\\x01J\\x93Ü%n·\\x00")';
// A second request hidden in the first one's body, for a parser that believes the other length.
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';

interface Refusal {
  name: string;
  request: string | Buffer;
  code: number;
  message: string;
  explain?: string;
  /** The access line's request line, as logged (control characters escaped). */
  logged: string;
  /** The line that replaces the access line (the HTTPS hint). */
  access?: string;
}

const REFUSALS: Refusal[] = [
  { name: 'a one-word request line', request: 'GARBAGE\r\n\r\n', code: 400, message: "Bad request syntax ('GARBAGE')", logged: 'GARBAGE' },
  { name: 'a four-word request line', request: 'GET / HTTP/1.1 extra\r\n\r\n', code: 400, message: "Bad request version ('extra')", logged: 'GET / HTTP/1.1 extra' },
  { name: 'a space in the target', request: 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', code: 400, message: "Bad request syntax ('GET /a b HTTP/1.1')", logged: 'GET /a b HTTP/1.1' },
  { name: 'bare LF line endings', request: 'GET / HTTP/1.1\nHost: x\n\n', code: 400, message: "Expected CRLF after version ('GET / HTTP/1.1')", logged: 'GET / HTTP/1.1' },
  { name: 'a bare LF after a header', request: 'GET / HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n', code: 400, message: "Missing expected CR after header value ('Host: x')", logged: 'GET / HTTP/1.1' },
  { name: 'a NUL byte in the request line', request: 'GET /a\x00b HTTP/1.1\r\nHost: x\r\n\r\n', code: 400, message: "Bad request syntax ('GET /a\\x00b HTTP/1.1')", logged: 'GET /a\\x00b HTTP/1.1' },
  { name: 'a NUL byte in a header value', request: 'GET / HTTP/1.1\r\nX-A: a\x00b\r\n\r\n', code: 400, message: "Invalid header value char ('X-A: a\\x00b')", logged: 'GET / HTTP/1.1' },
  { name: 'a NUL byte in a header name', request: 'GET / HTTP/1.1\r\nX\x00A: ab\r\n\r\n', code: 400, message: "Invalid header token ('X\\x00A: ab')", logged: 'GET / HTTP/1.1' },
  { name: 'a 65537-byte URL', request: `GET /${'u'.repeat(65536)} HTTP/1.1\r\n\r\n`, code: 414, message: 'Request-URI Too Long', logged: '' },
  { name: '101 headers', request: `GET / HTTP/1.1\r\n${'X-Hi: v\r\n'.repeat(101)}\r\n`, code: 431, message: 'Too many headers', explain: MANY_HEADERS, logged: 'GET / HTTP/1.1' },
  { name: 'a 1 MiB header', request: `GET / HTTP/1.1\r\nX-Big: ${'b'.repeat(1 << 20)}\r\n\r\n`, code: 431, message: 'Line too long', explain: LONG_LINE, logged: 'GET / HTTP/1.1' },
  { name: 'HTTP/2.0', request: 'GET / HTTP/2.0\r\n\r\n', code: 505, message: 'Invalid HTTP version (2.0)', logged: 'GET / HTTP/2.0' },
  { name: 'HTTP/0.9', request: 'GET /\r\n\r\n', code: 505, message: 'Invalid HTTP version (0.9)', logged: 'GET /' },
  { name: 'a TLS ClientHello', request: CLIENT_HELLO, code: 400, message: HELLO_MESSAGE, logged: '', access: HTTPS_HINT },
  {
    name: 'smuggling: Content-Length then Transfer-Encoding',
    request: `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`,
    code: 400,
    message: "Transfer-Encoding can't be present with Content-Length ('Transfer-Encoding: chunked')",
    logged: 'POST / HTTP/1.1',
  },
  {
    name: 'smuggling: Transfer-Encoding then Content-Length',
    request: `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n${SMUGGLED}`,
    code: 400,
    message: "Content-Length can't be present with Transfer-Encoding ('Content-Length: 5')",
    logged: 'POST / HTTP/1.1',
  },
  {
    name: 'smuggling: an unknown Transfer-Encoding with Content-Length',
    request: `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    code: 400,
    message: `Content-Length can't be present with Transfer-Encoding ('Content-Length: ${SMUGGLED.length}')`,
    logged: 'POST / HTTP/1.1',
  },
  {
    name: 'smuggling: duplicate Content-Length',
    request: `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    code: 400,
    message: `Duplicate Content-Length ('Content-Length: ${SMUGGLED.length}')`,
    logged: 'POST / HTTP/1.1',
  },
  {
    name: 'smuggling: a Content-Length list',
    request: `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0, ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    code: 400,
    message: `Invalid character in Content-Length ('Content-Length: 0, ${SMUGGLED.length}')`,
    logged: 'POST / HTTP/1.1',
  },
  {
    name: 'smuggling: Transfer-Encoding in HTTP/1.0, a request hidden in the chunk',
    request: `POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n${SMUGGLED.length.toString(16)}\r\n${SMUGGLED}\r\n0\r\n\r\n`,
    code: 400,
    message: "Transfer-Encoding in an HTTP/1.0 request ('Transfer-Encoding: chunked')",
    logged: 'POST / HTTP/1.0',
  },
  {
    name: 'host confusion: two Host lines',
    request: 'GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n',
    code: 400,
    message: "Duplicate Host header ('Host: evil.example')",
    logged: 'GET / HTTP/1.1',
  },
  {
    name: 'smuggling: a space before the colon of Transfer-Encoding',
    request: `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\nContent-Length: ${SMUGGLED.length}\r\n\r\n${SMUGGLED}`,
    code: 400,
    message: "Invalid header field char ('Transfer-Encoding : chunked')",
    logged: 'POST / HTTP/1.1',
  },
];

async function expectRefused(host: string, r: Refusal): Promise<void> {
  const { app, paths } = recorder();
  const c = await start(app, { host });
  const answer = await rawRequest(c, r.request);
  expect(normalizeDate(answer.toString('latin1'))).toBe(errorResponse(r.code, r.message, r.explain ?? (EXPLAIN[r.code] as string)));
  expect(c.log()).toBe(`${STAMP} code ${r.code}, message ${r.message}\n${STAMP} ${r.access ?? `"${r.logged}" ${r.code} -`}\n`);
  // Nothing reached the application: not the refused request, not a request hidden in its body.
  expect(paths).toEqual([]);
  await expectRecovered(c);
}

describe('requests the server refuses itself', () => {
  it.each(REFUSALS)('$name → $code', (r) => expectRefused('127.0.0.1', r));

  const onIpv6 = ['a one-word request line', 'a 65537-byte URL', '101 headers', 'smuggling: Content-Length then Transfer-Encoding'];
  it.each(REFUSALS.filter((r) => onIpv6.includes(r.name)))('on ::1: $name → $code', (r) => expectRefused('::1', r));
});

describe('a chunked body with an invalid chunk size', () => {
  const chunked = (size: string): string =>
    `POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\nhello\r\n0\r\n\r\n`;

  // The bytes after the head are read as http.server would read them: a request line. A chunk extension
  // with whitespace around its `;` (RFC 9112 §7.1.1's BWS) is one llhttp refuses, whatever its options.
  it.each(['zz', 'FFFFFFFFFFFFFFFFFF', '-5', '5; some; parameters=stuff'])(
    '%s: the application reading gwi.input gets an error at once, the client the 400, and the connection closes',
    async (size) => {
      const { app, failures } = bodyReader();
      const c = await start(app);
      const client = await RawClient.connect(c);
      client.send(chunked(size));
      await client.closed;
      const message = `Bad request syntax ('${size}')`;
      expect(client.text()).toBe(errorResponse(400, message, EXPLAIN[400] as string));
      expect(failures).toEqual(['aborted ECONNRESET']);
      // The response the application was making never went out: Django's line for a connection gone.
      await waitFor(() => c.log().includes('Broken pipe'));
      expect(c.log()).toBe(`${STAMP} code 400, message ${message}\n${STAMP} "${size}" 400 -\n${brokenPipe(client)}`);
      expect(c.stderr()).toBe('');
      await expectRecovered(c);
    },
  );

  it('an application that already sent its head: the connection is cut, with no 400 after that head', async () => {
    const { app, failures } = bodyReader({ respondFirst: true });
    const c = await start(app);
    const client = await RawClient.connect(c);
    client.send(chunked('zz'));
    await client.closed;
    expect(client.text()).toBe(
      `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n8\r\nstarted\n\r\n`,
    );
    expect(failures).toEqual(['aborted ECONNRESET']);
    await waitFor(() => c.log() !== '');
    expect(c.log()).toBe(brokenPipe(client));
    expect(c.stderr()).toBe('');
    await expectRecovered(c);
  });

  it('an application that does not read the body answers first; then the 400, and the connection closes', async () => {
    const { app, paths } = recorder();
    const c = await start(app);
    const answer = await rawRequest(c, chunked('zz'));
    expect(normalizeDate(answer.toString('latin1'))).toBe(
      `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nseen /upload` +
        errorResponse(400, "Bad request syntax ('zz')", EXPLAIN[400] as string),
    );
    expect(paths).toEqual(['/upload']);
    expect(c.log()).toBe(
      `${STAMP} "POST /upload HTTP/1.1" 200 12\n${STAMP} code 400, message Bad request syntax ('zz')\n${STAMP} "zz" 400 -\n`,
    );
    await expectRecovered(c);
  });
});

describe('a client that hangs up early', () => {
  it.each(['127.0.0.1', '::1'])(
    'on %s: a body shorter than its Content-Length, then a hang-up: gwi.input fails at once, a broken pipe is logged',
    async (host) => {
      const { app, reading, failures } = bodyReader();
      const c = await start(app, { host });
      const client = await RawClient.connect(c);
      client.send('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
      await reading.opened;
      client.socket.end();
      await client.closed;
      expect(client.text()).toBe('');
      await waitFor(() => failures.length > 0);
      expect(failures).toEqual(['aborted ECONNRESET']);
      await waitFor(() => c.log() !== '');
      expect(c.log()).toBe(brokenPipe(client, host));
      expect(c.stderr()).toBe('');
      await expectRecovered(c);
    },
  );

  it.each(['127.0.0.1', '::1'])(
    'on %s: mid-response, the body stops, its close() runs exactly once, and the broken pipe is logged',
    async (host) => {
      const next = new Gate();
      const events: string[] = [];
      const c = await start(
        (_environ, startResponse) => {
          startResponse('200 OK', [['Content-Type', 'text/plain']]);
          const chunks = (async function* () {
            try {
              yield Buffer.from('first\n');
              await next.opened;
              events.push('resumed');
              yield Buffer.from('second\n');
              events.push('second sent');
            } finally {
              events.push('finally');
            }
          })();
          return Object.assign(chunks, { close: () => void events.push('close') });
        },
        { host },
      );
      const client = await RawClient.connect(c);
      client.send('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
      await client.receive('first\n\r\n');
      expect(client.text()).toBe(
        `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst\n\r\n`,
      );
      client.socket.destroy();
      await client.closed;
      next.open();
      await waitFor(() => events.includes('close'));
      expect(events).toEqual(['resumed', 'finally', 'close']);
      expect(c.log()).toBe(brokenPipe(client, host));
      expect(c.stderr()).toBe('');
      await expectRecovered(c);
      expect(events.filter((e) => e === 'close')).toHaveLength(1);
    },
  );
});

describe('a client that leaves once it has the whole response', () => {
  it('gets the access line, not a broken pipe, while the body is still finding its end', async () => {
    const end = new Gate();
    const events: string[] = [];
    const c = await start((_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain'], ['Content-Length', '6']]);
      // A file read in blocks: the last block is sent before the next read finds the end of the file.
      const chunks = (async function* () {
        yield Buffer.from('whole\n');
        await end.opened;
      })();
      return Object.assign(chunks, { close: () => void events.push('close') });
    });
    const client = await RawClient.connect(c);
    client.send('GET /file HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.receive('whole\n');
    expect(client.text()).toBe(
      `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nwhole\n`,
    );
    client.socket.destroy();
    await client.closed;
    end.open();
    await waitFor(() => events.includes('close'));
    expect(c.log()).toBe(`${STAMP} "GET /file HTTP/1.1" 200 6\n`);
    expect(c.stderr()).toBe('');
    await expectRecovered(c);
    expect(events).toEqual(['close']);
  });
});

describe('a slowloris client trickling its headers', () => {
  const HEADERS_TIMEOUT = 300;

  /** Trickles header bytes while others are served, then waits for the server to cut it off. */
  async function slowloris(c: Case, target: { host: string; port: number }, paths: string[]): Promise<void> {
    const slow = await RawClient.connect(target);
    const started = performance.now();
    slow.send('GET /slow HTTP/1.1\r\n');
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      slow.send(`X-Slow-${i}: `);
      const answer = await rawRequest(target, `GET /fast${i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(normalizeDate(answer.toString('latin1'))).toBe(
        `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nseen /fast${i}`,
      );
    }
    expect(slow.received.length).toBe(0);
    // It keeps trickling, so only the head's deadline (not an idle timeout) can end it.
    const trickle = setInterval(() => slow.send('x'), 20);
    await slow.closed;
    clearInterval(trickle);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(HEADERS_TIMEOUT);
    expect(waited).toBeLessThan(HEADERS_TIMEOUT * 1.25 + 500);
    expect(slow.text()).toBe(errorResponse(408, 'Request Timeout', EXPLAIN[408] as string));
    expect(paths).toEqual(['/fast0', '/fast1', '/fast2']);
    expect(c.log()).toBe(
      [0, 1, 2].map((i) => `${STAMP} "GET /fast${i} HTTP/1.1" 200 11\n`).join('') +
        `${STAMP} code 408, message Request Timeout\n${STAMP} "" 408 -\n`,
    );
  }

  it.each(['127.0.0.1', '::1'])('is answered 408 and disconnected after headersTimeout, others served meanwhile (%s)', async (host) => {
    const { app, paths } = recorder();
    const c = await start(app, { host, headersTimeout: HEADERS_TIMEOUT });
    await slowloris(c, c, paths);
    await expectRecovered(c);
  });

  it('is cut off on connections handed over (the reloader child binds nothing)', async () => {
    const { app, paths } = recorder();
    const c = await start(app, { listen: false, headersTimeout: HEADERS_TIMEOUT });
    const handoff = net.createServer({ pauseOnConnect: true }, (socket) => c.server.acceptConnection(socket));
    await new Promise<void>((resolve) => handoff.listen(0, '127.0.0.1', resolve));
    try {
      // The hand-off listener is one more descriptor, held on purpose until the end.
      const target = { ...c, port: (handoff.address() as net.AddressInfo).port, before: { ...c.before, fds: c.before.fds + 1 } };
      await slowloris(target, target, paths);
      await expectRecovered(target);
    } finally {
      await new Promise((resolve) => handoff.close(resolve));
    }
  });

  it("keeps node's 60 s default when no headersTimeout is given", async () => {
    const c = await start(recorder().app);
    expect(c.server.httpServer.headersTimeout).toBe(60_000);
  });
});
