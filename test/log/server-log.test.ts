// The request log's exact bytes (Django's django.server lines), escaping, and its one-write-per-turn batching.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServerLog } from '../../src/log/server-log.js';
import { makeStyle, PALETTES, type Style } from '../../src/log/termcolors.js';
import { BOLD, CYAN, GREEN, MAGENTA, RED, RESET, span, YELLOW, type Code } from '../helpers/sgr.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Local-time constructor, so the expected text does not depend on the machine's time zone.
const NOW = new Date(2026, 10, 22, 4, 35, 45, 405);
const STAMP = '[22/Nov/2026 04:35:45]';

class FakeStream {
  readonly writes: string[] = [];
  constructor(readonly isTTY?: boolean) {}
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return true;
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Logs through `run`, flushes, and returns everything the stream received. */
function output(style: Style, run: (log: ServerLog) => void, now = () => NOW): string {
  const stream = new FakeStream();
  const log = new ServerLog({ stream, style, now });
  run(log);
  log.flush();
  return stream.writes.join('');
}

const dark = makeStyle(PALETTES.dark);
const light = makeStyle(PALETTES.light);
const plain = makeStyle(null);

describe('logRequest', () => {
  const codes: [code: number, dark: Code[]][] = [
    [101, [BOLD]],
    [200, [RESET]],
    [204, [RESET]],
    [302, [GREEN]],
    [304, [CYAN]],
    [400, [RED, BOLD]],
    [404, [YELLOW]],
    [500, [MAGENTA, BOLD]],
    [505, [MAGENTA, BOLD]],
    [600, [MAGENTA, BOLD]],
  ];

  it.each(codes)('colours %i in the dark palette, leaving the timestamp outside', (code, sgr) => {
    expect(output(dark, (log) => log.logRequest('GET /x HTTP/1.1', code, 123)))
      .toBe(`${STAMP} ${span(`"GET /x HTTP/1.1" ${code} 123`, ...sgr)}\n`);
  });

  it.each(codes)('writes %i plain without a palette', (code) => {
    expect(output(plain, (log) => log.logRequest('GET /x HTTP/1.1', code, 123)))
      .toBe(`${STAMP} "GET /x HTTP/1.1" ${code} 123\n`);
  });

  it.each([
    [302, [GREEN, BOLD]],
    [304, [GREEN]],
    [404, [RED]],
  ])('colours %i with the light palette', (code, sgr) => {
    expect(output(light, (log) => log.logRequest('GET / HTTP/1.1', code, 0)))
      .toBe(`${STAMP} ${span(`"GET / HTTP/1.1" ${code} 0`, ...sgr)}\n`);
  });

  it('accepts a string code and a "-" size, as send_error logs them', () => {
    expect(output(dark, (log) => log.logRequest('', '414', '-'))).toBe(`${STAMP} ${span('"" 414 -', RED, BOLD)}\n`);
  });

  it.each([['-'], ['20'], ['2000'], [0], ['000'], ['abc']])('leaves code %j uncoloured', (code) => {
    expect(output(dark, (log) => log.logRequest('GET / HTTP/1.1', code, '-')))
      .toBe(`${STAMP} "GET / HTTP/1.1" ${code} -\n`);
  });

  it('pads the date and the time fields and uses English month names', () => {
    const early = () => new Date(2027, 0, 5, 7, 8, 9);
    expect(output(plain, (log) => log.logRequest('GET / HTTP/1.1', 200, 2), early))
      .toBe('[05/Jan/2027 07:08:09] "GET / HTTP/1.1" 200 2\n');
  });

  it('reads the clock for every line', () => {
    let tick = 0;
    const now = () => new Date(2026, 10, 22, 4, 35, 45 + tick++);
    const text = output(plain, (log) => {
      log.logRequest('GET /a HTTP/1.1', 200, 1);
      log.logRequest('GET /b HTTP/1.1', 200, 1);
    }, now);
    expect(text).toBe(
      '[22/Nov/2026 04:35:45] "GET /a HTTP/1.1" 200 1\n[22/Nov/2026 04:35:46] "GET /b HTTP/1.1" 200 1\n',
    );
  });
});

describe('logAccess', () => {
  const parsed = (method: string, url: string, httpVersion: string) => ({ method, url, httpVersion });

  it.each([
    ['1.1', 'GET /x?a=1 HTTP/1.1'],
    ['1.0', 'GET /x?a=1 HTTP/1.0'],
    ['0.9', 'GET /x?a=1'],
  ])('writes the request line of an HTTP/%s request as the client sent it', (version, line) => {
    expect(output(plain, (log) => log.logAccess(parsed('GET', '/x?a=1', version), 200, 5)))
      .toBe(`${STAMP} "${line}" 200 5\n`);
  });

  it('colours by status as logRequest does', () => {
    expect(output(dark, (log) => log.logAccess(parsed('POST', '/form', '1.1'), 404, 179)))
      .toBe(`${STAMP} ${span('"POST /form HTTP/1.1" 404 179', YELLOW)}\n`);
  });

  it('escapes control characters in the target', () => {
    expect(output(plain, (log) => log.logAccess(parsed('GET', '/\x1b[31mred\x85', '1.1'), 200, 0)))
      .toBe(`${STAMP} "GET /\\x1b[31mred\\x85 HTTP/1.1" 200 0\n`);
  });
});

describe('the HTTPS hint', () => {
  const hello = '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03';
  const hint = "You're accessing the development server over HTTPS, but it only supports HTTP.";

  it('replaces the access line of a 4xx TLS handshake, coloured as a 500', () => {
    expect(output(dark, (log) => log.logRequest(hello, 400, '-'))).toBe(`${STAMP} ${span(hint, MAGENTA, BOLD)}\n`);
    expect(output(plain, (log) => log.logRequest(hello, '400', '-'))).toBe(`${STAMP} ${hint}\n`);
  });

  it('follows the protocol-error line, which is still logged', () => {
    const text = output(dark, (log) => {
      log.logProtocolError(400, 'Bad request syntax (\'\\x16\\x03\\x01\')');
      log.logRequest(hello, 400, '-');
    });
    expect(text).toBe(
      `${STAMP} code 400, message Bad request syntax ('\\x16\\x03\\x01')\n${STAMP} ${span(hint, MAGENTA, BOLD)}\n`,
    );
  });

  it('does not apply to other statuses', () => {
    expect(output(plain, (log) => log.logRequest('\x16\x03x', 500, '-')))
      .toBe(`${STAMP} "\\x16\\x03x" 500 -\n`);
  });
});

describe('the HTTP hint (plain HTTP sent to runserver --https)', () => {
  it("mirrors Django's HTTPS hint, coloured as a 500", () => {
    const hint = "You're accessing the development server over HTTP, but it only supports HTTPS.";
    expect(output(dark, (log) => log.logPlainHttp())).toBe(`${STAMP} ${span(hint, MAGENTA, BOLD)}\n`);
    expect(output(plain, (log) => log.logPlainHttp())).toBe(`${STAMP} ${hint}\n`);
  });
});

describe('logProtocolError', () => {
  it('is never coloured', () => {
    expect(output(dark, (log) => log.logProtocolError(400, "Bad request syntax ('GARBAGE')")))
      .toBe(`${STAMP} code 400, message Bad request syntax ('GARBAGE')\n`);
    expect(output(dark, (log) => log.logProtocolError(505, 'Invalid HTTP version (2.0)')))
      .toBe(`${STAMP} code 505, message Invalid HTTP version (2.0)\n`);
  });
});

describe('logBrokenPipe', () => {
  it('writes the IPv4 address tuple with a millisecond timestamp, uncoloured', () => {
    expect(output(dark, (log) => log.logBrokenPipe('127.0.0.1', 43858, 'IPv4')))
      .toBe("[22/Nov/2026 04:35:45,405] - Broken pipe from ('127.0.0.1', 43858)\n");
  });

  it('writes the four-field IPv6 address tuple', () => {
    expect(output(plain, (log) => log.logBrokenPipe('::1', 43858, 'IPv6')))
      .toBe("[22/Nov/2026 04:35:45,405] - Broken pipe from ('::1', 43858, 0, 0)\n");
  });

  it('pads the milliseconds', () => {
    const now = () => new Date(2026, 10, 22, 4, 44, 21, 7);
    expect(output(plain, (log) => log.logBrokenPipe('10.0.0.2', 1, 'IPv4'), now))
      .toBe("[22/Nov/2026 04:44:21,007] - Broken pipe from ('10.0.0.2', 1)\n");
  });
});

describe('control characters', () => {
  it('are escaped in the request line as http.server does, inside our own colour codes', () => {
    expect(output(dark, (log) => log.logRequest('GET /\x1b[31mred\x00 HTTP/1.1', 404, 3)))
      .toBe(`${STAMP} ${span('"GET /\\x1b[31mred\\x00 HTTP/1.1" 404 3', YELLOW)}\n`);
  });

  it('cover 0x00-0x1f, 0x7f-0x9f and the backslash; 0xa0 and above pass through', () => {
    const line = 'GET /\t\r\n\x1f\x7f\x80\x9f\xa0\xe9\\ HTTP/1.1';
    expect(output(plain, (log) => log.logRequest(line, 200, 0)))
      .toBe(`${STAMP} "GET /\\x09\\x0d\\x0a\\x1f\\x7f\\x80\\x9f\xa0\xe9\\ HTTP/1.1" 200 0\n`);
  });

  it('are escaped in protocol-error messages', () => {
    expect(output(plain, (log) => log.logProtocolError(400, 'bad \x1b]0;title\x07')))
      .toBe(`${STAMP} code 400, message bad \\x1b]0;title\\x07\n`);
  });
});

describe('batching', () => {
  it('writes the lines of one turn with a single write, before the next setImmediate', async () => {
    const stream = new FakeStream();
    const log = new ServerLog({ stream, style: plain, now: () => NOW });
    log.logRequest('GET /a HTTP/1.1', 200, 1);
    log.logProtocolError(400, 'x');
    log.logBrokenPipe('127.0.0.1', 2, 'IPv4');
    expect(stream.writes).toEqual([]);
    const seenNextImmediate = await new Promise<string[]>((resolve) => setImmediate(() => resolve([...stream.writes])));
    expect(seenNextImmediate).toEqual([
      `${STAMP} "GET /a HTTP/1.1" 200 1\n${STAMP} code 400, message x\n` +
        "[22/Nov/2026 04:35:45,405] - Broken pipe from ('127.0.0.1', 2)\n",
    ]);

    log.flush();
  });

  it('gathers the lines of the 5 ms after a write into one write, then writes at the end of the turn again', () => {
    // Fake timers: the policy is about milliseconds, which a loaded machine would not keep.
    vi.useFakeTimers({ toFake: ['setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout'] });
    try {
      const stream = new FakeStream();
      const log = new ServerLog({ stream, style: plain, now: () => NOW });
      const line = (path: string) => `${STAMP} "GET ${path} HTTP/1.1" 200 1\n`;
      log.logRequest('GET /a HTTP/1.1', 200, 1);
      vi.advanceTimersByTime(0);
      expect(stream.writes).toEqual([line('/a')]);
      // A busy server: what comes in the 5 ms after a write waits for one write at their end.
      log.logRequest('GET /b HTTP/1.1', 200, 1);
      vi.advanceTimersByTime(4);
      log.logRequest('GET /c HTTP/1.1', 200, 1);
      expect(stream.writes).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(stream.writes).toEqual([line('/a'), line('/b') + line('/c')]);
      // 5 ms without a line: quiet again, and the next line goes out at the end of its own turn.
      vi.advanceTimersByTime(5);
      log.logRequest('GET /d HTTP/1.1', 200, 1);
      vi.advanceTimersByTime(0);
      expect(stream.writes).toEqual([line('/a'), line('/b') + line('/c'), line('/d')]);
      log.flush();
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes at once on flush(), and not again at the end of the turn', async () => {
    const stream = new FakeStream();
    const log = new ServerLog({ stream, style: plain, now: () => NOW });
    log.logRequest('GET / HTTP/1.1', 200, 1);
    log.flush();
    expect(stream.writes).toEqual([`${STAMP} "GET / HTTP/1.1" 200 1\n`]);
    log.flush();
    await nextTurn();
    expect(stream.writes).toHaveLength(1);
  });

  it('adds no exit listener per instance', () => {
    const before = process.listenerCount('exit');
    for (let i = 0; i < 5; i++) {
      const log = new ServerLog({ stream: new FakeStream(), style: plain });
      log.logRequest('GET / HTTP/1.1', 200, 1);
      log.flush();
    }
    expect(process.listenerCount('exit')).toBe(before);
  });

  it('writes pending lines when the process exits before the flush', () => {
    const script = [
      "import { ServerLog } from './src/log/server-log.ts';",
      "import { makeStyle } from './src/log/termcolors.ts';",
      'const a = new ServerLog({ style: makeStyle(null) });',
      'const b = new ServerLog({ style: makeStyle(null) });',
      "a.logRequest('GET /a HTTP/1.1', 200, 1);",
      "b.logProtocolError(400, 'late');",
      'process.exit(3);',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(child.status).toBe(3);
    expect(child.stderr).toMatch(/^\[\d\d\/\w{3}\/\d{4} \d\d:\d\d:\d\d\] "GET \/a HTTP\/1\.1" 200 1\n\[[^\]]+\] code 400, message late\n$/);
  });
});

describe('the default style', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function defaultOutput(isTTY: boolean): string {
    vi.stubEnv('NO_COLOR', undefined);
    vi.stubEnv('FORCE_COLOR', undefined);
    vi.stubEnv('GWI_COLORS', undefined);
    const stream = new FakeStream(isTTY);
    const log = new ServerLog({ stream, now: () => NOW });
    log.logRequest('GET /nope HTTP/1.1', 404, 3);
    log.flush();
    return stream.writes.join('');
  }

  it('colours a TTY stream with the dark palette', () => {
    expect(defaultOutput(true)).toBe(`${STAMP} ${span('"GET /nope HTTP/1.1" 404 3', YELLOW)}\n`);
  });

  it('is plain on a stream that is not a TTY', () => {
    expect(defaultOutput(false)).toBe(`${STAMP} "GET /nope HTTP/1.1" 404 3\n`);
  });
});
