// Django's utils/encoding (tests/utils_tests/test_encoding) and the urllib quoting it relies on.
import { describe, expect, it } from 'vitest';
import {
  escapeUriPath,
  iriToUri,
  quote,
  quotePlus,
  repercentBrokenUnicode,
  unquote,
  unquotePlus,
} from '../../../src/framework/utils/encoding.js';

describe('quoting helpers', () => {
  it.each([
    [quote('/a b/c?d', '/'), '/a%20b/c%3Fd'],
    [quote('café'), 'caf%C3%A9'],
    [quote(new Uint8Array([0xe9, 0x41])), '%E9A'],
    [quotePlus('a b&c'), 'a+b%26c'],
    [iriToUri("/blog/for/Jürgen Münster/?x=1&y=%20#f"), "/blog/for/J%C3%BCrgen%20M%C3%BCnster/?x=1&y=%20#f"],
    [escapeUriPath('/abc/%20?#&+'), '/abc/%2520%3F%23&+'],
    [unquote('caf%C3%A9'), 'café'],
    [unquote('%E9', 'latin1'), 'é'],
    [unquote('%ff'), '\ufffd'],
    [unquote('no escapes+'), 'no escapes+'],
    [unquotePlus('a+b%2B'), 'a b+'],
  ])('%j is %j', (actual, expected) => {
    expect(actual).toBe(expected);
  });
});

describe('repercentBrokenUnicode', () => {
  it('re-percent-encodes only the bytes that are not UTF-8', () => {
    expect(repercentBrokenUnicode(Buffer.from('/ok/caf\xc3\xa9/\xc0\xaf/%41', 'latin1'))).toBe('/ok/café/%C0%AF/%41');
  });
});
