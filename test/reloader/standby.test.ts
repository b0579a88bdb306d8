// When the next standby starts after a switch: once the new code has answered, at once when no page was
// open on the code it replaced, 150 ms later when a tab reloads (its rendering goes first). While saves
// come faster than a standby starts, two wait, started one after the other; then one again. From a load to
// its switch, the others are paused, until the next one would start.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerProcess } from '../../src/reloader/server-process.js';
import { BURST_MS, Standby } from '../../src/reloader/standby.js';

/** A server process as the pool sees it: `up` once it has warmed up. */
class FakeProcess {
  up = false;
  paused = false;
  readonly preloaded: string[] = [];
  constructor(readonly id: number) {}
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
  }
  preload(urls: readonly string[]): void {
    this.preloaded.push(...urls);
  }
}

let spawned: FakeProcess[] = [];
let retired: FakeProcess[] = [];

const fake = (process: ServerProcess | null): FakeProcess | null => process as unknown as FakeProcess | null;

function spawn(): ServerProcess {
  const process = new FakeProcess(spawned.length);
  spawned.push(process);
  return process as unknown as ServerProcess;
}

function newStandby(): Standby {
  return new Standby(spawn, (process) => retired.push(fake(process) as FakeProcess));
}

/** The standby's waiting processes, by spawn order. */
const waiting = (standby: Standby): number[] => standby.processes.map((process) => (fake(process) as FakeProcess).id);

/** The `id`th spawned process is up, and says so. */
function up(standby: Standby, id: number): void {
  (spawned[id] as FakeProcess).up = true;
  standby.up();
}

/** The launch: the first process (0) loads, then serves, with no page open; standby 1 starts. */
function launched(): Standby {
  const standby = newStandby();
  standby.begin(spawn());
  standby.take();
  standby.afterSwitch(true, false);
  standby.served();
  expect(waiting(standby)).toEqual([1]);
  return standby;
}

/** A save's load, switched to and answered (no page open). */
function reload(standby: Standby): ServerProcess | null {
  const taken = standby.take();
  standby.afterSwitch(true, false);
  standby.served();
  return taken;
}

beforeEach(() => {
  spawned = [];
  retired = [];
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('Standby after a switch', () => {
  it('with no page open on the old code: starts as the new code answers', () => {
    const standby = newStandby();
    standby.afterSwitch(true, false);
    expect(spawned).toHaveLength(0);
    standby.served();
    expect(spawned).toHaveLength(1);
  });

  it.each([
    ['a page open', true],
    ['not known', undefined],
  ])('with %s: starts 150 ms after the new code answers', (_case, pages) => {
    const standby = newStandby();
    standby.afterSwitch(true, pages);
    standby.served();
    vi.advanceTimersByTime(149);
    expect(spawned).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(spawned).toHaveLength(1);
  });

  it('without an answer from the new code: starts 200 ms after the switch; at once when nothing serves', () => {
    const standby = newStandby();
    standby.afterSwitch(true, false);
    vi.advanceTimersByTime(199);
    expect(spawned).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(spawned).toHaveLength(1);
    const failed = newStandby();
    failed.afterSwitch(false, true);
    expect(spawned).toHaveLength(2);
  });
});

describe('Standby while saves come fast', () => {
  it('saves that each find one up keep one', () => {
    const standby = launched();
    up(standby, 1);
    expect(spawned).toHaveLength(2);
    expect(fake(reload(standby))?.id).toBe(1);
    up(standby, 2);
    reload(standby);
    expect(waiting(standby)).toEqual([3]);
    expect(spawned).toHaveLength(4);
  });

  it('a save that finds none up keeps two, started one after the other, and never during a load', () => {
    const standby = launched();
    // The save comes while process 1 is still starting: it is taken anyway, the furthest along.
    const taken = standby.take();
    expect(fake(taken)?.id).toBe(1);
    standby.afterSwitch(true, false);
    standby.served();
    expect(waiting(standby)).toEqual([2]);
    up(standby, 2);
    expect(waiting(standby)).toEqual([2, 3]);
    up(standby, 3);
    // The next save takes an up one; its replacement starts after the switch, not during the load.
    expect(fake(standby.take())?.id).toBe(2);
    expect(spawned).toHaveLength(4);
    standby.afterSwitch(true, false);
    standby.served();
    expect(waiting(standby)).toEqual([3, 4]);
    // One that comes up during a load starts none either.
    expect(fake(standby.take())?.id).toBe(3);
    up(standby, 4);
    expect(spawned).toHaveLength(5);
  });

  it(`takes an up one before an older one still starting, and goes back to one ${BURST_MS / 1000} s after the last save`, () => {
    const standby = launched();
    reload(standby);
    up(standby, 2);
    expect(waiting(standby)).toEqual([2, 3]);
    vi.advanceTimersByTime(BURST_MS - 1000);
    // A save extends the burst.
    (spawned[2] as FakeProcess).up = false;
    up(standby, 3);
    expect(fake(reload(standby))?.id).toBe(3);
    expect(waiting(standby)).toEqual([2]);
    up(standby, 2);
    expect(waiting(standby)).toEqual([2, 4]);
    vi.advanceTimersByTime(BURST_MS - 1);
    expect(retired).toEqual([]);
    vi.advanceTimersByTime(1);
    // The newest goes; the one left is the oldest, up first.
    expect(retired.map((process) => process.id)).toEqual([4]);
    expect(waiting(standby)).toEqual([2]);
    up(standby, 2);
    reload(standby);
    expect(waiting(standby)).toEqual([5]);
  });

  it('from a load to its switch, the other waiting processes are paused, up or starting', () => {
    const standby = launched();
    reload(standby);
    up(standby, 2);
    expect(waiting(standby)).toEqual([2, 3]);
    const paused = (): boolean[] => spawned.map((process) => process.paused);
    expect(fake(standby.take())?.id).toBe(2);
    expect(paused()).toEqual([false, false, false, true]);
    // They go on as the next one would start: with a page open, 150 ms after the new code's answer.
    standby.afterSwitch(true, true);
    standby.served();
    vi.advanceTimersByTime(149);
    expect(paused()).toEqual([false, false, false, true]);
    vi.advanceTimersByTime(1);
    expect(paused()).toEqual([false, false, false, false]);
    up(standby, 3);
    expect(waiting(standby)).toEqual([3, 4]);
    expect(fake(standby.take())?.id).toBe(3);
    expect(paused()).toEqual([false, false, false, false, true]);
    // That load never switches (stuck): the next save takes the paused one, which goes on.
    expect(fake(standby.take())?.id).toBe(4);
    expect(paused()).toEqual([false, false, false, false, false]);
  });

  it('neither the launch nor a change of packages counts as a fast save', () => {
    const standby = launched();
    // The packages changed: the waiting one is let go, and the load finds none.
    standby.addDependencies(['file:///p/node_modules/a/index.js'], spawn());
    expect(standby.dropDependencies().map((process) => fake(process)?.id)).toEqual([1]);
    expect(reload(standby)).toBeNull();
    expect(waiting(standby)).toEqual([3]);
    up(standby, 3);
    expect(spawned).toHaveLength(4);
  });

  it('every waiting process imports the packages, the one that reported them aside', () => {
    const standby = launched();
    reload(standby);
    up(standby, 2);
    const from = standby.processes[0] as ServerProcess;
    standby.addDependencies(['file:///p/node_modules/a/index.js'], from);
    expect(spawned.map((process) => process.preloaded.length)).toEqual([0, 0, 0, 1]);
    standby.stop();
    vi.advanceTimersByTime(BURST_MS);
    expect(retired).toEqual([]);
  });
});
