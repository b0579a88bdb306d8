import { describe, expect, it } from 'vitest';
import { boundedMemo } from '../../src/gateway/memo.js';

describe('boundedMemo', () => {
  it('computes each key once, up to 1000 keys, then computes every time', () => {
    const computed: string[] = [];
    const upper = boundedMemo((key) => {
      computed.push(key);
      return key.toUpperCase();
    });
    for (let i = 0; i < 1000; i++) upper(`k${i}`);
    expect(upper('k0')).toBe('K0');
    expect(computed).toHaveLength(1000);
    expect(upper('extra')).toBe('EXTRA');
    expect(upper('extra')).toBe('EXTRA');
    expect(computed).toHaveLength(1002);
  });

  it('remembers nothing for a key whose computation throws', () => {
    let calls = 0;
    const check = boundedMemo((key) => {
      calls++;
      if (key === 'bad') throw new Error('bad key');
      return key;
    });
    expect(() => check('bad')).toThrow('bad key');
    expect(() => check('bad')).toThrow('bad key');
    expect(calls).toBe(2);
  });
});
