// Shared pieces of the benchmarks: the built package, the hello-server children, wrk, RESULTS.md; for
// bench/reload.mjs and scale.mjs: a free port, one-shot HTTP GETs, the saves' versions and gaps; options
// and the JSON results (bench/results/<name>.json). Child processes and process groups are in
// processes.mjs, memory from /proc in proc-memory.mjs.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { alive, installCleanup, killAllChildren, spawnGroup, stopGroup, track } from './processes.mjs';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST_ENTRY = join(ROOT, 'dist', 'index.js');
const HELLO_SERVER = join(ROOT, 'bench', 'hello-server.mjs');

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
  const values = parseBenchArgs({
    ...Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, { type: 'string', default: String(value) }])),
    ...Object.fromEntries(flags.map((name) => [name, { type: 'boolean', default: false }])),
  });
  let full = flags.every((name) => !values[name]);
  for (const [name, value] of Object.entries(defaults)) {
    full &&= values[name] === String(value);
    if (typeof value === 'number') values[name] = Number(values[name]);
  }
  return { values, full };
}

/** A bad command line: runBench prints its message alone, and the exit code is 2. */
export class UsageError extends Error {}

/** node:util parseArgs's values for these `options`; an unknown option or a missing value is a UsageError. */
export function parseBenchArgs(options) {
  try {
    return parseArgs({ options }).values;
  } catch (err) {
    throw new UsageError(err.message);
  }
}

/** The names of a comma-separated option (`gwi,django`), each one of `known`. */
export function namesOf(text, known) {
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new UsageError(`unknown name(s) ${unknown.join(', ')}: pick from ${known.join(', ')}`);
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
  return { env, began: performance.now(), tmp: runTmpdir(name) };
}

/**
 * The run's own temporary folder, removed at exit, made the TMPDIR of everything the run starts. tsx
 * keeps its transform cache in os.tmpdir(), and a process that writes to it first walks every entry of
 * the last ~8 days to expire the old ones, beside its load. Two days of bench and test runs (each in new
 * folders: the cache is keyed by path and content) had left ~21,900 entries in /tmp/tsx-0; with them, a
 * reload of a 10-module project in gwi took 128–136 ms on Node 20, with a cache of its own 108–111 (and
 * without that walk 101–110). A run's trees are new folders, so their files were never in the cache: the
 * first launch of each fills it, as before.
 */
export function runTmpdir(name) {
  const tmp = mkdtempSync(join(os.tmpdir(), `gwi-bench-${name}-`));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  // A folder of its own: tsx deletes `<TMPDIR>/tsx` (its cache's old place), the name of a tool's folder here.
  process.env.TMPDIR = join(tmp, 'tmp');
  mkdirSync(process.env.TMPDIR);
  return tmp;
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

/**
 * Runs a bench's main(): an error is printed, every child killed, and the exit code is 1; a UsageError is
 * one line (`reload.mjs: …`), and the exit code 2.
 */
export function runBench(main) {
  main().catch((err) => {
    if (err instanceof UsageError) {
      console.error(`${basename(process.argv[1])}: ${err.message}`);
      process.exitCode = 2;
      return;
    }
    console.error(err);
    killAllChildren('SIGKILL');
    process.exitCode = 1;
  });
}
