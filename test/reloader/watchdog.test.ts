// The supervisor's watchdog: once its input ends (the supervisor stopped, or died however it died),
// each process group it was told of gets the grace period to exit, then SIGKILL; a forgotten one is left.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { OrphanWatchdog } from '../../src/reloader/watchdog.js';
import { isRunning, waitUntil } from './processes.js';

const started: ChildProcess[] = [];

/**
 * A process group of its own that runs until killed, as a process stuck in a loop would. One process, which
 * this one reaps: a member it did not start (`sleep` under a looping `sh`) would stay in the killed group
 * as a zombie until init reaps it (1.2-1.7 s on the CI machine), and the watchdog would wait for it.
 */
function group(): number {
  const child = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
  started.push(child);
  return child.pid as number;
}

/** A process group of its own that exits by itself after `ms`, and how it ends. */
function exitingGroup(ms: number): { pid: number; exited: Promise<[number | null, string | null]> } {
  const child = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${ms})`], { detached: true, stdio: 'ignore' });
  started.push(child);
  return { pid: child.pid as number, exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve([code, signal]))) };
}

afterEach(() => {
  for (const child of started.splice(0)) {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
});

describe('OrphanWatchdog', () => {
  it('kills a group still there the grace period after its input ends, not before', async () => {
    const watchdog = new OrphanWatchdog(600);
    const stuck = group();
    watchdog.watch(stuck);
    const closedAt = performance.now();
    const closed = watchdog.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(isRunning(stuck)).toBe(true);
    await closed;
    expect(performance.now() - closedAt).toBeGreaterThanOrEqual(550);
    expect(await waitUntil(() => !isRunning(stuck), 1000)).toBe(true);
  });

  it('leaves a forgotten group, and is gone at once when no watched group is left', async () => {
    const watchdog = new OrphanWatchdog(5000);
    const [kept, forgotten] = [group(), group()];
    watchdog.watch(kept);
    watchdog.watch(forgotten);
    watchdog.forget(forgotten);
    process.kill(-kept, 'SIGKILL');
    await waitUntil(() => !isRunning(kept), 1000);
    const closedAt = performance.now();
    await watchdog.close();
    expect(performance.now() - closedAt).toBeLessThan(2000);
    expect(isRunning(forgotten)).toBe(true);
  });

  it('waits for a group that exits by itself within the grace period, and kills nothing', async () => {
    const watchdog = new OrphanWatchdog(5000);
    const exiting = exitingGroup(400);
    watchdog.watch(exiting.pid);
    const closedAt = performance.now();
    await watchdog.close();
    const waited = performance.now() - closedAt;
    expect(waited).toBeGreaterThanOrEqual(300);
    expect(waited).toBeLessThan(2500);
    expect(await exiting.exited).toEqual([0, null]);
  });
});
