// A server process whose supervisor died (SIGKILL, a crash) stops by itself on the IPC channel's
// 'disconnect'. One stuck in an endless loop never runs that handler, or any other: this watchdog
// runs on a thread of its own, so it still acts, and an orphan never burns a core for good.
import { Worker } from 'node:worker_threads';

/** How often the watchdog looks whether its process still has the parent it started with. */
const ORPHAN_POLL_MS = 1000;

// CommonJS source of the thread (eval: true), so the bundle needs no extra entry point.
const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const { parent, group, afterMs, pollMs } = workerData;
const poll = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(poll);
  // The main thread's own stop (drain, exit) has this long; past it, the process is stuck.
  setTimeout(() => {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      process.kill(process.pid, 'SIGKILL');
    }
  }, afterMs);
}, pollMs);
`;

/**
 * Starts the watchdog of this server process: once the parent is gone, the process group (this
 * process leads it) is killed `afterMs` later unless the process has exited by then.
 */
export function watchForOrphaning(afterMs: number): void {
  const worker = new Worker(WATCHDOG, {
    eval: true,
    workerData: { parent: process.ppid, group: process.pid, afterMs, pollMs: ORPHAN_POLL_MS },
  });
  // Never what keeps the process alive.
  worker.unref();
}
