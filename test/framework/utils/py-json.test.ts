// Python's json.dumps(obj, separators=(',', ':')) text, for what JSON.stringify would write (the table is
// Python's output; signing-django.test.ts checks it against Python itself).
import { describe, expect, it } from 'vitest';
import { pyJsonDumps } from '../../../src/framework/utils/py-json.js';

const PY_JSON_CASES: [unknown, string][] = [
  [null, 'null'],
  [true, 'true'],
  [0, '0'],
  [-0, '0'],
  [-1, '-1'],
  [1.5, '1.5'],
  [0.1, '0.1'],
  [1e-4, '0.0001'],
  [1e-5, '1e-05'],
  [-2.5e-10, '-2.5e-10'],
  [1e15 + 0.5, '1000000000000000.5'],
  [1e20, '100000000000000000000'],
  [1e21, '1e+21'],
  [2 ** 53 + 2, '9007199254740994'],
  [1e300, '1e+300'],
  [5e-324, '5e-324'],
  ['quote " backslash \\ slash /', '"quote \\" backslash \\\\ slash /"'],
  ['ctl \b\f\n\r\t \u0000\u001f \u007f', '"ctl \\b\\f\\n\\r\\t \\u0000\\u001f \\u007f"'],
  ['café ☕ 😀', '"caf\\u00e9 \\u2615 \\ud83d\\ude00"'],
  ['\u2028\ud800', '"\\u2028\\ud800"'],
  [[1, [2, []], {}], '[1,[2,[]],{}]'],
  [{ b: 1, a: { ключ: ['значение'] } }, '{"b":1,"a":{"\\u043a\\u043b\\u044e\\u0447":["\\u0437\\u043d\\u0430\\u0447\\u0435\\u043d\\u0438\\u0435"]}}'],
  // JavaScript puts integer-like keys first: Python reads them in that order.
  [{ b: 'bee', 1: 'one', 0: 'zero' }, '{"0":"zero","1":"one","b":"bee"}'],
];

describe('pyJsonDumps', () => {
  it.each(PY_JSON_CASES)('%j', (value, text) => {
    expect(pyJsonDumps(value)).toBe(text);
  });

  it("makes JSON.stringify's choices: toJSON, members left out, null for what JSON cannot hold", () => {
    const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(pyJsonDumps({ when: date, gone: undefined, f: () => 1, list: [undefined, Symbol('s')], nan: NaN, inf: -Infinity })).toBe(
      '{"when":"2026-01-02T03:04:05.000Z","list":[null,null],"nan":null,"inf":null}',
    );
    expect(pyJsonDumps(Object.assign(Object.create(null) as object, { a: 1 }))).toBe('{"a":1}');
  });

  it('writes a bigint as the int it is', () => {
    expect(pyJsonDumps([2n ** 70n])).toBe('[1180591620717411303424]');
  });

  it("refuses what Python's json cannot write either, with its message", () => {
    expect(() => pyJsonDumps(new Map())).toThrow(new TypeError('Object of type Map is not JSON serializable'));
    expect(() => pyJsonDumps({ a: new (class Point {})() })).toThrow('Object of type Point is not JSON serializable');
    expect(() => pyJsonDumps(undefined)).toThrow('Object of type undefined is not JSON serializable');
    const loop: Record<string, unknown> = {};
    loop.self = [loop];
    expect(() => pyJsonDumps(loop)).toThrow(new TypeError('Circular reference detected'));
  });

  it('writes the same value twice side by side (only a cycle is circular)', () => {
    const shared = { x: 1 };
    expect(pyJsonDumps([shared, shared])).toBe('[{"x":1},{"x":1}]');
  });
});
