// Cookies: Django's parse_cookie tests (tests/httpwrappers CookieTests) and Set-Cookie output as
// Python's Morsel.OutputString gives it for Django's set_cookie/delete_cookie (tests/responses/test_cookie.py).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  Cookie,
  CookieError,
  cookieQuote,
  cookieUnquote,
  makeCookie,
  makeDeletionCookie,
  parseCookie,
  type CookieOptions,
} from '../../../src/framework/http/cookies.js';

describe('parseCookie', () => {
  const rows: [header: string, cookies: Record<string, string>][] = [
    ['', {}],
    ['chips=ahoy; vienna=finger', { chips: 'ahoy', vienna: 'finger' }],
    // Django's test_python_cookies: a naive split on ';', quotes only stripped from a whole value.
    ['keebler="E=mc2; L=\\"Loves\\"; fudge=\\012;"', { keebler: '"E=mc2', L: '\\"Loves\\"', fudge: '\\012', '': '"' }],
    ['keebler=E=mc2', { keebler: 'E=mc2' }],
    ['key:term=value:term', { 'key:term': 'value:term' }],
    ['a=b; c=[; d=r; f=h', { a: 'b', c: '[', d: 'r', f: 'h' }],
    ['a=b; Domain=example.com', { a: 'b', Domain: 'example.com' }],
    ['a=b; h=i; a=c', { a: 'c', h: 'i' }],
    ['a  b=c', { 'a  b': 'c' }],
    ['abc', { '': 'abc' }],
    ['a=b; ; =; c=d', { a: 'b', c: 'd' }],
    ['a=""', { a: '' }],
    ['a="caf\\351"', { a: 'café' }],
    ['a="x\\"y\\\\z"', { a: 'x"y\\z' }],
    ['x=W\x03c(h]\x8e', { x: 'W\x03c(h]\x8e' }],
  ];
  it.each(rows)('%j', (header, cookies) => {
    expect({ ...parseCookie(header) }).toEqual(cookies);
  });

  it('returns an object without prototype, so __proto__ is an ordinary cookie', () => {
    const cookies = parseCookie('__proto__=x; constructor=y');
    expect(Object.getPrototypeOf(cookies)).toBeNull();
    expect(cookies['__proto__']).toBe('x');
    expect(cookies['constructor']).toBe('y');
  });
});

describe('cookieQuote and cookieUnquote (http.cookies._quote/_unquote)', () => {
  const rows: [value: string, coded: string][] = [
    ['abc', 'abc'],
    ["!#$%&'*+-.^_`|~:", "!#$%&'*+-.^_`|~:"],
    ['', '""'],
    ['a b', '"a b"'],
    ['(a)/<b>=?@[c]{d}', '"(a)/<b>=?@[c]{d}"'],
    ['a;b', '"a\\073b"'],
    ['a,b', '"a\\054b"'],
    ['café', '"caf\\351"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ['x\n\x7f', '"x\\012\\177"'],
  ];
  it.each(rows)('%j ⇄ %j', (value, coded) => {
    expect(cookieQuote(value)).toBe(coded);
    expect(cookieUnquote(coded)).toBe(value);
  });

  it.each(['"', 'x"', '"x', 'plain'])('leaves %j alone when it is not a quoted value', (value) => {
    expect(cookieUnquote(value)).toBe(value);
  });
});

describe('makeCookie (set_cookie) and outputString', () => {
  const NOW = Date.UTC(2026, 10, 22, 4, 35, 45, 250);
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const rows: [name: string, key: string, value: string, options: CookieOptions, header: string][] = [
    ['defaults', 'a', 'b', {}, 'a=b; Path=/'],
    ['an empty value', 'a', '', {}, 'a=""; Path=/'],
    ['a value needing quotes', 'a', 'x y;z', {}, 'a="x y\\073z"; Path=/'],
    ['maxAge', 'a', 'b', { maxAge: 10 }, 'a=b; expires=Sun, 22 Nov 2026 04:35:55 GMT; Max-Age=10; Path=/'],
    ['a fractional maxAge', 'a', 'b', { maxAge: 10.9 }, 'a=b; expires=Sun, 22 Nov 2026 04:35:55 GMT; Max-Age=10; Path=/'],
    [
      'expires as a Date',
      'a',
      'b',
      { expires: new Date(NOW + 3600_000) },
      'a=b; expires=Sun, 22 Nov 2026 05:35:45 GMT; Max-Age=3600; Path=/',
    ],
    ['expires in the past', 'a', 'b', { expires: new Date(NOW - 5000) }, 'a=b; expires=Sun, 22 Nov 2026 04:35:45 GMT; Max-Age=0; Path=/'],
    ['expires as a string', 'a', 'b', { expires: 'Fri, 01 Jan 2038 00:00:00 GMT' }, 'a=b; expires=Fri, 01 Jan 2038 00:00:00 GMT; Path=/'],
    [
      'expires string with maxAge',
      'a',
      'b',
      { expires: 'Fri, 01 Jan 2038 00:00:00 GMT', maxAge: 5 },
      'a=b; expires=Fri, 01 Jan 2038 00:00:00 GMT; Max-Age=5; Path=/',
    ],
    ['no path', 'a', 'b', { path: null }, 'a=b'],
    [
      'every attribute, in Python order',
      'sessionid',
      'abc123',
      { maxAge: 60, domain: '.example.com', path: '/app', secure: true, httponly: true, samesite: 'Lax' },
      'sessionid=abc123; Domain=.example.com; expires=Sun, 22 Nov 2026 04:36:45 GMT; HttpOnly; Max-Age=60; Path=/app; SameSite=Lax; Secure',
    ],
    ['samesite strict', 'a', 'b', { samesite: 'Strict' }, 'a=b; Path=/; SameSite=Strict'],
  ];
  it.each(rows)('%s', (_name, key, value, options, header) => {
    expect(makeCookie(key, value, options).outputString()).toBe(header);
  });

  it.each([
    ['a', {}, 'a=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'],
    ['a', { path: '/x', domain: 'example.com' }, 'a=""; Domain=example.com; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/x'],
    ['__Secure-a', {}, '__Secure-a=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; Secure'],
    ['__Host-a', {}, '__Host-a=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; Secure'],
    ['a', { samesite: 'none' }, 'a=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=none; Secure'],
    ['a', { samesite: 'Lax' }, 'a=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax'],
  ] as const)('makeDeletionCookie(%j, %j)', (key, options, header) => {
    expect(makeDeletionCookie(key, options).outputString()).toBe(header);
  });

  it('exposes the morsel fields', () => {
    const cookie = makeCookie('k', 'a b', { maxAge: 1 });
    expect(cookie).toBeInstanceOf(Cookie);
    expect([cookie.key, cookie.value, cookie.codedValue, cookie.maxAge, cookie.path]).toEqual(['k', 'a b', '"a b"', 1, '/']);
    expect(String(cookie)).toBe('Set-Cookie: k="a b"; expires=Sun, 22 Nov 2026 04:35:46 GMT; Max-Age=1; Path=/');
  });

  it.each([
    ['an illegal key', () => makeCookie('a b', 'x'), new CookieError("Illegal key 'a b'")],
    ['an empty key', () => makeCookie('', 'x'), new CookieError("Illegal key ''")],
    ['a reserved key', () => makeCookie('Expires', 'x'), new CookieError("Attempt to set a reserved key 'Expires'")],
    ['a bad samesite', () => makeCookie('a', 'x', { samesite: 'bad' as 'Lax' }), new TypeError('samesite must be "lax", "none", or "strict".')],
    [
      'expires with maxAge',
      () => makeCookie('a', 'x', { expires: new Date(), maxAge: 1 }),
      new TypeError("'expires' and 'maxAge' can't be used together."),
    ],
    [
      'an injected attribute',
      () => makeCookie('a', 'x', { path: '/; Secure' }),
      new CookieError("The cookie attribute path must not contain ';' or control characters (got '/; Secure')"),
    ],
    [
      'a header-splitting domain',
      () => makeCookie('a', 'x', { domain: 'x\r\nSet-Cookie: b=c' }),
      new CookieError("The cookie attribute domain must not contain ';' or control characters (got 'x\\r\\nSet-Cookie: b=c')"),
    ],
    [
      'a value beyond latin-1',
      () => makeCookie('a', '€'),
      new CookieError("Cookie values must be latin-1 text; encode '€' first (for example with encodeURIComponent)"),
    ],
  ])('refuses %s', (_name, make, error) => {
    expect(make).toThrow(error);
    expect(make).toThrow(error.constructor as typeof Error);
  });
});
