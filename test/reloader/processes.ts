// Process bookkeeping for the reloader's black-box tests: a supervisor's server processes found through
// /proc, whether a process still runs, and a cleanup that leaves no process group behind.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, GwiProcess, killAll } from '../cli/gwi-process.js';

/** From /proc/<pid>/stat (the command name may hold spaces and parentheses): state, parent, start time. */
function stat(pid: number): { state: string; ppid: number; started: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields 3 (state), 4 (ppid) and 22 (starttime, in clock ticks since boot).
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] as string, ppid: Number(fields[1]), started: Number(fields[19]) };
}

/** Whether `pid` runs (a zombie waiting to be reaped does not). */
export function isRunning(pid: number): boolean {
  const info = stat(pid);
  return info !== null && info.state !== 'Z';
}

/** Whether `pid` is stopped (SIGSTOP): state T. */
export function isStopped(pid: number): boolean {
  return stat(pid)?.state === 'T';
}

/** The command line of `pid`, its arguments joined by spaces ('' once it is gone). */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The processes whose parent is `pid`, each with its /proc/<pid>/stat fields. */
function children(pid: number): { pid: number; state: string; started: number }[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .flatMap((child) => {
      const info = stat(child);
      return info?.ppid === pid ? [{ pid: child, state: info.state, started: info.started }] : [];
    });
}

/** The running processes whose parent is `pid`, oldest first. */
export function childPids(pid: number): number[] {
  return children(pid)
    .filter((child) => child.state !== 'Z')
    .sort((a, b) => a.started - b.started || a.pid - b.pid)
    .map((child) => child.pid);
}

/** The children of `pid` that have exited and wait to be reaped. */
export function zombieChildren(pid: number): number[] {
  return children(pid)
    .filter((child) => child.state === 'Z')
    .map((child) => child.pid);
}

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `condition` every 10 ms; false if it never held within `timeout` ms. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, timeout = 5000): Promise<boolean> {
  const end = Date.now() + timeout;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const supervisors = new Set<GwiProcess>();
const seenChildren = new Set<number>();

/** `gwi runserver ...args` in `cwd`, with `env` added to a clean environment. */
export function runserver(cwd: string, args: string[], env: Record<string, string> = {}): GwiProcess {
  const gwi = new GwiProcess(['runserver', ...args], { cwd, env: cleanEnv(env) });
  supervisors.add(gwi);
  return gwi;
}

/** The server processes of a supervisor now, remembered for the cleanup. */
export function serverProcesses(gwi: GwiProcess): number[] {
  // The supervisor's other child is its watchdog (a shell).
  const pids = gwi.child.pid === undefined ? [] : childPids(gwi.child.pid).filter((pid) => commandLine(pid).includes('server-process'));
  for (const pid of pids) seenChildren.add(pid);
  return pids;
}

/** afterEach: SIGKILL to every server process group seen or still there, then to the supervisors. */
export async function killEverything(): Promise<void> {
  for (const gwi of supervisors) serverProcesses(gwi);
  for (const pid of seenChildren) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  seenChildren.clear();
  supervisors.clear();
  await killAll();
}

export interface ProjectCopy {
  dir: string;
  /** Writes `file` (relative to dir), its folders too. */
  write: (file: string, text: string) => void;
  remove: () => void;
}

/** A copy of test/reloader/fixtures/project in a fresh temporary folder. */
export function copyReloaderProject(): ProjectCopy {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'gwi-reloader-'));
  const dir = path.join(parent, 'project');
  cpSync(fileURLToPath(new URL('./fixtures/project/', import.meta.url)), dir, { recursive: true });
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  };
  return { dir, write, remove: () => rmSync(parent, { recursive: true, force: true }) };
}
