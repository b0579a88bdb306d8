// The request-target's forms on their own (RFC 9112 §3.2): which targets the server takes, and the path,
// query and host each gives.
import { describe, expect, it } from 'vitest';
import { isValidTarget, parseRequestTarget } from '../../src/server/request-target.js';

describe('isValidTarget', () => {
  it.each([
    ['GET', '/'],
    ['GET', '//double/slash?q#f'],
    ['OPTIONS', '*'],
    ['GET', 'http://example.com/foo?q=1'],
    ['GET', 'HTTPS://example.com'],
    ['GET', 'http://[::1]:8080/foo'],
    ['GET', 'http://user:pass@example.com:8080/foo'],
    ['GET', 'http://example.com:/foo'],
    ['GET', 'http://127.0.0.1?x'],
  ])('takes %s %s', (method, url) => {
    expect(isValidTarget(method, url)).toBe(true);
  });

  it.each([
    ['GET', '*'],
    ['PUT', 's://]ufd/:'],
    ['GET', 'ftp://example.com/file'],
    ['GET', 'http:///no-host'],
    ['GET', 'http://exa mple.com/'],
    ['GET', 'http://[::1/'],
    ['GET', 'http://example.com:80x/'],
    ['GET', 'foo/bar'],
    ['GET', ''],
  ])('refuses %s %s', (method, url) => {
    expect(isValidTarget(method, url)).toBe(false);
  });
});

describe('parseRequestTarget', () => {
  it.each([
    { url: '/meta/?a=1&b=%20', path: '/meta/', query: 'a=1&b=%20', authority: null },
    { url: '/a#b?c', path: '/a#b', query: 'c', authority: null },
    { url: '*', path: '*', query: '', authority: null },
    { url: 'http://example.com/foo?q=1', path: '/foo', query: 'q=1', authority: 'example.com' },
    { url: 'https://example.com/foo', path: '/foo', query: '', authority: 'example.com' },
    { url: 'http://[::1]:8080/foo', path: '/foo', query: '', authority: '[::1]:8080' },
    { url: 'http://user:pass@example.com:8080/foo?q=1', path: '/foo', query: 'q=1', authority: 'example.com:8080' },
    { url: 'http://Example.COM', path: '/', query: '', authority: 'Example.COM' },
    { url: 'http://example.com?x=1', path: '/', query: 'x=1', authority: 'example.com' },
    { url: 'http://example.com//evil.example/', path: '//evil.example/', query: '', authority: 'example.com' },
  ])('$url: path $path, query $query, host $authority', ({ url, path, query, authority }) => {
    expect(parseRequestTarget(url)).toEqual({ path, query, authority });
  });
});
