// Responses (Django's tests/httpwrappers, tests/responses): status lines, headers, cookies, content,
// streaming, JSON, redirects, closing — and each one served as a GWI body through the validator.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { DisallowedRedirect } from '../../../src/framework/exceptions.js';
import {
  encodeText,
  HttpResponse,
  HttpResponseBadRequest,
  HttpResponseForbidden,
  HttpResponseGone,
  HttpResponseNotAllowed,
  HttpResponseNotFound,
  HttpResponseNotModified,
  HttpResponsePermanentRedirect,
  HttpResponseRedirect,
  HttpResponseServerError,
  isResponse,
  JsonResponse,
  StreamingHttpResponse,
} from '../../../src/framework/http/response.js';
import { BadHeaderError, ResponseHeaders } from '../../../src/framework/http/response-headers.js';
import { requestFinished } from '../../../src/framework/signals.js';
import { serveResponse } from '../../helpers/serve-response.js';

beforeEach(() => configureSettings({}));
afterEach(() => resetSettings());

describe('status lines', () => {
  it.each([
    [() => new HttpResponse(), '200 OK'],
    [() => new HttpResponse('', { status: 201 }), '201 Created'],
    [() => new HttpResponse('', { status: 418 }), "418 I'm a Teapot"],
    [() => new HttpResponse('', { status: 599 }), '599 Unknown Status Code'],
    [() => new HttpResponse('', { status: 200, reason: 'Fine' }), '200 Fine'],
    [() => new HttpResponseRedirect('/x'), '302 Found'],
    [() => new HttpResponsePermanentRedirect('/x'), '301 Moved Permanently'],
    [() => new HttpResponseRedirect('/x', { preserveRequest: true }), '307 Temporary Redirect'],
    [() => new HttpResponsePermanentRedirect('/x', { preserveRequest: true }), '308 Permanent Redirect'],
    [() => new HttpResponseNotModified(), '304 Not Modified'],
    [() => new HttpResponseBadRequest(), '400 Bad Request'],
    [() => new HttpResponseForbidden(), '403 Forbidden'],
    [() => new HttpResponseNotFound(), '404 Not Found'],
    [() => new HttpResponseNotFound('', { status: 410 }), '410 Gone'],
    [() => new HttpResponseNotAllowed(['GET']), '405 Method Not Allowed'],
    [() => new HttpResponseGone(), '410 Gone'],
    [() => new HttpResponseServerError(), '500 Internal Server Error'],
    [() => new JsonResponse({}), '200 OK'],
    [() => new StreamingHttpResponse([]), '200 OK'],
  ])('%#: %s', (make, statusLine) => {
    expect(make().statusLine).toBe(statusLine);
  });

  it('follows status and reason changes', () => {
    const response = new HttpResponse();
    response.statusCode = 404;
    expect(response.statusLine).toBe('404 Not Found');
    response.reasonPhrase = 'Nope';
    expect([response.reasonPhrase, response.statusLine]).toEqual(['Nope', '404 Nope']);
  });

  it.each([
    [99, RangeError, 'HTTP status code must be an integer from 100 to 599.'],
    [600, RangeError, 'HTTP status code must be an integer from 100 to 599.'],
    [200.5, TypeError, 'HTTP status code must be an integer.'],
    ['200' as unknown as number, TypeError, 'HTTP status code must be an integer.'],
  ])('refuses the status %j', (status, ErrorClass, message) => {
    expect(() => new HttpResponse('', { status })).toThrow(new ErrorClass(message));
    expect(() => new HttpResponse('', { status })).toThrow(ErrorClass);
  });
});

describe('headers', () => {
  it('defaults Content-Type to text/html with the charset', () => {
    expect(new HttpResponse().headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(new HttpResponse('', { charset: 'iso-8859-1' }).headers.get('Content-Type')).toBe('text/html; charset=iso-8859-1');
    configureSettings({ DEFAULT_CHARSET: 'latin-1' });
    expect(new HttpResponse().headers.get('Content-Type')).toBe('text/html; charset=latin-1');
  });

  it('builds without configured settings (pages about a broken project)', () => {
    resetSettings();
    expect(new HttpResponse('é').headerList()).toEqual([['Content-Type', 'text/html; charset=utf-8']]);
  });

  it('takes headers from the options, refusing a second Content-Type', () => {
    const response = new HttpResponse('', { headers: { 'Content-Type': 'text/plain', 'X-A': 1 } });
    expect(response.headerList()).toEqual([['Content-Type', 'text/plain'], ['X-A', '1']]);
    expect(new HttpResponse('', { headers: [['x-b', 'y']] }).headerList()).toEqual([['x-b', 'y'], ['Content-Type', 'text/html; charset=utf-8']]);
    expect(() => new HttpResponse('', { contentType: 'text/plain', headers: { 'content-type': 'x' } })).toThrow(
      new TypeError("'headers' must not contain 'Content-Type' when the 'contentType' option is provided."),
    );
  });

  it('is case-insensitive, keeps order and the first case', () => {
    const headers = new ResponseHeaders();
    headers.set('X-Frame-Options', 'DENY');
    headers.set('cache-control', 'no-cache');
    headers.set('x-frame-options', 'SAMEORIGIN');
    expect([...headers]).toEqual([['X-Frame-Options', 'SAMEORIGIN'], ['cache-control', 'no-cache']]);
    expect(headers.get('X-FRAME-OPTIONS')).toBe('SAMEORIGIN');
    expect(headers.has('Cache-Control')).toBe(true);
    expect(headers.setDefault('Cache-Control', 'x')).toBe('no-cache');
    expect(headers.setDefault('Vary', 'Cookie')).toBe('Cookie');
    expect(headers.delete('CACHE-CONTROL')).toBe(true);
    expect(headers.delete('cache-control')).toBe(false);
    expect(headers.keys()).toEqual(['X-Frame-Options', 'Vary']);
    expect(headers.size).toBe(2);
  });

  it.each([
    ['test', 'test'],
    [42, '42'],
    ['café', 'café'],
    ['†', '=?utf-8?b?4oCg?='],
    ['a ☃ b', '=?utf-8?b?YSDimIMgYg==?='],
    ['abcdefghij ☃', '=?utf-8?q?abcdefghij_=E2=98=83?='],
    ['tab\tok', 'tab\tok'],
  ])('stores the value %j as %j', (value, stored) => {
    const headers = new ResponseHeaders({ key: value });
    expect(headers.get('key')).toBe(stored);
  });

  it.each([
    ['a\nb', "Header values can't contain newlines (got 'a\\nb')"],
    ['a\rb', "Header values can't contain newlines (got 'a\\rb')"],
    ['test\r\nstr', "Header values can't contain newlines (got 'test\\r\\nstr')"],
    ['nul\0', "Header values can't contain control characters (got 'nul\\x00')"],
  ])('refuses the value %j', (value, message) => {
    const response = new HttpResponse();
    expect(() => response.headers.set('X-Test', value)).toThrow(new BadHeaderError(message));
    expect(response.headers.has('X-Test')).toBe(false);
  });

  it.each(['bad name', 'bad:name', 'naïve', '', 'a\nb'])('refuses the name %j', (name) => {
    expect(() => new ResponseHeaders().set(name, 'x')).toThrow(BadHeaderError);
  });

  it('refuses a bad name or value every time, after good ones were accepted', () => {
    const headers = new ResponseHeaders();
    for (let i = 0; i < 3; i++) {
      headers.set('X-Good', 'fine');
      expect(() => headers.set('X Bad', 'fine')).toThrow(BadHeaderError);
      expect(() => headers.set('X-Good', 'a\nb')).toThrow(BadHeaderError);
    }
    expect(headers.list()).toEqual([['X-Good', 'fine']]);
  });
});

describe('cookies in the header list', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.UTC(2026, 0, 1, 12, 0, 0));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('adds one Set-Cookie per cookie after the headers, Django style', () => {
    const response = new HttpResponse('ok');
    response.headers.set('X-A', 'b');
    response.setCookie('sessionid', 'abc', { maxAge: 3600, httponly: true, samesite: 'Lax' });
    response.setCookie('theme', 'dark mode');
    response.deleteCookie('old', { path: '/app' });
    response.setCookie('theme', 'light');
    expect(response.headerList()).toEqual([
      ['Content-Type', 'text/html; charset=utf-8'],
      ['X-A', 'b'],
      ['Set-Cookie', 'sessionid=abc; expires=Thu, 01 Jan 2026 13:00:00 GMT; HttpOnly; Max-Age=3600; Path=/; SameSite=Lax'],
      ['Set-Cookie', 'theme=light; Path=/'],
      ['Set-Cookie', 'old=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/app'],
    ]);
    expect([...response.cookies.keys()]).toEqual(['sessionid', 'theme', 'old']);
  });
});

describe('HttpResponse content', () => {
  it.each([
    ['', ''],
    ['héllo', 'héllo'],
    [Buffer.from('raw'), 'raw'],
    [new Uint8Array([0x68, 0x69]), 'hi'],
    [['a', Buffer.from('b'), 'ç'], 'abç'],
    [new Set(['x', 'y']), 'xy'],
  ])('takes %j', (content, text) => {
    const response = new HttpResponse(content);
    expect(response.text).toBe(text);
    expect(response.content).toEqual(Buffer.from(text));
  });

  it('encodes text with the charset, and refuses what the charset cannot hold', () => {
    const latin = new HttpResponse('café', { contentType: 'text/plain; charset="ISO-8859-1"' });
    expect(latin.charset).toBe('ISO-8859-1');
    expect([...latin.content]).toEqual([0x63, 0x61, 0x66, 0xe9]);
    expect(latin.text).toBe('café');
    expect(() => new HttpResponse('€', { charset: 'latin-1' })).toThrow(TypeError);
    expect(() => new HttpResponse('x', { charset: 'klingon' })).toThrow("Cannot encode the response content with charset 'klingon'");
    expect(encodeText('é', 'utf-16le')).toEqual(Buffer.from([0xe9, 0x00]));
    expect(() => encodeText('é', 'ascii')).toThrow(TypeError);
  });

  it('closes an iterable content after consuming it', () => {
    const close = vi.fn();
    const content = Object.assign(['a', 'b'], { close });
    expect(new HttpResponse(content).text).toBe('ab');
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('appends with write(), replaces with content =, and iterates its body as one chunk, repeatably', () => {
    const response = new HttpResponse('a');
    response.write('b');
    response.write(Buffer.from('c'));
    expect([...response].map((c) => Buffer.from(c).toString())).toEqual(['abc']);
    expect([...response].map((c) => Buffer.from(c).toString())).toEqual(['abc']);
    response.content = ['x', 'y'];
    expect(response.text).toBe('xy');
    expect(response.streaming).toBe(false);
  });

  it('is served as a GWI body', async () => {
    const response = new HttpResponseNotFound('<h1>Not here</h1>');
    response.setCookie('a', 'b');
    expect(await serveResponse(response)).toEqual({
      status: '404 Not Found',
      headers: [['Content-Type', 'text/html; charset=utf-8'], ['Set-Cookie', 'a=b; Path=/']],
      body: Buffer.from('<h1>Not here</h1>'),
    });
  });
});

describe('close()', () => {
  it('runs the closers once, survives a failing one, then sends requestFinished with the response', async () => {
    const events: string[] = [];
    const receiver = (sender: unknown) => events.push(sender === response ? 'finished(response)' : 'finished(other)');
    requestFinished.connect(receiver);
    const response = new HttpResponse('x');
    response.closers.push(
      () => void events.push('first'),
      () => {
        throw new Error('ignored');
      },
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push('async');
      },
    );
    try {
      expect(response.closed).toBe(false);
      const first = response.close();
      expect(response.close()).toBe(first);
      await first;
      await response.close();
      expect(events).toEqual(['first', 'async', 'finished(response)']);
      expect(response.closed).toBe(true);
      expect(response.closers).toEqual([]);
    } finally {
      requestFinished.disconnect(receiver);
    }
  });
});

describe('close() with synchronous closers', () => {
  it('closes at once, returning nothing to wait for, in the same order and only once', () => {
    const events: string[] = [];
    const receiver = () => void events.push('finished');
    requestFinished.connect(receiver);
    try {
      const response = new HttpResponse('x');
      response.closers.push(
        () => void events.push('first'),
        () => {
          throw new Error('ignored');
        },
        () => void events.push('last'),
      );
      expect(response.close()).toBeUndefined();
      expect(events).toEqual(['first', 'last', 'finished']);
      expect(response.closed).toBe(true);
      expect(response.close()).toBeUndefined();
      expect(events).toEqual(['first', 'last', 'finished']);
    } finally {
      requestFinished.disconnect(receiver);
    }
  });
});

describe('StreamingHttpResponse', () => {
  it('streams strings (encoded with the charset) and bytes from sync and async iterables', async () => {
    async function* generate() {
      yield 'caf';
      yield 'é';
      yield Buffer.from('!');
    }
    const response = new StreamingHttpResponse(generate(), { contentType: 'text/plain; charset=latin-1' });
    expect(response.streaming).toBe(true);
    expect('content' in response).toBe(false);
    const chunks: number[][] = [];
    for await (const chunk of response) chunks.push([...chunk]);
    expect(chunks).toEqual([[0x63, 0x61, 0x66], [0xe9], [0x21]]);
    expect(await new StreamingHttpResponse(['a', 'b']).getValue()).toEqual(Buffer.from('ab'));
  });

  it('can be iterated once only', async () => {
    const response = new StreamingHttpResponse(['a']);
    expect((await response.getValue()).toString()).toBe('a');
    await expect(response.getValue()).rejects.toThrow('The streaming content of a response can be iterated only once.');
  });

  it('finishes an abandoned generator on close(), and closes the source', async () => {
    const events: string[] = [];
    async function* generate() {
      try {
        yield 'one';
        yield 'two';
      } finally {
        events.push('generator finally');
      }
    }
    const source = Object.assign(generate(), { close: () => void events.push('source close') });
    const response = new StreamingHttpResponse(source);
    const iterator = response[Symbol.asyncIterator]();
    expect(Buffer.from((await iterator.next()).value as Uint8Array).toString()).toBe('one');
    await response.close();
    expect(events).toEqual(['source close', 'generator finally']);
  });

  it('is served as a GWI body, requestFinished only after it was consumed', async () => {
    const events: string[] = [];
    const receiver = () => events.push('finished');
    requestFinished.connect(receiver);
    try {
      async function* generate() {
        events.push('produce');
        yield 'streamed ';
        yield 'body';
      }
      const served = await serveResponse(new StreamingHttpResponse(generate(), { headers: { 'X-Stream': 'yes' } }));
      expect(served).toEqual({
        status: '200 OK',
        headers: [['X-Stream', 'yes'], ['Content-Type', 'text/html; charset=utf-8']],
        body: Buffer.from('streamed body'),
      });
      expect(events).toEqual(['produce', 'finished']);
    } finally {
      requestFinished.disconnect(receiver);
    }
  });
});

describe('JsonResponse', () => {
  it('serializes with application/json', () => {
    const response = new JsonResponse({ a: 1, b: [true, null], c: 'é' });
    expect(response.headers.get('Content-Type')).toBe('application/json');
    expect(response.text).toBe('{"a":1,"b":[true,null],"c":"é"}');
    expect(new JsonResponse({ a: 1 }, { space: 2 }).text).toBe('{\n  "a": 1\n}');
    expect(new JsonResponse(Object.create(null) as object).text).toBe('{}');
    expect(new JsonResponse({ d: new Date(0) }).text).toBe('{"d":"1970-01-01T00:00:00.000Z"}');
    expect(new JsonResponse({}, { status: 201, contentType: 'application/vnd.api+json' }).headerList()).toEqual([
      ['Content-Type', 'application/vnd.api+json'],
    ]);
  });

  it.each([[[1, 2]], ['text'], [null], [42], [new Map()], [new Date(0)]])('refuses %j unless safe is false', (data) => {
    expect(() => new JsonResponse(data)).toThrow(
      new TypeError('In order to allow non-dict objects to be serialized set the safe parameter to False.'),
    );
    expect(new JsonResponse(data, { safe: false }).text).toBe(JSON.stringify(data));
  });
});

describe('redirects', () => {
  it.each([
    ['/next/', '/next/'],
    ['https://example.com/a?b=1#c', 'https://example.com/a?b=1#c'],
    ['/café?q=ü v', '/caf%C3%A9?q=%C3%BC%20v'],
    ['/x\r\nSet-Cookie: a=b', '/x%0D%0ASet-Cookie:%20a=b'],
    ['ftp://files.example/x', 'ftp://files.example/x'],
    ['relative/path', 'relative/path'],
    ['mailto', 'mailto'],
  ])('sends Location for %j as %j', (url, location) => {
    const response = new HttpResponseRedirect(url);
    expect(response.headers.get('Location')).toBe(location);
    expect(response.url).toBe(location);
  });

  it('takes a URL object', () => {
    expect(new HttpResponsePermanentRedirect(new URL('https://example.com/ä')).url).toBe('https://example.com/%C3%A4');
  });

  it.each([
    ['javascript:alert(1)', 'javascript'],
    ['JavaScript:alert(1)', 'javascript'],
    [' \tjavascript:alert(1)', 'javascript'],
    ['java\nscript:alert(1)', 'javascript'],
    ['data:text/html,<script>', 'data'],
    ['file:///etc/passwd', 'file'],
  ])('refuses %j', (url, scheme) => {
    expect(() => new HttpResponseRedirect(url)).toThrow(new DisallowedRedirect(`Unsafe redirect to URL with protocol '${scheme}'`));
    expect(() => new HttpResponsePermanentRedirect(url)).toThrow(DisallowedRedirect);
  });
});

describe('other responses', () => {
  it('HttpResponseNotModified has no Content-Type and refuses content', () => {
    const response = new HttpResponseNotModified();
    expect(response.headerList()).toEqual([]);
    expect(response.content.length).toBe(0);
    response.content = '';
    const error = new TypeError('You cannot set content to a 304 (Not Modified) response');
    expect(() => (response.content = 'x')).toThrow(error);
    expect(() => (response.content = ['x'])).toThrow(error);
    expect(() => response.write('x')).toThrow(error);
    response.write('');
    expect(response.content.length).toBe(0);
  });

  it("HttpResponseNotAllowed lists the methods in Allow", () => {
    expect(new HttpResponseNotAllowed(['GET', 'POST']).headers.get('Allow')).toBe('GET, POST');
    expect(new HttpResponseNotAllowed(new Set(['PUT']), 'nope').text).toBe('nope');
  });

  it('isResponse tells responses apart', () => {
    expect(isResponse(new HttpResponse())).toBe(true);
    expect(isResponse(new StreamingHttpResponse([]))).toBe(true);
    expect(isResponse({ statusCode: 200, headers: {} })).toBe(false);
    expect(isResponse(null)).toBe(false);
  });
});
