// patchVaryHeaders() on Django's own cases (tests/cache/tests.py, test_patch_vary_headers).
import { describe, expect, it } from 'vitest';
import { HttpResponse } from '../../../src/framework/http/response.js';
import { patchVaryHeaders } from '../../../src/framework/utils/cache.js';

describe('patchVaryHeaders()', () => {
  it.each([
    [null, ['Accept-Encoding'], 'Accept-Encoding'],
    ['Accept-Encoding', ['accept-encoding'], 'Accept-Encoding'],
    ['Accept-Encoding', ['ACCEPT-ENCODING'], 'Accept-Encoding'],
    ['Cookie', ['Accept-Encoding'], 'Cookie, Accept-Encoding'],
    ['Cookie, Accept-Encoding', ['Accept-Encoding'], 'Cookie, Accept-Encoding'],
    ['Cookie, Accept-Encoding', ['Accept-Encoding', 'cookie'], 'Cookie, Accept-Encoding'],
    [null, ['Accept-Encoding', 'COOKIE'], 'Accept-Encoding, COOKIE'],
    ['Cookie,     Accept-Encoding', ['Accept-Encoding', 'cookie'], 'Cookie, Accept-Encoding'],
    ['Cookie    ,     Accept-Encoding', ['Accept-Encoding', 'cookie'], 'Cookie, Accept-Encoding'],
    ['*', ['Accept-Language', 'Cookie'], '*'],
    ['Accept-Language, Cookie', ['*'], '*'],
  ])('Vary %s + %j → %s', (initial, added, expected) => {
    const response = new HttpResponse();
    if (initial !== null) response.headers.set('Vary', initial);
    patchVaryHeaders(response, added);
    expect(response.headers.get('Vary')).toBe(expected);
  });
});
