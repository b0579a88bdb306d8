// Shared pieces of the benchmarks: the built package, the hello-server children, wrk, RESULTS.md; for
// bench/reload.mjs and scale.mjs: process groups, a free port, one-shot HTTP GETs, the saves' versions; for
// bench/streaming.mjs, memory.mjs, soak.mjs and scale.mjs: RSS and PSS from /proc, options, the JSON results
// (bench/results/<name>.json).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST_ENTRY = join(ROOT, 'dist', 'index.js');
const HELLO_SERVER = join(ROOT, 'bench', 'hello-server.mjs');

// ---------------------------------------------------------------------------------------------
// Child processes: every one the bench starts is tracked, so that errors and Ctrl-C stop them all.

const children = new Set();
/** Process groups started by spawnGroup(): leader pid → the descendants seen so far (they may leave the group). */
const groups = new Map();

function track(child) {
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
// Prerequisites.

/** Exits 1 with the install hint when wrk is not on PATH. */
export function requireWrk() {
  const found = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    console.error('wrk is not installed. Install it with:\n\n  sudo apt-get install wrk\n\n(macOS: brew install wrk)');
    process.exit(1);
  }
  // `wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer` → `wrk debian/4.1.0-3+b2 [epoll]`
  return (found.stdout + found.stderr).split('\n')[0].replace(/\s*Copyright.*$/, '').trim();
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether a file in src/ changed after the last build (dist/index.js). */
export function distIsStale() {
  return newestMtime(join(ROOT, 'src')) > statSync(DIST_ENTRY).mtimeMs;
}

/** Builds dist/ when it is missing; warns when src/ changed after the last build. */
export function ensureBuilt() {
  if (!existsSync(DIST_ENTRY)) {
    console.error('dist/ is missing: running npm run build …');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    return;
  }
  if (distIsStale()) {
    console.error('warning: src/ is newer than dist/ — this measures the last build (npm run build to refresh)');
  }
}

// ---------------------------------------------------------------------------------------------
// The servers.

/**
 * Starts `node bench/hello-server.mjs <kind> [backlog]` and resolves with `{ kind, port, child, logPath, url }`.
 * `logPath`: the child's stderr goes to that file (gwi's request log); otherwise stderr is inherited.
 * `backlog`: gwi's `requestQueueSize` (default: gwi's own, node's 511).
 */
export function startServer(kind, { logPath = null, nodeArgs = [], backlog = null } = {}) {
  const stderr = logPath ? openSync(logPath, 'w') : 'inherit';
  const child = track(
    spawn(process.execPath, [...nodeArgs, HELLO_SERVER, kind, ...(backlog === null ? [] : [String(backlog)])], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', stderr, 'ipc'],
    }),
  );
  if (typeof stderr === 'number') closeSync(stderr);
  return new Promise((resolve, reject) => {
    const onExit = (code, signal) => reject(new Error(`${kind} server exited before listening (${signal ?? code})`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.once('message', ({ port }) => {
      child.off('exit', onExit);
      resolve({ kind, port, child, logPath, url: `http://127.0.0.1:${port}/` });
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the child is gone. */
export function stopServer({ child }, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** One plain GET before any load: the server must answer 200 with the hello body. */
export async function checkHello(server) {
  const res = await fetch(server.url);
  const body = await res.text();
  if (res.status !== 200 || body !== 'Hello, world!') {
    throw new Error(`${server.kind}: expected 200 "Hello, world!", got ${res.status} ${JSON.stringify(body)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// wrk.

/** Runs wrk (keep-alive, its default) and resolves with the parsed summary. */
export function runWrk(url, { threads = 1, connections, duration }) {
  const args = [`-t${threads}`, `-c${connections}`, `-d${duration}`, url];
  const child = track(spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) reject(new Error(`wrk ${args.join(' ')} failed (${signal ?? code}):\n${out}`));
      else resolve({ ...parseWrk(out), args, output: out });
    });
  });
}

/** The figures of wrk's text report: req/s, requests, socket errors, non-2xx/3xx responses. */
export function parseWrk(text) {
  const number = (re) => {
    const match = re.exec(text);
    return match ? Number(match[1]) : null;
  };
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const summary = {
    requestsPerSec: number(/Requests\/sec:\s+([\d.]+)/),
    requests: number(/(\d+) requests in/),
    non2xx3xx: number(/Non-2xx or 3xx responses: (\d+)/) ?? 0,
    socketErrors: socket
      ? { connect: +socket[1], read: +socket[2], write: +socket[3], timeout: +socket[4] }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
  };
  if (summary.requestsPerSec === null || summary.requests === null) throw new Error(`cannot parse wrk output:\n${text}`);
  return summary;
}

/** A run fails on any non-2xx/3xx response or socket error; returns the reason or null. */
export function wrkProblem(summary) {
  const errors = Object.entries(summary.socketErrors).filter(([, n]) => n > 0);
  const parts = [];
  if (summary.non2xx3xx > 0) parts.push(`${summary.non2xx3xx} non-2xx/3xx responses`);
  if (errors.length > 0) parts.push(`socket errors: ${errors.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : null;
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc/<pid>/stat; null off Linux.
 * Kernel work done on the process's behalf (loopback TCP delivery included) counts as system time.
 */
export function cpuTimeMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) (utime, stime), counted after the `(comm)` field; USER_HZ is 100 on Linux.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
}

/**
 * The kernel's count of connections dropped because a listen queue was full (TcpExt ListenOverflows,
 * system-wide), or null off Linux: a server with a short backlog drops SYNs under a burst of connects.
 */
export function listenOverflows() {
  try {
    const [names, values] = readFileSync('/proc/net/netstat', 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('TcpExt:'))
      .map((line) => line.split(/\s+/));
    const index = names.indexOf('ListenOverflows');
    return index < 0 ? null : Number(values[index]);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Process groups (bench/reload.mjs): a dev server's supervisor, its children and theirs.

/** kill(2) that ignores ESRCH (already gone); true when the signal was delivered. */
function signalPid(pid, signal) {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process (or, with a negative pid, a process group) still exists; zombies count as gone. */
function alive(pid) {
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
    await sleep(20);
  }
  const left = everyone();
  for (const pid of left) signalPid(pid, 'SIGKILL');
  signalPid(-pgid, 'SIGKILL');
  const ms = performance.now() - started;
  while (everyone().length > 0 && performance.now() - started < graceMs + 2000) await sleep(20);
  groups.delete(pgid);
  return { ms, leftovers: left.length };
}

// ---------------------------------------------------------------------------------------------
// HTTP helpers and saves (bench/reload.mjs, scale.mjs).

/** A TCP port free on 127.0.0.1 right now (the kernel's pick; another process could take it before us). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * One GET on a new connection (no keep-alive agent): resolves `{ status, body }`, or `{ error }` with
 * the error's code (ECONNREFUSED, ECONNRESET, …, or TIMEOUT after `timeoutMs`). Never rejects.
 */
export function httpGetOnce(url, timeoutMs = 3000) {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = http.get(url, { agent: false }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => settle({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => settle({ error: err.code ?? err.message }));
    });
    req.on('error', (err) => settle({ error: err.code ?? err.message }));
    const timer = setTimeout(() => {
      settle({ error: 'TIMEOUT' });
      req.destroy();
    }, timeoutMs);
  });
}

/** The version a response shows: an HTML page's `<body data-version>`, else the whole (text) body. */
export const shownVersion = (body) => /<body data-version="([^"]*)"/.exec(body)?.[1] ?? body;

/** A new version string's random part. */
export const token = () => Math.random().toString(36).slice(2, 6);

/**
 * Saves come 100–1100 ms (mean 600 ms) after the previous new version was seen: the phase matters for
 * pollers such as Django's StatReloader (1 s). saveGap() draws one at random (before a burst), saveGaps()
 * the measured ones.
 */
export const SAVE_GAP = { minMs: 100, spreadMs: 1000 };

export const saveGap = (min = SAVE_GAP.minMs, spread = SAVE_GAP.spreadMs) => min + Math.random() * spread;

/**
 * The gaps before `count` measured saves: the middle of each of `count` equal slices of min–min+spread
 * (100–1100 ms: 150, 250 … 1050 for 10), in one shuffled order, the same for every tool and tree, given
 * as successive calls. A fresh uniform draw per run put from 1 to 6 of 10 saves within gwi's standby
 * start-up (~0.4 s), and moved the p50 of one tree more than any change did (162, 192 and 285 ms in
 * three runs); with the same gaps, every figure comes from the same saves. The phase still spreads over
 * the range (for pollers such as Django's StatReloader, 1 s).
 */
export function saveGaps(count, min = SAVE_GAP.minMs, spread = SAVE_GAP.spreadMs) {
  const gaps = Array.from({ length: count }, (_, i) => min + (spread * (i + 0.5)) / count);
  // A fixed linear congruential sequence: the order looks random, and is the same in every run.
  let state = 20261205;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = gaps.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [gaps[i], gaps[j]] = [gaps[j], gaps[i]];
  }
  let taken = 0;
  return () => gaps[taken++ % gaps.length];
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The nearest-rank percentile (p in 0..100) of a non-empty list. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const formatInt = (n) => Math.round(n).toLocaleString('en-US');

/**
 * Replaces the `## <title>` section of bench/RESULTS.md (up to the next `## ` heading) with `body`,
 * or appends it: each benchmark owns its own section.
 */
export function writeResultsSection(path, title, body) {
  const heading = `## ${title}`;
  let text = existsSync(path)
    ? readFileSync(path, 'utf8')
    : '# gwi benchmark results\n\nEach benchmark in bench/ rewrites only its own `## ` section of this file.\n';
  const section = `${heading}\n\n${body.trim()}\n`;
  const start = text.split('\n').findIndex((line) => line === heading);
  if (start < 0) {
    text = `${text.trimEnd()}\n\n${section}`;
  } else {
    const lines = text.split('\n');
    let end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
    if (end < 0) end = lines.length;
    const before = lines.slice(0, start).join('\n').trimEnd();
    const after = lines.slice(end).join('\n').trim();
    text = `${before}\n\n${section}${after ? `\n${after}\n` : ''}`;
  }
  writeFileSync(path, text);
}

// ---------------------------------------------------------------------------------------------
// Memory, from /proc (bench/streaming.mjs, memory.mjs, soak.mjs, scale.mjs).

export const MiB = 1024 * 1024;

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM, …) in bytes; null once the process is gone or off Linux. */
export function procStatusBytes(pid, field = 'VmRSS') {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resets the peak RSS (VmHWM) of a process to its current RSS (`5 > clear_refs`, Linux ≥ 4.0); false if refused. */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The summed RSS of a process and all its descendants: `{ bytes, pids }` (the processes counted). */
export function treeRss(rootPid) {
  let bytes = 0;
  const pids = [];
  for (const pid of [rootPid, ...descendantPids(rootPid)]) {
    const rss = procStatusBytes(pid);
    if (rss === null) continue;
    bytes += rss;
    pids.push(pid);
  }
  return { bytes, pids };
}

/**
 * A process's PSS in bytes (the `Pss:` line of /proc/<pid>/smaps_rollup, Linux ≥ 4.14); null once it is
 * gone or off Linux. PSS counts a page shared by N processes as 1/N in each — machine-wide, so node's
 * ~34 MiB of code pages, shared by every node process running (the bench's own included), weigh less the
 * more there are — where RSS counts it whole in each: summed over a tree, PSS counts shared pages once.
 */
export function procPssBytes(pid) {
  try {
    const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The summed PSS of `pids` (see procPssBytes), or null when one could not be read. */
export function sumPss(pids) {
  let bytes = 0;
  for (const pid of pids) {
    const pss = procPssBytes(pid);
    if (pss === null) return null;
    bytes += pss;
  }
  return bytes;
}

/** When a process tree counts as steady (steadyMemory). */
export const STEADY = { everyMs: 250, readings: 4, spread: MiB, timeoutMs: 15_000 };

const medianOrNull = (values) => (values.includes(null) ? null : median(values));

/**
 * The tree's memory once it is steady: the same processes and an RSS within 1 MiB over 4 readings 250 ms
 * apart (15 s at most). `{ tree, treePss, supervisor, supervisorPss, processes }`: the medians of those
 * readings of the tree's summed RSS and PSS, and of the root process's (the supervisor's) own; a PSS is
 * null where smaps_rollup could not be read.
 */
export async function steadyMemory(rootPid) {
  const readings = [];
  const began = performance.now();
  for (;;) {
    const { bytes, pids } = treeRss(rootPid);
    readings.push({
      bytes,
      pss: sumPss(pids),
      supervisor: procStatusBytes(rootPid),
      supervisorPss: procPssBytes(rootPid),
      pids: pids.sort().join(' '),
      processes: pids.length,
    });
    const last = readings.slice(-STEADY.readings);
    const steady = last.length === STEADY.readings && last.every((r) => r.pids === last[0].pids) &&
      Math.max(...last.map((r) => r.bytes)) - Math.min(...last.map((r) => r.bytes)) <= STEADY.spread;
    if (steady || performance.now() - began > STEADY.timeoutMs) {
      return {
        tree: median(last.map((r) => r.bytes)),
        treePss: medianOrNull(last.map((r) => r.pss)),
        supervisor: median(last.map((r) => r.supervisor)),
        supervisorPss: medianOrNull(last.map((r) => r.supervisorPss)),
        processes: last.at(-1).processes,
        steady,
      };
    }
    await sleep(STEADY.everyMs);
  }
}

/**
 * Calls `measure()` (a number, or null to skip) every `intervalMs` until stop(), which returns
 * `{ samples: [{ t, value }], max }` (t: ms since the start).
 */
export function sampleEvery(intervalMs, measure) {
  const started = performance.now();
  const samples = [];
  const take = () => {
    const value = measure();
    if (value !== null) samples.push({ t: performance.now() - started, value });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { samples, max: Math.max(...samples.map((s) => s.value)) };
    },
  };
}

/** Bytes as MiB (`digits` decimals), or '–' for null (a figure that could not be read). */
export const formatMiB = (bytes, digits = 1) => (bytes === null ? '–' : (bytes / MiB).toFixed(digits));

/** Bytes as MiB with one decimal, a number for the JSON results; null stays null. */
export const mibNumber = (bytes) => (bytes === null ? null : +formatMiB(bytes));

/** A line of progress, on stderr (stdout carries the report). */
export const progress = (text) => process.stderr.write(`${text}\n`);

/** A goal's mark in a report. */
export const mark = (ok) => (ok ? '✅' : '❌');

// ---------------------------------------------------------------------------------------------
// Starting and waiting for a server, the machine, and the JSON results (bench/streaming.mjs, memory.mjs,
// soak.mjs, scale.mjs).

/**
 * GETs `url` on a new connection every `everyMs` until `accept({ status, body })` is true: resolves with
 * the ms since `since`, or null after `timeoutMs` or once `child` (if given) has exited.
 */
export async function pollUntil(url, accept, { since = performance.now(), timeoutMs = 30_000, everyMs = 5, child = null } = {}) {
  const gone = () => child !== null && (child.exitCode !== null || child.signalCode !== null);
  while (performance.now() - since < timeoutMs && !gone()) {
    const result = await httpGetOnce(url, Math.min(3000, timeoutMs));
    if (accept(result)) return performance.now() - since;
    await sleep(everyMs);
  }
  return null;
}

/**
 * Starts a dev server — `run`: `{ command, args, cwd, env, url }` — as a process group (spawnGroup) and
 * GETs `run.url` until `accept({ status, body })` (pollUntil): resolves `{ child, ms, tail }`, ms: spawn →
 * that answer, or null, the group then stopped, when none came within `timeoutMs` or the server exited;
 * tail: its last 20 lines of output, kept up to date.
 */
export async function launchDevServer(run, accept, timeoutMs = 30_000) {
  const tail = [];
  const spawnedAt = performance.now();
  const child = spawnGroup(run.command, run.args, {
    cwd: run.cwd,
    env: run.env,
    onLine: (line, stream) => {
      tail.push(`${stream}: ${line}`);
      if (tail.length > 20) tail.shift();
    },
  });
  const ms = await pollUntil(run.url, accept, { since: spawnedAt, child, timeoutMs });
  if (ms === null) await stopGroup(child);
  return { child, ms, tail };
}

/** The machine and its load now, for the report's header lines. */
export function machine() {
  return { cores: os.cpus().length, cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU', loadBefore: os.loadavg()[0] };
}

/** The Date / Node / Machine lines every report starts with. */
export function machineLines(env) {
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Node: ${process.version} (${process.platform}/${process.arch})`,
    `- Machine: ${env.cores} cores, ${env.cpuModel}; 1-min load average before the run: ${env.loadBefore.toFixed(2)}` +
      (env.loadBefore > 0.5 ? ' (other processes were busy: figures are noisier)' : ''),
  ];
}

/**
 * Writes bench/results/<name>.json, the key figures of a run for charts:
 * `{ section, date, node, rows: [{ label, value, unit, ...extra }] }` (see each bench for its rows).
 */
export function writeResultsJson(name, section, rows) {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, `${JSON.stringify({ section, date: new Date().toISOString(), node: process.version, rows }, null, 2)}\n`);
  return path;
}

/** Settles when a writable (a response, a request) takes more data, or once it is closed. */
export function drained(writable) {
  return new Promise((resolve) => {
    const done = () => {
      writable.off('drain', done);
      writable.off('close', done);
      resolve();
    };
    writable.on('drain', done);
    writable.on('close', done);
  });
}

// ---------------------------------------------------------------------------------------------
// Options and the end of a run (bench/streaming.mjs, memory.mjs, soak.mjs).

/**
 * The bench's options (node:util parseArgs): `defaults` maps each option to its default — a number or a
 * string, and the value comes back of that type — and `flags` lists the boolean ones (default false).
 * Returns `{ values, full }`, `full` when every option was left at its default: only such a run is
 * written to RESULTS.md and bench/results/.
 */
export function benchOptions(defaults, flags = []) {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, { type: 'string', default: String(value) }])),
      ...Object.fromEntries(flags.map((name) => [name, { type: 'boolean', default: false }])),
    },
  });
  let full = flags.every((name) => !values[name]);
  for (const [name, value] of Object.entries(defaults)) {
    full &&= values[name] === String(value);
    if (typeof value === 'number') values[name] = Number(values[name]);
  }
  return { values, full };
}

/** The names of a comma-separated option (`gwi,django`), each one of `known`. */
export function namesOf(text, known) {
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`unknown name(s) ${unknown.join(', ')}: pick from ${known.join(', ')}`);
  return names;
}

/** dist/index.js's mtime when the run began (see publish). */
let distBuiltAt = null;

/**
 * The start of a run: reads the machine's load, builds dist/ if needed, stops every child on exit and
 * Ctrl-C, and makes a temp folder removed on exit. Returns `{ env, began, tmp }`.
 */
export function beginRun(name) {
  const env = machine();
  ensureBuilt();
  distBuiltAt = statSync(DIST_ENTRY).mtimeMs;
  installCleanup();
  const tmp = mkdtempSync(join(os.tmpdir(), `gwi-bench-${name}-`));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  return { env, began: performance.now(), tmp };
}

/**
 * The end of a run: prints the report; exits 1 on failures (nothing written); a full run writes its
 * section of bench/RESULTS.md and bench/results/<name>.json (`rows`: see writeResultsJson).
 */
export function publish({ name, section, body, rows, failures, full, began }) {
  console.log(`## ${section}\n\n${body}`);
  if (statSync(DIST_ENTRY).mtimeMs !== distBuiltAt) failures.push('dist/ was rebuilt during the run: its figures mix two builds');
  const seconds = `${((performance.now() - began) / 1000).toFixed(0)} s`;
  if (failures.length > 0) {
    console.error(`\nFAILED — results not written:\n- ${failures.join('\n- ')}`);
    process.exitCode = 1;
  } else if (full) {
    const results = join(ROOT, 'bench', 'RESULTS.md');
    writeResultsSection(results, section, body);
    console.error(`\nwritten to ${results} and ${writeResultsJson(name, section, rows)} (${seconds})`);
  } else {
    console.error(`\nnot written: only the full default run is (${seconds})`);
  }
}

/** Runs a bench's main(): an error is printed, every child killed, and the exit code is 1. */
export function runBench(main) {
  main().catch((err) => {
    console.error(err);
    killAllChildren('SIGKILL');
    process.exitCode = 1;
  });
}
