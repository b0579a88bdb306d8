// ServerHandler over real sockets: the response head, header timing, startResponse checks, errors,
// close(), HEAD, write(), bodies, backpressure, Expect: 100-continue and keep-alive
// (reference wsgi-stack §1.5–§1.7, §1.11, §1.12, §3, §6.1, §6.2; django-runserver §2.1, §2.3).
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { fileLikeFromHandle } from '../../src/gateway/file-wrapper.js';
import type { Application, Body, Environ, FileLike, HeaderList } from '../../src/gateway/types.js';
import { SERVER_VERSION } from '../../src/server/software.js';
import { VERSION } from '../../src/version.js';
import { rawRequest, serve, STAMP, waitFor, type ServeOptions, type Served } from '../helpers/serve.js';

// ---------------------------------------------------------------------------------------------
// Harness: one server per test, every client socket destroyed afterwards.

let served: Served | null = null;
const sockets = new Set<net.Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await served?.close();
  served = null;
});

async function start(app: Application, options: ServeOptions = {}): Promise<Served> {
  served = await serve(app, options);
  return served;
}

/** Resolves once every request the server took has been answered (log and stderr complete). */
async function settled(s: Served): Promise<void> {
  await s.server.drain();
}

const EMPTY = new Uint8Array(0);
const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const SERVER = `Server: ${SERVER_VERSION}`;
const ERROR_TEXT = 'A server error occurred.  Please contact the administrator.';
const TEXT_PLAIN: HeaderList = [['Content-Type', 'text/plain']];

/** Every server-made Date (RFC 1123, checked strictly) becomes `<DATE>`. */
function norm(text: string): string {
  return text.replace(
    /^Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-3]\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} [0-2]\d:[0-5]\d:[0-5]\d GMT$/gm,
    'Date: <DATE>',
  );
}

/** A response as we expect it: status line, Date, Server, then `headers`, a blank line and `body`. */
function reply(status: string, headers: string[], body = ''): string {
  return [`HTTP/1.1 ${status}`, 'Date: <DATE>', SERVER, ...headers, '', body].join('\r\n');
}

/** The 500 answer of an error found before the headers went out. */
function error500(...extra: string[]): string {
  return reply('500 Internal Server Error', ['Content-Type: text/plain', 'Content-Length: 59', ...extra], ERROR_TEXT);
}

const access = (line: string): string => `${STAMP} ${line}\n`;

/** `GET / HTTP/1.0` (or another method/path) on its own connection; the whole answer, Date normalised. */
async function get10(s: Served, method = 'GET', path = '/'): Promise<string> {
  return norm((await rawRequest(s, `${method} ${path} HTTP/1.0\r\n\r\n`)).toString('latin1'));
}

/** The first line of what the server wrote to its error stream, after checking it is one inspect()ed error. */
function firstErrorLine(s: Served): string {
  const text = s.stderr();
  expect(text).toMatch(/\n {4}at .*\n$/);
  return text.split('\n')[0] as string;
}

/** A raw client on one connection, reading responses one by one. */
class Client {
  #chunks: Buffer[] = [];
  #length = 0;
  #ended = false;
  #wake: (() => void) | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      this.#length += chunk.length;
      this.#notify();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#notify();
    });
    // A cut connection may end in ECONNRESET; 'close' follows and is what the tests look at.
    socket.on('error', () => {});
  }

  static connect(target: { host: string; port: number }): Promise<Client> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(target.port, target.host);
      sockets.add(socket);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Client(socket));
      });
    });
  }

  get closed(): boolean {
    return this.#ended && this.#length === 0;
  }

  /** Bytes received and not yet taken. */
  get buffered(): number {
    return this.#length;
  }

  send(data: string | Uint8Array): void {
    this.socket.write(typeof data === 'string' ? bytes(data) : data);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #joined(): Buffer {
    if (this.#chunks.length !== 1) this.#chunks = [Buffer.concat(this.#chunks, this.#length)];
    return this.#chunks[0] as Buffer;
  }

  #describe(): string {
    const text = this.#joined().toString('latin1');
    return `${this.#length} bytes: ${inspect(text.slice(0, 300))}${text.length > 300 ? '…' : ''}`;
  }

  async #until(check: () => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (this.#ended) throw new Error(`connection closed while waiting for ${what}; left ${this.#describe()}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${this.#describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  #take(size: number): Buffer {
    const parts: Buffer[] = [];
    let need = size;
    while (need > 0) {
      const chunk = this.#chunks[0] as Buffer;
      if (chunk.length <= need) {
        parts.push(chunk);
        this.#chunks.shift();
        need -= chunk.length;
      } else {
        parts.push(chunk.subarray(0, need));
        this.#chunks[0] = chunk.subarray(need);
        need = 0;
      }
    }
    this.#length -= size;
    return Buffer.concat(parts, size);
  }

  async take(size: number, ms?: number): Promise<Buffer> {
    await this.#until(() => this.#length >= size, `${size} bytes`, ms);
    return this.#take(size);
  }

  async #through(marker: string, ms?: number): Promise<Buffer> {
    let at = -1;
    await this.#until(() => (at = this.#joined().indexOf(marker, 0, 'latin1')) >= 0, inspect(marker), ms);
    return this.#take(at + marker.length);
  }

  /** Everything until the server closes the connection. */
  async rest(ms?: number): Promise<Buffer> {
    await this.#until(() => this.#ended, 'the end of the connection', ms);
    return this.#take(this.#length);
  }

  /** Waits for the server to close the connection, with nothing more sent. */
  async expectClosed(ms?: number): Promise<void> {
    expect((await this.rest(ms)).toString('latin1')).toBe('');
  }

  /** One response: its head, its raw body bytes (chunk framing included) and the decoded body. */
  async message(method = 'GET', ms?: number): Promise<{ head: string; framed: Buffer; body: Buffer }> {
    const head = (await this.#through('\r\n\r\n', ms)).toString('latin1');
    const code = Number(head.slice(9, 12));
    if (method === 'HEAD' || code < 200 || code === 204 || code === 304) {
      return { head, framed: Buffer.alloc(0), body: Buffer.alloc(0) };
    }
    const length = /\r\nContent-Length: (\d+)\r\n/i.exec(head);
    if (length) {
      const body = await this.take(Number(length[1]), ms);
      return { head, framed: body, body };
    }
    if (/\r\nTransfer-Encoding: chunked\r\n/i.test(head)) {
      const framed: Buffer[] = [];
      const body: Buffer[] = [];
      for (;;) {
        const line = await this.#through('\r\n', ms);
        framed.push(line);
        const size = parseInt(line.toString('latin1'), 16);
        const data = await this.take(size + 2, ms);
        framed.push(data);
        if (size === 0) break;
        body.push(data.subarray(0, size));
      }
      return { head, framed: Buffer.concat(framed), body: Buffer.concat(body) };
    }
    const body = await this.rest(ms);
    return { head, framed: body, body };
  }

  /** One response as text (latin-1, Date normalised), chunk framing included. */
  async response(method = 'GET', ms?: number): Promise<string> {
    const { head, framed } = await this.message(method, ms);
    return norm(head + framed.toString('latin1'));
  }
}

/** A body that counts its close() calls, and what the log held when close() ran. */
class Closable implements Iterable<Uint8Array> {
  closed = 0;
  logAtClose: string | null = null;

  constructor(
    private readonly chunks: Iterable<Uint8Array>,
    private readonly onClose: () => string = () => '',
  ) {}

  [Symbol.iterator](): Iterator<Uint8Array> {
    return this.chunks[Symbol.iterator]();
  }

  close(): void {
    this.closed++;
    this.logAtClose = this.onClose();
  }
}

// ---------------------------------------------------------------------------------------------

describe('response head', () => {
  it('is the HTTP/1.1 status line, Date, Server, the app headers in order and case, then a computed Content-Length', async () => {
    const s = await start((_environ, startResponse) => {
      startResponse('200 OK', [['X-First', '1'], ['content-type', 'text/plain'], ['X-Mixed-CASE', 'v w']]);
      return [bytes('hello')];
    });
    const client = await Client.connect(s);
    client.send('GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await client.response()).toBe(
      reply('200 OK', ['X-First: 1', 'content-type: text/plain', 'X-Mixed-CASE: v w', 'Content-Length: 5'], 'hello'),
    );
    await settled(s);
    expect(s.log()).toBe(access('"GET /a?b=c HTTP/1.1" 200 5'));
    expect(s.stderr()).toBe('');
  });

  it('dates each response with the current second, in GMT, and follows the clock into the next second', async () => {
    const s = await start((_environ, startResponse) => {
      startResponse('200 OK', TEXT_PLAIN);
      return [bytes('x')];
    });
    const dated = async (): Promise<void> => {
      const before = Math.floor(Date.now() / 1000);
      const head = (await rawRequest(s, 'GET / HTTP/1.0\r\n\r\n')).toString('latin1');
      const after = Math.floor(Date.now() / 1000);
      const date = /\r\nDate: ([^\r]*)\r\n/.exec(head)?.[1];
      const seconds = [];
      for (let second = before; second <= after; second++) seconds.push(new Date(second * 1000).toUTCString());
      expect(seconds).toContain(date);
    };
    await dated();
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    await dated();
  });

  it('names gwi and Node.js in the Server header', () => {
    expect(SERVER_VERSION).toBe(`gwi/${VERSION} Node.js/${process.versions.node}`);
  });

  it("keeps the app's own Date and Server where it put them and adds neither (INT-1, check_hello)", async () => {
    const s = await start((_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/plain'], ['Date', 'Mon, 05 Jun 2006 18:49:54 GMT']]);
      return [bytes('Hello, world!')];
    });
    // INT-1 sends a bare-LF request; llhttp (strict) answers that with a 400, so this one uses CRLF.
    expect((await rawRequest(s, 'GET / HTTP/1.0\r\n\r\n')).toString('latin1')).toBe(
      `HTTP/1.1 200 OK\r\n${SERVER}\r\nContent-Type: text/plain\r\nDate: Mon, 05 Jun 2006 18:49:54 GMT\r\n` +
        'Content-Length: 13\r\nConnection: close\r\n\r\nHello, world!',
    );
    await s.close();
    const t = await start((_environ, startResponse) => {
      startResponse('200 OK', [['server', 'mine/1.0'], ['Content-Type', 'text/plain']]);
      return [bytes('x')];
    });
    expect(await get10(t)).toBe(
      'HTTP/1.1 200 OK\r\nDate: <DATE>\r\nserver: mine/1.0\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n' +
        'Connection: close\r\n\r\nx',
    );
  });

  it('sends an HTTP/1.1 body without a length chunked, with no Connection line, and keeps the connection', async () => {
    const s = await start((_environ, startResponse) => {
      startResponse('200 OK', TEXT_PLAIN);
      return (function* () {
        yield bytes('Hello, ');
        yield bytes('world!');
      })();
    });
    const client = await Client.connect(s);
    client.send('GET /1 HTTP/1.1\r\n\r\n');
    const chunked = reply('200 OK', ['Content-Type: text/plain', 'Transfer-Encoding: chunked'], '7\r\nHello, \r\n6\r\nworld!\r\n0\r\n\r\n');
    expect(await client.response()).toBe(chunked);
    client.send('GET /2 HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(chunked);
    await settled(s);
    expect(s.log()).toBe(access('"GET /1 HTTP/1.1" 200 13') + access('"GET /2 HTTP/1.1" 200 13'));
    expect(client.closed).toBe(false);
  });

  it('says Connection: close to an HTTP/1.0 client without keep-alive and closes after a body delimited by the close', async () => {
    const s = await start((_environ, startResponse) => {
      startResponse('200 OK', TEXT_PLAIN);
      return (function* () {
        yield bytes('Hello, ');
        yield bytes('world!');
      })();
    });
    expect(await get10(s)).toBe(reply('200 OK', ['Content-Type: text/plain', 'Connection: close'], 'Hello, world!'));
  });

  it("keeps an HTTP/1.0 keep-alive connection with node's Connection: keep-alive and Keep-Alive lines", async () => {
    const s = await start((environ, startResponse) => {
      startResponse('200 OK', TEXT_PLAIN);
      return [bytes(environ.PATH_INFO)];
    });
    const client = await Client.connect(s);
    client.send('GET /one HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(await client.response()).toBe(
      reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 4', 'Connection: keep-alive', 'Keep-Alive: timeout=5'], '/one'),
    );
    client.send('GET /two HTTP/1.0\r\n\r\n');
    expect(await client.response()).toBe(
      reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 4', 'Connection: close'], '/two'),
    );
    await client.expectClosed();
  });

  it("closes after a client's HTTP/1.1 Connection: close without adding a Connection line (as Django)", async () => {
    const s = await start((_environ, startResponse) => {
      startResponse('200 OK', TEXT_PLAIN);
      return [bytes('bye')];
    });
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 3'], 'bye'));
    await client.expectClosed();
  });

  it.each([
    ['a Buffer of every byte value', Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i))],
    ['a plain Uint8Array of every byte value', Uint8Array.from({ length: 256 }, (_, i) => i)],
    ['a 1,024-byte view into a larger Uint8Array', new Uint8Array(4096).map((_, i) => (i * 7) % 256).subarray(5, 1029)],
    ['a 1,025-byte Buffer', Buffer.alloc(1025, 0x9c)],
    ['a 16 KiB Buffer', Buffer.alloc(16 * 1024, 0x80)],
  ])('sends %s as the last chunk byte for byte', async (_what, body) => {
    const s = await start((_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
      return [bytes('<'), body];
    });
    const raw = await rawRequest(s, 'GET / HTTP/1.0\r\n\r\n');
    const head = raw.subarray(0, raw.indexOf('\r\n\r\n') + 4).toString('latin1');
    expect(norm(head)).toBe(reply('200 OK', ['Content-Type: application/octet-stream', 'Connection: close'], ''));
    expect(Buffer.compare(raw.subarray(head.length), Buffer.concat([bytes('<'), body]))).toBe(0);
    await settled(s);
    expect(s.log()).toBe(access(`"GET / HTTP/1.0" 200 ${body.length + 1}`));
    expect(s.stderr()).toBe('');
  });

  it('sends a one-chunk body of every byte value right after its head, byte for byte', async () => {
    const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const s = await start((_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
      return [body];
    });
    const raw = await rawRequest(s, 'GET / HTTP/1.0\r\n\r\n');
    const head = raw.subarray(0, raw.indexOf('\r\n\r\n') + 4).toString('latin1');
    expect(norm(head)).toBe(
      reply('200 OK', ['Content-Type: application/octet-stream', 'Content-Length: 256', 'Connection: close'], ''),
    );
    expect(Buffer.compare(raw.subarray(head.length), body)).toBe(0);
    await settled(s);
    expect(s.log()).toBe(access('"GET / HTTP/1.0" 200 256'));
  });

  it('writes latin-1 header values as single bytes and allows a TAB inside a value', async () => {
    const s = await start((_environ, startResponse) => {
      startResponse('200 OK', [['X-Latin', 'caf\xe9 \xff'], ['X-Tab', 'a\tb']]);
      return [];
    });
    const raw = await rawRequest(s, 'GET / HTTP/1.0\r\n\r\n');
    expect(raw.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0x0d, 0x0a]))).toBe(true);
    expect(norm(raw.toString('latin1'))).toBe(
      reply('200 OK', ['X-Latin: caf\xe9 \xff', 'X-Tab: a\tb', 'Content-Length: 0', 'Connection: close']),
    );
  });

  it.each([
    ['204 No Content', 204],
    ['304 Not Modified', 304],
  ])('gives a %s with an empty body no Content-Length (wsgiref adds Content-Length: 0)', async (status, code) => {
    const s = await start((_environ, startResponse) => {
      startResponse(status, []);
      return [];
    });
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply(status, []));
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply(status, []));
    await settled(s);
    expect(s.log()).toBe(access(`"GET / HTTP/1.1" ${code} 0`).repeat(2));
  });
});

// ---------------------------------------------------------------------------------------------
// §3.9, adapted: `GET / HTTP/1.0` (so node says Connection: close), our HTTP/1.1 head with gwi's Server line.

interface HandlerRow {
  title: string;
  request?: string;
  app: Application;
  response: string;
  log: string[];
  /** First line of the error stream ('' when nothing may be written there). */
  error: string;
}

function* twoChunks(): Generator<Uint8Array> {
  yield bytes('Hello, ');
  yield bytes('world!');
}

const HANDLER_TABLE: HandlerRow[] = [
  {
    title: '[b"Hello, world!"]: computed Content-Length',
    app: (_e, sr) => (sr('200 OK', TEXT_PLAIN), [bytes('Hello, world!')]),
    response: reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 13', 'Connection: close'], 'Hello, world!'),
    log: ['"GET / HTTP/1.0" 200 13'],
    error: '',
  },
  {
    title: '[b"Hello, ", b"world!"]: no Content-Length',
    app: (_e, sr) => (sr('200 OK', TEXT_PLAIN), [bytes('Hello, '), bytes('world!')]),
    response: reply('200 OK', ['Content-Type: text/plain', 'Connection: close'], 'Hello, world!'),
    log: ['"GET / HTTP/1.0" 200 13'],
    error: '',
  },
  {
    title: 'a generator of two chunks: no Content-Length',
    app: (_e, sr) => (sr('200 OK', TEXT_PLAIN), twoChunks()),
    response: reply('200 OK', ['Content-Type: text/plain', 'Connection: close'], 'Hello, world!'),
    log: ['"GET / HTTP/1.0" 200 13'],
    error: '',
  },
  {
    title: 'differs: a 204 with an empty body gets no Content-Length: 0 (RFC 9110)',
    app: (_e, sr) => (sr('204 No Content', []), []),
    response: reply('204 No Content', ['Connection: close']),
    log: ['"GET / HTTP/1.0" 204 0'],
    error: '',
  },
  {
    title: 'iter([]): Content-Length: 0',
    app: (_e, sr) => (sr('200 OK', TEXT_PLAIN), [][Symbol.iterator]()),
    response: reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 0', 'Connection: close']),
    log: ['"GET / HTTP/1.0" 200 0'],
    error: '',
  },
  {
    title: '[b""]: Content-Length: 0',
    app: (_e, sr) => (sr('200 OK', TEXT_PLAIN), [EMPTY]),
    response: reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 0', 'Connection: close']),
    log: ['"GET / HTTP/1.0" 200 0'],
    error: '',
  },
  {
    title: "HEAD with the app's Content-Length: 12345 and []: kept (#3839, H-4)",
    request: 'HEAD / HTTP/1.0\r\n\r\n',
    app: (_e, sr) => (sr('200 OK', [...TEXT_PLAIN, ['Content-Length', '12345']]), []),
    response: reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 12345', 'Connection: close']),
    log: ['"HEAD / HTTP/1.0" 200 0'],
    error: '',
  },
  {
    title: 'differs: Content-Length: 3 with a 13-byte body sends 3 bytes, then cuts (wsgiref sends all 13)',
    app: (_e, sr) => (sr('200 OK', [...TEXT_PLAIN, ['Content-Length', '3']]), [bytes('Hello, world!')]),
    response: reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 3', 'Connection: close'], 'Hel'),
    log: [],
    error: 'Error: Response body is longer than its Content-Length (3 bytes)',
  },
  {
    title: 'write("via write; "), then [b"then iterable"]: no Content-Length',
    app: (_e, sr) => {
      void sr('200 OK', TEXT_PLAIN)(bytes('via write; '));
      return [bytes('then iterable')];
    },
    response: reply('200 OK', ['Content-Type: text/plain', 'Connection: close'], 'via write; then iterable'),
    log: ['"GET / HTTP/1.0" 200 24'],
    error: '',
  },
  {
    title: 'raises before startResponse: the 500',
    app: () => {
      throw new Error('boom');
    },
    response: error500('Connection: close'),
    log: ['"GET / HTTP/1.0" 500 59'],
    error: 'Error: boom',
  },
  {
    title: 'raises after startResponse, nothing sent: the 500 replaces the 200',
    app: (_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      throw new Error('boom');
    },
    response: error500('Connection: close'),
    log: ['"GET / HTTP/1.0" 500 59'],
    error: 'Error: boom',
  },
  {
    title: 'yields b"partial", then raises: the head and "partial", then the connection closes, no access line',
    app: (_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      return (function* () {
        yield bytes('partial');
        throw new Error('late');
      })();
    },
    response: reply('200 OK', ['Content-Type: text/plain', 'Connection: close'], 'partial'),
    log: [],
    error: 'Error: late',
  },
  {
    title: 'differs (PEP timing): yields b"", then raises: still the 500, since an empty chunk sends no headers',
    app: (_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      return (function* () {
        yield EMPTY;
        throw new Error('late');
      })();
    },
    response: error500('Connection: close'),
    log: ['"GET / HTTP/1.0" 500 59'],
    error: 'Error: late',
  },
  {
    title: 'startResponse twice without excInfo: the 500',
    app: (_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      sr('200 OK', TEXT_PLAIN);
      return [bytes('x')];
    },
    response: error500('Connection: close'),
    log: ['"GET / HTTP/1.0" 500 59'],
    error: 'Error: Headers already set!',
  },
  {
    title: 'startResponse("500 Oops", …, excInfo) before any output replaces the response',
    app: (_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      sr('500 Oops', TEXT_PLAIN, new Error('caught'));
      return [bytes('error body')];
    },
    response: reply('500 Oops', ['Content-Type: text/plain', 'Content-Length: 10', 'Connection: close'], 'error body'),
    log: ['"GET / HTTP/1.0" 500 10'],
    error: '',
  },
  {
    title: 'write("already sent"), then startResponse(…, excInfo): that error is thrown again, the response is cut',
    app: async (_e, sr) => {
      const write = sr('200 OK', TEXT_PLAIN);
      await write(bytes('already sent'));
      sr('500 Oops', TEXT_PLAIN, new RangeError('k'));
      return [];
    },
    response: reply('200 OK', ['Content-Type: text/plain', 'Connection: close'], 'already sent'),
    log: [],
    error: 'RangeError: k',
  },
  {
    title: 'a Connection: close header: the 500',
    app: (_e, sr) => (sr('200 OK', [['Connection', 'close']]), [bytes('x')]),
    response: error500('Connection: close'),
    log: ['"GET / HTTP/1.0" 500 59'],
    error: "Error: Hop-by-hop header, 'Connection: close', not allowed",
  },
  {
    title: 'a body chunk that is a string: the 500',
    app: (_e, sr) => (sr('200 OK', TEXT_PLAIN), ['text'] as unknown as Body),
    response: error500('Connection: close'),
    log: ['"GET / HTTP/1.0" 500 59'],
    error: "TypeError: Body chunk must be a Uint8Array (got 'text')",
  },
  {
    title: 'returns [b"x"] without calling startResponse: the 500',
    app: () => [bytes('x')],
    response: error500('Connection: close'),
    log: ['"GET / HTTP/1.0" 500 59'],
    error: 'Error: startResponse() was not called before the first body chunk',
  },
  {
    title: "differs: a header value '€' is refused at startResponse (wsgiref sends half a head)",
    app: (_e, sr) => (sr('200 OK', [['X-Euro', '€']]), [bytes('x')]),
    response: error500('Connection: close'),
    log: ['"GET / HTTP/1.0" 500 59'],
    error: "Error: Header value must be latin-1: 'X-Euro: €'",
  },
  {
    title: "differs: a status '200 €' is refused at startResponse (wsgiref sends nothing)",
    app: (_e, sr) => (sr('200 €', []), [bytes('x')]),
    response: error500('Connection: close'),
    log: ['"GET / HTTP/1.0" 500 59'],
    error: "Error: Status must be latin-1: '200 €'",
  },
  {
    title: "a header value 'caf\\xe9' goes out as the byte 0xE9",
    app: (_e, sr) => (sr('200 OK', [['X-Latin', 'caf\xe9']]), [bytes('ok')]),
    response: reply('200 OK', ['X-Latin: caf\xe9', 'Content-Length: 2', 'Connection: close'], 'ok'),
    log: ['"GET / HTTP/1.0" 200 2'],
    error: '',
  },
  {
    title: 'differs: a header value with CR LF is refused (wsgiref 3.11 lets the injection through)',
    app: (_e, sr) => (sr('200 OK', [['X-Inj', 'a\r\nSet-Cookie: evil=1']]), [bytes('x')]),
    response: error500('Connection: close'),
    log: ['"GET / HTTP/1.0" 500 59'],
    error: "Error: Control characters are not allowed in header values: 'X-Inj: a\\r\\nSet-Cookie: evil=1'",
  },
  {
    title: 'H-3: a UTF-8 body counts bytes, not characters',
    app: (_e, sr) => (sr('200 OK', []), [Buffer.from('тест', 'utf8')]),
    response: reply('200 OK', ['Content-Length: 8', 'Connection: close'], Buffer.from('тест', 'utf8').toString('latin1')),
    log: ['"GET / HTTP/1.0" 200 8'],
    error: '',
  },
];

describe('the handler table of wsgiref (§3.9, §6.2), adapted', () => {
  it.each(HANDLER_TABLE)('$title', async (row) => {
    const s = await start(row.app);
    expect(norm((await rawRequest(s, row.request ?? 'GET / HTTP/1.0\r\n\r\n')).toString('latin1'))).toBe(row.response);
    await settled(s);
    expect(s.log()).toBe(row.log.map(access).join(''));
    if (row.error === '') expect(s.stderr()).toBe('');
    else expect(firstErrorLine(s)).toBe(row.error);
  });

  it('an iterable with close(): the body, then the access line, then close() (R.close() called)', async () => {
    let s: Served | null = null;
    const body = new Closable([bytes('a'), bytes('b')], () => s?.log() ?? '');
    s = await start((_e, sr) => (sr('200 OK', []), body));
    expect(await get10(s)).toBe(reply('200 OK', ['Connection: close'], 'ab'));
    await settled(s);
    expect(body.closed).toBe(1);
    expect(body.logAtClose).toBe(access('"GET / HTTP/1.0" 200 2'));
  });
});

// ---------------------------------------------------------------------------------------------

describe('header timing', () => {
  it('lets an app swap its 200 for a 500 after an empty first chunk (PEP timing, not wsgiref)', async () => {
    let caught: unknown = null;
    const s = await start((_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      return (function* () {
        yield EMPTY;
        try {
          throw new Error('k');
        } catch (err) {
          caught = err;
          sr('500 Oops', [['Content-Type', 'text/html']], err);
        }
        yield bytes('error body');
      })();
    });
    expect(await get10(s)).toBe(reply('500 Oops', ['Content-Type: text/html', 'Connection: close'], 'error body'));
    await settled(s);
    expect(caught).toBeInstanceOf(Error);
    expect(s.log()).toBe(access('"GET / HTTP/1.0" 500 10'));
  });

  it('sends the headers on the first write(), even an empty one: a later error only cuts the response', async () => {
    const boom = new Error('after the head');
    const s = await start(async (_e, sr) => {
      await sr('200 OK', TEXT_PLAIN)(EMPTY);
      await sleep(20);
      throw boom;
    });
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    const head = await client.rest();
    expect(norm(head.toString('latin1'))).toBe(reply('200 OK', ['Content-Type: text/plain', 'Transfer-Encoding: chunked']));
    await settled(s);
    expect(s.log()).toBe('');
    expect(s.stderr()).toBe(`${inspect(boom)}\n`);
  });

  it('throws the very error given as excInfo once the headers are out', async () => {
    const original = new RangeError('original');
    let thrown: unknown = null;
    const s = await start((_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      return (function* () {
        yield bytes('sent');
        try {
          sr('500 Oops', TEXT_PLAIN, original);
        } catch (err) {
          thrown = err;
          throw err;
        }
      })();
    });
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(norm((await client.rest()).toString('latin1'))).toBe(
      reply('200 OK', ['Content-Type: text/plain', 'Transfer-Encoding: chunked'], '4\r\nsent\r\n'),
    );
    await settled(s);
    expect(thrown).toBe(original);
    expect(s.stderr()).toBe(`${inspect(original)}\n`);
    expect(s.log()).toBe('');
  });

  it('holds the headers while an async body produces only empty chunks', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const s = await start((_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      return (async function* () {
        yield EMPTY;
        await gate;
        yield bytes('late');
      })();
    });
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.0\r\n\r\n');
    await sleep(50);
    expect(client.buffered).toBe(0);
    release();
    expect(norm((await client.rest()).toString('latin1'))).toBe(
      reply('200 OK', ['Content-Type: text/plain', 'Connection: close'], 'late'),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('startResponse checks (each → the 500 and the error on the error stream)', () => {
  const cases: Array<[title: string, call: (sr: Parameters<Application>[1]) => void, error: string]> = [
    ['a second call without excInfo', (sr) => (sr('200 OK', []), sr('200 OK', [])), 'Error: Headers already set!'],
    ['status "200"', (sr) => sr('200', []), 'Error: Status must be at least 4 characters'],
    ['status "20X OK"', (sr) => sr('20X OK', []), 'Error: Status message must begin w/3-digit code'],
    ['status "²00 OK" (no Unicode digits)', (sr) => sr('²00 OK', []), 'Error: Status message must begin w/3-digit code'],
    ['status "200OK"', (sr) => sr('200OK', []), 'Error: Status message must have a space after code'],
    ['status "2000 OK"', (sr) => sr('2000 OK', []), 'Error: Status message must have a space after code'],
    ['status "099 Low"', (sr) => sr('099 Low', []), 'Error: Status code is invalid: 099'],
    ['status "200 OK\\r\\n"', (sr) => sr('200 OK\r\n', []), "Error: Control characters are not allowed in status: '200 OK\\r\\n'"],
    ['status "200 O\\x00K"', (sr) => sr('200 O\x00K', []), "Error: Control characters are not allowed in status: '200 O\\x00K'"],
    ['status "200 O\\tK"', (sr) => sr('200 O\tK', []), "Error: Control characters are not allowed in status: '200 O\\tK'"],
    ['status "200 €"', (sr) => sr('200 €', []), "Error: Status must be latin-1: '200 €'"],
    ['a status that is not a string', (sr) => sr(200 as unknown as string, []), 'TypeError: Status must be of type string (got 200)'],
    [
      'headers that are not an array',
      (sr) => sr('200 OK', { 'Content-Type': 'text/plain' } as unknown as HeaderList),
      'TypeError: Headers must be an array of [name, value] pairs',
    ],
    [
      'a header that is not a pair',
      (sr) => sr('200 OK', [['Content-Type']] as unknown as HeaderList),
      "TypeError: Headers must be an array of [name, value] pairs (got [ 'Content-Type' ])",
    ],
    [
      'a header value that is not a string',
      (sr) => sr('200 OK', [['Content-Length', 5]] as unknown as HeaderList),
      "TypeError: Header names/values must be of type string (got [ 'Content-Length', 5 ])",
    ],
    ['Connection: close', (sr) => sr('200 OK', [['Connection', 'close']]), "Error: Hop-by-hop header, 'Connection: close', not allowed"],
    [
      'transfer-encoding: chunked',
      (sr) => sr('200 OK', [['transfer-encoding', 'chunked']]),
      "Error: Hop-by-hop header, 'transfer-encoding: chunked', not allowed",
    ],
    ['Keep-Alive', (sr) => sr('200 OK', [['Keep-Alive', 'timeout=5']]), "Error: Hop-by-hop header, 'Keep-Alive: timeout=5', not allowed"],
    ['Upgrade', (sr) => sr('200 OK', [['Upgrade', 'h2c']]), "Error: Hop-by-hop header, 'Upgrade: h2c', not allowed"],
    ['a header name with a space', (sr) => sr('200 OK', [['Bad Name', 'x']]), "Error: Invalid header name: 'Bad Name'"],
    ['a header name with a colon', (sr) => sr('200 OK', [['X-Colon:', 'x']]), "Error: Invalid header name: 'X-Colon:'"],
    ['an empty header name', (sr) => sr('200 OK', [['', 'x']]), "Error: Invalid header name: ''"],
    [
      'a header value with CR LF',
      (sr) => sr('200 OK', [['X-Inj', 'a\r\nSet-Cookie: evil=1']]),
      "Error: Control characters are not allowed in header values: 'X-Inj: a\\r\\nSet-Cookie: evil=1'",
    ],
    ['a header value with LF', (sr) => sr('200 OK', [['X', 'a\nb']]), "Error: Control characters are not allowed in header values: 'X: a\\nb'"],
    ['a header value with NUL', (sr) => sr('200 OK', [['X', 'a\x00b']]), "Error: Control characters are not allowed in header values: 'X: a\\x00b'"],
    ['a header value with ESC', (sr) => sr('200 OK', [['X', 'a\x1bb']]), "Error: Control characters are not allowed in header values: 'X: a\\x1Bb'"],
    ['a header value with DEL', (sr) => sr('200 OK', [['X', 'a\x7fb']]), "Error: Control characters are not allowed in header values: 'X: a\\x7Fb'"],
    ['a header value with U+0100', (sr) => sr('200 OK', [['X', 'a\u0100']]), "Error: Header value must be latin-1: 'X: aĀ'"],
  ];

  it.each(cases)('%s', async (_title, call, error) => {
    let calls = 0;
    const s = await start((_e, sr) => {
      calls++;
      call(sr);
      return [bytes('never')];
    });
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(error500());
    await settled(s);
    expect(calls).toBe(1);
    expect(s.log()).toBe(access('"GET / HTTP/1.1" 500 59'));
    expect(firstErrorLine(s)).toBe(error);
  });

  it('accepts a corrected call after a refused one (nothing was stored)', async () => {
    const s = await start((_e, sr) => {
      expect(() => sr('200 OK', [['Connection', 'close']])).toThrow("Hop-by-hop header, 'Connection: close', not allowed");
      sr('200 OK', TEXT_PLAIN);
      return [bytes('fine')];
    });
    expect(await get10(s)).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 4', 'Connection: close'], 'fine'));
    expect(s.stderr()).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------

describe('errors', () => {
  it('answers an error before the headers with exactly the 500, logs it, and keeps the HTTP/1.1 connection', async () => {
    const boom = new Error('boom');
    let calls = 0;
    const s = await start((environ) => {
      calls++;
      if (environ.PATH_INFO === '/boom') throw boom;
      return [];
    });
    const client = await Client.connect(s);
    client.send('GET /boom HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(error500());
    await settled(s);
    expect(s.log()).toBe(access('"GET /boom HTTP/1.1" 500 59'));
    expect(s.stderr()).toBe(`${inspect(boom)}\n`);
    client.send('GET /boom HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(error500());
    expect(calls).toBe(2);
  });

  it('cuts an HTTP/1.1 chunked response when the body fails after the headers: no terminating chunk, no access line', async () => {
    const late = new Error('late');
    const body = new Closable(
      (function* () {
        yield bytes('partial');
        throw late;
      })(),
    );
    const s = await start((_e, sr) => (sr('200 OK', TEXT_PLAIN), body));
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(norm((await client.rest()).toString('latin1'))).toBe(
      reply('200 OK', ['Content-Type: text/plain', 'Transfer-Encoding: chunked'], '7\r\npartial\r\n'),
    );
    await settled(s);
    expect(s.log()).toBe('');
    expect(s.stderr()).toBe(`${inspect(late)}\n`);
    expect(body.closed).toBe(1);
  });

  it('H-7: write() some output, then raise: the output and a cut, no 500 added', async () => {
    const s = await start(async (_e, sr) => {
      await sr('200 OK', [])(bytes('Some output has been sent'));
      throw new Error('after output');
    });
    expect(await get10(s)).toBe(reply('200 OK', ['Connection: close'], 'Some output has been sent'));
    await settled(s);
    expect(firstErrorLine(s)).toBe('Error: after output');
    expect(s.log()).toBe('');
  });

  it.each<[string, () => Body | Promise<Body>, string]>([
    ['a number', () => 42 as unknown as Body, 'TypeError: The application must return an iterable body (got 42)'],
    ['undefined', () => undefined as unknown as Body, 'TypeError: The application must return an iterable body (got undefined)'],
    ['a plain object', () => ({}) as unknown as Body, 'TypeError: The application must return an iterable body (got {})'],
    ['a Promise of null', async () => null as unknown as Body, 'TypeError: The application must return an iterable body (got null)'],
    ['a string (iterated per character)', () => 'abc' as unknown as Body, "TypeError: Body chunk must be a Uint8Array (got 'a')"],
    ['a bare Buffer (iterated per byte)', () => bytes('abc') as unknown as Body, 'TypeError: Body chunk must be a Uint8Array (got 97)'],
    ['an async body yielding a number', () => (async function* () { yield 1 as unknown as Uint8Array; })(), 'TypeError: Body chunk must be a Uint8Array (got 1)'],
  ])('answers a body that is %s with the 500', async (_title, result, error) => {
    const s = await start((_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      return result();
    });
    expect(await get10(s)).toBe(error500('Connection: close'));
    await settled(s);
    expect(firstErrorLine(s)).toBe(error);
    expect(s.log()).toBe(access('"GET / HTTP/1.0" 500 59'));
  });

  it('answers an app that returns without calling startResponse with the 500', async () => {
    const s = await start(() => []);
    expect(await get10(s)).toBe(error500('Connection: close'));
    await settled(s);
    expect(firstErrorLine(s)).toBe('Error: The application returned without calling startResponse()');
  });

  it('answers an async app whose promise rejects with the 500 and the rejection on the error stream', async () => {
    const boom = new SyntaxError('async boom');
    const s = await start(async (_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      await sleep(5);
      throw boom;
    });
    expect(await get10(s)).toBe(error500('Connection: close'));
    await settled(s);
    expect(s.stderr()).toBe(`${inspect(boom)}\n`);
  });

  it('answers an app that rejects with undefined after startResponse with the 500', async () => {
    const s = await start((_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      return Promise.reject(undefined);
    });
    expect(await get10(s)).toBe(error500('Connection: close'));
    await settled(s);
    expect(s.stderr()).toBe('undefined\n');
    expect(s.log()).toBe(access('"GET / HTTP/1.0" 500 59'));
  });

  it('sends only the declared bytes of a body longer than its Content-Length, all of them, then cuts', async () => {
    const declared = 4 * 1024 * 1024;
    const big = Buffer.alloc(2 * declared, 0x61);
    const s = await start((_e, sr) => (sr('200 OK', [['Content-Length', String(declared)]]), [big]));
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    const { head, body } = await client.message();
    expect(norm(head)).toBe(reply('200 OK', [`Content-Length: ${declared}`]));
    expect(body.equals(big.subarray(0, declared))).toBe(true);
    await client.expectClosed();
    await settled(s);
    expect(firstErrorLine(s)).toBe(`Error: Response body is longer than its Content-Length (${declared} bytes)`);
    expect(s.log()).toBe('');
  });

  it('refuses a write() past the Content-Length: the declared bytes, then a cut', async () => {
    let thrown: unknown = null;
    const s = await start(async (_e, sr) => {
      const write = sr('200 OK', [['Content-Length', '5']]);
      await write(bytes('abc'));
      try {
        await write(bytes('defgh'));
      } catch (err) {
        thrown = err;
        throw err;
      }
      return [];
    });
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(norm((await client.rest()).toString('latin1'))).toBe(reply('200 OK', ['Content-Length: 5'], 'abcde'));
    await settled(s);
    expect(thrown).toBeInstanceOf(Error);
    expect(s.stderr()).toBe(`${inspect(thrown)}\n`);
    expect(firstErrorLine(s)).toBe('Error: Response body is longer than its Content-Length (5 bytes)');
  });

  it('cuts a body shorter than its Content-Length and says so', async () => {
    const s = await start((_e, sr) => (sr('200 OK', [['Content-Length', '20']]), [bytes('short'), bytes('!')]));
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(norm((await client.rest()).toString('latin1'))).toBe(reply('200 OK', ['Content-Length: 20'], 'short!'));
    await settled(s);
    expect(firstErrorLine(s)).toBe('Error: Response body is shorter than its Content-Length (6 of 20 bytes)');
    expect(s.log()).toBe('');
  });

  it('cuts an empty body that declared a Content-Length (no client is left waiting for the bytes)', async () => {
    const s = await start((_e, sr) => (sr('200 OK', [['Content-Length', '20']]), []));
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(norm((await client.rest(1500)).toString('latin1'))).toBe(reply('200 OK', ['Content-Length: 20']));
    await settled(s);
    expect(firstErrorLine(s)).toBe('Error: Response body is shorter than its Content-Length (0 of 20 bytes)');
  });

  it("keeps a 304's Content-Length without a body (it describes the resource)", async () => {
    const s = await start((_e, sr) => (sr('304 Not Modified', [['Content-Length', '1234']]), []));
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply('304 Not Modified', ['Content-Length: 1234']));
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply('304 Not Modified', ['Content-Length: 1234']));
    await settled(s);
    expect(s.stderr()).toBe('');
    expect(s.log()).toBe(access('"GET / HTTP/1.1" 304 0').repeat(2));
  });

  it('logs an error from close() after a complete response and leaves the response and the connection alone', async () => {
    const failure = new Error('close failed');
    const s = await start((_e, sr) => {
      sr('200 OK', []);
      return Object.assign([bytes('done')], {
        close() {
          throw failure;
        },
      });
    });
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Length: 4'], 'done'));
    await settled(s);
    expect(s.log()).toBe(access('"GET / HTTP/1.1" 200 4'));
    expect(s.stderr()).toBe(`${inspect(failure)}\n`);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Length: 4'], 'done'));
  });

  it('reports both errors when close() fails while closing a failed body', async () => {
    const late = new Error('iteration failed');
    const failure = new Error('close failed');
    const s = await start((_e, sr) => {
      sr('200 OK', []);
      return {
        *[Symbol.iterator]() {
          yield EMPTY;
          throw late;
        },
        close() {
          throw failure;
        },
      };
    });
    expect(await get10(s)).toBe(error500('Connection: close'));
    await settled(s);
    expect(s.stderr()).toBe(`${inspect(failure)}\n${inspect(late)}\n`);
    expect(s.log()).toBe(access('"GET / HTTP/1.0" 500 59'));
  });
});

// ---------------------------------------------------------------------------------------------

describe('close()', () => {
  type Path = 'success' | 'error before headers' | 'error after headers' | 'HEAD' | 'client gone';
  const paths: Path[] = ['success', 'error before headers', 'error after headers', 'HEAD', 'client gone'];

  it.each(paths)('is called exactly once: %s', async (path) => {
    let closed = 0;
    let finallyRan = 0;
    let produced = 0;
    const body = {
      async *[Symbol.asyncIterator]() {
        try {
          yield EMPTY;
          if (path === 'error before headers') throw new Error('before');
          for (;;) {
            produced++;
            yield bytes(`chunk ${produced}\n`);
            if (path === 'error after headers') throw new Error('after');
            if (path !== 'client gone' && produced === 3) return;
            await sleep(10);
          }
        } finally {
          finallyRan++;
        }
      },
      close() {
        closed++;
      },
    };
    const s = await start((_e, sr) => (sr('200 OK', TEXT_PLAIN), body));
    const client = await Client.connect(s);
    client.send(`${path === 'HEAD' ? 'HEAD' : 'GET'} / HTTP/1.1\r\n\r\n`);
    if (path === 'client gone') {
      await client.take(20);
      client.socket.destroy();
    } else {
      await client.message(path === 'HEAD' ? 'HEAD' : 'GET').catch(() => null);
    }
    await waitFor(() => closed > 0);
    await settled(s);
    await sleep(30);
    expect(closed).toBe(1);
    expect(finallyRan).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('a client that disconnects mid-response', () => {
  it('stops an async generator, runs its finally, and logs a broken pipe instead of an access line', async () => {
    let produced = 0;
    let finallyRan = 0;
    const s = await start((_e, sr) => {
      sr('200 OK', TEXT_PLAIN);
      return (async function* () {
        try {
          for (;;) {
            produced++;
            yield bytes(`tick ${produced}\n`);
            await sleep(15);
          }
        } finally {
          finallyRan++;
        }
      })();
    });
    const client = await Client.connect(s);
    const port = client.socket.localPort;
    client.send('GET /stream HTTP/1.1\r\n\r\n');
    await client.take(60);
    client.socket.destroy();
    await waitFor(() => finallyRan === 1);
    await settled(s);
    const stopped = produced;
    await sleep(60);
    expect(produced).toBe(stopped);
    expect(s.log()).toBe(`[22/Nov/2026 04:35:45,405] - Broken pipe from ('127.0.0.1', ${port})\n`);
    expect(s.stderr()).toBe('');
  });

  it('stops a sync generator of large chunks waiting on backpressure, and runs its finally', async () => {
    let produced = 0;
    let finallyRan = 0;
    const s = await start((_e, sr) => {
      sr('200 OK', []);
      return (function* () {
        try {
          for (;;) {
            produced++;
            yield Buffer.alloc(1024 * 1024, 0x62);
          }
        } finally {
          finallyRan++;
        }
      })();
    });
    const client = await Client.connect(s);
    const port = client.socket.localPort;
    client.send('GET / HTTP/1.0\r\n\r\n');
    await client.take(1000);
    client.socket.destroy();
    await waitFor(() => finallyRan === 1);
    await settled(s);
    expect(produced).toBeLessThan(64);
    expect(s.log()).toBe(`[22/Nov/2026 04:35:45,405] - Broken pipe from ('127.0.0.1', ${port})\n`);
  });

  it('logs a broken pipe (not an access line) when the client leaves during a one-element body', async () => {
    let closed = 0;
    const big = Buffer.alloc(16 * 1024 * 1024 + 1);
    const s = await start((_e, sr) => (sr('200 OK', []), Object.assign([big], { close: () => void closed++ })));
    const client = await Client.connect(s);
    const port = client.socket.localPort;
    client.send('GET / HTTP/1.1\r\n\r\n');
    await client.take(100);
    client.socket.destroy();
    await waitFor(() => closed === 1);
    await settled(s);
    expect(s.log()).toBe(`[22/Nov/2026 04:35:45,405] - Broken pipe from ('127.0.0.1', ${port})\n`);
    expect(s.stderr()).toBe('');
  });

  it('makes write() throw once the client is gone, so a writing app stops', async () => {
    let writes = 0;
    let stoppedBy: unknown = null;
    const s = await start(async (_e, sr) => {
      const write = sr('200 OK', []);
      try {
        for (;;) {
          await write(bytes(`line ${writes++}\n`));
          await sleep(10);
        }
      } catch (err) {
        stoppedBy = err;
        throw err;
      }
    });
    const client = await Client.connect(s);
    const port = client.socket.localPort;
    client.send('GET / HTTP/1.1\r\n\r\n');
    await client.take(40);
    client.socket.destroy();
    await waitFor(() => stoppedBy !== null);
    await settled(s);
    const total = writes;
    await sleep(40);
    expect(writes).toBe(total);
    expect(s.log()).toBe(`[22/Nov/2026 04:35:45,405] - Broken pipe from ('127.0.0.1', ${port})\n`);
    expect(s.stderr()).toBe('');
  });

  it("logs an IPv6 peer as Python's four-part address", async () => {
    let finallyRan = 0;
    const s = await start(
      (_e, sr) => {
        sr('200 OK', []);
        return (async function* () {
          try {
            for (;;) {
              yield bytes('x'.repeat(100));
              await sleep(10);
            }
          } finally {
            finallyRan++;
          }
        })();
      },
      { host: '::1' },
    );
    const client = await Client.connect(s);
    const port = client.socket.localPort;
    client.send('GET / HTTP/1.1\r\n\r\n');
    await client.take(150);
    client.socket.destroy();
    await waitFor(() => finallyRan === 1);
    await settled(s);
    expect(s.log()).toBe(`[22/Nov/2026 04:35:45,405] - Broken pipe from ('::1', ${port}, 0, 0)\n`);
  });
});

// ---------------------------------------------------------------------------------------------

describe('HEAD', () => {
  it('iterates the body without sending it, drops the computed Content-Length, logs size 0 and keeps the connection', async () => {
    let produced = 0;
    const body = new Closable(
      (function* () {
        produced++;
        yield bytes('hel');
        yield bytes('lo');
      })(),
    );
    const s = await start((environ, sr) => {
      sr('200 OK', TEXT_PLAIN);
      return environ.REQUEST_METHOD === 'HEAD' ? body : [bytes('hello')];
    });
    const client = await Client.connect(s);
    client.send('HEAD / HTTP/1.1\r\n\r\n');
    expect(await client.response('HEAD')).toBe(reply('200 OK', ['Content-Type: text/plain']));
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 5'], 'hello'));
    await settled(s);
    expect(produced).toBe(1);
    expect(body.closed).toBe(1);
    expect(s.log()).toBe(access('"HEAD / HTTP/1.1" 200 0') + access('"GET / HTTP/1.1" 200 5'));
  });

  it("drops the computed Content-Length of a one-element array and keeps the app's own (Django 5.1+)", async () => {
    const s = await start((environ, sr) => {
      sr('200 OK', environ.PATH_INFO === '/own' ? [['Content-Length', '5']] : []);
      return [bytes('hello')];
    });
    const client = await Client.connect(s);
    client.send('HEAD /computed HTTP/1.1\r\n\r\nHEAD /own HTTP/1.1\r\n\r\n');
    expect(await client.response('HEAD')).toBe(reply('200 OK', []));
    expect(await client.response('HEAD')).toBe(reply('200 OK', ['Content-Length: 5']));
    await settled(s);
    expect(s.log()).toBe(access('"HEAD /computed HTTP/1.1" 200 0') + access('"HEAD /own HTTP/1.1" 200 0'));
  });

  it('sends nothing written with write() and adds no Content-Length: 0 to an empty body', async () => {
    const s = await start(async (environ, sr) => {
      const write = sr('200 OK', TEXT_PLAIN);
      if (environ.PATH_INFO === '/write') await write(bytes('written'));
      return [];
    });
    const client = await Client.connect(s);
    client.send('HEAD /write HTTP/1.1\r\n\r\n');
    expect(await client.response('HEAD')).toBe(reply('200 OK', ['Content-Type: text/plain']));
    client.send('HEAD /empty HTTP/1.1\r\n\r\n');
    expect(await client.response('HEAD')).toBe(reply('200 OK', ['Content-Type: text/plain']));
    client.send('GET /end HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 0']));
    await settled(s);
    expect(s.log()).toBe(
      access('"HEAD /write HTTP/1.1" 200 0') + access('"HEAD /empty HTTP/1.1" 200 0') + access('"GET /end HTTP/1.1" 200 0'),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('write()', () => {
  it('H-2: write() and an empty body: no Content-Length', async () => {
    const s = await start(async (_e, sr) => {
      await sr('200 OK', [])(bytes('http'));
      return [];
    });
    expect(await get10(s)).toBe(reply('200 OK', ['Connection: close'], 'http'));
    await settled(s);
    expect(s.log()).toBe(access('"GET / HTTP/1.0" 200 4'));
  });

  it('mixes write() and a one-element body over HTTP/1.1: chunked, no computed Content-Length', async () => {
    const s = await start(async (_e, sr) => {
      const write = sr('200 OK', TEXT_PLAIN);
      await write(bytes('via write; '));
      return [bytes('then iterable')];
    });
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(
      reply('200 OK', ['Content-Type: text/plain', 'Transfer-Encoding: chunked'], 'b\r\nvia write; \r\nd\r\nthen iterable\r\n0\r\n\r\n'),
    );
    await settled(s);
    expect(s.log()).toBe(access('"GET / HTTP/1.1" 200 24'));
  });

  it('refuses something that is not a Uint8Array with the 500', async () => {
    const s = await start((_e, sr) => {
      void sr('200 OK', [])('text' as unknown as Uint8Array);
      return [];
    });
    expect(await get10(s)).toBe(error500('Connection: close'));
    await settled(s);
    expect(firstErrorLine(s)).toBe("TypeError: write() argument must be a Uint8Array (got 'text')");
  });
});

// ---------------------------------------------------------------------------------------------

describe('bodies', () => {
  const hello = (): Uint8Array[] => [new TextEncoder().encode('Hello, '), new Uint8Array(bytes('world!'))];
  const cases: Array<[string, (sr: Parameters<Application>[1]) => Body | Promise<Body>]> = [
    ['an array of plain Uint8Arrays', (sr) => (sr('200 OK', []), hello())],
    ['a sync generator', (sr) => (sr('200 OK', []), (function* () { yield* hello(); })())],
    ['an async generator', (sr) => (sr('200 OK', []), (async function* () { for (const c of hello()) { await sleep(1); yield c; } })())],
    ['a Promise of a body (async app)', async (sr) => { await sleep(5); sr('200 OK', []); return hello(); }],
    ['a body that calls startResponse in its first iteration', (sr) => (function* () { sr('200 OK', []); yield* hello(); })()],
    ['a Set of chunks (any iterable)', (sr) => (sr('200 OK', []), new Set(hello()))],
    ['subarray views into a larger buffer', (sr) => {
      sr('200 OK', []);
      const all = bytes('xxHello, world!yy');
      return [all.subarray(2, 9), new Uint8Array(all.buffer, all.byteOffset + 9, 6)];
    }],
  ];

  it.each(cases)('serves %s', async (_title, make) => {
    const s = await start((_e, sr) => make(sr));
    expect(await get10(s)).toBe(reply('200 OK', ['Connection: close'], 'Hello, world!'));
    await settled(s);
    expect(s.log()).toBe(access('"GET / HTTP/1.0" 200 13'));
    expect(s.stderr()).toBe('');
  });

  it('serves a FileWrapper body from gwi.file_wrapper block by block and closes the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gwi-handler-'));
    try {
      const path = join(dir, 'data.bin');
      const content = Buffer.from(Array.from({ length: 20_000 }, (_, i) => i % 251));
      await writeFile(path, content);
      let fileClosed = 0;
      const reads: number[] = [];
      const s = await start(async (environ: Environ, sr) => {
        const handle = await open(path, 'r');
        const inner = fileLikeFromHandle(handle);
        const filelike: FileLike = {
          read: (size) => (reads.push(size), inner.read(size)),
          close: async () => {
            fileClosed++;
            await inner.close?.();
          },
        };
        sr('200 OK', [['Content-Type', 'application/octet-stream'], ['Content-Length', String(content.length)]]);
        const wrap = environ['gwi.file_wrapper'];
        if (!wrap) throw new Error('no gwi.file_wrapper');
        return wrap(filelike, 8192);
      });
      const client = await Client.connect(s);
      client.send('GET /file HTTP/1.1\r\n\r\n');
      const { head, body } = await client.message();
      expect(norm(head)).toBe(reply('200 OK', ['Content-Type: application/octet-stream', 'Content-Length: 20000']));
      expect(body.equals(content)).toBe(true);
      await settled(s);
      expect(fileClosed).toBe(1);
      expect(reads).toEqual([8192, 8192, 8192, 8192]);
      expect(s.log()).toBe(access('"GET /file HTTP/1.1" 200 20000'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('backpressure', () => {
  it('INT-10: delivers a 16 MiB + 1 one-element body completely to a client that pauses after 100 bytes', async () => {
    const size = 16 * 1024 * 1024 + 1;
    const big = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) big[i] = (i / 4096) % 256;
    const s = await start((_e, sr) => (sr('200 OK', []), [big]));
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.0\r\n\r\n');
    const first = await client.take(100);
    client.socket.pause();
    await sleep(200);
    client.socket.resume();
    const all = Buffer.concat([first, await client.rest(15_000)]);
    const end = all.indexOf('\r\n\r\n') + 4;
    expect(norm(all.subarray(0, end).toString('latin1'))).toBe(reply('200 OK', [`Content-Length: ${size}`, 'Connection: close']));
    expect(all.length - end).toBe(size);
    expect(all.subarray(end).equals(big)).toBe(true);
    await settled(s);
    expect(s.log()).toBe(access(`"GET / HTTP/1.0" 200 ${size}`));
  });

  it('delivers a generator of 64 KiB chunks up to 32 MiB exactly, chunked over HTTP/1.1', async () => {
    const block = 64 * 1024;
    const count = 512;
    let produced = 0;
    const s = await start((_e, sr) => {
      sr('200 OK', [['Content-Type', 'application/octet-stream']]);
      return (function* () {
        for (let i = 0; i < count; i++) {
          produced++;
          yield Buffer.alloc(block, i % 256);
        }
      })();
    });
    const client = await Client.connect(s);
    client.socket.pause();
    client.send('GET /big HTTP/1.1\r\n\r\n');
    await sleep(100);
    // The server waits for the socket to drain instead of buffering the whole body.
    expect(produced).toBeLessThan(count);
    client.socket.resume();
    const { head, body } = await client.message('GET', 15_000);
    expect(norm(head)).toBe(reply('200 OK', ['Content-Type: application/octet-stream', 'Transfer-Encoding: chunked']));
    expect(body.length).toBe(block * count);
    for (let i = 0; i < count; i++) {
      const piece = body.subarray(i * block, (i + 1) * block);
      if (piece[0] !== i % 256 || piece[block - 1] !== i % 256 || piece.indexOf(((i + 1) % 256)) !== -1) {
        throw new Error(`block ${i} is wrong`);
      }
    }
    await settled(s);
    expect(s.log()).toBe(access(`"GET /big HTTP/1.1" 200 ${block * count}`));
  });
});

// ---------------------------------------------------------------------------------------------

describe('Expect: 100-continue', () => {
  const echo: Application = async (environ, sr) => {
    const data = await environ['gwi.input'].read();
    sr('200 OK', [['Content-Type', 'text/plain']]);
    return [Buffer.concat([bytes('got '), data])];
  };

  it('sends HTTP/1.1 100 Continue only when the app first reads gwi.input', async () => {
    let reading = false;
    const s = await start(async (environ, sr) => {
      await sleep(60);
      reading = true;
      return echo(environ, sr);
    });
    const client = await Client.connect(s);
    client.send('POST /echo HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    await sleep(30);
    expect(reading).toBe(false);
    expect(client.buffered).toBe(0);
    expect((await client.take(25)).toString('latin1')).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    expect(reading).toBe(true);
    client.send('hello');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 9'], 'got hello'));
  });

  it('sends exactly one 100 Continue and then the answer, with the connection kept', async () => {
    const s = await start((environ, sr) => echo(environ, sr));
    const client = await Client.connect(s);
    client.send('POST /echo HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    expect((await client.take(25)).toString('latin1')).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    client.send('hello');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 9'], 'got hello'));
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 4'], 'got '));
    await settled(s);
    expect(s.log()).toBe(access('"POST /echo HTTP/1.1" 200 9') + access('"GET / HTTP/1.1" 200 4'));
  });

  it('sends no 100 to an app that answers without reading, and says Connection: close', async () => {
    const s = await start((_e, sr) => (sr('413 Request Entity Too Large', TEXT_PLAIN), [bytes('no')]));
    const client = await Client.connect(s);
    client.send('POST /up HTTP/1.1\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n');
    expect(await client.response()).toBe(
      reply('413 Request Entity Too Large', ['Content-Type: text/plain', 'Content-Length: 2', 'Connection: close'], 'no'),
    );
    await client.expectClosed();
    await settled(s);
    expect(s.log()).toBe(access('"POST /up HTTP/1.1" 413 2'));
  });

  it('sends no 100 to an HTTP/1.0 client', async () => {
    const s = await start((environ, sr) => echo(environ, sr));
    const out = await rawRequest(s, 'POST / HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi');
    expect(norm(out.toString('latin1'))).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 6', 'Connection: close'], 'got hi'));
  });
});

// ---------------------------------------------------------------------------------------------

describe('keep-alive', () => {
  const pathApp: Application = (environ, sr) => (sr('200 OK', TEXT_PLAIN), [bytes(environ.PATH_INFO)]);

  it('answers two requests one after the other on one HTTP/1.1 connection', async () => {
    let calls = 0;
    const s = await start((environ, sr) => (calls++, pathApp(environ, sr)));
    const client = await Client.connect(s);
    client.send('GET /first HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 6'], '/first'));
    client.send('GET /second HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 7'], '/second'));
    expect(calls).toBe(2);
    await settled(s);
    expect(s.log()).toBe(access('"GET /first HTTP/1.1" 200 6') + access('"GET /second HTTP/1.1" 200 7'));
  });

  it('answers pipelined requests in order, the slow first one before the fast second one', async () => {
    const s = await start(async (environ, sr) => {
      if (environ.PATH_INFO === '/slow') await sleep(50);
      return pathApp(environ, sr);
    });
    const client = await Client.connect(s);
    client.send('GET /slow HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(norm((await client.rest()).toString('latin1'))).toBe(
      reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 5'], '/slow') +
        reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 5'], '/fast'),
    );
  });

  it('keeps the connection after a request body the app never read', async () => {
    const s = await start(pathApp);
    const client = await Client.connect(s);
    client.send('POST /ignored HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789GET /next HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 8'], '/ignored'));
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 5'], '/next'));
  });

  it('keeps the connection after a body read to its end, chunked request bodies included', async () => {
    const s = await start(async (environ, sr) => {
      const data = await environ['gwi.input'].read();
      sr('200 OK', []);
      return [data];
    });
    const client = await Client.connect(s);
    client.send('POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Length: 3'], 'abc'));
    client.send('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Length: 3'], 'def'));
  });

  it('says Connection: close after a half-read request body', async () => {
    const s = await start(async (environ, sr) => {
      const part = await environ['gwi.input'].read(5);
      sr('200 OK', []);
      return [part];
    });
    const client = await Client.connect(s);
    client.send('POST / HTTP/1.1\r\nContent-Length: 20\r\n\r\n0123456789');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Length: 5', 'Connection: close'], '01234'));
    await client.expectClosed();
  });

  it('closes the connection after the response when the body was half read after the headers went out', async () => {
    const s = await start(async (environ, sr) => {
      const write = sr('200 OK', []);
      await write(bytes('started '));
      const part = await environ['gwi.input'].read(5);
      return [part];
    });
    const client = await Client.connect(s);
    client.send('POST / HTTP/1.1\r\nContent-Length: 20\r\n\r\n0123456789');
    expect(await client.response()).toBe(
      reply('200 OK', ['Transfer-Encoding: chunked'], '8\r\nstarted \r\n5\r\n01234\r\n0\r\n\r\n'),
    );
    await client.expectClosed(1500);
    await settled(s);
    expect(s.log()).toBe(access('"POST / HTTP/1.1" 200 13'));
  });

  it('serves keep-alive on ::1 too', async () => {
    const s = await start(pathApp, { host: '::1' });
    const client = await Client.connect(s);
    client.send('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 2'], '/a'));
    expect(await client.response()).toBe(reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 2'], '/b'));
    await settled(s);
    expect(s.log()).toBe(access('"GET /a HTTP/1.1" 200 2') + access('"GET /b HTTP/1.1" 200 2'));
  });
});

// ---------------------------------------------------------------------------------------------

describe('threading', () => {
  const flagApp: Application = (environ, sr) => {
    sr('200 OK', TEXT_PLAIN);
    return [bytes(String(environ['gwi.multithread']))];
  };

  it('threading: false says Connection: close on every response, closes, and sets gwi.multithread false', async () => {
    const s = await start(flagApp, { threading: false });
    for (const path of ['/1', '/2']) {
      const client = await Client.connect(s);
      client.send(`GET ${path} HTTP/1.1\r\n\r\n`);
      expect(await client.response()).toBe(
        reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 5', 'Connection: close'], 'false'),
      );
      await client.expectClosed();
    }
    await settled(s);
    expect(s.log()).toBe(access('"GET /1 HTTP/1.1" 200 5') + access('"GET /2 HTTP/1.1" 200 5'));
  });

  it('threading: true (the default) keeps the connection and sets gwi.multithread true', async () => {
    const s = await start(flagApp);
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n');
    const answer = reply('200 OK', ['Content-Type: text/plain', 'Content-Length: 4'], 'true');
    expect(await client.response()).toBe(answer);
    expect(await client.response()).toBe(answer);
  });

  it('threading: false says Connection: close on a chunked body too', async () => {
    const s = await start(
      (_e, sr) => {
        sr('200 OK', []);
        return (function* () {
          yield bytes('a');
          yield bytes('b');
        })();
      },
      { threading: false },
    );
    const client = await Client.connect(s);
    client.send('GET / HTTP/1.1\r\n\r\n');
    expect(await client.response()).toBe(
      reply('200 OK', ['Connection: close', 'Transfer-Encoding: chunked'], '1\r\na\r\n1\r\nb\r\n0\r\n\r\n'),
    );
    await client.expectClosed();
    await settled(s);
    expect(s.log()).toBe(access('"GET / HTTP/1.1" 200 2'));
  });
});
