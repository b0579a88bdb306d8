// The validator (wsgiref.validate port): one case per check of reference §2, each with its exact message.
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BytesInput } from '../../src/gateway/input.js';
import { StringErrors } from '../../src/gateway/error-stream.js';
import { setupTestingDefaults } from '../../src/gateway/util.js';
import { GwiAssertionError, validator } from '../../src/gateway/validate.js';
import type { Application, Body, Environ, HeaderList, StartResponse, Write } from '../../src/gateway/types.js';

const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
const dec = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const TEXT: HeaderList = [['Content-Type', 'text/plain']];

function baseEnviron(): Environ {
  return setupTestingDefaults({ QUERY_STRING: '' });
}

/** A loosely typed view, for breaking the environ in ways its type forbids. */
function loose(environ: Environ): Record<string, unknown> {
  return environ as Record<string, unknown>;
}

interface ServerSide {
  startResponse: StartResponse;
  calls: unknown[][];
  written: string[];
}

function server(): ServerSide {
  const calls: unknown[][] = [];
  const written: string[] = [];
  const write: Write = async (data) => {
    written.push(dec(data));
  };
  const startResponse = (...args: unknown[]): Write => {
    calls.push(args);
    return write;
  };
  return { startResponse, calls, written };
}

interface Outcome {
  chunks: string[];
  warnings: string[];
  unclosed: string[];
  side: ServerSide;
}

/** Serves one request as a server would: call, iterate the whole body, close it. */
async function serve(app: Application, environ: Environ = baseEnviron()): Promise<Outcome> {
  const warnings: string[] = [];
  const unclosed: string[] = [];
  const lint = validator(app, { onWarning: (m) => warnings.push(m), onUnclosed: (m) => unclosed.push(m) });
  const side = server();
  const chunks: string[] = [];
  const body = await lint(environ, side.startResponse);
  try {
    if (Symbol.asyncIterator in body) {
      for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(dec(chunk));
    } else {
      for (const chunk of body as Iterable<Uint8Array>) chunks.push(dec(chunk));
    }
  } finally {
    await body.close?.();
  }
  return { chunks, warnings, unclosed, side };
}

async function failure(action: () => unknown): Promise<Error> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(GwiAssertionError);
    expect((error as Error).name).toBe('GwiAssertionError');
    return error as Error;
  }
  throw new Error('expected a GwiAssertionError, nothing was thrown');
}

const hello: Application = (_environ, startResponse) => {
  startResponse('200 OK', TEXT);
  return [enc('Hello')];
};

/** An app that calls startResponse with exactly these arguments. */
function starting(...args: unknown[]): Application {
  return (_environ, startResponse) => {
    (startResponse as (...a: unknown[]) => Write)(...args);
    return [];
  };
}

const noop = (): void => {};
const input3 = { read: noop, readline: noop, readlines: noop };
const errors2 = { flush: noop, write: noop };

describe('validator: calling the application (V1, V3, V4)', () => {
  it('V1: exactly two arguments', async () => {
    const lint = validator(hello) as (...args: unknown[]) => unknown;
    expect((await failure(() => lint(baseEnviron()))).message).toBe('Two arguments required');
    expect((await failure(() => lint(baseEnviron(), server().startResponse, 1))).message).toBe(
      'Two arguments required',
    );
  });

  const notIterable: [string, unknown][] = [
    ['null', null],
    ['undefined', undefined],
    ['false', false],
    ['a number', 5],
    ['a plain object', {}],
  ];
  it.each(notIterable)('V3: %s as the body', async (_name, body) => {
    const app = (() => body) as unknown as Application;
    expect((await failure(() => serve(app))).message).toBe(
      'The application must return an iterable, if only an empty array',
    );
  });

  it('V3: a promise of null is rejected the same way', async () => {
    const app = (async () => null) as unknown as Application;
    expect((await failure(() => serve(app))).message).toBe(
      'The application must return an iterable, if only an empty array',
    );
  });

  const direct: [string, unknown][] = [
    ['a string', 'Hello'],
    ['a Uint8Array', enc('Hello')],
    ['a Buffer', Buffer.from('Hello')],
  ];
  it.each(direct)('V4: %s as the body', async (_name, body) => {
    const app = (() => body) as unknown as Application;
    expect((await failure(() => serve(app))).message).toBe(
      'You should not return a string or a Uint8Array as your application body, instead return a single-item array containing a Uint8Array.',
    );
  });

  it('an empty array passes', async () => {
    const outcome = await serve((_e, startResponse) => {
      startResponse('204 No Content', []);
      return [];
    });
    expect(outcome.chunks).toEqual([]);
    expect(outcome.warnings).toEqual([]);
  });

  it('checks run synchronously for a synchronous app', () => {
    const lint = validator(hello);
    const environ = baseEnviron();
    delete loose(environ).REQUEST_METHOD;
    expect(() => lint(environ, server().startResponse)).toThrow(GwiAssertionError);
  });
});

interface EnvironCase {
  check: string;
  change: (environ: Record<string, unknown>) => void;
  message: string;
}

const REQUIRED = [
  'REQUEST_METHOD',
  'SERVER_NAME',
  'SERVER_PORT',
  'gwi.version',
  'gwi.input',
  'gwi.errors',
  'gwi.multithread',
  'gwi.multiprocess',
  'gwi.run_once',
];

const environErrors: EnvironCase[] = [
  ...REQUIRED.map((key) => ({
    check: `E2 ${key}`,
    change: (e: Record<string, unknown>) => {
      delete e[key];
    },
    message: `Environment missing required key: '${key}'`,
  })),
  {
    check: 'E2 order: REQUEST_METHOD is reported before SERVER_PORT',
    change: (e) => {
      delete e.SERVER_PORT;
      delete e.REQUEST_METHOD;
    },
    message: "Environment missing required key: 'REQUEST_METHOD'",
  },
  {
    check: 'E3 HTTP_CONTENT_TYPE',
    change: (e) => (e.HTTP_CONTENT_TYPE = 'text/plain'),
    message: 'Environment should not have the key: HTTP_CONTENT_TYPE (use CONTENT_TYPE instead)',
  },
  {
    check: 'E3 HTTP_CONTENT_LENGTH',
    change: (e) => (e.HTTP_CONTENT_LENGTH = '5'),
    message: 'Environment should not have the key: HTTP_CONTENT_LENGTH (use CONTENT_LENGTH instead)',
  },
  {
    check: 'E5 a number',
    change: (e) => (e.SERVER_PORT = 80),
    message: 'Environmental variable SERVER_PORT is not a string: number (value: 80)',
  },
  {
    check: 'E5 bytes',
    change: (e) => (e.PATH_INFO = enc('/')),
    message: 'Environmental variable PATH_INFO is not a string: Uint8Array (value: Uint8Array(1) [ 47 ])',
  },
  {
    check: 'E5 undefined',
    change: (e) => (e.HTTP_X = undefined),
    message: 'Environmental variable HTTP_X is not a string: undefined (value: undefined)',
  },
  {
    check: 'E6',
    change: (e) => (e['gwi.version'] = '1.0'),
    message: 'gwi.version should be an array ([1, 0])',
  },
  {
    check: 'E7 unknown scheme',
    change: (e) => (e['gwi.url_scheme'] = 'ftp'),
    message: "gwi.url_scheme unknown: 'ftp'",
  },
  {
    check: 'E7 missing scheme',
    change: (e) => {
      delete e['gwi.url_scheme'];
    },
    message: "Environment missing required key: 'gwi.url_scheme'",
  },
  {
    check: 'E8 read',
    change: (e) => (e['gwi.input'] = {}),
    message: "gwi.input ({}) doesn't have the attribute read",
  },
  {
    check: 'E8 readline',
    change: (e) => (e['gwi.input'] = { read: noop }),
    message: "gwi.input ({ read: [Function: noop] }) doesn't have the attribute readline",
  },
  {
    check: 'E8 readlines',
    change: (e) => (e['gwi.input'] = { read: noop, readline: noop }),
    message: "gwi.input ({ read: [Function: noop], readline: [Function: noop] }) doesn't have the attribute readlines",
  },
  {
    check: 'E8 Symbol.asyncIterator',
    change: (e) => (e['gwi.input'] = input3),
    message:
      "gwi.input ({ read: [Function: noop], readline: [Function: noop], readlines: [Function: noop] }) doesn't have the attribute Symbol.asyncIterator",
  },
  {
    check: 'E8 not an object',
    change: (e) => (e['gwi.input'] = null),
    message: "gwi.input (null) doesn't have the attribute read",
  },
  {
    check: 'E8 an attribute that is not a method',
    change: (e) => (e['gwi.input'] = { read: 1 }),
    message: "gwi.input ({ read: 1 }) doesn't have the attribute read",
  },
  {
    check: 'E9 flush',
    change: (e) => (e['gwi.errors'] = {}),
    message: "gwi.errors ({}) doesn't have the attribute flush",
  },
  {
    check: 'E9 write',
    change: (e) => (e['gwi.errors'] = { flush: noop }),
    message: "gwi.errors ({ flush: [Function: noop] }) doesn't have the attribute write",
  },
  {
    check: 'E9 writelines',
    change: (e) => (e['gwi.errors'] = errors2),
    message: "gwi.errors ({ flush: [Function: noop], write: [Function: noop] }) doesn't have the attribute writelines",
  },
  {
    check: 'E11',
    change: (e) => (e.SCRIPT_NAME = 'app'),
    message: "SCRIPT_NAME doesn't start with /: 'app'",
  },
  {
    check: 'E12',
    change: (e) => (e.PATH_INFO = 'x'),
    message: "PATH_INFO doesn't start with /: 'x'",
  },
  {
    check: 'E12 with SCRIPT_NAME absent (no crash on the missing key)',
    change: (e) => {
      delete e.SCRIPT_NAME;
      e.PATH_INFO = 'x';
    },
    message: "PATH_INFO doesn't start with /: 'x'",
  },
  {
    check: 'E13 negative',
    change: (e) => (e.CONTENT_LENGTH = '-1'),
    message: "Invalid CONTENT_LENGTH: '-1'",
  },
  {
    check: 'E13 not a number',
    change: (e) => (e.CONTENT_LENGTH = 'abc'),
    message: "Invalid CONTENT_LENGTH: 'abc'",
  },
  {
    check: 'E13 Python-only int() spellings',
    change: (e) => (e.CONTENT_LENGTH = '+5'),
    message: "Invalid CONTENT_LENGTH: '+5'",
  },
  {
    check: 'E14 SCRIPT_NAME empty',
    change: (e) => {
      delete e.PATH_INFO;
    },
    message: "One of SCRIPT_NAME or PATH_INFO are required (PATH_INFO should at least be '/' if SCRIPT_NAME is empty)",
  },
  {
    check: 'E14 both absent',
    change: (e) => {
      delete e.PATH_INFO;
      delete e.SCRIPT_NAME;
    },
    message: "One of SCRIPT_NAME or PATH_INFO are required (PATH_INFO should at least be '/' if SCRIPT_NAME is empty)",
  },
  {
    check: 'E15',
    change: (e) => {
      e.SCRIPT_NAME = '/';
      e.PATH_INFO = '';
    },
    message: "SCRIPT_NAME cannot be '/'; it should instead be '', and PATH_INFO should be '/'",
  },
];

const environWarnings: EnvironCase[] = [
  {
    check: 'E4',
    change: (e) => {
      delete e.QUERY_STRING;
    },
    message: 'QUERY_STRING is not in the GWI environment; application errors are more likely',
  },
  {
    check: 'E10',
    change: (e) => (e.REQUEST_METHOD = 'BREW'),
    message: "Unknown REQUEST_METHOD: 'BREW'",
  },
];

const environPasses: Omit<EnvironCase, 'message'>[] = [
  { check: 'E5 keys with a dot may hold anything', change: (e) => (e['my.extension'] = 5) },
  { check: 'E13 empty CONTENT_LENGTH', change: (e) => (e.CONTENT_LENGTH = '') },
  { check: 'E13 digits', change: (e) => (e.CONTENT_LENGTH = '5') },
  {
    check: 'E14 PATH_INFO empty with SCRIPT_NAME set',
    change: (e) => {
      e.SCRIPT_NAME = '/app';
      e.PATH_INFO = '';
    },
  },
  { check: 'E14 an empty PATH_INFO is present', change: (e) => (e.PATH_INFO = '') },
  { check: 'gwi.url_scheme https', change: (e) => (e['gwi.url_scheme'] = 'https') },
];

describe('validator: the environ (E1-E15)', () => {
  const notPlain: [string, unknown, string][] = [
    ['a Map', new Map(), 'Environment is not of the right type: Map (environment: Map(0) {})'],
    ['a string', 'x', "Environment is not of the right type: string (environment: 'x')"],
    ['null', null, 'Environment is not of the right type: null (environment: null)'],
    [
      'a class instance',
      new (class Env {
        A = 'b';
      })(),
      "Environment is not of the right type: Env (environment: Env { A: 'b' })",
    ],
  ];
  it.each(notPlain)('E1: %s', async (_name, environ, message) => {
    expect((await failure(() => serve(hello, environ as Environ))).message).toBe(message);
  });

  it.each(environErrors)('$check', async ({ change, message }) => {
    const environ = baseEnviron();
    change(loose(environ));
    expect((await failure(() => serve(hello, environ))).message).toBe(message);
  });

  it.each(environWarnings)('$check (warning)', async ({ change, message }) => {
    const environ = baseEnviron();
    change(loose(environ));
    const outcome = await serve(hello, environ);
    expect(outcome.warnings).toEqual([message]);
    expect(outcome.chunks).toEqual(['Hello']);
  });

  it.each(environPasses)('passes: $check', async ({ change }) => {
    const environ = baseEnviron();
    change(loose(environ));
    const outcome = await serve(hello, environ);
    expect(outcome.warnings).toEqual([]);
    expect(outcome.chunks).toEqual(['Hello']);
  });

  it('passes: E1 a null-prototype object', async () => {
    const environ = Object.assign(Object.create(null) as object, baseEnviron()) as Environ;
    const outcome = await serve(hello, environ);
    expect(outcome.warnings).toEqual([]);
    expect(outcome.chunks).toEqual(['Hello']);
  });

  it('replaces gwi.input and gwi.errors with wrappers, after checking', async () => {
    const environ = baseEnviron();
    const input = environ['gwi.input'];
    const errors = environ['gwi.errors'];
    let seen: Environ | undefined;
    await serve((e, startResponse) => {
      seen = e;
      startResponse('200 OK', TEXT);
      return [];
    }, environ);
    expect(seen).toBe(environ);
    expect(environ['gwi.input']).not.toBe(input);
    expect(environ['gwi.errors']).not.toBe(errors);
  });
});

interface StartCase {
  check: string;
  args: unknown[];
  message: string;
}

const header = (name: unknown, value: unknown): unknown[] => [[name, value], ...TEXT];

const startErrors: StartCase[] = [
  { check: 'S1 one argument', args: ['200 OK'], message: "Invalid number of arguments: [ '200 OK' ]" },
  {
    check: 'S1 four arguments',
    args: ['200 OK', [], undefined, 1],
    message: "Invalid number of arguments: [ '200 OK', [], undefined, 1 ]",
  },
  { check: 'S3 a number', args: [200, TEXT], message: 'Status must be of type string (got 200)' },
  {
    check: 'S3 bytes',
    args: [enc('200'), TEXT],
    message: 'Status must be of type string (got Uint8Array(3) [ 50, 48, 48 ])',
  },
  { check: 'S4 four digits', args: ['2000 OK', TEXT], message: "Status codes must be three characters: '2000'" },
  { check: 'S4 empty', args: ['', TEXT], message: "Status codes must be three characters: ''" },
  { check: 'S5 letters', args: ['abc OK', TEXT], message: "Status code must be a number: 'abc'" },
  { check: 'S5 a sign', args: ['+12 OK', TEXT], message: "Status code must be a number: '+12'" },
  { check: 'S6', args: ['099 Low', TEXT], message: 'Status code is invalid: 99' },
  {
    check: 'H1 a plain object',
    args: ['200 OK', { 'Content-Type': 'text/plain' }],
    message: "Headers ({ 'Content-Type': 'text/plain' }) must be of type Array: Object",
  },
  {
    check: 'H1 a Map',
    args: ['200 OK', new Map([['Content-Type', 'text/plain']])],
    message: "Headers (Map(1) { 'Content-Type' => 'text/plain' }) must be of type Array: Map",
  },
  {
    check: 'H2',
    args: ['200 OK', ['Content-Type: text/plain']],
    message: "Individual headers ('Content-Type: text/plain') must be of type Array: string",
  },
  {
    check: 'H3 one element',
    args: ['200 OK', [['Content-Type']]],
    message: "Individual headers ([ 'Content-Type' ]) must have exactly 2 elements",
  },
  {
    check: 'H3 three elements',
    args: ['200 OK', [['Content-Type', 'text/plain', 'x']]],
    message: "Individual headers ([ 'Content-Type', 'text/plain', 'x' ]) must have exactly 2 elements",
  },
  {
    check: 'H4',
    args: ['200 OK', header(enc('X'), 'a')],
    message: 'Header name must be of type string (got Uint8Array(1) [ 88 ])',
  },
  { check: 'H5', args: ['200 OK', header('X-A', 1)], message: 'Header value must be of type string (got 1)' },
  {
    check: 'H6',
    args: ['200 OK', header('Status', '200')],
    message:
      "The Status header cannot be used; it conflicts with CGI script, and HTTP status is not given through headers (value: '200').",
  },
  {
    check: 'H6 any case',
    args: ['200 OK', header('sTaTuS', '200')],
    message:
      "The Status header cannot be used; it conflicts with CGI script, and HTTP status is not given through headers (value: '200').",
  },
  { check: 'H7 colon', args: ['200 OK', header('X:Y', 'a')], message: "Header names may not contain ':' or '\\n': 'X:Y'" },
  {
    check: 'H7 newline',
    args: ['200 OK', header('X\nY', 'a')],
    message: "Header names may not contain ':' or '\\n': 'X\\nY'",
  },
  { check: 'H8 space', args: ['200 OK', header('X Y', 'a')], message: "Bad header name: 'X Y'" },
  { check: 'H8 leading digit', args: ['200 OK', header('1X', 'a')], message: "Bad header name: '1X'" },
  { check: 'H9 dash', args: ['200 OK', header('X-', 'a')], message: "Names may not end in '-' or '_': 'X-'" },
  { check: 'H9 underscore', args: ['200 OK', header('X_', 'a')], message: "Names may not end in '-' or '_': 'X_'" },
  {
    check: 'H10 CRLF',
    args: ['200 OK', header('X-A', 'a\r\nb')],
    message: "Bad header value: 'a\\r\\nb' (bad char: '\\r')",
  },
  { check: 'H10 TAB', args: ['200 OK', header('X-A', 'a\tb')], message: "Bad header value: 'a\\tb' (bad char: '\\t')" },
  {
    check: 'H10 NUL',
    args: ['200 OK', header('X-A', 'a\x00')],
    message: "Bad header value: 'a\\x00' (bad char: '\\x00')",
  },
  {
    check: 'C1 204',
    args: ['204 No Content', TEXT],
    message: 'Content-Type header found in a 204 response, which must not return content.',
  },
  {
    check: 'C1 304, lower-case name',
    args: ['304 Not Modified', [['content-type', 'text/plain']]],
    message: 'Content-Type header found in a 304 response, which must not return content.',
  },
  { check: 'C2 empty', args: ['200 OK', []], message: 'No Content-Type header found in headers ([])' },
  {
    check: 'C2 other headers',
    args: ['200 OK', [['X-A', 'b']]],
    message: "No Content-Type header found in headers ([ [ 'X-A', 'b' ] ])",
  },
  { check: 'X1 a string', args: ['200 OK', TEXT, 'boom'], message: "excInfo ('boom') is not an Error: string" },
  {
    check: 'X1 an array',
    args: ['200 OK', TEXT, [1, 2, 3]],
    message: 'excInfo ([ 1, 2, 3 ]) is not an Error: Array',
  },
  { check: 'X1 null', args: ['200 OK', TEXT, null], message: 'excInfo (null) is not an Error: null' },
];

const statusWarning = (status: string): string =>
  `The status string (${status}) should be a three-digit integer followed by a single space and a status explanation`;

const startWarnings: StartCase[] = [
  { check: 'S7 no reason', args: ['200', TEXT], message: statusWarning("'200'") },
  { check: 'S7 a TAB', args: ['200\tOK', TEXT], message: statusWarning("'200\\tOK'") },
];

const startPasses: Omit<StartCase, 'message'>[] = [
  { check: 'S6 no upper bound', args: ['999 Odd', TEXT] },
  { check: 'S7 two spaces', args: ['200  OK', TEXT] },
  { check: 'C1 204 without Content-Type', args: ['204 No Content', []] },
  { check: 'H name with digits, dash and underscore', args: ['200 OK', header('X-a_1', 'v')] },
  { check: 'H10 DEL and latin-1 are not checked', args: ['200 OK', header('X-A', '\x7f\xe9')] },
  { check: 'X1 an Error', args: ['500 Oops', TEXT, new Error('boom')] },
  { check: 'X1 undefined', args: ['200 OK', TEXT, undefined] },
];

describe('validator: startResponse (S1-S7, H1-H10, C1-C2, X1)', () => {
  it.each(startErrors)('$check', async ({ args, message }) => {
    expect((await failure(() => serve(starting(...args)))).message).toBe(message);
  });

  it.each(startWarnings)('$check (warning)', async ({ args, message }) => {
    expect((await serve(starting(...args))).warnings).toEqual([message]);
  });

  it.each(startPasses)('passes: $check', async ({ args }) => {
    const outcome = await serve(starting(...args));
    expect(outcome.warnings).toEqual([]);
    expect(outcome.side.calls).toEqual([args]);
  });

  it('the server sees the same arguments, two or three', async () => {
    const error = new Error('boom');
    const two = await serve(starting('200 OK', TEXT));
    const three = await serve(starting('500 Oops', TEXT, error));
    expect(two.side.calls).toEqual([['200 OK', TEXT]]);
    expect(three.side.calls[0]?.[2]).toBe(error);
    expect(three.side.calls[0]).toHaveLength(3);
  });

  it('write() requires a Uint8Array and passes bytes through', async () => {
    const outcome = await serve((_e, startResponse) => {
      const write = startResponse('200 OK', TEXT);
      void write(enc('early '));
      return [enc('late')];
    });
    expect(outcome.side.written).toEqual(['early ']);
    expect(outcome.chunks).toEqual(['late']);

    const bad: Application = (_e, startResponse) => {
      const write = startResponse('200 OK', TEXT) as (data: unknown) => Promise<void>;
      void write('text');
      return [];
    };
    expect((await failure(() => serve(bad))).message).toBe('write() argument must be a Uint8Array');
  });
});

type Loose = Record<string, (...args: unknown[]) => unknown>;

/** Runs a request and hands back the environ, whose streams are now the validator's wrappers. */
async function wrappedStreams(environ: Environ): Promise<{ input: Loose; errors: Loose }> {
  await serve(hello, environ);
  return { input: environ['gwi.input'] as unknown as Loose, errors: environ['gwi.errors'] as unknown as Loose };
}

/** An input stream whose methods all return `value`. */
function inputReturning(value: unknown): unknown {
  const give = async (): Promise<unknown> => value;
  return { read: give, readline: give, readlines: give, [Symbol.asyncIterator]: noop };
}

interface StreamCase {
  check: string;
  input?: unknown;
  act: (streams: { input: Loose; errors: Loose }) => unknown;
  message: string;
}

const streamErrors: StreamCase[] = [
  { check: 'read() without a size', act: ({ input }) => input.read?.(), message: 'gwi.input.read() must be given a size' },
  {
    check: 'read() with two arguments',
    act: ({ input }) => input.read?.(1, 2),
    message: 'gwi.input.read() must be given a size',
  },
  {
    check: 'read() returning a string',
    input: inputReturning('text'),
    act: ({ input }) => input.read?.(4),
    message: 'gwi.input.read() must return a Uint8Array',
  },
  {
    check: 'readline() with two arguments',
    act: ({ input }) => input.readline?.(1, 2),
    message: 'gwi.input.readline() takes at most one argument',
  },
  {
    check: 'readline() returning a string',
    input: inputReturning('text'),
    act: ({ input }) => input.readline?.(),
    message: 'gwi.input.readline() must return a Uint8Array',
  },
  {
    check: 'readlines() with two arguments',
    act: ({ input }) => input.readlines?.(1, 2),
    message: 'gwi.input.readlines() takes at most one argument',
  },
  {
    check: 'readlines() returning a non-array',
    input: inputReturning(enc('a\n')),
    act: ({ input }) => input.readlines?.(),
    message: 'gwi.input.readlines() must return an array of Uint8Array',
  },
  {
    check: 'readlines() returning strings',
    input: inputReturning(['a\n']),
    act: ({ input }) => input.readlines?.(),
    message: 'gwi.input.readlines() must return an array of Uint8Array',
  },
  { check: 'input.close()', act: ({ input }) => input.close?.(), message: 'input.close() must not be called' },
  {
    check: 'errors.write() with bytes',
    act: ({ errors }) => errors.write?.(enc('x')),
    message: 'gwi.errors.write() argument must be a string',
  },
  {
    check: 'errors.writelines() with a non-string line',
    act: ({ errors }) => errors.writelines?.(['a', 1]),
    message: 'gwi.errors.write() argument must be a string',
  },
  { check: 'errors.close()', act: ({ errors }) => errors.close?.(), message: 'errors.close() must not be called' },
];

describe('validator: gwi.input and gwi.errors wrappers', () => {
  it.each(streamErrors)('$check', async ({ input, act, message }) => {
    const environ = baseEnviron();
    if (input !== undefined) loose(environ)['gwi.input'] = input;
    const streams = await wrappedStreams(environ);
    expect((await failure(() => act(streams))).message).toBe(message);
  });

  it('close() on a stream fails at once, not in a promise', async () => {
    const { input, errors } = await wrappedStreams(baseEnviron());
    expect(() => input.close?.()).toThrow('input.close() must not be called');
    expect(() => errors.close?.()).toThrow('errors.close() must not be called');
  });

  it('reads pass through: read(size), readline, readlines and line iteration', async () => {
    const read = (body: string): Environ => {
      const environ = baseEnviron();
      loose(environ)['gwi.input'] = new BytesInput(body);
      return environ;
    };
    const first = (await wrappedStreams(read('ab\ncd\n'))).input;
    expect(dec((await first.read?.(3)) as Uint8Array)).toBe('ab\n');
    expect(dec((await first.readline?.()) as Uint8Array)).toBe('cd\n');
    expect(dec((await first.read?.(5)) as Uint8Array)).toBe('');

    const second = (await wrappedStreams(read('a\nb\nc'))).input;
    expect(dec((await second.readline?.(1)) as Uint8Array)).toBe('a');
    expect(((await second.readlines?.()) as Uint8Array[]).map(dec)).toEqual(['\n', 'b\n', 'c']);

    const environ = read('x\ny\n');
    await wrappedStreams(environ);
    const lines: string[] = [];
    for await (const line of environ['gwi.input']) lines.push(dec(line));
    expect(lines).toEqual(['x\n', 'y\n']);
  });

  it('line iteration goes through the checked readline', async () => {
    const environ = baseEnviron();
    loose(environ)['gwi.input'] = inputReturning('text');
    await wrappedStreams(environ);
    const iterate = async (): Promise<void> => {
      for await (const line of environ['gwi.input']) void line;
    };
    expect((await failure(iterate)).message).toBe('gwi.input.readline() must return a Uint8Array');
  });

  it('writes and flush pass through to the real error stream', async () => {
    const real = new StringErrors();
    const flush = vi.spyOn(real, 'flush');
    const environ = baseEnviron();
    loose(environ)['gwi.errors'] = real;
    const { errors } = await wrappedStreams(environ);
    errors.write?.('one ');
    errors.writelines?.(['two ', 'three']);
    errors.flush?.();
    expect(real.value).toBe('one two three');
    expect(flush).toHaveBeenCalledTimes(1);
    expect(Object.keys(errors)).toEqual([]);
  });
});

/** Calls the validated app directly and returns its body, unconsumed. */
async function bodyOf(app: Application, onUnclosed: (m: string) => void = noop): Promise<Body> {
  return validator(app, { onWarning: noop, onUnclosed })(baseEnviron(), server().startResponse);
}

async function* asyncGenerated(items: unknown[]): AsyncGenerator<unknown> {
  for (const item of items) yield item;
}

describe('validator: the body wrapper', () => {
  it('sync bodies stay sync, async bodies stay async, neither has a length', async () => {
    const sync = await bodyOf(hello);
    expect(Symbol.iterator in sync).toBe(true);
    expect(Symbol.asyncIterator in sync).toBe(false);
    const asyncBody = await bodyOf(() => asyncGenerated([]) as AsyncIterable<Uint8Array>);
    expect(Symbol.asyncIterator in asyncBody).toBe(true);
    for (const body of [sync, asyncBody]) {
      expect(Array.isArray(body)).toBe(false);
      expect('length' in body).toBe(false);
      await body.close?.();
    }
  });

  it('obtains the iterator immediately', async () => {
    const getIterator = vi.fn(() => [enc('a')][Symbol.iterator]());
    const body = await bodyOf(() => ({ [Symbol.iterator]: getIterator }));
    expect(getIterator).toHaveBeenCalledTimes(1);
    await body.close?.();
  });

  it('Iterator read after closed (sync)', async () => {
    const body = (await bodyOf(hello)) as Iterable<Uint8Array> & { close(): void };
    body.close();
    expect((await failure(() => body[Symbol.iterator]().next())).message).toBe('Iterator read after closed');
  });

  it('Iterator read after closed (async)', async () => {
    const body = (await bodyOf(() => asyncGenerated([enc('a')]) as AsyncIterable<Uint8Array>)) as AsyncIterable<
      Uint8Array
    > & { close(): Promise<void> };
    await body.close();
    expect((await failure(() => body[Symbol.asyncIterator]().next())).message).toBe('Iterator read after closed');
  });

  const yielded: [string, unknown, string][] = [
    ['a string', 'x', "Iterator yielded non-Uint8Array ('x')"],
    ['a number', 1, 'Iterator yielded non-Uint8Array (1)'],
    // util.inspect's ArrayBuffer layout differs between Node versions: the message is defined by it.
    ['an ArrayBuffer', new ArrayBuffer(1), `Iterator yielded non-Uint8Array (${inspect(new ArrayBuffer(1), { breakLength: Infinity })})`],
  ];
  it.each(yielded)('sync body yielding %s', async (_name, item, message) => {
    const app: Application = (_e, startResponse) => {
      startResponse('200 OK', TEXT);
      return [item] as Uint8Array[];
    };
    expect((await failure(() => serve(app))).message).toBe(message);
  });

  it.each(yielded)('async body yielding %s', async (_name, item, message) => {
    const app: Application = (_e, startResponse) => {
      startResponse('200 OK', TEXT);
      return asyncGenerated([item]) as AsyncIterable<Uint8Array>;
    };
    expect((await failure(() => serve(app))).message).toBe(message);
  });

  const notStarted =
    'The application returns and we started iterating over its body, but startResponse has not yet been called';

  it('the first item needs startResponse to have been called (sync)', async () => {
    expect((await failure(() => serve(() => [enc('a')]))).message).toBe(notStarted);
  });

  it('the first item needs startResponse to have been called (async)', async () => {
    const app = (): AsyncIterable<Uint8Array> => asyncGenerated([enc('a')]) as AsyncIterable<Uint8Array>;
    expect((await failure(() => serve(app))).message).toBe(notStarted);
  });

  it('a body that yields nothing is not checked for startResponse', async () => {
    expect((await serve(() => [])).chunks).toEqual([]);
  });

  it('close() calls the original close once, awaiting a promise', async () => {
    const log: string[] = [];
    const close = vi.fn(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      log.push('closed');
    });
    const outcome = await serve((_e, startResponse) => {
      startResponse('200 OK', TEXT);
      return Object.assign([enc('a')], { close });
    });
    expect(close).toHaveBeenCalledTimes(1);
    expect(log).toEqual(['closed']);
    expect(outcome.chunks).toEqual(['a']);

    const asyncClose = vi.fn(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      log.push('async closed');
    });
    await serve((_e, startResponse) => {
      startResponse('200 OK', TEXT);
      return Object.assign(asyncGenerated([enc('b')]) as AsyncIterable<Uint8Array>, { close: asyncClose });
    });
    expect(asyncClose).toHaveBeenCalledTimes(1);
    expect(log).toEqual(['closed', 'async closed']);
  });

  it('leaving a for-of early finishes the app generator', async () => {
    const finished: string[] = [];
    function* app(_e: Environ, startResponse: StartResponse): Generator<Uint8Array> {
      startResponse('200 OK', TEXT);
      try {
        yield enc('a');
        yield enc('b');
      } finally {
        finished.push('sync');
      }
    }
    async function* asyncApp(_e: Environ, startResponse: StartResponse): AsyncGenerator<Uint8Array> {
      yield* app(_e, startResponse);
      finished.push('never');
    }
    const sync = (await bodyOf(app)) as Iterable<Uint8Array> & { close(): void };
    for (const chunk of sync) if (chunk.length > 0) break;
    sync.close();
    const asyncBody = (await bodyOf(asyncApp)) as AsyncIterable<Uint8Array> & { close(): Promise<void> };
    for await (const chunk of asyncBody) if (chunk.length > 0) break;
    await asyncBody.close();
    expect(finished).toEqual(['sync', 'sync']);
  });
});

describe('validator: well-behaved applications', () => {
  const apps: [string, Application][] = [
    ['a sync array body', hello],
    [
      'a generator that calls startResponse before yielding',
      function* (_e, startResponse) {
        startResponse('200 OK', TEXT);
        yield enc('Hel');
        yield enc('lo');
      },
    ],
    [
      'an async generator',
      async function* (_e, startResponse) {
        startResponse('200 OK', TEXT);
        await Promise.resolve();
        yield enc('Hello');
      },
    ],
    [
      'an async app returning a promise of an array',
      async (_e, startResponse) => {
        startResponse('200 OK', TEXT);
        return [enc('Hello')];
      },
    ],
  ];
  it.each(apps)('%s passes with no warning', async (_name, app) => {
    const outcome = await serve(app);
    expect(outcome.chunks.join('')).toBe('Hello');
    expect(outcome.warnings).toEqual([]);
    expect(outcome.side.calls).toEqual([['200 OK', TEXT]]);
  });
});

describe('validator: unclosed bodies and default sinks', () => {
  const gc = globalThis.gc;

  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Collects garbage until `done()` or about two seconds have passed. */
  async function collectUntil(done: () => boolean): Promise<void> {
    if (gc === undefined) throw new Error('run vitest with --expose-gc (vitest.config.ts sets it)');
    for (let turn = 0; turn < 200 && !done(); turn++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Makes a body in a frame of its own and drops it, closed or not. */
  function dropBody(onUnclosed: ((m: string) => void) | undefined, close: boolean): void {
    const options = onUnclosed === undefined ? {} : { onUnclosed };
    const body = validator(hello, options)(baseEnviron(), server().startResponse) as Body;
    if (close) void body.close?.();
  }

  it('reports a body collected without close()', async () => {
    const reports: string[] = [];
    dropBody((m) => reports.push(m), false);
    await collectUntil(() => reports.length > 0);
    expect(reports).toEqual(['Iterator garbage collected without being closed']);
  });

  it('does not report a closed body', async () => {
    const reports: string[] = [];
    const witness: string[] = [];
    dropBody((m) => reports.push(m), true);
    // A second, unclosed body collected in the same passes shows the collector did run.
    dropBody((m) => witness.push(m), false);
    await collectUntil(() => witness.length > 0);
    expect(witness).toHaveLength(1);
    expect(reports).toEqual([]);
  });

  it('by default writes the report and a newline to stderr', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      // Only the validator's line: anything else the worker writes meanwhile is not ours to judge.
      if (String(chunk).startsWith('Iterator')) lines.push(String(chunk));
      return true;
    });
    dropBody(undefined, false);
    await collectUntil(() => lines.length > 0);
    expect(lines).toEqual(['Iterator garbage collected without being closed\n']);
  });

  it('by default emits warnings as GwiWarning', async () => {
    const emit = vi.spyOn(process, 'emitWarning').mockImplementation(noop);
    const environ = baseEnviron();
    environ.REQUEST_METHOD = 'BREW';
    const body = validator(hello)(environ, server().startResponse) as Body;
    await body.close?.();
    expect(emit).toHaveBeenCalledWith("Unknown REQUEST_METHOD: 'BREW'", 'GwiWarning');
  });
});
