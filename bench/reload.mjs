// Reload benchmark: how fast a dev server serves new code after a save, what clients see meanwhile, and
// how fast an open browser tab shows the new page by itself.
//
// Tools, side by side in one run, each serving the same tiny app of bench/dev-servers.mjs — a response
// whose body is the current "version" string, held in the app's view module (the file the bench saves):
//   nodemon      `nodemon server.mjs`        node:http server; the version in app.mjs   (nodemon@3, npm
//                                            installed once into node_modules/.cache/gwi-bench-peers)
//   node --watch `node --watch server.mjs`   the same files
//   tsx watch    `tsx watch server.ts`       the same app in TypeScript (app.ts); tsx from gwi's dependencies
//   Django       `manage.py runserver`       `django-admin startproject` + a view in views.py (python3-django;
//                                            skipped with a note when `/usr/bin/python3 -c 'import django'` fails)
//   Vite         `vite`                      an index.html holding the version (`<body data-version>`) and a
//                                            module; in-browser figure only (vite@8, installed as nodemon is)
//   gwi          `gwi runserver`             `gwi startproject` + a view in views.ts returning an HTML page
//                                            (`<body data-version>`: runserver adds live reload to HTML), run
//                                            from dist/
// Every tool gets its own temp folder and a free loopback port, and runs alone (one after the other).
//
// What it measures, per tool:
//   cold start   command spawned → first 200 carrying the initial version (GET every 5 ms)
//   reload       the median and p90 over N saves (default 20) of: the file rewritten with a new version →
//                the first HTTP 200 whose body is that version (for gwi's HTML page, whose `<body
//                data-version>` is). A client GETs `/` on a NEW connection every 5 ms (the next request starts
//                5 ms after the previous one ended) all along. Saves are spaced 100–1100 ms (mean 600 ms)
//                after the previous new version was seen, one gap from each 1/N of that range in one shuffled
//                order, the same for every tool (lib.mjs saveGaps): the phase matters for pollers such as
//                Django's StatReloader (1 s). Not for Vite: it has no comparable server-side step (it reads
//                index.html again for each request).
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
//   in browser   for the tools that reload an open tab by themselves (gwi's live reload, Vite's full page
//                reload), after the above, with no client polling: a headless Chromium tab on `/`
//                (playwright-core driving the browser test/browser/chromium.ts finds) and N more saves, spaced
//                600–1100 ms (uniform) after the tab showed the previous version — gwi's next standby process
//                is ready by then (~300 ms after a reload), as for a developer who looks at the page before
//                saving again. Per save: Date.now() just before the write → the new page's DOM
//                (performance.timeOrigin + its navigation's domInteractive, once the tab shows the version);
//                median and p90; the tab's main-frame navigations per save, and its error pages (a navigation
//                answered ≠ 200, or a chrome-error:// page). nodemon, node --watch, tsx watch and Django reload
//                no tab (the user presses F5): "–" (django-browser-reload would do it for Django, but it comes
//                from PyPI, which the machine this was written on cannot reach).
// Each tool's process group (and any descendant that left it) gets SIGTERM at the end, SIGKILL after 3 s;
// Ctrl-C or an error kills them all (and playwright-core its browser). The whole run is capped at ~5 minutes.
//
// Output: a markdown table on stdout, also written to bench/RESULTS.md (only the section
// "Reload (save → new code answering)" is rewritten) and bench/results/reload.json, by the full default
// run only. Goals for gwi: median ≤ 100 ms, 0 failed requests, exactly 1 restart per burst; in the
// browser: median ≤ 150 ms, exactly 1 navigation per save and 0 error pages.
//
//   node bench/reload.mjs
//   node bench/reload.mjs --saves 10 --bursts 2 --tools node-watch,gwi     (a quick look; not written)
//   node bench/reload.mjs --browser --saves 5 --tools gwi,vite              (only the in-browser part)
//   node bench/reload.mjs --no-browser                                      (no browser; Vite skipped)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  distIsStale,
  ensureBuilt,
  freePort,
  httpGetOnce,
  machine,
  machineLines,
  mark,
  median,
  namesOf,
  parseBenchArgs,
  percentile,
  progress,
  ROOT,
  runBench,
  runTmpdir,
  SAVE_GAP,
  saveGap,
  saveGaps,
  shownVersion,
  sleep,
  token,
  UsageError,
  writeResultsJson,
  writeResultsSection,
} from './lib.mjs';
import { installCleanup, killAllChildren, spawnGroup, stopGroup, watchProcessTree } from './processes.mjs';
import { measureTab, openBrowser } from './browser-reload.mjs';
import { DEV_SERVERS } from './dev-servers.mjs';
import { installPeer } from './projects.mjs';

const SECTION = 'Reload (save → new code answering)';
const RESULTS_PATH = join(ROOT, 'bench', 'RESULTS.md');
const GOAL = { medianMs: 100, failed: 0, restartsPerBurst: 1, browserMedianMs: 150, navigationsPerSave: 1, errorPages: 0 };
const POLL_MS = 5;
const REQUEST_TIMEOUT_MS = 3000;
const RELOAD_TIMEOUT_MS = 5000;
const COLD_START_TIMEOUT_MS = 30_000;
const SETTLE_MS = 1500;
// In the browser, saves come at least as late as gwi's next standby process is ready (~300 ms after a
// reload), as a developer's next save after looking at the page would.
const BROWSER_GAP_MIN_MS = 600;
const BROWSER_GAP_SPREAD_MS = 500;
const BURST_SAVES = 5;
const BURST_SPACING_MS = 15;
const TIME_LIMIT_MS = 295_000;
const ALL_TOOLS = ['nodemon', 'node-watch', 'tsx', 'django', 'vite', 'gwi'];
const START_LINE = /BENCH-START (\d+) (\S+)/;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
/**
 * A process counted as a server (re)start in a burst: a node or python one (/proc/<pid>/comm) seen alive
 * with a command line (a zombie has none: its name could still be its parent's, had it not exec'd yet).
 * Node 24 names its main thread, and so the process's comm, "MainThread" (Node 20 and 22 do not): such a process
 * counts by the program its command line runs (on Node 24 every burst read 0 restarts without this).
 */
const isServerProcess = (p) =>
  Boolean(p.cmdline) && (/^(node|python)/.test(p.comm ?? '') || (p.comm === 'MainThread' && /^\S*\bnode /.test(p.cmdline)));

const now = () => performance.now();

function options() {
  const values = parseBenchArgs({
    saves: { type: 'string', default: '20' },
    bursts: { type: 'string', default: '3' },
    tools: { type: 'string', default: ALL_TOOLS.join(',') },
    // Only the in-browser part, or all but it (quick looks).
    browser: { type: 'boolean', default: false },
    'no-browser': { type: 'boolean', default: false },
  });
  const tools = namesOf(values.tools, ALL_TOOLS);
  if (values.browser && values['no-browser']) throw new UsageError('--browser (only the browser part) and --no-browser exclude each other');
  const opts = {
    saves: Number(values.saves),
    bursts: Number(values.bursts),
    tools,
    server: !values.browser,
    browser: !values['no-browser'],
  };
  // Only the full default run goes to RESULTS.md.
  opts.full = opts.saves === 20 && opts.bursts === 3 && opts.server && opts.browser && ALL_TOOLS.every((name) => tools.includes(name));
  return opts;
}

// ---------------------------------------------------------------------------------------------
// The apps (bench/dev-servers.mjs, and Vite's page), with version modules that announce each process
// loading them.

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

// An HTML page: runserver adds live reload's script tag to it (DEBUG is on in startproject's settings).
const gwiViews = (version) => `import { HttpResponse } from 'gwi';

export const VERSION = '${version}';
console.error(\`BENCH-START \${process.pid} \${VERSION}\`);

export function version(): HttpResponse {
  return new HttpResponse(\`<!DOCTYPE html><html><head><title>bench</title></head><body data-version="\${VERSION}"><h1>\${VERSION}</h1></body></html>\`);
}
`;

// Vite's app: the version in index.html, which Vite reloads the page for (an HTML file has no HMR), so
// that the new page's DOM holds it as gwi's does; the page's module runs as in any Vite app.
const viteIndex = (version) => `<!DOCTYPE html>
<html>
  <head><title>bench</title><script type="module" src="/main.js"></script></head>
  <body data-version="${version}"><h1>${version}</h1></body>
</html>
`;

const VITE_MAIN = "document.title = `bench ${document.body.dataset.version}`;\n";

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
  vite: {
    name: 'vite',
    label: 'Vite',
    liveReload: true,
    browserOnly: true,
    prepare({ dir, port, peers }) {
      if (peers.vite.error) return { skip: `Vite could not be installed (${peers.vite.error})` };
      writeFileSync(join(dir, 'main.js'), VITE_MAIN);
      return {
        version: `Vite ${peers.vite.version}`,
        command: process.execPath,
        args: [peers.vite.bin, '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--clearScreen', 'false'],
        shown: '`vite`',
        cwd: dir,
        env: process.env,
        file: join(dir, 'index.html'),
        source: viteIndex,
      };
    },
  },
  gwi: {
    name: 'gwi',
    label: 'gwi',
    announce: /changed, reloading\./,
    quietMs: 1500,
    liveReload: true,
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
    const matches = (r) => r.at >= since && r.status === 200 && shownVersion(r.body) === version;
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

  /** The versions the 200s received in [from, to) showed. */
  versions(from, to) {
    return new Set(this.results.filter((r) => r.at >= from && r.at < to && r.status === 200).map((r) => shownVersion(r.body)));
  }
}

/** Command spawned at `spawnedAt` → first 200 with `version`, polling every 5 ms; ms or null. */
async function coldStart(url, version, spawnedAt, child) {
  while (now() - spawnedAt < COLD_START_TIMEOUT_MS && child.exitCode === null && child.signalCode === null) {
    const result = await httpGetOnce(url, REQUEST_TIMEOUT_MS);
    if (result.status === 200 && shownVersion(result.body) === version) return now() - spawnedAt;
    await sleep(POLL_MS);
  }
  return null;
}

async function sleepUntil(time) {
  const wait = time - now();
  if (wait > 0) await sleep(wait);
}

// ---------------------------------------------------------------------------------------------
// One tool: cold start, N reloads, B bursts, N saves in the browser, stop.

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
  const gap = saveGaps(opts.saves);
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
    await sleep(saveGap());
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
    const served = poller.versions(burstStart, now());
    result.bursts.push({
      restarts: spawned.length,
      loaded: loaded.size,
      // Which of the burst's versions (0–4) each load found in the file.
      loadedVersions: loads.map((s) => versions.indexOf(s.version)),
      lastServedMs: servedAt === null ? null : servedAt - burstStart,
      lastServed: final.status === 200 && shownVersion(final.body) === last,
      intermediates: versions.slice(0, -1).filter((v) => served.has(v)).length,
      failed: poller.failures(burstStart, now()).failed,
    });
  }
  if (result.bursts.length > 0) {
    progress(`  bursts: restarts ${result.bursts.map((b) => b.restarts).join(', ')} ` +
      `(loaded the app: ${result.bursts.map((b) => b.loaded).join(', ')}); ` +
      `last version served ${result.bursts.filter((b) => b.lastServed).length}/${result.bursts.length}`);
  }
  await poller.stop();
}

/**
 * The in-browser figures of one running tool that reloads a tab by itself, into `result.browser`
 * (bench/browser-reload.mjs): a tab of `context` on `url`, N saves 600–1100 ms apart.
 */
async function inBrowser(run, opts, deadline, result, { url, context }) {
  const save = (i) => {
    const version = `t${i}-${token()}`;
    writeFileSync(run.file, run.source(version));
    return version;
  };
  const spacing = saveGaps(opts.saves, BROWSER_GAP_MIN_MS, BROWSER_GAP_SPREAD_MS);
  const tab = await measureTab(context, { url, saves: opts.saves, gap: spacing, save, timeoutMs: RELOAD_TIMEOUT_MS, deadline });
  result.browser = tab;
  result.notes.push(...tab.notes);
  progress(`  in the browser: median ${tab.latencies.length ? median(tab.latencies).toFixed(0) : '–'} ms over ${tab.latencies.length} ` +
    `(${tab.misses} missed); navigations per save ${perSave(tab.navigations)}; error pages ${tab.bad.length}`);
}

/**
 * Runs one tool and measures it. `browser`: the Chromium of the run (bench/browser-reload.mjs openBrowser)
 * when this tool gets the in-browser part, else null.
 */
async function measureTool(tool, run, opts, deadline, browser) {
  const result = { tool, run, reloads: [], announced: [], misses: 0, bursts: [], notes: [...(run.notes ?? [])] };
  const url = `http://127.0.0.1:${run.port}/`;
  const starts = [];
  const announcements = [];
  const tail = [];
  const onLine = (raw, stream) => {
    const line = raw.replace(ANSI, '');
    const match = START_LINE.exec(line);
    if (match) starts.push({ t: now(), pid: Number(match[1]), version: match[2] });
    if (tool.announce?.test(line)) announcements.push(now());
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
    if (opts.server && !tool.browserOnly) await serverSide(tool, run, opts, deadline, result, { url, child, poller, starts, announcements });
    if (browser?.error) result.notes.push(`no in-browser figure: ${browser.error}`);
    else if (browser) await inBrowser(run, opts, deadline, result, { url, context: browser.context });
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

/** How many navigations the saves took: `1`, or each count with its saves (`1 (×18), 2 (×2)`). */
function perSave(navigations) {
  const tally = new Map();
  for (const count of navigations) tally.set(count, (tally.get(count) ?? 0) + 1);
  if (tally.size <= 1) return navigations.length ? String(navigations[0]) : '–';
  return [...tally].sort(([a], [b]) => a - b).map(([count, saves]) => `${count} (×${saves})`).join(', ');
}

const NO_LIVE_RELOAD = '–¹';
const BROWSER_ONLY = '–²';

function row(result, opts) {
  const { tool, run } = result;
  const name = `${tool.label} (${run.shown})`;
  const reloads = result.reloads;
  const failed = result.failed ? `${result.failed.failed} of ${result.failed.polls}` : '–';
  const restarts = result.bursts.length ? result.bursts.map((b) => b.restarts).join(', ') : '–';
  const lastServed = result.bursts.length ? `${result.bursts.filter((b) => b.lastServed).length}/${result.bursts.length}` : '–';
  const median_ = reloads.length ? ms(median(reloads)) : tool.browserOnly ? BROWSER_ONLY : '–';
  const p90 = reloads.length ? percentile(reloads, 90) : null;
  const tab = result.browser;
  const shown = tab?.latencies ?? [];
  const tabMedian = shown.length ? ms(median(shown)) : tool.liveReload || !opts.browser ? '–' : NO_LIVE_RELOAD;
  const tabP90 = shown.length ? percentile(shown, 90) : null;
  const navigations = tab ? perSave(tab.navigations) : '–';
  const errorPages = tab ? String(tab.bad.length) : '–';
  return `| ${name} | ${median_} | ${ms(p90)} | ${tabMedian} | ${ms(tabP90)} | ${navigations} | ${errorPages} | ${failed} | ${restarts} | ${lastServed} | ${ms(result.coldStartMs)} |`;
}

/** The figures bench/chart.mjs draws: median reload, median in the browser, failed requests per tool. */
function chartRows(results) {
  const rows = (chart, unit, value) =>
    results.flatMap((result) => {
      const figure = value(result);
      return figure === null ? [] : [{ label: result.tool.label, value: figure, unit: unit(result), chart, lowerIsBetter: true, gwi: result.tool.name === 'gwi' }];
    });
  return [
    ...rows('Reload: save → new code answering, median (ms)', () => 'ms', ({ reloads }) => (reloads.length ? Math.round(median(reloads)) : null)),
    ...rows("Reload in Chromium: save → the new page's DOM, median (ms)", () => 'ms', ({ browser }) =>
      (browser?.latencies.length ? Math.round(median(browser.latencies)) : null)),
    ...rows('Reload: failed requests during 20 reloads (a GET every 5 ms)', ({ failed }) => `of ${failed?.polls}`, ({ failed }) => failed?.failed ?? null),
  ];
}

function details(result) {
  const lines = [];
  const { reloads } = result;
  const label = `**${result.tool.label}** (${result.run.version})`;
  if (reloads.length) {
    lines.push(`${label}: reload ${Math.round(Math.min(...reloads))}–${Math.round(Math.max(...reloads))} ms over ${reloads.length} saves` +
      (result.misses ? `, ${result.misses} save(s) not served within ${RELOAD_TIMEOUT_MS / 1000} s` : ''));
  } else {
    lines.push(`${label}: ${result.tool.browserOnly ? 'in the browser only' : 'no reload measured'}`);
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
  const tab = result.browser;
  if (tab) {
    const shown = tab.latencies;
    lines.push(`  in the browser: ${shown.length ? `${Math.round(Math.min(...shown))}–${Math.round(Math.max(...shown))} ms` : 'nothing shown'} ` +
      `over ${shown.length} saves` + (tab.misses ? `, ${tab.misses} save(s) not shown within ${RELOAD_TIMEOUT_MS / 1000} s` : '') +
      `; navigations per save ${perSave(tab.navigations)}; error pages ${tab.bad.length ? tab.bad.slice(0, 3).join(', ') : 'none'}`);
  }
  if (result.stop) lines.push(`  stopped (SIGTERM to the process group) in ${Math.round(result.stop.ms)} ms`);
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines.map((line, i) => (i === 0 ? `- ${line}` : `  -${line.slice(1)}`)).join('\n');
}

function goals(result, opts) {
  if (!result) {
    return `Goals for gwi (median ≤ ${GOAL.medianMs} ms, 0 failed requests, exactly 1 restart per burst; in the browser: median ≤ ` +
      `${GOAL.browserMedianMs} ms, exactly 1 navigation per save, 0 error pages): **not measured** (see the notes).`;
  }
  const lines = ['Goals for gwi:'];
  if (opts.server) {
    const med = result.reloads.length ? median(result.reloads) : null;
    const restartsOk = result.bursts.length > 0 && result.bursts.every((b) => b.restarts === GOAL.restartsPerBurst && b.lastServed);
    lines.push(
      `- median reload ≤ ${GOAL.medianMs} ms: ${mark(med !== null && med <= GOAL.medianMs && result.misses === 0)} (${ms(med)} ms${result.misses ? `, ${result.misses} missed` : ''})`,
      `- ${GOAL.failed} failed requests: ${mark(result.failed?.failed === GOAL.failed)} (${result.failed ? result.failed.failed : '–'})`,
      `- exactly ${GOAL.restartsPerBurst} restart per burst, last version served: ${mark(restartsOk)} ` +
        `(${result.bursts.map((b) => b.restarts).join(', ') || '–'})`,
    );
  }
  if (opts.browser) {
    const tab = result.browser;
    const shown = tab?.latencies ?? [];
    const med = shown.length ? median(shown) : null;
    const navigationsOk = Boolean(tab?.navigations.length) && tab.navigations.every((n) => n === GOAL.navigationsPerSave);
    lines.push(
      `- in the browser, median ≤ ${GOAL.browserMedianMs} ms: ${mark(med !== null && med <= GOAL.browserMedianMs && tab.misses === 0)} ` +
        `(${ms(med)} ms${tab?.misses ? `, ${tab.misses} missed` : ''})`,
      `- in the browser, exactly ${GOAL.navigationsPerSave} navigation per save and ${GOAL.errorPages} error pages: ` +
        `${mark(navigationsOk && tab.bad.length === GOAL.errorPages)} (${tab ? `${perSave(tab.navigations)}; ${tab.bad.length}` : '–'})`,
    );
  }
  return lines.join('\n');
}

function report(results, skipped, opts, env, chromium) {
  const gwi = results.find((r) => r.tool.name === 'gwi');
  const method = [];
  if (opts.server) {
    method.push(`${opts.saves} saves per tool, ${SAVE_GAP.minMs}–${SAVE_GAP.minMs + SAVE_GAP.spreadMs} ms apart (one gap from each 1/${opts.saves} of that range, in one shuffled order, the same for every tool), each a new version ` +
      'string written into the view module; reload = save → first `200` with the new body (gwi\'s: an HTML page that shows ' +
      `it, so that runserver adds its live reload), a client GETting \`/\` on a new loopback connection every ${POLL_MS} ms. Failed = that client's refused/reset/timed-out/non-200 requests during the ` +
      `reloads. Burst = ${BURST_SAVES} saves ${BURST_SPACING_MS} ms apart (${opts.bursts} per tool); restarts = distinct ` +
      'node/python processes started in the tool\'s process tree during it (seen by reading /proc every 2 ms; also those killed ' +
      'before they loaded the app).');
  }
  if (opts.browser) {
    method.push(`In the browser = for the tools that reload an open tab by themselves, ${opts.saves} ` +
      `${opts.server ? 'more ' : ''}saves, ${BROWSER_GAP_MIN_MS}–${BROWSER_GAP_MIN_MS + BROWSER_GAP_SPREAD_MS} ms apart (the same way) ` +
      "after the tab showed the previous one (gwi's next standby process ready, as for a developer looking at the page), " +
      `with a headless Chromium tab (${chromium ?? 'not started'}; playwright-core) on \`/\` and no client polling: ` +
      'from `Date.now()` just before the write to `performance.timeOrigin` + `domInteractive` of the navigation that shows the ' +
      'new version (the new DOM there, same clock). Navigations = the tab\'s main-frame navigations from one save to the next; ' +
      'error pages = navigations answered with a status other than 200, or chrome-error:// pages.');
  }
  method.push('Cold start = command spawned → first `200`. Tools run one at a time.');
  const footnotes = [];
  if (results.some((r) => !r.tool.liveReload) && opts.browser) {
    footnotes.push(`${NO_LIVE_RELOAD.slice(1)} No live reload: the tool restarts the server, and an open tab shows the old page until ` +
      'the user reloads it (F5). For Django, django-browser-reload would add it; it comes from PyPI, which the machine this ' +
      'bench was written on cannot reach: not measured.');
  }
  if (results.some((r) => r.tool.browserOnly)) {
    footnotes.push(`${BROWSER_ONLY.slice(1)} Vite has no server-side step comparable to "new code answering" (it reads index.html ` +
      'again on each request): in-browser figure and cold start only.');
  }
  return [
    ...machineLines(env),
    `- Method: ${method.join(' ')}`,
    '',
    '| Tool | Median reload (ms) | p90 (ms) | In the browser: median (ms) | p90 (ms) | Navigations per save | Error pages | ' +
      'Failed requests (of polls) | Restarts per burst | Last version served | Cold start (ms) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((result) => row(result, opts)),
    ...skipped.map(({ tool }) => `| ${tool.label} | skipped |${' |'.repeat(9)}`),
    ...(footnotes.length ? ['', ...footnotes] : []),
    '',
    goals(gwi, opts),
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

  const tmp = runTmpdir('reload');
  const peers = {
    ...(opts.server && opts.tools.includes('nodemon') ? { nodemon: installPeer('nodemon@3', progress) } : {}),
    ...(opts.browser && opts.tools.includes('vite') ? { vite: installPeer('vite@8', progress) } : {}),
  };

  const results = [];
  const skipped = [];
  /** Chromium (bench/browser-reload.mjs), started for the first tool that reloads a tab by itself. */
  let browser = null;
  try {
    for (const name of opts.tools) {
      const tool = TOOLS[name];
      if (tool.browserOnly && !opts.browser) {
        skipped.push({ tool, reason: 'measured in the browser only, and --no-browser was given' });
        continue;
      }
      if (!tool.liveReload && !opts.server) {
        skipped.push({ tool, reason: 'no live reload: nothing for --browser to measure' });
        continue;
      }
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
      const tabbed = opts.browser && tool.liveReload;
      if (tabbed) browser ??= await openBrowser(join(tmp, 'chromium-profile'));
      progress(`${tool.label}: ${[prepared.command, ...prepared.args].join(' ')} (port ${port})`);
      results.push(await measureTool(tool, { ...prepared, port }, opts, deadline, tabbed ? browser : null));
    }
  } finally {
    // An open browser would keep this process alive after an error.
    await browser?.context?.close();
  }
  clearTimeout(watchdog);

  const body = report(results, skipped, opts, env, browser?.version);
  console.log(`## ${SECTION}\n\n${body}`);
  if (opts.full) {
    writeResultsSection(RESULTS_PATH, SECTION, body);
    writeResultsJson('reload', SECTION, chartRows(results));
    progress(`\nwritten to ${RESULTS_PATH} and bench/results/reload.json (${((now() - began) / 1000).toFixed(0)} s)`);
  } else {
    progress(`\nnot written to ${RESULTS_PATH}: only the full default run is (${((now() - began) / 1000).toFixed(0)} s)`);
  }
}

runBench(main);
