// utils/http.ts's host patterns and URL splitting, on Django's is_same_domain cases and on what Python's
// urlsplit() gives (the expected parts were printed by Python 3.11).
import { describe, expect, it } from 'vitest';
import { InvalidUrl, isSameDomain, urlSplit, urlUnsplit } from '../../../src/framework/utils/http.js';

describe('isSameDomain()', () => {
  it.each([
    ['example.com', 'example.com'],
    ['example.com', '.example.com'],
    ['foo.example.com', '.example.com'],
    ['example.com:8888', 'example.com:8888'],
    ['example.com:8888', '.example.com:8888'],
    ['foo.example.com:8888', '.example.com:8888'],
    ['example.com', 'EXAMPLE.com'],
  ])('%s matches %s', (host, pattern) => {
    expect(isSameDomain(host, pattern)).toBe(true);
  });

  it.each([
    ['example2.com', 'example.com'],
    ['foo.example.com', 'example.com'],
    ['example.com:9999', 'example.com:8888'],
    ['foo.example.com:8888', ''],
    ['badexample.com', '.example.com'],
  ])('%s does not match %s', (host, pattern) => {
    expect(isSameDomain(host, pattern)).toBe(false);
  });
});

describe('urlSplit()', () => {
  it.each([
    ['https://example.com/path?q=1#f', ['https', 'example.com', '/path', 'q=1', 'f']],
    ['HTTPS://Example.com', ['https', 'Example.com', '', '', '']],
    ['https://[::1]:8000/', ['https', '[::1]:8000', '/', '', '']],
    ['http://[v1.x]/', ['http', '[v1.x]', '/', '', '']],
    ['https://[fe80::1%25eth0]/', ['https', '[fe80::1%25eth0]', '/', '', '']],
    ['  https://a.b/ c', ['https', 'a.b', '/ c', '', '']],
    ['https://a\tb.com/', ['https', 'ab.com', '/', '', '']],
    ['//host/p', ['', 'host', '/p', '', '']],
    ['example.com', ['', '', 'example.com', '', '']],
    ['https:example.com', ['https', '', 'example.com', '', '']],
    ['1http://x', ['', '', '1http://x', '', '']],
    ['ht tp://x/', ['', '', 'ht tp://x/', '', '']],
    ['https://a.com?', ['https', 'a.com', '', '', '']],
    ['data:text', ['data', '', 'text', '', '']],
  ])('%s', (url, [scheme, netloc, path, query, fragment]) => {
    expect(urlSplit(url)).toEqual({ scheme, netloc, path, query, fragment });
  });

  it.each(['https://[::1', 'https://::1]/', 'http://[1.2.3.4]/', 'http://[vz]/', 'https://u@[::1]x/', 'http://a[b]/', 'http://[nothost]/'])(
    '%s is a ValueError in Python: InvalidUrl',
    (url) => {
      expect(() => urlSplit(url)).toThrow(InvalidUrl);
    },
  );

  it('urlUnsplit() gives back what Python\u2019s geturl() does', () => {
    expect(urlUnsplit(urlSplit('HTTPS://evil.example/page?q=1#top'))).toBe('https://evil.example/page?q=1#top');
    expect(urlUnsplit(urlSplit('https://a.com/?#'))).toBe('https://a.com/');
  });
});
