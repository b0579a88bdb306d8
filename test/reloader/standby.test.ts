// When the next standby starts after a switch: once the new code has answered, at once when no page was
// open on the code it replaced, 150 ms later when a tab reloads (its rendering goes first).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerProcess } from '../../src/reloader/server-process.js';
import { Standby } from '../../src/reloader/standby.js';

let started = 0;
const spawn = (): ServerProcess => {
  started++;
  return { preload: () => {} } as unknown as ServerProcess;
};

beforeEach(() => {
  started = 0;
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Standby after a switch', () => {
  it('with no page open on the old code: starts as the new code answers', () => {
    const standby = new Standby(spawn);
    standby.afterSwitch(true, false);
    expect(started).toBe(0);
    standby.served();
    expect(started).toBe(1);
  });

  it.each([
    ['a page open', true],
    ['not known', undefined],
  ])('with %s: starts 150 ms after the new code answers', (_case, pages) => {
    const standby = new Standby(spawn);
    standby.afterSwitch(true, pages);
    standby.served();
    vi.advanceTimersByTime(149);
    expect(started).toBe(0);
    vi.advanceTimersByTime(1);
    expect(started).toBe(1);
  });

  it('without an answer from the new code: starts 200 ms after the switch; at once when nothing serves', () => {
    const standby = new Standby(spawn);
    standby.afterSwitch(true, false);
    vi.advanceTimersByTime(199);
    expect(started).toBe(0);
    vi.advanceTimersByTime(1);
    expect(started).toBe(1);
    const failed = new Standby(spawn);
    failed.afterSwitch(false, true);
    expect(started).toBe(2);
  });
});
