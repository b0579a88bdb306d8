// wsgiref.util's UtilityTests (reference §1.10, §6.3 U-1 to U-5, U-7), one row per case.
import { describe, expect, it } from 'vitest';
import { StringErrors } from '../../src/gateway/error-stream.js';
import { BytesInput } from '../../src/gateway/input.js';
import {
  applicationUri,
  formatDateTime,
  guessScheme,
  isHopByHop,
  requestUri,
  setupTestingDefaults,
  shiftPathInfo,
} from '../../src/gateway/util.js';

const environFor = (extras: Record<string, unknown>) => setupTestingDefaults({ ...extras });

describe('applicationUri and requestUri', () => {
  const rows: [extras: Record<string, unknown>, application: string, request: string][] = [
    [{}, 'http://127.0.0.1/', 'http://127.0.0.1/'],
    [{ SCRIPT_NAME: '/spam' }, 'http://127.0.0.1/spam', 'http://127.0.0.1/spam'],
    [{ SCRIPT_NAME: '/sp\xe4m' }, 'http://127.0.0.1/sp%E4m', 'http://127.0.0.1/sp%E4m'],
    [
      { HTTP_HOST: 'spam.example.com:2071', SERVER_PORT: '2071' },
      'http://spam.example.com:2071/',
      'http://spam.example.com:2071/',
    ],
    [{ SERVER_NAME: 'spam.example.com' }, 'http://spam.example.com/', 'http://spam.example.com/'],
    [{ HTTP_HOST: '127.0.0.1', SERVER_NAME: 'spam.example.com' }, 'http://127.0.0.1/', 'http://127.0.0.1/'],
    [{ HTTPS: 'on' }, 'https://127.0.0.1/', 'https://127.0.0.1/'],
    [{ SERVER_PORT: '8000', HTTP_HOST: undefined }, 'http://127.0.0.1:8000/', 'http://127.0.0.1:8000/'],
    [
      { HTTPS: 'on', SERVER_PORT: '8443', HTTP_HOST: '' },
      'https://127.0.0.1:8443/',
      'https://127.0.0.1:8443/',
    ],
    [{ SCRIPT_NAME: '/spammity', PATH_INFO: '/spam' }, 'http://127.0.0.1/spammity', 'http://127.0.0.1/spammity/spam'],
    [
      { SCRIPT_NAME: '/spammity', PATH_INFO: '/sp\xe4m' },
      'http://127.0.0.1/spammity',
      'http://127.0.0.1/spammity/sp%E4m',
    ],
    [
      { SCRIPT_NAME: '/spammity', PATH_INFO: '/spam;ham' },
      'http://127.0.0.1/spammity',
      'http://127.0.0.1/spammity/spam;ham',
    ],
    [
      { SCRIPT_NAME: '/spammity', PATH_INFO: '/spam;cookie=1234,5678' },
      'http://127.0.0.1/spammity',
      'http://127.0.0.1/spammity/spam;cookie=1234,5678',
    ],
    [
      { SCRIPT_NAME: '/spammity', PATH_INFO: '/spam', QUERY_STRING: 'say=ni' },
      'http://127.0.0.1/spammity',
      'http://127.0.0.1/spammity/spam?say=ni',
    ],
    [
      { SCRIPT_NAME: '/spammity', PATH_INFO: '/spam', QUERY_STRING: 's%E4y=ni' },
      'http://127.0.0.1/spammity',
      'http://127.0.0.1/spammity/spam?s%E4y=ni',
    ],
    [{ SCRIPT_NAME: '', PATH_INFO: '/a b/c?d#e' }, 'http://127.0.0.1/', 'http://127.0.0.1/a%20b/c%3Fd%23e'],
    [{ SCRIPT_NAME: '/x', PATH_INFO: '' }, 'http://127.0.0.1/x', 'http://127.0.0.1/x'],
  ];

  it.each(rows)('%o', (extras, application, request) => {
    const environ = environFor(extras);
    expect(applicationUri(environ)).toBe(application);
    expect(requestUri(environ)).toBe(request);
  });

  it('leaves the query out when includeQuery is false', () => {
    const environ = environFor({ SCRIPT_NAME: '/spammity', PATH_INFO: '/spam', QUERY_STRING: 'say=ni' });
    expect(requestUri(environ, false)).toBe('http://127.0.0.1/spammity/spam');
  });

  it('refuses a path that is not latin-1', () => {
    const environ = environFor({ PATH_INFO: '/\u20ac' });
    expect(() => requestUri(environ)).toThrow(TypeError);
    expect(() => requestUri(environ)).toThrow(/latin-1/);
  });
});

describe('shiftPathInfo', () => {
  const rows: [scriptIn: string, pathIn: string, returns: string | null, scriptOut: string, pathOut: string][] = [
    ['', '/', '', '/', ''],
    ['', '/x', 'x', '/x', ''],
    ['/', '', null, '/', ''],
    ['/a', '/x/y', 'x', '/a/x', '/y'],
    ['/a', '/x/', 'x', '/a/x', '/'],
    ['/a/b', '/../y', '..', '/a', '/y'],
    ['', '/../y', '..', '', '/y'],
    ['/a/b', '//y', 'y', '/a/b/y', ''],
    ['/a/b', '//y/', 'y', '/a/b/y', '/'],
    ['/a/b', '/./y', 'y', '/a/b/y', ''],
    ['/a/b', '/./y/', 'y', '/a/b/y', '/'],
    ['/a/b', '///./..//y/.//', '..', '/a', '/y/'],
    ['/a/b', '///', '', '/a/b/', ''],
    ['/a/b', '/.//', '', '/a/b/', ''],
    ['/a/b', '/x//', 'x', '/a/b/x', '/'],
    ['/a/b', '/.', null, '/a/b', ''],
    ['', '/a/b/c', 'a', '/a', '/b/c'],
    ['', 'x/y', 'y', '/y', 'x'],
    ['/a', '', null, '/a', ''],
  ];

  it.each(rows)('SCRIPT_NAME %j + PATH_INFO %j', (scriptIn, pathIn, returns, scriptOut, pathOut) => {
    const environ = { SCRIPT_NAME: scriptIn, PATH_INFO: pathIn };
    expect(shiftPathInfo(environ)).toBe(returns);
    expect(environ).toEqual({ SCRIPT_NAME: scriptOut, PATH_INFO: pathOut });
  });

  it('keeps exactly two leading slashes, as posixpath.normpath does', () => {
    const environ = { SCRIPT_NAME: '/', PATH_INFO: '/x' };
    expect(shiftPathInfo(environ)).toBe('x');
    expect(environ).toEqual({ SCRIPT_NAME: '//x', PATH_INFO: '' });
  });

  it('fails on a PATH_INFO with no slash at all, as wsgiref does', () => {
    const environ = { SCRIPT_NAME: '/a', PATH_INFO: 'x' };
    expect(() => shiftPathInfo(environ)).toThrow("PATH_INFO has no segment to shift: 'x'");
    expect(environ).toEqual({ SCRIPT_NAME: '/a', PATH_INFO: 'x' });
  });
});

describe('setupTestingDefaults', () => {
  const defaults: [key: string, value: unknown][] = [
    ['SERVER_NAME', '127.0.0.1'],
    ['SERVER_PORT', '80'],
    ['SERVER_PROTOCOL', 'HTTP/1.0'],
    ['HTTP_HOST', '127.0.0.1'],
    ['REQUEST_METHOD', 'GET'],
    ['SCRIPT_NAME', ''],
    ['PATH_INFO', '/'],
    ['gwi.version', [1, 0]],
    ['gwi.run_once', false],
    ['gwi.multithread', false],
    ['gwi.multiprocess', false],
    ['gwi.url_scheme', 'http'],
  ];

  it.each(defaults)('defaults %s to %o and keeps an existing value', (key, value) => {
    expect(setupTestingDefaults({})[key]).toEqual(value);
    const existing = { mine: true };
    expect(setupTestingDefaults({ [key]: existing })[key]).toBe(existing);
  });

  it('defaults gwi.input to a fresh empty BytesInput and keeps an existing one', async () => {
    const input = setupTestingDefaults({})['gwi.input'];
    expect(input).toBeInstanceOf(BytesInput);
    expect(await input.read()).toHaveLength(0);
    expect(setupTestingDefaults({})['gwi.input']).not.toBe(input);
    const existing = new BytesInput('body');
    expect(setupTestingDefaults({ 'gwi.input': existing })['gwi.input']).toBe(existing);
  });

  it('defaults gwi.errors to a fresh empty StringErrors and keeps an existing one', () => {
    const errors = setupTestingDefaults({})['gwi.errors'];
    expect(errors).toBeInstanceOf(StringErrors);
    expect((errors as StringErrors).value).toBe('');
    expect(setupTestingDefaults({})['gwi.errors']).not.toBe(errors);
    const existing = new StringErrors();
    expect(setupTestingDefaults({ 'gwi.errors': existing })['gwi.errors']).toBe(existing);
  });

  it('fills in nothing else', () => {
    expect(Object.keys(setupTestingDefaults({})).sort()).toEqual(
      [...defaults.map(([key]) => key), 'gwi.input', 'gwi.errors'].sort(),
    );
  });

  const crossDefaults: [given: Record<string, string>, key: string, value: string][] = [
    [{ SERVER_NAME: 'foo.bar' }, 'HTTP_HOST', 'foo.bar'],
    [{ HTTPS: 'on' }, 'gwi.url_scheme', 'https'],
    [{ HTTPS: '1' }, 'gwi.url_scheme', 'https'],
    [{ HTTPS: 'yes' }, 'gwi.url_scheme', 'https'],
    [{ HTTPS: 'foo' }, 'gwi.url_scheme', 'http'],
    [{ HTTPS: 'foo' }, 'SERVER_PORT', '80'],
    [{ HTTPS: 'on' }, 'SERVER_PORT', '443'],
  ];

  it.each(crossDefaults)('given %o sets %s to %s', (given, key, value) => {
    expect(setupTestingDefaults({ ...given })[key]).toBe(value);
  });
});

describe('guessScheme', () => {
  it.each([
    [{}, 'http'],
    [{ HTTPS: 'foo' }, 'http'],
    [{ HTTPS: 'ON' }, 'http'],
    [{ HTTPS: 'true' }, 'http'],
    [{ HTTPS: 'on' }, 'https'],
    [{ HTTPS: 'yes' }, 'https'],
    [{ HTTPS: '1' }, 'https'],
  ])('%o gives %s', (environ, scheme) => {
    expect(guessScheme(environ)).toBe(scheme);
  });
});

describe('isHopByHop', () => {
  const hop = [
    'Connection',
    'Keep-Alive',
    'Proxy-Authenticate',
    'Proxy-Authorization',
    'TE',
    'Trailers',
    'Transfer-Encoding',
    'Upgrade',
  ];
  const rows: [name: string, expected: boolean][] = hop.flatMap((name) =>
    [name, name.toLowerCase(), name.toUpperCase()].map((n): [string, boolean] => [n, true]),
  );
  for (const name of ['Accept', 'Cache-Control', 'Date', 'Pragma', 'Trailer', 'Via', 'Warning']) {
    rows.push([name, false], [name.toLowerCase(), false]);
  }

  it.each(rows)('%s gives %s', (name, expected) => {
    expect(isHopByHop(name)).toBe(expected);
  });
});

describe('formatDateTime', () => {
  it.each([
    [0, 'Thu, 01 Jan 1970 00:00:00 GMT'],
    [1_700_000_000_000, 'Tue, 14 Nov 2023 22:13:20 GMT'],
    [951_782_400_999, 'Tue, 29 Feb 2000 00:00:00 GMT'],
  ])('%d gives %s', (timestampMs, expected) => {
    expect(formatDateTime(timestampMs)).toBe(expected);
  });
});
