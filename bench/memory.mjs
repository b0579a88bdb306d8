// Cold start and memory benchmark: how long a dev server takes from the command to its first answer,
// and whether `gwi runserver`'s memory stays flat over requests and reloads.
//
// Tools (bench/dev-servers.mjs), each on a tiny app in a temp folder of its own whose page answers a
// "version" string held in one file, on a free loopback port:
//   gwi runserver      `gwi startproject` + views.ts, run from this checkout's dist/ (reloader on: the
//                      supervisor, the serving process and a standby)
//   Django runserver   `django-admin startproject` + views.py (/usr/bin/python3; skipped with a note when
//                      Django is missing): the StatReloader parent and its child
//   node --watch       `node --watch server.mjs`, a node:http server importing the version from app.mjs
//   tsx watch          `tsx watch server.ts`, the same in TypeScript (tsx from gwi's node_modules)
//
// (a) Cold start: command spawned → first `200` carrying the version (a GET on a new connection every
//     5 ms), then the whole process group stopped; N runs per tool (default 5), the tools taking turns
//     (gwi, Django, node, tsx, gwi, …). Median, min and max per tool, and each tool's median ÷ gwi's.
// (b) Memory of the whole process tree (supervisor + children + theirs, e.g. tsx's esbuild: VmRSS from
//     /proc, summed), read once the tree is steady (the same processes and RSS within 1 MiB for 1 s,
//     the median of those readings), at four points:
//       start      the first `200` served, then idle
//       +requests  after 1,000 GETs (10 at a time, keep-alive; every one must be a 200 with the version)
//       +reloads   after 50 reloads: each the view file saved with a new version, then GETs until that
//                  version is served, 300 ms pause; read 11 s after the last one (at rest: gwi keeps a
//                  second standby while saves come faster than one starts, until none has come for 10 s)
//       +requests  after 1,000 more GETs
//     for gwi, and Django's runserver and node --watch beside it. The supervisor (the process we started,
//     the only one that lives through every reload: a leak there would pile up) is also read alone.
//     Beside each RSS, the PSS (the `Pss:` line of /proc/<pid>/smaps_rollup, summed over the tree): a page
//     shared by N processes counts 1/N in each, so node's ~34 MiB of code pages, which every node process
//     maps, count once in a tree's PSS where its summed RSS counts them once per process. The goals stay
//     on RSS (a process's own growth shows there whole).
//
// Goals for gwi — "no growth beyond noise" over 50 reloads, comparing the last point with the second one
// (both: a serving process that has answered ~1,000 requests):
//   - the tree grows less than 10 % (the serving and standby processes are new after a reload, and V8's
//     heap and code space differ by a few MiB from one node process to the next: up to ~3.5 % of gwi's
//     tree between such points in trial runs; 10 % leaves room for that, and is still far below one
//     leaked node process, ~35 % of the tree);
//   - the supervisor grows less than 10 MiB (it never loads project code, and a leak per reload — a
//     ServerProcess, a watcher, a socket left behind — would pile up over 50: 10 MiB is 200 KiB a reload;
//     GC timing alone moved it by up to ±5 MiB in trial runs);
//   - the tree has as many processes as after the start (no process left behind).
// Failed requests, or a reload not served within 10 s, are correctness failures: exit 1, nothing written.
//
// Output: a markdown table on stdout; with the default options also the section "Cold start and memory
// (dev servers)" of bench/RESULTS.md and bench/results/memory.json.
//
//   node bench/memory.mjs                                       (about 3 minutes)
//   node bench/memory.mjs --runs 2 --requests 200 --reloads 10 --tools gwi,node-watch   (a quick look; not written)
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { DEV_SERVERS } from './dev-servers.mjs';
import {
  beginRun,
  benchOptions,
  formatInt,
  launchDevServer,
  freePort,
  machineLines,
  mark,
  median,
  namesOf,
  pollUntil,
  progress,
  publish,
  runBench,
  sleep,
} from './lib.mjs';
import { formatMiB, mibNumber, MiB, STEADY, steadyMemory } from './proc-memory.mjs';
import { stopGroup } from './processes.mjs';

const SECTION = 'Cold start and memory (dev servers)';
const ALL_TOOLS = ['gwi', 'django', 'node-watch', 'tsx'];
const DEFAULTS = { runs: 5, requests: 1000, reloads: 50, tools: ALL_TOOLS.join(','), 'memory-tools': 'gwi,django,node-watch' };
const GOAL = { treeGrowth: 0.1, supervisorGrowth: 10 * MiB };
const CONCURRENCY = 10;
const RELOAD_TIMEOUT_MS = 10_000;
const RELOAD_PAUSE_MS = 300;
/**
 * After the last reload, before "+reloads" is read: saves 300 ms apart come faster than a standby starts,
 * and gwi keeps a second standby until no save has come for 10 s (src/reloader/standby.ts BURST_MS). The
 * point is the tree at rest after the reloads, for every tool alike.
 */
const QUIET_MS = 11_000;
const POINTS = ['start', 'requests', 'reloads', 'more'];

function options() {
  const { values, full } = benchOptions(DEFAULTS);
  return { ...values, tools: namesOf(values.tools, ALL_TOOLS), memoryTools: namesOf(values['memory-tools'], ALL_TOOLS), full };
}

// ---------------------------------------------------------------------------------------------
// One tool's server.

/**
 * Starts a prepared tool serving `version`; resolves `{ child, ms, tail }` (ms: spawn → first 200 with it;
 * tail: its last 20 lines of output, kept up to date) or throws.
 */
async function start(run, version) {
  writeFileSync(run.file, run.source(version));
  const started = await launchDevServer(run, (r) => r.status === 200 && r.body === version);
  if (started.ms === null) {
    throw new Error(`${run.shown} did not answer ${version} within 30 s; its last output:\n  ${started.tail.join('\n  ')}`);
  }
  return started;
}

/** `count` GETs, `CONCURRENCY` at a time over keep-alive connections; returns the problems seen. */
async function requests(url, count, version) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const problems = [];
  const one = () => new Promise((resolve) => {
    http.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text) => (body += text));
      res.on('end', () => {
        if (res.statusCode !== 200 || body !== version) problems.push(`${res.statusCode} ${JSON.stringify(body.slice(0, 40))}`);
        resolve();
      });
    }).on('error', (err) => {
      problems.push(err.code ?? err.message);
      resolve();
    });
  });
  let next = 0;
  const worker = async () => {
    while (next++ < count) await one();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return problems;
}

// ---------------------------------------------------------------------------------------------
// (a) Cold start, (b) memory.

async function coldStarts(runs, opts) {
  const times = Object.fromEntries(runs.map((run) => [run.name, []]));
  for (let i = 1; i <= opts.runs; i++) {
    for (const run of runs) {
      const { child, ms } = await start(run, `v${i}`);
      times[run.name].push(ms);
      await stopGroup(child);
    }
    progress(`  run ${i}: ${runs.map((run) => `${run.name} ${Math.round(times[run.name].at(-1))} ms`).join(', ')}`);
  }
  return times;
}

async function memoryPhases(run, opts, failures) {
  const points = {};
  const notes = [];
  const { child, tail } = await start(run, 'm0');
  let version = 'm0';
  const read = async (point) => {
    points[point] = await steadyMemory(child.pid);
    if (!points[point].steady) notes.push(`not steady within ${STEADY.timeoutMs / 1000} s at "${point}"`);
    const { tree, treePss, supervisor, supervisorPss, processes } = points[point];
    progress(`  ${point.padEnd(8)} tree ${formatMiB(tree)} MiB, PSS ${formatMiB(treePss)} MiB (${processes} processes), ` +
      `supervisor ${formatMiB(supervisor)} MiB, PSS ${formatMiB(supervisorPss)} MiB`);
  };
  const load = async () => {
    const problems = await requests(run.url, opts.requests, version);
    if (problems.length > 0) failures.push(`${run.label}: ${problems.length} of ${opts.requests} requests failed, e.g. ${problems[0]}`);
  };
  try {
    await read('start');
    await load();
    await read('requests');
    const reloadMs = [];
    for (let i = 1; i <= opts.reloads; i++) {
      version = `m${i}`;
      const savedAt = performance.now();
      writeFileSync(run.file, run.source(version));
      const ms = await pollUntil(run.url, (r) => r.status === 200 && r.body === version, { since: savedAt, timeoutMs: RELOAD_TIMEOUT_MS, everyMs: 10, child });
      if (ms === null) {
        failures.push(`${run.label}: reload ${i} not served within ${RELOAD_TIMEOUT_MS / 1000} s; its last output:\n  ${tail.join('\n  ')}`);
        break;
      }
      reloadMs.push(ms);
      await sleep(RELOAD_PAUSE_MS);
    }
    progress(`  ${reloadMs.length} reloads, median ${reloadMs.length ? Math.round(median(reloadMs)) : '–'} ms`);
    await sleep(QUIET_MS);
    await read('reloads');
    await load();
    await read('more');
    return { points, notes, reloads: reloadMs.length };
  } finally {
    await stopGroup(child);
  }
}

// ---------------------------------------------------------------------------------------------
// The report.

const signedMiB = (bytes) => `${bytes >= 0 ? '+' : ''}${formatMiB(bytes)}`;

/** The growth over the reloads: the last point against the one after the first requests. */
function growth({ points }) {
  const tree = points.more.tree - points.requests.tree;
  return {
    tree,
    treeShare: tree / points.requests.tree,
    supervisor: points.more.supervisor - points.requests.supervisor,
    processes: points.more.processes - points.start.processes,
  };
}

function coldStartSection(runs, times, rows) {
  const gwi = times.gwi ? median(times.gwi) : null;
  const lines = runs.map((run) => {
    const values = times[run.name];
    rows.push({
      label: run.label,
      value: Math.round(median(values)),
      unit: 'ms',
      chart: 'Cold start: command → first 200, median (ms)',
      lowerIsBetter: true,
      gwi: run.name === 'gwi',
      min: Math.round(Math.min(...values)),
      max: Math.round(Math.max(...values)),
    });
    const ratio = gwi === null ? '–' : `${(median(values) / gwi).toFixed(2)}`;
    return `| ${run.label} (${run.shown}) | **${formatInt(median(values))}** | ${formatInt(Math.min(...values))} | ${formatInt(Math.max(...values))} | ${ratio} |`;
  });
  return [
    '### Cold start (command spawned → first 200)',
    '',
    '| Tool | Median (ms) | Min | Max | ÷ gwi |',
    '|---|---:|---:|---:|---:|',
    ...lines,
  ];
}

function memorySection(memory, opts, rows) {
  const lines = memory.map(({ run, result }) => {
    const { points } = result;
    const g = growth(result);
    rows.push({
      label: run.label,
      value: +formatMiB(points.more.tree),
      unit: 'MiB',
      chart: `Dev server process-tree RSS after ${opts.reloads} reloads and ${2 * opts.requests} requests (MiB)`,
      lowerIsBetter: true,
      gwi: run.name === 'gwi',
      pss: mibNumber(points.more.treePss),
      points: Object.fromEntries(POINTS.map((point) => [point, {
        tree: +formatMiB(points[point].tree),
        treePss: mibNumber(points[point].treePss),
        supervisor: +formatMiB(points[point].supervisor),
        supervisorPss: mibNumber(points[point].supervisorPss),
        processes: points[point].processes,
      }])),
      growth: +formatMiB(g.tree),
      growthShare: +g.treeShare.toFixed(4),
      supervisorGrowth: +formatMiB(g.supervisor),
      ...(run.name === 'gwi' ? { ok: g.treeShare < GOAL.treeGrowth && g.supervisor < GOAL.supervisorGrowth && g.processes <= 0 } : {}),
    });
    const cells = POINTS.map((point) => `${formatMiB(points[point].tree)} / ${formatMiB(points[point].treePss)} (${points[point].processes})`);
    return `| ${run.label} | ${cells.join(' | ')} | ${signedMiB(g.tree)} (${(g.treeShare * 100).toFixed(1)} %) | ` +
      `${POINTS.map((point) => formatMiB(points[point].supervisor)).join(' → ')} (${signedMiB(g.supervisor)}); ` +
      `PSS ${POINTS.map((point) => formatMiB(points[point].supervisorPss)).join(' → ')} |`;
  });
  return [
    `### Memory (process tree: RSS / PSS, MiB; processes in brackets)`,
    '',
    `| Tool | start | +${opts.requests} requests | +${opts.reloads} reloads | +${opts.requests} more requests | RSS growth over the reloads | supervisor alone: RSS (growth); PSS |`,
    '|---|---:|---:|---:|---:|---:|---:|',
    ...lines,
  ];
}

function goalLines(memory) {
  const gwi = memory.find(({ run }) => run.name === 'gwi');
  if (!gwi) return ['Goals for gwi: **not measured** (gwi was not among --memory-tools).'];
  const g = growth(gwi.result);
  return [
    `Goals for gwi over ${gwi.result.reloads} reloads (last point against "+requests"):`,
    `- tree RSS growth < ${GOAL.treeGrowth * 100} % (new node processes differ by a few MiB, ≤ 3.5 % of the tree in trial runs; ` +
      `one leaked process would add about a third): ${mark(g.treeShare < GOAL.treeGrowth)} (${signedMiB(g.tree)} MiB, ${(g.treeShare * 100).toFixed(1)} %)`,
    `- supervisor RSS growth < ${GOAL.supervisorGrowth / MiB} MiB (the one process that lives through every reload, where a ` +
      `leak per reload would pile up; GC timing moved it by up to ±5 MiB in trial runs): ${mark(g.supervisor < GOAL.supervisorGrowth)} (${signedMiB(g.supervisor)} MiB)`,
    `- no process left behind: ${mark(g.processes <= 0)} (${gwi.result.points.start.processes} processes at the start, ${gwi.result.points.more.processes} at the end)`,
  ];
}

function report({ runs, coldRuns, times, memory, skipped }, opts, env) {
  const rows = [];
  const body = [
    ...machineLines(env),
    `- Cold start: command spawned → first \`200\` with the app's version (GET on a new connection every 5 ms), ${opts.runs} runs ` +
      'per tool taking turns, each stopped (SIGTERM to its process group) before the next',
    `- Memory: VmRSS summed over the process tree, and beside it PSS (the \`Pss:\` line of /proc/<pid>/smaps_rollup, summed), ` +
      'read when steady (same processes, RSS within 1 MiB over 1 s). PSS counts a page shared by N processes as 1/N in each: ' +
      "node's ~34 MiB of code pages, mapped by every node process, count once per process in a tree's RSS and once in all in its PSS " +
      `(shared with node processes outside the tree too, the bench's own among them, so a tree's PSS is a little lower the more run); ${opts.requests} GETs ` +
      `${CONCURRENCY} at a time (keep-alive); a reload = the view file saved with a new version, then GETs until it is served, ` +
      `${RELOAD_PAUSE_MS} ms pause; "+reloads" is read ${QUIET_MS / 1000} s after the last one (gwi keeps a second standby while saves come fast, until none has come for 10 s). The supervisor is the process started (gwi's supervisor, Django's autoreloader parent, node --watch's watcher)`,
    ...runs.map((run) => `- ${run.label}: ${run.version}`),
    '',
    ...(times ? coldStartSection(coldRuns, times, rows) : []),
    '',
    ...memorySection(memory, opts, rows),
    '',
    ...goalLines(memory),
    ...memory.flatMap(({ run, result }) => result.notes.map((note) => `- note (${run.label}): ${note}`)),
    ...skipped.map(({ name, reason }) => `- ${name}: skipped: ${reason}`),
  ].join('\n');
  return { body, rows };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = options();
  const { env, began, tmp } = beginRun('memory');

  const runs = [];
  const skipped = [];
  for (const name of ALL_TOOLS.filter((tool) => opts.tools.includes(tool) || opts.memoryTools.includes(tool))) {
    const dir = join(tmp, name);
    mkdirSync(dir);
    const port = await freePort();
    const prepared = DEV_SERVERS[name].prepare({ dir, port });
    if (prepared.skip) {
      progress(`${DEV_SERVERS[name].label}: skipped: ${prepared.skip}`);
      skipped.push({ name: DEV_SERVERS[name].label, reason: prepared.skip });
      continue;
    }
    runs.push({ ...prepared, name, label: DEV_SERVERS[name].label, url: `http://127.0.0.1:${port}/` });
  }

  const failures = [];
  const coldRuns = runs.filter((run) => opts.tools.includes(run.name));
  progress(`cold start: ${opts.runs} runs of ${coldRuns.map((run) => run.name).join(', ')}`);
  const times = coldRuns.length > 0 ? await coldStarts(coldRuns, opts) : null;
  const memory = [];
  for (const run of runs.filter((r) => opts.memoryTools.includes(r.name))) {
    progress(`memory: ${run.label}`);
    memory.push({ run, result: await memoryPhases(run, opts, failures) });
  }

  const { body, rows } = report({ runs, coldRuns, times, memory, skipped }, opts, env);
  publish({ name: 'memory', section: SECTION, body, rows, failures, full: opts.full, began });
}

runBench(main);
