// Soak benchmark (long: not for CI): a minute of 100 keep-alive connections against gwi, checking that
// nothing fails, every request is logged, and memory stays flat.
//
// Targets, one after the other, each with the request log ON, written to a file (outside the project: a
// file the reloader watches would restart it):
//   runserver   `gwi runserver` with its reloader (supervisor → serving process, connections handed over),
//               from this checkout's dist/, on a startproject'd project whose view answers "Hello, world!"
//               (bench/dev-servers.mjs); the log is the command's output
//   makeserver  `makeServer()` + `serveForever()` from dist/, a GWI hello app (bench/hello-server.mjs gwi)
//
// What it measures, per target: `wrk -t1 -c100 -d60s` (keep-alive) after a 5 s warm-up run; the RSS of the
// target's whole process tree (VmRSS from /proc, summed: for runserver the supervisor, the serving process,
// the standby and tsx's esbuild) read every second during the measured run.
// Checks (correctness: exit 1, nothing written): wrk sees no socket error and no non-2xx/3xx response; the
// log holds one `"GET / HTTP/1.1" 200 13` line per request wrk counted (plus at most one per connection:
// the requests in flight when wrk stopped) and no other line.
// Goal (memory flat): the mean RSS of the last 10 s within 10 % of the mean of the first 10 s (windows of a
// third of the run when it is shorter than 30 s). Also reported: first, last, min and max readings, and
// the least-squares slope (MiB per minute).
//
// Output: a markdown table on stdout; with the default options also the section "Soak (60 s, 100
// connections)" of bench/RESULTS.md and bench/results/soak.json.
//
//   node bench/soak.mjs                                  (about 2.5 minutes)
//   node bench/soak.mjs --duration 15 --warmup 2 --targets makeserver   (seconds; a quick look, not written)
import { createReadStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DEV_SERVERS } from './dev-servers.mjs';
import {
  beginRun,
  benchOptions,
  formatInt,
  freePort,
  machineLines,
  mark,
  namesOf,
  pollUntil,
  progress,
  publish,
  requireWrk,
  runBench,
  runWrk,
  sleep,
  startServer,
  stopServer,
  wrkProblem,
} from './lib.mjs';
import { formatMiB, MiB, sampleEvery, treeRss } from './proc-memory.mjs';
import { spawnGroup, stopGroup } from './processes.mjs';

const SECTION = 'Soak (60 s, 100 connections)';
const ALL_TARGETS = ['runserver', 'makeserver'];
const DEFAULTS = { duration: 60, warmup: 5, connections: 100, targets: ALL_TARGETS.join(',') };
const GOAL_DRIFT = 0.1;
const HELLO = 'Hello, world!';
// Django's access line for the hello request: [22/Nov/2026 04:35:45] "GET / HTTP/1.1" 200 13
const ACCESS_LINE = /^\[\d\d\/[A-Z][a-z]{2}\/\d{4} \d\d:\d\d:\d\d\] "GET \/ HTTP\/1\.1" 200 13$/;

function options() {
  const { values, full } = benchOptions(DEFAULTS);
  return { ...values, targets: namesOf(values.targets, ALL_TARGETS), full };
}

// ---------------------------------------------------------------------------------------------
// The targets: each resolves `{ url, pid, stop() }` once it answers the hello page.

/** `gwi runserver` on the hello project, its output (the request log is its stderr) going to `logPath`. */
async function startRunserver(tmp, logPath) {
  const dir = join(tmp, 'runserver');
  mkdirSync(dir);
  const port = await freePort();
  const run = DEV_SERVERS.gwi.prepare({ dir, port });
  writeFileSync(run.file, run.source(HELLO));
  const child = spawnGroup(run.command, run.args, { cwd: run.cwd, env: run.env, logPath });
  const url = `http://127.0.0.1:${port}/`;
  if ((await pollUntil(url, (r) => r.status === 200 && r.body === HELLO, { child })) === null) {
    await stopGroup(child);
    throw new Error(`gwi runserver did not answer within 30 s (its output: ${logPath})`);
  }
  return { url, pid: child.pid, stop: () => stopGroup(child) };
}

async function startMakeServer(_tmp, logPath) {
  const server = await startServer('gwi', { logPath });
  return { url: server.url, pid: server.child.pid, stop: () => stopServer(server) };
}

const TARGETS = {
  runserver: { label: 'gwi runserver (supervisor + child)', start: startRunserver },
  makeserver: { label: 'makeServer (one process)', start: startMakeServer },
};

// ---------------------------------------------------------------------------------------------
// The request log.

/** Waits until the log stops growing (it is flushed once per event-loop turn); returns its size. */
async function settledSize(path) {
  let size = -1;
  for (let same = 0; same < 3; ) {
    await sleep(100);
    const now = statSync(path).size;
    same = now === size ? same + 1 : 0;
    size = now;
  }
  return size;
}

/** The log's lines from byte `start` on: `{ access, other: [the first few other lines], others }`. */
async function logLines(path, start) {
  const counts = { access: 0, others: 0, other: [] };
  const lines = createInterface({ input: createReadStream(path, { start, encoding: 'latin1' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (ACCESS_LINE.test(line)) counts.access++;
    else if (++counts.others <= 3) counts.other.push(line);
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// One target.

/** The RSS readings summarised: first, last, min, max, the window means, the drift and the slope. */
function rssFigures(samples, durationS) {
  const window = Math.max(1, Math.min(10, Math.round(durationS / 3))) * 1000;
  const end = samples.at(-1).t;
  const mean = (list) => list.reduce((sum, s) => sum + s.value, 0) / list.length;
  const firstWindow = mean(samples.filter((s) => s.t < window));
  const lastWindow = mean(samples.filter((s) => s.t > end - window));
  // Least squares over all readings: bytes per ms → MiB per minute.
  const n = samples.length;
  const tMean = samples.reduce((sum, s) => sum + s.t, 0) / n;
  const vMean = mean(samples);
  const cov = samples.reduce((sum, s) => sum + (s.t - tMean) * (s.value - vMean), 0);
  const varT = samples.reduce((sum, s) => sum + (s.t - tMean) ** 2, 0);
  const values = samples.map((s) => s.value);
  return {
    first: values[0],
    last: values.at(-1),
    min: Math.min(...values),
    max: Math.max(...values),
    firstWindow,
    lastWindow,
    windowS: window / 1000,
    drift: (lastWindow - firstWindow) / firstWindow,
    slopeMiBPerMin: varT === 0 ? 0 : ((cov / varT) * 60_000) / MiB,
    readings: n,
  };
}

async function soak(name, tmp, opts, failures) {
  const target = TARGETS[name];
  const logPath = join(tmp, `${name}-access.log`);
  const server = await target.start(tmp, logPath);
  try {
    progress(`${target.label} on ${server.url} (log: ${logPath}); warm-up ${opts.warmup} s`);
    await runWrk(server.url, { connections: opts.connections, duration: `${opts.warmup}s` });
    const offset = await settledSize(logPath);
    progress(`  wrk -t1 -c${opts.connections} -d${opts.duration}s, RSS of the process tree every second`);
    const sampler = sampleEvery(1000, () => treeRss(server.pid).bytes || null);
    const summary = await runWrk(server.url, { connections: opts.connections, duration: `${opts.duration}s` });
    const { samples } = sampler.stop();
    await settledSize(logPath);
    const log = await logLines(logPath, offset);
    const rss = rssFigures(samples, opts.duration);

    const problem = wrkProblem(summary);
    if (problem) failures.push(`${name}: ${problem}`);
    const extra = log.access - summary.requests;
    if (extra < 0 || extra > opts.connections) failures.push(`${name}: ${log.access} access lines for ${summary.requests} requests`);
    if (log.others > 0) failures.push(`${name}: ${log.others} unexpected log lines, e.g. ${JSON.stringify(log.other)}`);
    progress(`  ${formatInt(summary.requestsPerSec)} req/s, ${formatInt(summary.requests)} requests${problem ? `, ${problem}` : ''}; ` +
      `log +${formatInt(log.access)} access lines (${extra >= 0 ? '+' : ''}${extra} vs wrk); RSS ${formatMiB(rss.first)} → ` +
      `${formatMiB(rss.last)} MiB (max ${formatMiB(rss.max)}), drift ${(rss.drift * 100).toFixed(1)} %`);
    return { name, label: target.label, summary, log, extra, rss };
  } finally {
    await server.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// The report.


function report(results, opts, env) {
  const rows = [];
  const lines = results.map(({ name, label, summary, log, extra, rss }) => {
    const errors = Object.values(summary.socketErrors).reduce((a, b) => a + b, 0) + summary.non2xx3xx;
    const ok = Math.abs(rss.drift) < GOAL_DRIFT;
    const load = `${opts.duration} s at ${opts.connections} connections`;
    rows.push(
      { label, value: Math.round(summary.requestsPerSec), unit: 'req/s', chart: `Soak: ${load}, request log on (req/s)`, gwi: true, requests: summary.requests, errors, logLines: log.access },
      {
        label,
        value: +formatMiB(rss.lastWindow),
        unit: 'MiB',
        chart: `Soak: process-tree RSS, mean of the last ${rss.windowS} s of ${load} (MiB)`,
        lowerIsBetter: true,
        gwi: true,
        first: +formatMiB(rss.first),
        last: +formatMiB(rss.last),
        max: +formatMiB(rss.max),
        firstWindow: +formatMiB(rss.firstWindow),
        drift: +rss.drift.toFixed(4),
        slopeMiBPerMin: +rss.slopeMiBPerMin.toFixed(2),
        ok,
      },
    );
    return `| ${label} | ${formatInt(summary.requestsPerSec)} | ${formatInt(summary.requests)} | ${errors} | ` +
      `${formatInt(log.access)} (${extra >= 0 ? '+' : ''}${extra}) | ${formatMiB(rss.first)} / ${formatMiB(rss.last)} / ` +
      `${formatMiB(rss.min)} / ${formatMiB(rss.max)} | ${formatMiB(rss.firstWindow)} → ${formatMiB(rss.lastWindow)} ` +
      `(${rss.drift >= 0 ? '+' : ''}${(rss.drift * 100).toFixed(1)} %) ${mark(ok)} | ${rss.slopeMiBPerMin >= 0 ? '+' : ''}${rss.slopeMiBPerMin.toFixed(2)} |`;
  });
  const windowS = results[0]?.rss.windowS ?? 10;
  const met = results.every(({ rss }) => Math.abs(rss.drift) < GOAL_DRIFT);
  const body = [
    ...machineLines(env),
    `- Load: ${env.wrk}, \`wrk -t1 -c${opts.connections} -d${opts.duration}s\` (keep-alive), after a ${opts.warmup} s warm-up run; targets one ` +
      'after the other, request log ON (to a file)',
    '- runserver: `gwi runserver` with its reloader on a startproject\'d project, a view answering "Hello, world!"; ' +
      'RSS summed over the supervisor, the serving process, the standby and tsx\'s esbuild',
    '- makeserver: `makeServer()` + `serveForever()` from `dist/index.js`, a GWI hello app (`bench/hello-server.mjs gwi`)',
    '- RSS: VmRSS of the process tree from /proc, read every second of the measured run; drift = mean of the last ' +
      `${windowS} s against the first ${windowS} s; slope = least squares over all readings`,
    '',
    '| Target | req/s | requests | errors | log lines (vs wrk) | RSS first / last / min / max (MiB) | ' +
      `RSS first ${windowS} s → last ${windowS} s (MiB) | slope (MiB/min) |`,
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...lines,
    '',
    `Goal: memory flat (drift within ±${GOAL_DRIFT * 100} %): **${met ? 'met' : 'not met'}**. Checks: no wrk socket error or ` +
      'non-2xx/3xx response; one access line per request (plus at most one per connection in flight when wrk stopped), no other line.',
  ].join('\n');
  return { body, rows };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = options();
  const wrk = requireWrk();
  const { env, began, tmp } = beginRun('soak');
  const failures = [];
  const results = [];
  for (const name of opts.targets) results.push(await soak(name, tmp, opts, failures));

  const { body, rows } = report(results, opts, { ...env, wrk });
  publish({ name: 'soak', section: SECTION, body, rows, failures, full: opts.full, began });
}

runBench(main);
