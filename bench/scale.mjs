// Scaling benchmark: whether a save and a launch cost more as the project grows — more modules, a heavy
// package imported, many files that are not code — for gwi runserver and, side by side on the same trees,
// tsx watch, nodemon and node --watch; and what each one's processes hold in memory at rest.
//
// Trees (bench/scale-trees.mjs): `gwi startproject`, whose page module (page.ts) runs N TypeScript modules
// in import chains of 10 (chain/c000/m0.ts → m1.ts → … → m9.ts; the page imports each chain's head),
// may import a heavy package (`import { version } from 'vite'`, shown on the page; node_modules/vite links
// to vite 8 as bench/projects.mjs installs the peers, in node_modules/.cache/gwi-bench-peers), and may sit
// beside 20,000 small JSON files that no module loads (data/d00/f000.json … d19/f999.json). One dimension
// varied at a time from the base, then all at once:
//   base           10 modules, no dependency, no data files
//   modules-100    100 modules                  modules-1000   1,000 modules
//   vite           10 modules + vite            files          10 modules + 20,000 data files
//   worst          1,000 modules + vite + 20,000 data files
// Each tree is made once, before any timing, and every tool serves it in turn:
//   gwi runserver  `gwi runserver`, its view (benchsite/views.ts) returning page(); this checkout's dist/
//   tsx watch      `tsx watch server.ts`, a node:http server answering page() (tsx from gwi's dependencies)
//   nodemon        `nodemon build/server.js`       the same server and modules compiled to JavaScript once,
//   node --watch   `node --watch build/server.js`  module for module, by TypeScript's transpileModule (types
//                                                 erased, imports kept, no bundle); nodemon 3 installed as
//                                                 the other peers are
// The file a save rewrites is the page's module (page.ts; for nodemon and node --watch build/page.js, the
// same text). gwi imports the project's modules afresh on each reload, the page's and the deepest alike;
// the others restart the whole process: which module is saved changes no tool's work.
//
// What it measures, per tree and tool:
//   launch    command spawned → the first 200 showing the page's version (a GET on a new connection every
//             5 ms): the median of L launches (default 3, the tools taking turns), the first beside it
//             (tsx's transform cache, which gwi's loader uses too, is cold for a new tree then)
//   at rest   after the first launch's first 200, once steady (the same processes, RSS within 1 MiB over
//             1 s): RSS and PSS of the whole process tree, and of the process started alone (gwi's
//             supervisor; nodemon's, node --watch's and tsx's watcher). PSS (the Pss: line of
//             /proc/<pid>/smaps_rollup) counts a page shared by N processes 1/N in each: node's ~34 MiB of
//             code pages, which every node process maps, count once per process in a tree's summed RSS
//             and once in all in its PSS (machine-wide: a little less, the more node processes run)
//   reload    then S saves (default 10), each 100–1100 ms after the previous version was served (the same
//             gaps, in the same order, for every tool and tree: lib.mjs saveGaps): save →
//             the first 200 showing the new version, a GET on a new connection every 5 ms (as
//             bench/reload.mjs measures it); p50 and p90
// And two reference launches (L each): gwi runserver on `gwi startproject` as it comes (its welcome page),
// and tsx watch on a one-file TypeScript server.
//
// Goals for gwi: reload p50 with vite ≤ 100 ms and within 30 ms of the base's; launch with 20,000 data
// files within 100 ms of the base's; on the base, the supervisor's RSS ≤ 40 MiB (its PSS beside) and the
// tree's RSS and PSS at rest ≤ 160 MiB; launch on the template ≤ 0.75 × tsx watch's on a one-file server.
// gwi not answering a launch or a save is a failure (exit 1, nothing written); the other tools' are notes.
//
// Output: markdown tables on stdout; with the default options also the section "Scale" of
// bench/RESULTS.md, bench/results/scale.json and its chart bench/results/scale.svg (bench/scale-chart.mjs;
// `npm run bench:chart` redraws it). About 15 minutes on 2 cores.
//
//   node bench/scale.mjs
//   node bench/scale.mjs --trees base,vite --tools gwi,tsx --saves 3 --launches 1    (a quick look; not written)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  beginRun,
  benchOptions,
  formatInt,
  freePort,
  launchDevServer,
  machineLines,
  mark,
  median,
  namesOf,
  percentile,
  pollUntil,
  progress,
  publish,
  ROOT,
  runBench,
  SAVE_GAP,
  saveGaps,
  shownVersion,
  sleep,
  token,
} from './lib.mjs';
import { formatMiB, MiB, mibNumber, STEADY, steadyMemory } from './proc-memory.mjs';
import { killAllChildren, stopGroup } from './processes.mjs';
import { GWI_BIN, installPeer, makeGwiProject, packageName, readVersion, TSX_CLI } from './projects.mjs';
import { writeScaleChart } from './scale-chart.mjs';
import { CHAIN_LENGTH, describeTree, makeOneFileServer, makeScaleTree, pageSource, TREES } from './scale-trees.mjs';

const SECTION = 'Scale';
const ALL_TOOLS = ['gwi', 'tsx', 'nodemon', 'node-watch'];
const DEFAULTS = { saves: 10, launches: 3, trees: Object.keys(TREES).join(','), tools: ALL_TOOLS.join(',') };
const GOAL = { viteReloadMs: 100, viteOverBaseMs: 30, filesOverBaseMs: 100, supervisor: 40 * MiB, tree: 160 * MiB, templateShare: 0.75 };
const LAUNCH_TIMEOUT_MS = 60_000;
const RELOAD_TIMEOUT_MS = 10_000;
const TIME_LIMIT_MS = 25 * 60_000;
const GWI_ENV = { GWI_RUNSERVER_HIDE_WARNING: 'true' };

/**
 * How each tool serves a tree (makeScaleTree's answer): node's arguments on `port`, the file a save
 * rewrites, and what it adds to the environment (PORT is always set).
 */
const TOOLS = {
  gwi: {
    label: 'gwi runserver',
    shown: '`gwi runserver`',
    version: () => `gwi ${readVersion(join(ROOT, 'package.json'))}, this checkout's dist/`,
    args: (tree, port) => [GWI_BIN, 'runserver', `127.0.0.1:${port}`],
    file: (tree) => tree.page,
    env: GWI_ENV,
  },
  tsx: {
    label: 'tsx watch',
    shown: '`tsx watch server.ts`',
    version: () => `tsx ${readVersion(join(ROOT, 'node_modules', 'tsx', 'package.json'))}`,
    args: () => [TSX_CLI, 'watch', 'server.ts'],
    file: (tree) => tree.page,
    env: {},
  },
  nodemon: {
    label: 'nodemon',
    shown: '`nodemon build/server.js`',
    version: (peers) => `nodemon ${peers.nodemon.version}`,
    args: (_tree, _port, peers) => [peers.nodemon.bin, 'build/server.js'],
    file: (tree) => tree.builtPage,
    env: {},
  },
  'node-watch': {
    label: 'node --watch',
    shown: '`node --watch build/server.js`',
    version: () => `node ${process.version}`,
    args: () => ['--watch', 'build/server.js'],
    file: (tree) => tree.builtPage,
    env: {},
  },
};

function options() {
  const { values, full } = benchOptions(DEFAULTS);
  return { ...values, trees: namesOf(values.trees, Object.keys(TREES)), tools: namesOf(values.tools, ALL_TOOLS), full };
}

const shows = (version) => (r) => r.status === 200 && shownVersion(r.body) === version;
const round = (value) => (value === null ? null : Math.round(value));
const ms = (value) => (value === null ? '–' : formatInt(value));
const p50 = (result) => (result?.reloads.length ? median(result.reloads) : null);
const launchMedian = (result) => (result?.launches.length ? median(result.launches) : null);

/**
 * node `argsFor(port)` in `cwd` on a free port (PORT in its environment, with `env`), until `accept`:
 * launchDevServer's answer, and the run it was given.
 */
async function launchOnFreePort(argsFor, cwd, env, accept) {
  const port = await freePort();
  const run = { command: process.execPath, args: argsFor(port), cwd, env: { ...process.env, ...env, PORT: String(port) }, url: `http://127.0.0.1:${port}/` };
  return { run, ...(await launchDevServer(run, accept, LAUNCH_TIMEOUT_MS)) };
}

const unanswered = (launch, tail) => `launch ${launch}: no 200 within ${LAUNCH_TIMEOUT_MS / 1000} s; its last output: ${tail.slice(-3).join(' / ')}`;

// ---------------------------------------------------------------------------------------------
// One tool on one tree: a launch, and after the first its memory at rest and the saves.

/** S saves of the page, each one's save → first 200 showing it into `result.reloads`. */
async function saves(run, file, spec, opts, result, child) {
  let missedInARow = 0;
  const gap = saveGaps(opts.saves);
  for (let i = 1; i <= opts.saves; i++) {
    await sleep(gap());
    const version = `r${i}-${token()}`;
    const savedAt = performance.now();
    writeFileSync(file, pageSource(version, spec));
    const served = await pollUntil(run.url, shows(version), { since: savedAt, timeoutMs: RELOAD_TIMEOUT_MS, child });
    if (served !== null) {
      missedInARow = 0;
      result.reloads.push(served);
      continue;
    }
    result.misses++;
    if (++missedInARow >= 2) {
      result.notes.push(`saves stopped after save ${i}: two in a row not served within ${RELOAD_TIMEOUT_MS / 1000} s`);
      break;
    }
  }
}

async function serveOnce(name, tree, spec, launch, opts, peers, result) {
  const tool = TOOLS[name];
  const file = tool.file(tree);
  const version = `l${launch}-${token()}`;
  writeFileSync(file, pageSource(version, spec));
  const { run, child, ms: launched, tail } = await launchOnFreePort((port) => tool.args(tree, port, peers), tree.root, tool.env, shows(version));
  if (launched === null) {
    result.notes.push(unanswered(launch, tail));
    return;
  }
  result.launches.push(launched);
  let line = `  ${tool.label} launch ${launch}: ${ms(launched)} ms`;
  try {
    if (launch !== 1) return;
    result.memory = await steadyMemory(child.pid);
    if (!result.memory.steady) result.notes.push(`not steady at rest within ${STEADY.timeoutMs / 1000} s`);
    await saves(run, file, spec, opts, result, child);
    const { tree: rss, treePss, processes } = result.memory;
    line += `; at rest ${formatMiB(rss)} / ${formatMiB(treePss)} MiB (${processes} processes); ` +
      `reload p50 ${ms(p50(result))} ms over ${result.reloads.length} (${result.misses} missed)`;
  } finally {
    await stopGroup(child);
    progress(line);
  }
}

/** Every chosen tool on the tree `name`, made in a folder of `tmp` and removed after. */
async function measureTree(name, tmp, opts, peers) {
  const spec = TREES[name];
  const peer = spec.dependency ? peers.dependencies[spec.dependency] : null;
  if (peer?.error) return { name, spec, skipped: `${spec.dependency} could not be installed (${peer.error})` };
  const dir = join(tmp, name);
  mkdirSync(dir);
  const began = performance.now();
  const tree = makeScaleTree(dir, spec, peer);
  const madeMs = performance.now() - began;
  progress(`${name} (${describeTree(spec)}): made in ${Math.round(madeMs)} ms`);
  const results = Object.fromEntries(opts.tools.map((tool) => [tool, { launches: [], reloads: [], misses: 0, memory: null, notes: [] }]));
  try {
    for (let launch = 1; launch <= opts.launches; launch++) {
      for (const tool of opts.tools) await serveOnce(tool, tree, spec, launch, opts, peers, results[tool]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { name, spec, madeMs, results };
}

/** The reference launches, L each, taking turns: gwi on the template as it comes, tsx watch on one file. */
async function referenceLaunches(tmp, opts) {
  const dir = join(tmp, 'references');
  mkdirSync(join(dir, 'one-file'), { recursive: true });
  makeOneFileServer(join(dir, 'one-file'));
  const references = [
    {
      name: 'template',
      label: 'gwi runserver on `gwi startproject` as it comes (its welcome page)',
      args: (port) => [GWI_BIN, 'runserver', `127.0.0.1:${port}`],
      cwd: makeGwiProject(dir, 'benchsite', {}),
      env: GWI_ENV,
      accept: (r) => r.status === 200 && r.body.includes('The install worked successfully!'),
    },
    {
      name: 'tsx-one-file',
      label: 'tsx watch on a one-file TypeScript server (`tsx watch server.ts`)',
      args: () => [TSX_CLI, 'watch', 'server.ts'],
      cwd: join(dir, 'one-file'),
      env: {},
      accept: (r) => r.status === 200 && r.body === 'ok',
    },
  ];
  for (const reference of references) Object.assign(reference, { launches: [], notes: [] });
  for (let launch = 1; launch <= opts.launches; launch++) {
    for (const reference of references) {
      const { child, ms: launched, tail } = await launchOnFreePort(reference.args, reference.cwd, reference.env, reference.accept);
      if (launched === null) reference.notes.push(unanswered(launch, tail));
      else reference.launches.push(launched);
      await stopGroup(child);
    }
    progress(`references, launch ${launch}: ${references.map((r) => `${r.name} ${ms(r.launches.at(-1) ?? null)} ms`).join(', ')}`);
  }
  return references;
}

// ---------------------------------------------------------------------------------------------
// The report.

/** A table with a row per tree and a column per tool; `cell(result, row)` for each measured tool. */
function treeTable(title, rows, opts, cell, extra = null) {
  const head = `| Tree | ${opts.tools.map((tool) => TOOLS[tool].label).join(' | ')} |${extra ? ` ${extra.title} |` : ''}`;
  const columns = opts.tools.length + (extra ? 1 : 0);
  return [
    title,
    '',
    head,
    `|---|${'---:|'.repeat(columns)}`,
    ...rows.map((row) => (row.skipped
      ? `| ${describeTree(row.spec)} | skipped: ${row.skipped} |${' |'.repeat(columns - 1)}`
      : `| ${describeTree(row.spec)} | ${opts.tools.map((tool) => cell(row.results[tool], row)).join(' | ')} |${extra ? ` ${extra.cell(row)} |` : ''}`)),
    '',
  ];
}

const launchCell = (result) => (result.launches.length ? `${ms(launchMedian(result))} (${ms(result.launches[0])})` : 'did not start');
const reloadCell = (result) => {
  if (!result.reloads.length) return '–';
  return `${ms(p50(result))} (${ms(percentile(result.reloads, 90))})${result.misses ? `, ${result.misses} missed` : ''}`;
};
const memoryCell = ({ memory }) => (memory ? `${formatMiB(memory.tree)} / ${formatMiB(memory.treePss)} (${memory.processes})` : '–');
const SUPERVISOR = {
  title: "gwi's supervisor alone",
  cell: (row) => {
    const memory = row.results.gwi?.memory;
    return memory ? `${formatMiB(memory.supervisor)} / ${formatMiB(memory.supervisorPss)}` : '–';
  },
};

/** The goals' lines and JSON rows: `[{ goal, ok, measured }]`, ok null when not measured. */
function goals(trees, references) {
  const gwi = (name) => trees.find((tree) => tree.name === name)?.results?.gwi ?? null;
  const reference = (name) => launchMedian(references.find((r) => r.name === name));
  const list = [];
  const goal = (text, inputs, ok, measured) => {
    const known = inputs.every((value) => value !== null && value !== undefined);
    list.push({ goal: text, ok: known ? ok() : null, measured: known ? measured() : 'not measured' });
  };
  const [vite, base] = [p50(gwi('vite')), p50(gwi('base'))];
  goal(`reload p50 with vite ≤ ${GOAL.viteReloadMs} ms and within ${GOAL.viteOverBaseMs} ms of the base's`, [vite, base],
    () => vite <= GOAL.viteReloadMs && vite - base <= GOAL.viteOverBaseMs, () => `${ms(vite)} ms with vite, ${ms(base)} ms without`);
  const [files, baseLaunch] = [launchMedian(gwi('files')), launchMedian(gwi('base'))];
  goal(`launch → first 200 with 20,000 data files within ${GOAL.filesOverBaseMs} ms of the base's`, [files, baseLaunch],
    () => files - baseLaunch <= GOAL.filesOverBaseMs, () => `${ms(files)} ms with them, ${ms(baseLaunch)} ms without`);
  const memory = gwi('base')?.memory;
  goal(`supervisor RSS at rest ≤ ${GOAL.supervisor / MiB} MiB (its PSS beside)`, [memory?.supervisor],
    () => memory.supervisor <= GOAL.supervisor, () => `RSS ${formatMiB(memory.supervisor)} MiB, PSS ${formatMiB(memory.supervisorPss)} MiB`);
  goal(`process tree RSS at rest ≤ ${GOAL.tree / MiB} MiB`, [memory?.tree],
    () => memory.tree <= GOAL.tree, () => `${formatMiB(memory.tree)} MiB, ${memory.processes} processes`);
  goal(`process tree PSS at rest ≤ ${GOAL.tree / MiB} MiB`, [memory?.treePss],
    () => memory.treePss <= GOAL.tree, () => `${formatMiB(memory.treePss)} MiB`);
  const [template, tsx] = [reference('template'), reference('tsx-one-file')];
  goal(`launch → first 200 on the template ≤ ${GOAL.templateShare} × tsx watch's on a one-file server`, [template, tsx],
    () => template <= GOAL.templateShare * tsx, () => `${ms(template)} ms against ${ms(tsx)} ms: ${(template / tsx).toFixed(2)} ×`);
  return list;
}

/** The JSON rows of the trees (bench/scale-chart.mjs draws them) and of the references. */
function resultRows(trees, references) {
  const rows = [];
  for (const { name, spec, results } of trees.filter((tree) => !tree.skipped)) {
    for (const [tool, result] of Object.entries(results)) {
      const { memory } = result;
      rows.push({
        label: TOOLS[tool].label,
        tool,
        gwi: tool === 'gwi',
        tree: name,
        modules: spec.modules,
        dependency: spec.dependency && packageName(spec.dependency),
        files: spec.files,
        launchMs: round(launchMedian(result)),
        launches: result.launches.map(Math.round),
        reloadP50: round(p50(result)),
        reloadP90: result.reloads.length ? Math.round(percentile(result.reloads, 90)) : null,
        saves: result.reloads.length,
        misses: result.misses,
        rss: memory && mibNumber(memory.tree),
        pss: memory && mibNumber(memory.treePss),
        processes: memory?.processes ?? null,
        supervisorRss: memory && mibNumber(memory.supervisor),
        supervisorPss: memory && mibNumber(memory.supervisorPss),
      });
    }
  }
  for (const { name, label, launches } of references) {
    rows.push({ reference: name, label, launchMs: round(launches.length ? median(launches) : null), launches: launches.map(Math.round) });
  }
  return rows;
}

function report(trees, references, opts, env, peers) {
  const goalList = goals(trees, references);
  const measured = trees.filter((tree) => !tree.skipped);
  const body = [
    ...machineLines(env),
    `- Trees: \`gwi startproject\` whose page module runs N TypeScript modules in import chains of ${CHAIN_LENGTH} (the page imports ` +
      "each chain's head), may import vite (`import { version } from 'vite'`, shown on the page) and may sit beside 20,000 " +
      'small JSON files no module loads (data/, 20 folders of 1,000). tsx watch serves the page from a node:http server.ts; ' +
      'nodemon and node --watch the same server and modules compiled to JavaScript once (TypeScript\'s transpileModule, module for module, no bundle). ' +
      `Made before any timing in ${measured.map((tree) => `${formatInt(tree.madeMs)} ms (${tree.name})`).join(', ')}.`,
    `- Launch: command spawned → first \`200\` showing the page's version (a GET on a new connection every 5 ms); median of ` +
      `${opts.launches}, the tools taking turns, the first launch in brackets (tsx's transform cache, which gwi uses too, cold then).`,
    `- Reload: ${opts.saves} saves of the page's module after the first launch, each ${SAVE_GAP.minMs}–${SAVE_GAP.minMs + SAVE_GAP.spreadMs} ` +
      'ms after the previous version was served (one gap from each tenth of that range, in one shuffled order, the same for every tool and tree): save → first `200` showing the new version, a GET on a new connection ' +
      'every 5 ms (as bench/reload.mjs); p50, p90 in brackets. gwi imports the project\'s modules afresh on every reload (the ' +
      "page's and the deepest alike); the others restart their process.",
    '- At rest: after the first launch\'s first `200`, once steady (same processes, RSS within 1 MiB over 1 s): VmRSS and PSS ' +
      '(the `Pss:` line of /proc/<pid>/smaps_rollup) summed over the process tree. PSS counts a page shared by N processes 1/N ' +
      "in each: node's ~34 MiB of code pages, which every node process maps, count once per process in a tree's RSS and once " +
      "in all in its PSS (the divisor is machine-wide: the bench's own node process and any other share them too).",
    `- Tools: ${opts.tools.map((tool) => `${TOOLS[tool].label} ${TOOLS[tool].shown} (${TOOLS[tool].version(peers)})`).join('; ')}` +
      Object.values(peers.dependencies).filter((peer) => !peer.error).map((peer) => `; the dependency: ${peer.name} ${peer.version}`).join('') + '.',
    '',
    ...treeTable('### Reload p50 (save → new code answering, ms; p90 in brackets)', trees, opts, reloadCell),
    ...treeTable('### Launch → first 200 (ms; median, the first launch in brackets)', trees, opts, launchCell),
    ...treeTable('### At rest (process tree RSS / PSS, MiB; processes in brackets)', trees, opts, memoryCell, opts.tools.includes('gwi') ? SUPERVISOR : null),
    '### References (launch → first 200, ms; median, the first in brackets)',
    '',
    ...references.map((r) => `- ${r.label}: ${r.launches.length ? `${ms(median(r.launches))} (${ms(r.launches[0])})` : 'did not start'}`),
    '',
    'Goals for gwi:',
    ...goalList.map(({ goal, ok, measured: value }) => `- ${goal}: ${ok === null ? '**not measured**' : `${mark(ok)} (${value})`}`),
    ...measured.flatMap(({ name, results }) =>
      Object.entries(results).flatMap(([tool, result]) => result.notes.map((note) => `- note (${TOOLS[tool].label}, ${name}): ${note}`))),
    ...references.flatMap((r) => r.notes.map((note) => `- note (${r.name}): ${note}`)),
  ].join('\n');
  return { body, rows: [...resultRows(trees, references), ...goalList] };
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = options();
  const { env, began, tmp } = beginRun('scale');
  const watchdog = setTimeout(() => {
    progress(`\nthe bench ran past ${TIME_LIMIT_MS / 60_000} minutes: stopping every server`);
    killAllChildren('SIGKILL');
    process.exit(1);
  }, TIME_LIMIT_MS).unref();
  const dependencies = new Set(opts.trees.map((name) => TREES[name].dependency).filter(Boolean));
  const peers = { dependencies: Object.fromEntries([...dependencies].map((spec) => [spec, installPeer(spec, progress)])) };
  if (opts.tools.includes('nodemon')) {
    peers.nodemon = installPeer('nodemon@3', progress);
    if (peers.nodemon.error) {
      progress(`nodemon: skipped: it could not be installed (${peers.nodemon.error})`);
      opts.tools = opts.tools.filter((tool) => tool !== 'nodemon');
    }
  }

  const references = await referenceLaunches(tmp, opts);
  const trees = [];
  for (const name of opts.trees) trees.push(await measureTree(name, tmp, opts, peers));
  clearTimeout(watchdog);

  const failures = [];
  for (const { name, results } of trees.filter((tree) => !tree.skipped && tree.results.gwi)) {
    const { launches, misses } = results.gwi;
    if (launches.length < opts.launches || misses > 0) {
      failures.push(`gwi on ${name}: ${opts.launches - launches.length} launch(es) not answered within ${LAUNCH_TIMEOUT_MS / 1000} s, ` +
        `${misses} save(s) not served within ${RELOAD_TIMEOUT_MS / 1000} s (see the notes)`);
    }
  }
  const { body, rows } = report(trees, references, opts, env, peers);
  publish({ name: 'scale', section: SECTION, body, rows, failures, full: opts.full, began });
  if (opts.full && failures.length === 0) progress(`and ${writeScaleChart()}`);
}

runBench(main);
