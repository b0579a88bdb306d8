// A server process whose supervisor died (SIGKILL, a crash) stops by itself on the IPC channel's
// 'disconnect'. One stuck in an endless loop never runs that handler, or any other. So the supervisor
// runs a watchdog: a shell script (bin/watchdog.sh) that reads the server processes' groups from a pipe
// and, once the pipe closes (the supervisor is gone, however it went), kills those that have not exited
// within the grace period. A shell holds ~1.5 MiB; a watchdog thread in each server process held ~10.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import path from 'node:path';
import { GWI_ROOT } from '../version.js';

/** The script (POSIX sh), beside the CLI's launcher: `ps` shows it by name. */
const SCRIPT = path.join(GWI_ROOT, 'bin', 'watchdog.sh');
/** How often the script looks whether the groups are gone, once its input has ended. */
const POLL_MS = 100;

export class OrphanWatchdog {
  readonly #shell: ChildProcess | null;
  readonly #exited: Promise<void>;

  /** Starts the watchdog: a group left `afterMs` after the supervisor is gone gets SIGKILL. */
  constructor(afterMs: number) {
    // Process groups (and sh) are POSIX's: elsewhere a supervisor's own stop is all there is.
    if (process.platform === 'win32') {
      this.#shell = null;
      this.#exited = Promise.resolve();
      return;
    }
    const ticks = String(Math.ceil(afterMs / POLL_MS));
    // Its own group: the terminal's Ctrl-C, meant for the supervisor, leaves it watching.
    const shell = spawn('/bin/sh', [SCRIPT, ticks], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    this.#shell = shell;
    this.#exited = new Promise((resolve) => {
      shell.once('exit', () => resolve());
      // No shell: no watchdog, and nothing else lost.
      shell.once('error', () => resolve());
    });
    shell.stdin?.on('error', () => {});
    // Neither keeps the supervisor's process alive.
    shell.unref();
    (shell.stdin as Socket | null)?.unref();
  }

  /** The group led by `pid` is watched (a server process just spawned). */
  watch(pid: number): void {
    this.#shell?.stdin?.write(`+${pid}\n`);
  }

  /** The group led by `pid` is gone. */
  forget(pid: number): void {
    this.#shell?.stdin?.write(`-${pid}\n`);
  }

  /** The supervisor stops (its groups are gone): the watchdog exits, and resolves once it has. */
  close(): Promise<void> {
    // Waited for: the stop that closes it ends with it (an unref'd shell would let node exit meanwhile).
    this.#shell?.ref();
    this.#shell?.stdin?.end();
    return this.#exited;
  }
}
