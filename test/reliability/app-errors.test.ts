// Applications that break the GWI contract, each proved whole on a real socket: wsgiref's 500 while the
// headers are still held, a cut connection once they went out, the error on the server's stderr, the
// exact access line (or none), close() exactly once, and then expectRecovered() (wsgi-stack §1.5, §3.7,
// django-runserver §2.1).
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { Application, Body, HeaderList } from '../../src/gateway/types.js';
import { SERVER } from '../helpers/expected.js';
import { normalizeDate, rawRequest, STAMP, waitFor } from '../helpers/serve.js';
import { brokenPipe, expectRecovered, Gate, RawClient, start, stopAll, type Case } from './leaks.js';

afterEach(stopAll);

const REQUEST = 'GET /app HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n';
const HEAD = `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\n`;
const ERROR_500 =
  `HTTP/1.1 500 Internal Server Error\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\n` +
  'Content-Length: 59\r\n\r\nA server error occurred.  Please contact the administrator.';
const LOGGED_500 = `${STAMP} "GET /app HTTP/1.1" 500 59\n`;
const TEXT_PLAIN: HeaderList = [['Content-Type', 'text/plain']];

const boom = new Error('boom');
const late = new Error('late');

type Counter = { closed: number };

/** Counts close() calls on a body. */
function closable<T extends object>(body: T, counter: Counter): T & { close(): void } {
  return Object.assign(body, { close: () => void counter.closed++ });
}

/** A generator body of `chunks`, then `late` thrown when `fails`; its close() counted. */
function body(counter: Counter, chunks: unknown[], fails = false): Iterable<Uint8Array> & { close(): void } {
  return closable(
    (function* () {
      yield* chunks as Uint8Array[];
      if (fails) throw late;
    })(),
    counter,
  );
}

/** An application that calls startResponse with `headers`, then returns what `result` gives. */
function answering(headers: HeaderList, result: (counter: Counter) => Body): (counter: Counter) => Application {
  return (counter) => (_environ, startResponse) => {
    startResponse('200 OK', headers);
    return result(counter);
  };
}

interface Misbehaviour {
  name: string;
  /** The application; `counter` counts close() on the body it returns, if any. */
  app: (counter: Counter) => Application;
  response: string;
  log: string;
  /** The server's stderr, exactly; or its first line (the rest is a stack). */
  stderr: string | { first: string };
  /** close() calls expected. */
  closed: number;
}

/** Found while the headers are still held: wsgiref's 500, and its access line. */
function answered500(name: string, app: Misbehaviour['app'], stderr: Misbehaviour['stderr'], closed = 0): Misbehaviour {
  return { name, app, response: ERROR_500, log: LOGGED_500, stderr, closed };
}

/** Found once bytes went out: those bytes, then a cut, and no access line. */
function cut(name: string, app: Misbehaviour['app'], response: string, stderr: Misbehaviour['stderr'], closed = 0): Misbehaviour {
  return { name, app, response, log: '', stderr, closed };
}

const CHUNKED_HEAD = `${HEAD}Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n`;

const MISBEHAVIOURS: Misbehaviour[] = [
  answered500(
    'throws before startResponse',
    () => () => {
      throw boom;
    },
    `${inspect(boom)}\n`,
  ),
  answered500(
    'rejects (async) before startResponse',
    () => async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      throw boom;
    },
    `${inspect(boom)}\n`,
  ),
  answered500(
    'throws after startResponse, before returning a body',
    answering(TEXT_PLAIN, () => {
      throw boom;
    }),
    `${inspect(boom)}\n`,
  ),
  answered500('has its body fail before the first bytes', answering(TEXT_PLAIN, (c) => body(c, [Buffer.alloc(0)], true)), `${inspect(late)}\n`, 1),
  cut(
    'has its body fail after the first bytes (no last chunk)',
    answering(TEXT_PLAIN, (c) => body(c, [Buffer.from('partial')], true)),
    `${CHUNKED_HEAD}7\r\npartial\r\n`,
    `${inspect(late)}\n`,
    1,
  ),
  cut(
    'throws after write() sent bytes',
    () => async (_e, startResponse) => {
      await startResponse('200 OK', TEXT_PLAIN)(Buffer.from('written'));
      throw late;
    },
    `${CHUNKED_HEAD}7\r\nwritten\r\n`,
    `${inspect(late)}\n`,
  ),
  answered500(
    'never calls startResponse',
    (counter) => () => closable([Buffer.from('body')], counter),
    { first: 'Error: startResponse() was not called before the first body chunk' },
    1,
  ),
  answered500(
    'never calls startResponse and returns an empty body',
    (counter) => () => body(counter, []),
    { first: 'Error: The application returned without calling startResponse()' },
    1,
  ),
  answered500(
    'yields a string',
    answering(TEXT_PLAIN, (c) =>
      closable(
        (async function* () {
          yield 'text' as unknown as Uint8Array;
        })(),
        c,
      ),
    ),
    { first: "TypeError: Body chunk must be a Uint8Array (got 'text')" },
    1,
  ),
  answered500('yields a number', answering(TEXT_PLAIN, (c) => body(c, [42])), { first: 'TypeError: Body chunk must be a Uint8Array (got 42)' }, 1),
  answered500('returns a string instead of a body', answering(TEXT_PLAIN, () => 'text' as unknown as Body), {
    first: "TypeError: Body chunk must be a Uint8Array (got 't')",
  }),
  answered500('sets a header value with CR LF (header injection)', answering([['X-Inj', 'a\r\nSet-Cookie: evil=1']], () => []), {
    first: "Error: Control characters are not allowed in header values: 'X-Inj: a\\r\\nSet-Cookie: evil=1'",
  }),
  ...[
    ['Connection', 'close'],
    ['Transfer-Encoding', 'chunked'],
    ['Keep-Alive', 'timeout=5'],
    ['Upgrade', 'h2c'],
  ].map(([name = '', value = '']) =>
    answered500(`sets the hop-by-hop header ${name}`, answering([[name, value]], () => []), {
      first: `Error: Hop-by-hop header, '${name}: ${value}', not allowed`,
    }),
  ),
  cut(
    'returns more than its Content-Length (the declared bytes, then a cut)',
    answering([['Content-Length', '5']], (c) => body(c, [Buffer.from('abc'), Buffer.from('defgh')])),
    `${HEAD}Content-Length: 5\r\n\r\nabcde`,
    { first: 'Error: Response body is longer than its Content-Length (5 bytes)' },
    1,
  ),
  cut(
    'write()s more than its Content-Length (the declared bytes, then a cut)',
    () => async (_e, startResponse) => {
      const write = startResponse('200 OK', [['Content-Length', '5']]);
      await write(Buffer.from('abc'));
      await write(Buffer.from('defgh'));
      return [];
    },
    `${HEAD}Content-Length: 5\r\n\r\nabcde`,
    { first: 'Error: Response body is longer than its Content-Length (5 bytes)' },
  ),
  cut(
    'returns less than its Content-Length (what there is, then a cut)',
    answering([['Content-Length', '20']], (c) => body(c, [Buffer.from('short')])),
    `${HEAD}Content-Length: 20\r\n\r\nshort`,
    { first: 'Error: Response body is shorter than its Content-Length (5 of 20 bytes)' },
    1,
  ),
];

/** The server's stderr is one inspect()ed error: exactly `expected`, or its first line and a stack. */
function expectStderr(c: Case, expected: Misbehaviour['stderr']): void {
  if (typeof expected === 'string') {
    expect(c.stderr()).toBe(expected);
    return;
  }
  const [first, ...rest] = c.stderr().split('\n');
  expect(first).toBe(expected.first);
  expect(rest.join('\n')).toMatch(/^ {4}at .*\n(?: {4}at .*\n)*$/);
}

describe('an application that misbehaves', () => {
  it.each(MISBEHAVIOURS)('$name', async (m) => {
    const counter = { closed: 0 };
    const c = await start(m.app(counter));
    const answer = await rawRequest(c, REQUEST);
    expect(normalizeDate(answer.toString('latin1'))).toBe(m.response);
    await c.server.drain();
    expect(c.log()).toBe(m.log);
    expectStderr(c, m.stderr);
    expect(counter.closed).toBe(m.closed);
    await expectRecovered(c);
    expect(counter.closed).toBe(m.closed);
  });
});

describe('an application that hangs', () => {
  /** `/hang` waits for the gate, then answers `done` with a body whose close() is counted. */
  function hanging(gate: Gate, counter: Counter & { calls: number }): Application {
    return async (_environ, startResponse) => {
      counter.calls++;
      await gate.opened;
      startResponse('200 OK', TEXT_PLAIN);
      return closable([Buffer.from('done')], counter);
    };
  }

  it.each(['127.0.0.1', '::1'])('on %s: other clients are served meanwhile; once it ends, its answer goes out', async (host) => {
    const gate = new Gate();
    const counter = { closed: 0, calls: 0 };
    const c = await start(hanging(gate, counter), { host });
    const stuck = await RawClient.connect(c);
    stuck.send('GET /hang HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    await waitFor(() => counter.calls === 1);
    for (let i = 0; i < 3; i++) {
      expect(normalizeDate((await rawRequest(c, c.probe.request)).toString('latin1'))).toBe(c.probe.response);
    }
    expect(stuck.received.length).toBe(0);
    expect(c.log()).toBe(c.probe.logged.repeat(3));
    gate.open();
    await stuck.closed;
    expect(stuck.text()).toBe(`${HEAD}Content-Type: text/plain\r\nContent-Length: 4\r\n\r\ndone`);
    expect(c.log()).toBe(`${c.probe.logged.repeat(3)}${STAMP} "GET /hang HTTP/1.1" 200 4\n`);
    expect(counter.closed).toBe(1);
    await expectRecovered(c);
  });

  it('whose client left meanwhile: once it ends, a broken pipe is logged and its body closed once', async () => {
    const gate = new Gate();
    const counter = { closed: 0, calls: 0 };
    const c = await start(hanging(gate, counter));
    const stuck = await RawClient.connect(c);
    stuck.send('GET /hang HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await waitFor(() => counter.calls === 1);
    stuck.socket.destroy();
    await stuck.closed;
    gate.open();
    await waitFor(() => counter.closed > 0);
    await c.server.drain();
    expect(c.log()).toBe(brokenPipe(stuck));
    expect(c.stderr()).toBe('');
    await expectRecovered(c);
    expect(counter.closed).toBe(1);
  });
});
