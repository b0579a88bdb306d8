// The clock the Date header and the request log read: the wall clock's second, read once per second.
import { describe, expect, it } from 'vitest';
import { wallSecond } from '../../src/log/wall-second.js';

const nextSecond = (): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));

describe('wallSecond', () => {
  it('is the wall clock to the second, and moves on with it', async () => {
    const before = Math.floor(Date.now() / 1000);
    const read = wallSecond();
    expect(read).toBeGreaterThanOrEqual(before);
    expect(read).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    await nextSecond();
    const low = Math.floor(Date.now() / 1000);
    const later = wallSecond();
    const high = Math.floor(Date.now() / 1000);
    expect(later).toBeGreaterThan(read);
    expect(later).toBeGreaterThanOrEqual(low);
    expect(later).toBeLessThanOrEqual(high);
  });
});
