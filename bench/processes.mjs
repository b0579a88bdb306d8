// The bench's child processes: every one it starts is tracked, so that errors and Ctrl-C stop them all;
// and process groups (a dev server's supervisor, its children and theirs), read from /proc.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

const children = new Set();
/** Process groups started by spawnGroup(): leader pid → the descendants seen so far (they may leave the group). */
const groups = new Map();

/** Stops `child` with the others on an error or Ctrl-C (killAllChildren). */
export function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Kills whatever is still running (synchronous: also usable from process.on('exit')). */
export function killAllChildren(signal = 'SIGTERM') {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  }
  for (const [pgid, known] of groups) {
    for (const pid of [...known, ...descendantPids(pgid)]) signalPid(pid, signal);
    signalPid(-pgid, signal);
  }
}

/** Ctrl-C, SIGTERM, an uncaught error or a plain exit: no child outlives the bench. */
export function installCleanup() {
  process.on('exit', () => killAllChildren('SIGKILL'));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the servers and wrk`);
      killAllChildren('SIGTERM');
      process.exit(130);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Process groups (bench/reload.mjs): a dev server's supervisor, its children and theirs.

/** kill(2) that ignores ESRCH (already gone); true when the signal was delivered. */
export function signalPid(pid, signal) {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process (or, with a negative pid, a process group) still exists; zombies count as gone. */
export function alive(pid) {
  if (!signalPid(pid, 0)) return false;
  if (pid < 0) return true;
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return true; // no /proc: trust kill(pid, 0)
  }
}

/** Every live descendant of `pid` (children, grandchildren, …), from /proc; [] off Linux. */
export function descendantPids(pid) {
  const parents = new Map();
  let entries;
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!parents.has(ppid)) parents.set(ppid, []);
      parents.get(ppid).push(Number(name));
    } catch {
      // the process ended while we looked
    }
  }
  const found = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift()) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The children of `pid`, all its threads' (/proc/<pid>/task/<tid>/children); [] once it is gone. */
function childPids(pid) {
  const found = [];
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const tid of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) {
        if (child.trim()) found.push(Number(child));
      }
    } catch {
      // the thread ended
    }
  }
  return found;
}

/**
 * Watches the process tree under `rootPid` every `intervalMs` (Linux /proc; cheap: only the tree is read),
 * so that short-lived processes are seen too — a child its supervisor kills while node is still booting
 * never runs any of our code. stop() returns the processes that appeared after the first scan:
 * [{ pid, parent, comm, cmdline, firstSeen }] (comm and cmdline as last seen: a fork shows its parent's
 * until it execs).
 */
export function watchProcessTree(rootPid, intervalMs = 2) {
  const baseline = new Set();
  const seen = new Map();
  let first = true;
  const scan = () => {
    const queue = [rootPid];
    while (queue.length > 0) {
      const pid = queue.shift();
      for (const child of childPids(pid)) {
        queue.push(child);
        if (first) baseline.add(child);
        if (baseline.has(child)) continue;
        let comm = null;
        let cmdline = null;
        try {
          comm = readFileSync(`/proc/${child}/comm`, 'utf8').trim();
          cmdline = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').join(' ').trim();
        } catch {
          // gone already
        }
        const known = seen.get(child);
        if (known) {
          known.comm = comm ?? known.comm;
          known.cmdline = cmdline || known.cmdline;
        } else {
          seen.set(child, { pid: child, parent: pid, comm, cmdline, firstSeen: performance.now() });
        }
      }
    }
    first = false;
  };
  scan();
  const timer = setInterval(scan, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      scan();
      return [...seen.values()];
    },
  };
}

/**
 * Starts `command args` as the leader of a new process group (stdin a pipe that stays open and silent,
 * stdout and stderr piped), calling `onLine(line, stream)` for each line it prints — or, given `logPath`,
 * both written to that file, which costs the bench nothing while the server is under load. Errors and
 * exits of the bench kill the whole group (see killAllChildren). Stop it with stopGroup().
 */
export function spawnGroup(command, args, { cwd, env = process.env, onLine = () => {}, logPath = null } = {}) {
  const log = logPath === null ? 'pipe' : openSync(logPath, 'a');
  const child = track(spawn(command, args, { cwd, env, detached: true, stdio: ['pipe', log, log] }));
  if (typeof log === 'number') closeSync(log);
  const known = new Set();
  if (child.pid !== undefined) groups.set(child.pid, known);
  // New processes usually announce themselves: after output, note the descendants (once per 200 ms at
  // most), so that cleanup finds a child that left the group even if its supervisor died first.
  let noting = null;
  const noteDescendants = () => {
    noting ??= setTimeout(() => {
      noting = null;
      if (groups.has(child.pid)) for (const pid of descendantPids(child.pid)) known.add(pid);
    }, 200).unref();
  };
  for (const stream of logPath === null ? ['stdout', 'stderr'] : []) {
    createInterface({ input: child[stream], crlfDelay: Infinity }).on('line', (line) => {
      noteDescendants();
      onLine(line, stream);
    });
  }
  child.stdin.on('error', () => {}); // EPIPE once the child has gone
  return child;
}

/**
 * Stops a group from spawnGroup(): SIGTERM to the group and to every descendant (a supervisor may start
 * its children in groups of their own), then SIGKILL to whatever is left after `graceMs`. Resolves with
 * `{ ms, leftovers }`: how long the processes took to go, and how many had to be SIGKILLed.
 */
export async function stopGroup(child, graceMs = 3000) {
  const pgid = child.pid;
  if (pgid === undefined) return { ms: 0, leftovers: 0 };
  const known = groups.get(pgid) ?? new Set();
  const refresh = () => {
    for (const pid of descendantPids(pgid)) known.add(pid);
  };
  refresh();
  const started = performance.now();
  const everyone = () => [pgid, ...known].filter(alive);
  for (const pid of everyone()) signalPid(pid, 'SIGTERM');
  signalPid(-pgid, 'SIGTERM');
  while (performance.now() - started < graceMs && (everyone().length > 0 || alive(-pgid))) {
    refresh(); // a supervisor may still spawn a child while it shuts down
    await delay(20);
  }
  const left = everyone();
  for (const pid of left) signalPid(pid, 'SIGKILL');
  signalPid(-pgid, 'SIGKILL');
  const ms = performance.now() - started;
  while (everyone().length > 0 && performance.now() - started < graceMs + 2000) await delay(20);
  groups.delete(pgid);
  return { ms, leftovers: left.length };
}
