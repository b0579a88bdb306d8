// Reload benchmark: how fast a dev server serves new code after a save, and what clients see meanwhile.
//
// Tools, side by side in one run, each serving the same tiny app of bench/dev-servers.mjs — a response
// whose body is the current "version" string, held in the app's view module (the file the bench saves):
//   nodemon      `nodemon server.mjs`        node:http server; the version in app.mjs   (nodemon@3, npm
//                                            installed once into node_modules/.cache/gwi-bench-peers)
//   node --watch `node --watch server.mjs`   the same files
//   tsx watch    `tsx watch server.ts`       the same app in TypeScript (app.ts); tsx from gwi's dependencies
//   Django       `manage.py runserver`       `django-admin startproject` + a view in views.py (python3-django;
//                                            skipped with a note when `/usr/bin/python3 -c 'import django'` fails)
//   gwi          `gwi runserver`             `gwi startproject` + a view in views.ts, run from dist/
// Every tool gets its own temp folder and a free loopback port, and runs alone (one after the other).
//
// What it measures, per tool:
//   cold start   command spawned → first 200 carrying the initial version (GET every 5 ms)
//   reload       the median and p90 over N saves (default 20) of: the file rewritten with a new version →
//                the first HTTP 200 whose body is that version. A client GETs `/` on a NEW connection every
//                5 ms (the next request starts 5 ms after the previous one ended) all along. Saves are spaced
//                100–1100 ms (uniform, mean 600 ms) after the previous new version was seen: the random phase
//                matters for pollers such as Django's StatReloader (1 s).
//   failed       that client's requests during the N reloads that failed: connection refused or reset,
//                no answer within 3 s, or any status but 200.
//   bursts       B bursts (default 3) of 5 saves 15 ms apart, each a different version, as an editor's
//                save-all does: the restarts each burst caused, counted as the server processes started
//                during it, after waiting for the last version plus a quiet period (1.5 s; 2.5 s for
//                Django); and whether the last version is what is served at the end. The tool's process
//                tree is read from /proc every 2 ms during a burst: every new node or python process seen
//                alive in it counts, a child killed while node is still booting included (nodemon does
//                that: such a child never runs a line of ours). The processes that got as far as loading
//                the app module (it prints `BENCH-START <pid> <version>`) are reported beside.
//   announced    when the tool printed that it saw the change ("changed, reloading.", "Restarting …"):
//                splits a reload into noticing the save and bringing up the new code (details only).
// Each tool's process group (and any descendant that left it) gets SIGTERM at the end, SIGKILL after 3 s;
// Ctrl-C or an error kills them all. The whole run is capped at ~5 minutes.
//
// Output: a markdown table on stdout, also written to bench/RESULTS.md (only the section
// "Reload (save → new code answering)" is rewritten). Goals for gwi: median ≤ 100 ms, 0 failed
// requests, exactly 1 restart per burst.
//
//   node bench/reload.mjs
//   node bench/reload.mjs --saves 10 --bursts 2 --tools node-watch,gwi     (a quick look; not written)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  distIsStale,
  ensureBuilt,
  freePort,
  httpGetOnce,
  installCleanup,
  killAllChildren,
  machine,
  machineLines,
  median,
  percentile,
  progress,
  ROOT,
  sleep,
  spawnGroup,
  stopGroup,
  watchProcessTree,
  writeResultsJson,
  writeResultsSection,
} from './lib.mjs';
import { DEV_SERVERS } from './dev-servers.mjs';
import { installPeer } from './projects.mjs';

const SECTION = 'Reload (save → new code answering)';
const RESULTS_PATH = join(ROOT, 'bench', 'RESULTS.md');
const GOAL = { medianMs: 100, failed: 0, restartsPerBurst: 1 };
const POLL_MS = 5;
const REQUEST_TIMEOUT_MS = 3000;
const RELOAD_TIMEOUT_MS = 5000;
const COLD_START_TIMEOUT_MS = 30_000;
const SETTLE_MS = 1500;
const GAP_MIN_MS = 100;
const GAP_SPREAD_MS = 1000;
const BURST_SAVES = 5;
const BURST_SPACING_MS = 15;
const TIME_LIMIT_MS = 295_000;
const ALL_TOOLS = ['nodemon', 'node-watch', 'tsx', 'django', 'gwi'];
const START_LINE = /BENCH-START (\d+) (\S+)/;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
/**
 * A process counted as a server (re)start in a burst: a node or python one (/proc/<pid>/comm) seen alive
 * with a command line (a zombie has none: its name could still be its parent's, had it not exec'd yet).
 */
const isServerProcess = (p) => /^(node|python)/.test(p.comm ?? '') && Boolean(p.cmdline);

const now = () => performance.now();
const token = () => Math.random().toString(36).slice(2, 6);

function options() {
  const { values } = parseArgs({
    options: {
      saves: { type: 'string', default: '20' },
      bursts: { type: 'string', default: '3' },
      tools: { type: 'string', default: ALL_TOOLS.join(',') },
    },
  });
  const tools = values.tools.split(',').map((name) => name.trim());
  const unknown = tools.filter((name) => !ALL_TOOLS.includes(name));
  if (unknown.length > 0) throw new Error(`unknown tool(s) ${unknown.join(', ')}: pick from ${ALL_TOOLS.join(', ')}`);
  const opts = { saves: Number(values.saves), bursts: Number(values.bursts), tools };
  // Only the full default run goes to RESULTS.md.
  opts.full = opts.saves === 20 && opts.bursts === 3 && ALL_TOOLS.every((name) => tools.includes(name));
  return opts;
}

// ---------------------------------------------------------------------------------------------
// The apps (bench/dev-servers.mjs), with version modules that announce each process loading them.

/** The version module of DEV_SERVERS' node:http servers, announcing each process that loads it. */
const nodeVersionModule = (version) => `export const VERSION = '${version}';
console.log(\`BENCH-START \${process.pid} \${VERSION}\`);
`;

const djangoViews = (version) => `import os
import sys

from django.http import HttpResponse

VERSION = '${version}'
print(f'BENCH-START {os.getpid()} {VERSION}', file=sys.stderr, flush=True)


def version(request):
    return HttpResponse(VERSION, content_type='text/plain')
`;

const gwiViews = (version) => `import { HttpResponse } from 'gwi';

export const VERSION = '${version}';
console.error(\`BENCH-START \${process.pid} \${VERSION}\`);

export function version(): HttpResponse {
  return new HttpResponse(VERSION, { contentType: 'text/plain' });
}
`;

// ---------------------------------------------------------------------------------------------
// The tools: prepare() makes the app in `dir` and returns how to run it, or { skip: reason }.

/**
 * A node:http server of bench/dev-servers.mjs (`server`: whose app; default the tool's own), started as
 * DEV_SERVERS says unless `command(peers)` gives another command line (or a reason to skip).
 */
function nodeTool(name, label, announce, { server = name, command = () => ({}) } = {}) {
  return {
    name,
    label,
    announce,
    quietMs: 1500,
    prepare({ dir, port, peers }) {
      const override = command(peers);
      if (override.skip) return override;
      return { ...DEV_SERVERS[server].prepare({ dir, port }), ...override, source: nodeVersionModule };
    },
  };
}

const TOOLS = {
  nodemon: nodeTool('nodemon', 'nodemon', /\[nodemon\] restarting due to changes/, {
    // node --watch's app, under nodemon.
    server: 'node-watch',
    command: (peers) => {
      if (peers.nodemon.error) return { skip: `nodemon could not be installed (${peers.nodemon.error})` };
      return {
        version: `nodemon ${peers.nodemon.version}`,
        command: process.execPath,
        args: [peers.nodemon.bin, 'server.mjs'],
        shown: '`nodemon server.mjs`',
      };
    },
  }),
  'node-watch': nodeTool('node-watch', 'node --watch', /^Restarting '/),
  tsx: nodeTool('tsx', 'tsx watch', /\[tsx\] change in/),
  django: {
    name: 'django',
    label: 'Django',
    announce: /changed, reloading\./,
    quietMs: 2500,
    // DEV_SERVERS' Django project; its views announce each load (BENCH-START).
    prepare(ctx) {
      const run = DEV_SERVERS.django.prepare(ctx);
      return run.skip ? run : { ...run, source: djangoViews };
    },
  },
  gwi: {
    name: 'gwi',
    label: 'gwi',
    announce: /changed, reloading\./,
    quietMs: 1500,
    prepare(ctx) {
      ensureBuilt();
      const notes = distIsStale() ? ['src/ was newer than dist/: this measured the last build (`npm run build` to refresh)'] : [];
      return { ...DEV_SERVERS.gwi.prepare(ctx), source: gwiViews, notes };
    },
  },
};

// ---------------------------------------------------------------------------------------------
// The client: GET / on a new connection every 5 ms, every answer kept with its times.

class Poller {
  results = [];
  waiters = new Set();
  running = false;

  constructor(url) {
    this.url = url;
  }

  start() {
    this.running = true;
    this.done = this.loop();
  }

  async stop() {
    this.running = false;
    await this.done;
  }

  async loop() {
    while (this.running) {
      const sent = now();
      const result = await httpGetOnce(this.url, REQUEST_TIMEOUT_MS);
      Object.assign(result, { sent, at: now() });
      this.results.push(result);
      for (const waiter of this.waiters) waiter(result);
      await sleep(POLL_MS);
    }
  }

  /** When the first 200 with body `version` arrived at or after `since`, or null after `timeoutMs`. */
  waitFor(version, since, timeoutMs) {
    const matches = (r) => r.at >= since && r.status === 200 && r.body === version;
    const seen = this.results.find(matches);
    if (seen) return Promise.resolve(seen.at);
    return new Promise((resolve) => {
      const finish = (at) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(at);
      };
      const waiter = (r) => matches(r) && finish(r.at);
      const timer = setTimeout(() => finish(null), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** The requests sent in [from, to) and those of them that failed, by kind (ECONNREFUSED, HTTP 500, …). */
  failures(from, to) {
    const sent = this.results.filter((r) => r.sent >= from && r.sent < to);
    const kinds = {};
    let failed = 0;
    for (const r of sent) {
      const kind = r.error ?? (r.status === 200 ? null : `HTTP ${r.status}`);
      if (kind === null) continue;
      failed++;
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    return { polls: sent.length, failed, kinds };
  }

  /** The bodies of the 200s received in [from, to). */
  bodies(from, to) {
    return new Set(this.results.filter((r) => r.at >= from && r.at < to && r.status === 200).map((r) => r.body));
  }
}

/** Command spawned at `spawnedAt` → first 200 with `version`, polling every 5 ms; ms or null. */
async function coldStart(url, version, spawnedAt, child) {
  while (now() - spawnedAt < COLD_START_TIMEOUT_MS && child.exitCode === null && child.signalCode === null) {
    const result = await httpGetOnce(url, REQUEST_TIMEOUT_MS);
    if (result.status === 200 && result.body === version) return now() - spawnedAt;
    await sleep(POLL_MS);
  }
  return null;
}

async function sleepUntil(time) {
  const wait = time - now();
  if (wait > 0) await sleep(wait);
}

const gap = () => GAP_MIN_MS + Math.random() * GAP_SPREAD_MS;

// ---------------------------------------------------------------------------------------------
// One tool: cold start, N reloads, B bursts, stop.

/**
 * The server-side figures of one running tool, into `result`: N reloads (each save → the first 200 showing
 * it), then B bursts, while `poller` GETs `url` all along; `starts` and `announcements` fill from the
 * tool's output.
 */
async function serverSide(tool, run, opts, deadline, result, { url, child, poller, starts, announcements }) {
  poller.start();
  await sleep(SETTLE_MS);

  // N reloads.
  const phaseStart = now();
  let missedInARow = 0;
  for (let i = 1; i <= opts.saves; i++) {
    if (now() > deadline) {
      result.notes.push(`time budget spent: ${i - 1} of ${opts.saves} saves made`);
      break;
    }
    await sleep(gap());
    const version = `r${i}-${token()}`;
    const savedAt = now();
    writeFileSync(run.file, run.source(version));
    const at = await poller.waitFor(version, savedAt, RELOAD_TIMEOUT_MS);
    if (at === null) {
      result.misses++;
      if (++missedInARow >= 2) {
        result.notes.push(`stopped after save ${i}: two saves in a row not served within ${RELOAD_TIMEOUT_MS / 1000} s`);
        break;
      }
    } else {
      missedInARow = 0;
      result.reloads.push(at - savedAt);
      const announced = announcements.find((t) => t >= savedAt && t <= at);
      if (announced !== undefined) result.announced.push(announced - savedAt);
    }
  }
  result.failed = poller.failures(phaseStart, now());
  progress(`  reloads: median ${result.reloads.length ? median(result.reloads).toFixed(0) : '–'} ms over ${result.reloads.length} ` +
    `(${result.misses} missed); failed requests ${result.failed.failed} of ${result.failed.polls}`);

  // B bursts.
  for (let b = 1; b <= opts.bursts && result.reloads.length > 0; b++) {
    if (now() > deadline) {
      result.notes.push(`time budget spent: ${b - 1} of ${opts.bursts} bursts made`);
      break;
    }
    await sleep(gap());
    const tree = watchProcessTree(child.pid, 2);
    const before = starts.length;
    const burstStart = now();
    const versions = [];
    for (let k = 0; k < BURST_SAVES; k++) {
      await sleepUntil(burstStart + k * BURST_SPACING_MS);
      versions.push(`b${b}.${k}-${token()}`);
      writeFileSync(run.file, run.source(versions[k]));
    }
    const last = versions.at(-1);
    const servedAt = await poller.waitFor(last, burstStart, RELOAD_TIMEOUT_MS + 3000);
    await sleep(tool.quietMs);
    const final = await httpGetOnce(url, REQUEST_TIMEOUT_MS);
    const loads = starts.slice(before);
    const loaded = new Set(loads.map((s) => s.pid));
    const spawned = tree.stop().filter(isServerProcess);
    const served = poller.bodies(burstStart, now());
    result.bursts.push({
      restarts: spawned.length,
      loaded: loaded.size,
      // Which of the burst's versions (0–4) each load found in the file.
      loadedVersions: loads.map((s) => versions.indexOf(s.version)),
      lastServedMs: servedAt === null ? null : servedAt - burstStart,
      lastServed: final.status === 200 && final.body === last,
      intermediates: versions.slice(0, -1).filter((v) => served.has(v)).length,
      failed: poller.failures(burstStart, now()).failed,
    });
  }
  if (result.bursts.length > 0) {
    progress(`  bursts: restarts ${result.bursts.map((b) => b.restarts).join(', ')} ` +
      `(loaded the app: ${result.bursts.map((b) => b.loaded).join(', ')}); ` +
      `last version served ${result.bursts.filter((b) => b.lastServed).length}/${result.bursts.length}`);
  }
}

async function measureTool(tool, run, opts, deadline) {
  const result = { tool, run, reloads: [], announced: [], misses: 0, bursts: [], notes: [...(run.notes ?? [])] };
  const url = `http://127.0.0.1:${run.port}/`;
  const starts = [];
  const announcements = [];
  const tail = [];
  const onLine = (raw, stream) => {
    const line = raw.replace(ANSI, '');
    const match = START_LINE.exec(line);
    if (match) starts.push({ t: now(), pid: Number(match[1]), version: match[2] });
    if (tool.announce.test(line)) announcements.push(now());
    tail.push(`${stream}: ${line}`);
    if (tail.length > 30) tail.shift();
  };

  writeFileSync(run.file, run.source('v0'));
  const spawnedAt = now();
  const child = spawnGroup(run.command, run.args, { cwd: run.cwd, env: run.env, onLine });
  const poller = new Poller(url);
  try {
    result.coldStartMs = await coldStart(url, 'v0', spawnedAt, child);
    if (result.coldStartMs === null) {
      const how = child.exitCode !== null || child.signalCode !== null ? `exited (${child.signalCode ?? child.exitCode})` : 'no 200 within 30 s';
      result.notes.push(`did not start: ${how}`);
      progress(`  did not start (${how}); its last output:\n    ${tail.join('\n    ')}`);
      return result;
    }
    progress(`  cold start ${result.coldStartMs.toFixed(0)} ms`);
    await serverSide(tool, run, opts, deadline, result, { url, child, poller, starts, announcements });
    return result;
  } finally {
    await poller.stop();
    result.stop = await stopGroup(child, 3000);
    if (result.stop.leftovers > 0) {
      result.notes.push(`${result.stop.leftovers} process(es) still alive 3 s after SIGTERM to the group: SIGKILLed`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The report.

const ms = (value) => (value === null || value === undefined ? '–' : Math.round(value).toString());

function row(result) {
  const { tool, run } = result;
  const name = `${tool.label} (${run.shown})`;
  const reloads = result.reloads;
  const failed = result.failed ? `${result.failed.failed} of ${result.failed.polls}` : '–';
  const restarts = result.bursts.length ? result.bursts.map((b) => b.restarts).join(', ') : '–';
  const lastServed = result.bursts.length ? `${result.bursts.filter((b) => b.lastServed).length}/${result.bursts.length}` : '–';
  const median_ = reloads.length ? median(reloads) : null;
  const p90 = reloads.length ? percentile(reloads, 90) : null;
  return `| ${name} | ${ms(median_)} | ${ms(p90)} | ${failed} | ${restarts} | ${lastServed} | ${ms(result.coldStartMs)} |`;
}

/** The figures bench/chart.mjs draws: median reload and failed requests per tool. */
function chartRows(results) {
  return results.flatMap(({ tool, reloads, failed }) => [
    ...(reloads.length ? [{ label: tool.label, value: Math.round(median(reloads)), unit: 'ms', chart: 'Reload: save → new code answering, median (ms)', lowerIsBetter: true, gwi: tool.name === 'gwi' }] : []),
    ...(failed ? [{ label: tool.label, value: failed.failed, unit: `of ${failed.polls}`, chart: 'Reload: failed requests during 20 reloads (a GET every 5 ms)', lowerIsBetter: true, gwi: tool.name === 'gwi' }] : []),
  ]);
}

function details(result) {
  const lines = [];
  const { reloads } = result;
  const label = `**${result.tool.label}** (${result.run.version})`;
  if (reloads.length) {
    lines.push(`${label}: reload ${Math.round(Math.min(...reloads))}–${Math.round(Math.max(...reloads))} ms over ${reloads.length} saves` +
      (result.misses ? `, ${result.misses} save(s) not served within ${RELOAD_TIMEOUT_MS / 1000} s` : ''));
  } else {
    lines.push(`${label}: no reload measured`);
  }
  if (result.announced.length) {
    const announced = median(result.announced);
    lines.push(`  change announced (\`${result.tool.announce.source.replace(/\\/g, '')}\`) a median ${Math.round(announced)} ms ` +
      `after the save (seen for ${result.announced.length} of ${reloads.length} reloads); median reload minus that: ` +
      `${Math.round(median(reloads) - announced)} ms`);
  }
  if (result.failed?.failed) {
    lines.push(`  failed requests by kind: ${Object.entries(result.failed.kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  if (result.bursts.length) {
    const found = (b) => (b.loaded > 1 ? ` (saves ${b.loadedVersions.map((i) => i + 1).join(' and ')})` : '');
    lines.push(`  bursts: processes that loaded the app module ${result.bursts.map((b) => `${b.loaded}${found(b)}`).join(', ')}; ` +
      `last version first served ${result.bursts.map((b) => ms(b.lastServedMs)).join(', ')} ms after the burst's ` +
      `first save; intermediate versions served ${result.bursts.map((b) => b.intermediates).join(', ')}; ` +
      `failed requests ${result.bursts.map((b) => b.failed).join(', ')}`);
  }
  if (result.stop) lines.push(`  stopped (SIGTERM to the process group) in ${Math.round(result.stop.ms)} ms`);
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines.map((line, i) => (i === 0 ? `- ${line}` : `  -${line.slice(1)}`)).join('\n');
}

function goals(result) {
  if (!result) return 'Goals for gwi (median ≤ 100 ms, 0 failed requests, exactly 1 restart per burst): **not measured** (see the notes).';
  const med = result.reloads.length ? median(result.reloads) : null;
  const mark = (ok) => (ok ? '✅' : '❌');
  const restartsOk = result.bursts.length > 0 && result.bursts.every((b) => b.restarts === GOAL.restartsPerBurst && b.lastServed);
  return [
    'Goals for gwi:',
    `- median reload ≤ ${GOAL.medianMs} ms: ${mark(med !== null && med <= GOAL.medianMs && result.misses === 0)} (${ms(med)} ms${result.misses ? `, ${result.misses} missed` : ''})`,
    `- ${GOAL.failed} failed requests: ${mark(result.failed?.failed === GOAL.failed)} (${result.failed ? result.failed.failed : '–'})`,
    `- exactly ${GOAL.restartsPerBurst} restart per burst, last version served: ${mark(restartsOk)} ` +
      `(${result.bursts.map((b) => b.restarts).join(', ') || '–'})`,
  ].join('\n');
}

function report(results, skipped, opts, env) {
  const gwi = results.find((r) => r.tool.name === 'gwi');
  return [
    ...machineLines(env),
    `- Method: ${opts.saves} saves per tool, ${GAP_MIN_MS}–${GAP_MIN_MS + GAP_SPREAD_MS} ms apart (random), each a new version ` +
      'string written into the view module; reload = save → first `200` with the new body, a client GETting `/` on a new ' +
      `loopback connection every ${POLL_MS} ms. Failed = that client's refused/reset/timed-out/non-200 requests during the ` +
      `reloads. Burst = ${BURST_SAVES} saves ${BURST_SPACING_MS} ms apart (${opts.bursts} per tool); restarts = distinct ` +
      'node/python processes started in the tool\'s process tree during it (seen by reading /proc every 2 ms; also those killed ' +
      'before they loaded the app). Cold start = command spawned → first `200`. Tools run one at a time.',
    '',
    '| Tool | Median reload (ms) | p90 (ms) | Failed requests (of polls) | Restarts per burst | Last version served | Cold start (ms) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map(row),
    ...skipped.map(({ tool }) => `| ${tool.label} | skipped | | | | | |`),
    '',
    goals(gwi),
    '',
    'Details:',
    ...results.map(details),
    ...skipped.map(({ tool, reason }) => `- **${tool.label}**: skipped: ${reason}`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = options();
  const env = machine();
  installCleanup();
  const began = now();
  const deadline = began + TIME_LIMIT_MS - 40_000; // no new save after this: leaves time to stop and report
  const watchdog = setTimeout(() => {
    progress(`\nthe bench ran past ${TIME_LIMIT_MS / 1000} s: stopping every server`);
    killAllChildren('SIGKILL');
    process.exit(1);
  }, TIME_LIMIT_MS);

  const tmp = mkdtempSync(join(os.tmpdir(), 'gwi-bench-reload-'));
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  const peers = opts.tools.includes('nodemon') ? { nodemon: installPeer('nodemon@3', progress) } : {};

  const results = [];
  const skipped = [];
  for (const name of opts.tools) {
    const tool = TOOLS[name];
    const dir = join(tmp, name);
    mkdirSync(dir);
    const port = await freePort();
    const prepared = tool.prepare({ dir, port, peers });
    if (prepared.skip) {
      progress(`${tool.label}: skipped: ${prepared.skip}`);
      skipped.push({ tool, reason: prepared.skip });
      continue;
    }
    if (now() > deadline) {
      skipped.push({ tool, reason: 'the time budget was spent before its turn' });
      continue;
    }
    progress(`${tool.label}: ${[prepared.command, ...prepared.args].join(' ')} (port ${port})`);
    results.push(await measureTool(tool, { ...prepared, port }, opts, deadline));
  }
  clearTimeout(watchdog);

  const body = report(results, skipped, opts, env);
  console.log(`## ${SECTION}\n\n${body}`);
  if (opts.full) {
    writeResultsSection(RESULTS_PATH, SECTION, body);
    writeResultsJson('reload', SECTION, chartRows(results));
    progress(`\nwritten to ${RESULTS_PATH} and bench/results/reload.json (${((now() - began) / 1000).toFixed(0)} s)`);
  } else {
    progress(`\nnot written to ${RESULTS_PATH}: only the full default run is (${((now() - began) / 1000).toFixed(0)} s)`);
  }
}

main().catch((err) => {
  console.error(err);
  killAllChildren('SIGKILL');
  process.exitCode = 1;
});
