// The environ of real requests (wsgi-stack §1.2, §1.3, §4.3, §7.9, §7.10; django-runserver §2.2, §2.6;
// DECISIONS): CGI keys, header mapping, what llhttp refuses before any environ exists, the gwi.* keys
// and gwi.input reading Content-Length and chunked bodies.
import { promises as dns } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import type { Application, Environ, InputStream } from '../../src/gateway/types.js';
import { VERSION } from '../../src/version.js';
import { rawRequest, serve, STAMP, type Served, type ServeOptions } from '../helpers/serve.js';

let served: Served | null = null;
afterEach(async () => {
  await served?.close();
  served = null;
});

type Answer = (environ: Environ) => string | Promise<string>;

/** Serves an application that keeps every environ it gets and answers 200 with `answer(environ)`. */
async function start(
  options: ServeOptions = {},
  answer: Answer = () => 'ok',
): Promise<{ s: Served; environs: Environ[] }> {
  const environs: Environ[] = [];
  const app: Application = async (environ, startResponse) => {
    environs.push(environ);
    const text = await answer(environ);
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return [Buffer.from(text, 'latin1')];
  };
  served = await serve(app, options);
  return { s: served, environs };
}

/** Sends `request` and returns the response as latin-1 text, split into status line and body. */
async function send(s: Served, request: string): Promise<{ status: string; body: string }> {
  const out = (await rawRequest(s, request)).toString('latin1');
  return { status: out.slice(0, out.indexOf('\r\n')), body: out.slice(out.indexOf('\r\n\r\n') + 4) };
}

/** The environ of one request, which must be answered 200 with `answer`'s text. */
async function environOf(request: string, options: ServeOptions = {}, answer: Answer = () => 'ok'): Promise<Environ> {
  let text = '';
  const { s, environs } = await start(options, async (environ) => (text = await answer(environ)));
  const { status, body } = await send(s, request);
  expect(status).toBe('HTTP/1.1 200 OK');
  expect(body).toBe(text);
  expect(environs).toHaveLength(1);
  return environs[0] as Environ;
}

/** The CGI part: every key outside `gwi.*`. */
function cgiOf(environ: Environ): Record<string, unknown> {
  return Object.fromEntries(Object.entries(environ).filter(([key]) => !key.startsWith('gwi.')));
}

/** socket.getfqdn() of an address: its name from the resolver, or the address itself. */
async function fqdn(address: string): Promise<string> {
  try {
    return (await dns.lookupService(address, 0)).hostname;
  } catch {
    return address;
  }
}

describe('CGI variables', () => {
  it.each([
    { host: '127.0.0.1', serverName: async () => 'localhost' },
    { host: '::1', serverName: () => fqdn('::1') },
  ])('are exactly those of Django’s environ on $host, and nothing else', async ({ host, serverName }) => {
    const environ = await environOf('GET /meta/?a=1&b=%20 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { host });
    expect(cgiOf(environ)).toEqual({
      SERVER_NAME: await serverName(),
      SERVER_PORT: String(served?.port),
      SERVER_PROTOCOL: 'HTTP/1.1',
      SERVER_SOFTWARE: `gwi/${VERSION}`,
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '',
      PATH_INFO: '/meta/',
      QUERY_STRING: 'a=1&b=%20',
      REMOTE_ADDR: host,
      REMOTE_HOST: '',
      CONTENT_TYPE: 'text/plain',
      CONTENT_LENGTH: '',
      HTTP_HOST: 'x',
      HTTP_CONNECTION: 'close',
    });
  });

  it('take CONTENT_TYPE and CONTENT_LENGTH from the headers, and SERVER_PROTOCOL from the request', async () => {
    const environ = await environOf('POST /p HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'POST',
      SERVER_PROTOCOL: 'HTTP/1.0',
      CONTENT_TYPE: 'application/json',
      CONTENT_LENGTH: '2',
    });
    expect(environ).not.toHaveProperty('HTTP_CONTENT_TYPE');
    expect(environ).not.toHaveProperty('HTTP_CONTENT_LENGTH');
  });

  it('never carry the process environment', async () => {
    process.env.GWI_ENVIRON_PROBE = 'leaked';
    try {
      const environ = await environOf('GET / HTTP/1.0\r\n\r\n');
      expect(process.env.PATH).toBeDefined();
      expect(environ).not.toHaveProperty('PATH');
      expect(environ).not.toHaveProperty('GWI_ENVIRON_PROBE');
      expect(Object.keys(environ).filter((key) => key in process.env)).toEqual([]);
      expect(Object.values(environ)).not.toContain('leaked');
    } finally {
      delete process.env.GWI_ENVIRON_PROBE;
    }
  });
});

describe('PATH_INFO and QUERY_STRING', () => {
  it.each([
    { target: '/meta/?a=1&b=%20', path: '/meta/', query: 'a=1&b=%20' },
    { target: '//evil.example//a%2Fb?q=%20x', path: '/evil.example//a/b', query: 'q=%20x' },
    { target: '///x//y', path: '/x//y', query: '' },
    { target: '/caf%C3%A9/%E9t%e9', path: '/caf\xc3\xa9/\xe9t\xe9', query: '' },
    { target: '/%80%FF', path: '/\x80\xff', query: '' },
    { target: '/a%00b+c%2B?x+y', path: '/a\x00b+c+', query: 'x+y' },
    { target: '/%zz/%4/%4g/%', path: '/%zz/%4/%4g/%', query: '' },
    { target: '/%2541', path: '/%41', query: '' },
    { target: '/?a=1?b=2', path: '/', query: 'a=1?b=2' },
    { target: '/x?', path: '/x', query: '' },
    { target: '/?k=%E9&l=caf%C3%A9', path: '/', query: 'k=%E9&l=caf%C3%A9' },
    { target: '//?x', path: '/', query: 'x' },
    { target: '/%2F%2Fx', path: '///x', query: '' },
    { target: '/a#b?c', path: '/a#b', query: 'c' },
    { target: '/a?b#c', path: '/a', query: 'b#c' },
    // absolute-form: the path and query of the URI (RFC 9112 §3.2.2).
    { target: 'http://example.com/p?q=1', path: '/p', query: 'q=1' },
    { target: 'https://user:pw@[::1]:8080//x%2Fy', path: '/x/y', query: '' },
    { target: 'http://example.com?q', path: '/', query: 'q' },
  ])('$target gives PATH_INFO $path and QUERY_STRING $query', async ({ target, path, query }) => {
    const environ = await environOf(`GET ${target} HTTP/1.0\r\n\r\n`);
    expect(environ.PATH_INFO).toBe(path);
    expect(environ.QUERY_STRING).toBe(query);
    for (const value of Object.values(cgiOf(environ))) expect(value).toMatch(/^[\x00-\xff]*$/);
    expect(served?.log()).toBe(`${STAMP} "GET ${target} HTTP/1.0" 200 2\n`);
  });

  it('gives PATH_INFO * for OPTIONS *', async () => {
    const environ = await environOf('OPTIONS * HTTP/1.0\r\n\r\n');
    expect(environ).toMatchObject({ REQUEST_METHOD: 'OPTIONS', PATH_INFO: '*', QUERY_STRING: '' });
  });

  it.each([
    { what: 'a different Host', head: 'Host: other.example\r\n' },
    { what: 'no Host', head: '' },
  ])('an absolute-form target with $what: HTTP_HOST is the target’s host, SERVER_NAME the server’s', async ({ head }) => {
    const environ = await environOf(`GET http://example.com:8080/p HTTP/1.1\r\n${head}Connection: close\r\n\r\n`);
    expect(cgiOf(environ)).toMatchObject({ PATH_INFO: '/p', HTTP_HOST: 'example.com:8080', SERVER_NAME: 'localhost' });
    expect(served?.log()).toBe(`${STAMP} "GET http://example.com:8080/p HTTP/1.1" 200 2\n`);
  });
});

describe('requests llhttp refuses before any environ exists (CPython builds one for them)', () => {
  it.each([
    { what: 'raw latin-1 in the path', lines: 'GET /caf\xe9/%C3%A9 HTTP/1.0', message: "Bad request syntax ('GET /café/%C3%A9 HTTP/1.0')" },
    { what: 'raw latin-1 in the query', lines: 'GET /?k=\xe9 HTTP/1.0', message: "Bad request syntax ('GET /?k=é HTTP/1.0')" },
    { what: 'a version with a leading zero', lines: 'GET / HTTP/01.00', message: "Bad request syntax ('GET / HTTP/01.00')" },
    { what: 'a two-digit minor version', lines: 'GET / HTTP/1.10', message: "Bad request syntax ('GET / HTTP/1.10')" },
    { what: 'a header line without a colon', lines: 'GET / HTTP/1.0\r\nX-A: 1\r\nNoColonHere\r\nX-B: 2', message: "Invalid header token ('NoColonHere')" },
    { what: 'an obs-fold continuation', lines: 'GET / HTTP/1.0\r\nX-A: a\r\n  b\r\nX-B: 2', message: "Unexpected whitespace after header value ('  b')" },
    { what: 'a space before the colon', lines: 'GET / HTTP/1.0\r\nX-Sp : v', message: "Invalid header token ('X-Sp : v')" },
  ])('$what → 400', async ({ lines, message }) => {
    const { s, environs } = await start();
    const { status } = await send(s, `${lines}\r\n\r\n`);
    expect(status).toBe(`HTTP/1.1 400 ${message}`);
    expect(environs).toEqual([]);
    const requestLine = lines.split('\r\n')[0] as string;
    expect(s.log()).toBe(`${STAMP} code 400, message ${message}\n${STAMP} "${requestLine}" 400 -\n`);
  });
});

describe('request headers', () => {
  const CGI_NAMED = [
    'Path-Info: /evil',
    'Script-Name: /evil',
    'Query-String: evil',
    'Request-Method: DELETE',
    'Server-Name: evil',
    'Server-Port: 1',
    'Server-Protocol: HTTP/9.9',
    'Server-Software: evil',
    'Remote-Addr: 6.6.6.6',
    'Remote-Host: evil',
    'Gateway-Interface: evil',
  ];

  it.each([
    { what: 'repeated headers join with "," in order, each stripped', lines: ['X-Test: Python test ', 'X-Test: Python test 2'], has: { HTTP_X_TEST: 'Python test,Python test 2' } },
    { what: 'two Cookie lines join like any header', lines: ['Cookie: a=1', 'Cookie: b=2'], has: { HTTP_COOKIE: 'a=1,b=2' } },
    { what: 'the first Content-Type wins', lines: ['Content-Type: a/b', 'Content-Type: c/d'], has: { CONTENT_TYPE: 'a/b' }, lacks: ['HTTP_CONTENT_TYPE'] },
    // CPython keeps the trailing spaces; llhttp strips a value's surrounding whitespace before we see it.
    { what: 'Content-Type keeps its inner spaces', lines: ['Content-Type:   text/x ; a=b   '], has: { CONTENT_TYPE: 'text/x ; a=b' } },
    { what: 'an empty value is kept', lines: ['X-Empty:'], has: { HTTP_X_EMPTY: '' } },
    { what: 'a lower-case name is upper-cased', lines: ['x-lower-case: v'], has: { HTTP_X_LOWER_CASE: 'v' } },
    { what: 'header values are latin-1', lines: ['X-Latin: \xe9t\xe9', 'X-Utf8: caf\xc3\xa9'], has: { HTTP_X_LATIN: '\xe9t\xe9', HTTP_X_UTF8: 'caf\xc3\xa9' } },
    { what: 'a name with "_" is dropped (Content_Length)', lines: ['Content_Length: 9'], has: { CONTENT_LENGTH: '' }, lacks: ['HTTP_CONTENT_LENGTH'] },
    { what: 'a name with "_" cannot merge into its "-" twin', lines: ['X_U_S: under', 'X-U-S: dash'], has: { HTTP_X_U_S: 'dash' } },
    { what: 'a name with "_" cannot spoof its "-" twin', lines: ['Some-Header: good', 'Some_Header: bad'], has: { HTTP_SOME_HEADER: 'good' } },
    { what: 'no Host header, no HTTP_HOST', lines: [], lacks: ['HTTP_HOST'] },
    {
      what: 'headers named like CGI variables override nothing and are dropped',
      lines: CGI_NAMED,
      has: {
        PATH_INFO: '/',
        SCRIPT_NAME: '',
        QUERY_STRING: '',
        REQUEST_METHOD: 'GET',
        SERVER_NAME: 'localhost',
        SERVER_PROTOCOL: 'HTTP/1.0',
        SERVER_SOFTWARE: `gwi/${VERSION}`,
        REMOTE_ADDR: '127.0.0.1',
        REMOTE_HOST: '',
        GATEWAY_INTERFACE: 'CGI/1.1',
      },
      lacks: CGI_NAMED.map((line) => `HTTP_${(line.split(':')[0] as string).toUpperCase().replace(/-/g, '_')}`),
    },
  ])('$what', async ({ lines, has, lacks }) => {
    const head = lines.map((line) => `${line}\r\n`).join('');
    const environ = await environOf(`GET / HTTP/1.0\r\n${head}\r\n`);
    if (has) expect(cgiOf(environ)).toMatchObject(has);
    for (const key of lacks ?? []) expect(environ).not.toHaveProperty(key);
    expect(environ.SERVER_PORT).toBe(String(served?.port));
  });
});

describe('gwi.* keys', () => {
  it('hold the GWI contract’s values', async () => {
    const environ = await environOf('GET / HTTP/1.0\r\n\r\n');
    expect(environ['gwi.version']).toEqual([1, 0]);
    expect(environ['gwi.url_scheme']).toBe('http');
    expect(environ['gwi.multithread']).toBe(true);
    expect(environ['gwi.multiprocess']).toBe(false);
    expect(environ['gwi.run_once']).toBe(false);
    expect(environ['gwi.input_terminated']).toBe(true);
    expect(typeof environ['gwi.file_wrapper']).toBe('function');
    const input = environ['gwi.input'];
    for (const method of ['read', 'readline', 'readlines'] as const) expect(typeof input[method]).toBe('function');
    expect(typeof input[Symbol.asyncIterator]).toBe('function');
    const errors = environ['gwi.errors'];
    for (const method of ['write', 'writelines', 'flush'] as const) expect(typeof errors[method]).toBe('function');
    expect(Object.keys(environ).filter((key) => key.startsWith('gwi.')).sort()).toEqual([
      'gwi.errors',
      'gwi.file_wrapper',
      'gwi.input',
      'gwi.input_terminated',
      'gwi.multiprocess',
      'gwi.multithread',
      'gwi.run_once',
      'gwi.url_scheme',
      'gwi.version',
    ]);
  });

  it('say gwi.multithread false under --nothreading', async () => {
    const environ = await environOf('GET / HTTP/1.0\r\n\r\n', { threading: false });
    expect(environ['gwi.multithread']).toBe(false);
  });

  it('write gwi.errors to the server’s error stream', async () => {
    await environOf('GET / HTTP/1.0\r\n\r\n', {}, (environ) => {
      environ['gwi.errors'].write('one\n');
      environ['gwi.errors'].writelines(['two\n', 'three\n']);
      environ['gwi.errors'].flush();
      return 'ok';
    });
    expect(served?.stderr()).toBe('one\ntwo\nthree\n');
  });

  it('serve a file-like through gwi.file_wrapper', async () => {
    const { s } = await start();
    const blocks = ['ab', 'cd', 'e'].map((text) => Buffer.from(text));
    const app: Application = (environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      const wrap = environ['gwi.file_wrapper'];
      if (!wrap) throw new Error('no gwi.file_wrapper');
      return wrap({ read: () => blocks.shift() ?? Buffer.alloc(0) }, 2);
    };
    s.server.setApp(app);
    const out = (await rawRequest(s, 'GET / HTTP/1.0\r\n\r\n')).toString('latin1');
    expect(out).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(out.endsWith('\r\n\r\nabcde')).toBe(true);
  });
});

describe('gwi.input', () => {
  const TEXT = 'hello\nworld\nend';
  const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

  /** A chunked body of `pieces`, split so that lines cross chunk boundaries. */
  const chunked = (pieces: string[]): string =>
    pieces.map((piece) => `${piece.length.toString(16)}\r\n${piece}\r\n`).join('') + '0\r\n\r\n';

  /** A POST with one framing header and its (framed) body. */
  const post = (framing: string, body: string): string =>
    `POST /in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${framing}\r\n\r\n${body}`;

  const BODIES = [
    { framing: 'Content-Length', head: `Content-Length: ${TEXT.length}`, body: TEXT, contentLength: String(TEXT.length) },
    { framing: 'chunked', head: 'Transfer-Encoding: chunked', body: chunked(['hel', 'lo\nwo', 'rld\nend']), contentLength: '' },
  ];

  type Reader = (input: InputStream) => Promise<string[]>;
  const READERS: { how: string; read: Reader; check: (parts: string[]) => void }[] = [
    {
      how: 'read() takes the whole body, then empty',
      read: async (input) => [latin1(await input.read()), latin1(await input.read()), latin1(await input.read(5))],
      check: (parts) => expect(parts).toEqual([TEXT, '', '']),
    },
    {
      how: 'read(4) in a loop gives at most 4 bytes a step, all of the body, then empty',
      read: async (input) => {
        const parts: string[] = [];
        for (let part = latin1(await input.read(4)); part !== ''; part = latin1(await input.read(4))) parts.push(part);
        return parts;
      },
      check: (parts) => {
        expect(parts.join('')).toBe(TEXT);
        expect(Math.max(...parts.map((part) => part.length))).toBeLessThanOrEqual(4);
      },
    },
    {
      how: 'readline(size) stops at size, readline() at each LF',
      read: async (input) => {
        const parts = [latin1(await input.readline(3))];
        for (let i = 0; i < 4; i++) parts.push(latin1(await input.readline()));
        return parts;
      },
      check: (parts) => expect(parts).toEqual(['hel', 'lo\n', 'world\n', 'end', '']),
    },
    {
      how: 'readlines() gives the remaining lines',
      read: async (input) => [latin1(await input.readline(2)), ...(await input.readlines()).map(latin1)],
      check: (parts) => expect(parts).toEqual(['he', 'llo\n', 'world\n', 'end']),
    },
    {
      how: 'readlines(hint) stops once hint bytes were read',
      read: async (input) => [...(await input.readlines(7)).map(latin1), '|', ...(await input.readlines()).map(latin1)],
      check: (parts) => expect(parts).toEqual(['hello\n', 'world\n', '|', 'end']),
    },
    {
      how: 'for await gives the lines',
      read: async (input) => {
        const parts: string[] = [];
        for await (const line of input) parts.push(latin1(line));
        return parts;
      },
      check: (parts) => expect(parts).toEqual(['hello\n', 'world\n', 'end']),
    },
  ];

  const CASES = BODIES.flatMap((body) => READERS.map((reader) => ({ ...body, ...reader })));

  it.each(CASES)('$framing: $how', async ({ head, body, contentLength, read, check }) => {
    let parts: string[] = [];
    const environ = await environOf(post(head, body), {}, async (env) => {
      parts = await read(env['gwi.input']);
      return 'ok';
    });
    check(parts);
    expect(environ.CONTENT_LENGTH).toBe(contentLength);
    if (contentLength === '') expect(environ.HTTP_TRANSFER_ENCODING).toBe('chunked');
  });

  it('is empty for a request without a body', async () => {
    let parts: string[] = [];
    await environOf('GET / HTTP/1.0\r\n\r\n', {}, async (env) => {
      const input = env['gwi.input'];
      parts = [latin1(await input.read()), latin1(await input.readline()), String((await input.readlines()).length)];
      return 'ok';
    });
    expect(parts).toEqual(['', '', '0']);
  });

  it('stops at the end of the body: the pipelined request after it is served on its own', async () => {
    const bodies: Record<string, string> = {};
    const { s, environs } = await start({}, async (env) => {
      // Both requests run at once (threading): record each body under its path, not in finish order.
      bodies[env.PATH_INFO] = latin1(await env['gwi.input'].read());
      return 'ok';
    });
    const out = (
      await rawRequest(s, 'POST /one HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhelloGET /two HTTP/1.0\r\n\r\n')
    ).toString('latin1');
    expect(out.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
    expect(environs.map((env) => env.PATH_INFO)).toEqual(['/one', '/two']);
    expect(bodies).toEqual({ '/one': 'hello', '/two': '' });
  });

  it.each([
    { framing: 'Content-Length', head: (body: string) => `Content-Length: ${body.length}`, frame: (body: string) => body },
    {
      framing: 'chunked',
      head: () => 'Transfer-Encoding: chunked',
      frame: (body: string) => chunked(body.match(/[^]{1,40000}/g) ?? []),
    },
  ])('reads a 300 kB $framing body with read(65536) in a loop', async ({ head, frame }) => {
    const body = Array.from({ length: 300_000 }, (_, i) => String.fromCharCode(i % 256)).join('');
    const sizes: number[] = [];
    let received = '';
    await environOf(post(head(body), frame(body)), {}, async (env) => {
      const input = env['gwi.input'];
      for (let part = await input.read(65536); part.length > 0; part = await input.read(65536)) {
        sizes.push(part.length);
        received += latin1(part);
      }
      return 'ok';
    });
    expect(received.length).toBe(body.length);
    expect(received === body).toBe(true);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(65536);
  });
});
