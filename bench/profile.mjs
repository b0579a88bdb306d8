// CPU profile of a hello-world server under wrk load: where does a request's time go?
//
// Starts bench/hello-server.mjs (gwi by default, request log ON to a temp file) under
// `node --cpu-prof`, warms it up, loads it with `wrk -t1 -c100 -d5s`, stops it (the profile is
// written on exit) and prints from the .cpuprofile:
//   - time by area (idle, GC, node internals, gwi, …),
//   - the top functions by self time and by inclusive time, gwi's mapped back to src/ through
//     dist/'s source maps.
//
//   node bench/profile.mjs [--kind gwi|raw] [--duration 5s] [--connections 100] [--top 25] [--keep]
//   node bench/profile.mjs --summarise some.cpuprofile     (only print the summary of an existing profile)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHello, ensureBuilt, parseBenchArgs, requireWrk, ROOT, runBench, runWrk, startServer, stopServer, wrkProblem } from './lib.mjs';
import { installCleanup } from './processes.mjs';

function options() {
  const values = parseBenchArgs({
    kind: { type: 'string', default: 'gwi' },
    duration: { type: 'string', default: '5s' },
    connections: { type: 'string', default: '100' },
    top: { type: 'string', default: '25' },
    keep: { type: 'boolean', default: false },
    summarise: { type: 'string' },
  });
  return { ...values, connections: Number(values.connections), top: Number(values.top) };
}

// ---------------------------------------------------------------------------------------------
// Source locations: dist/*.js frames are mapped back to src/*.ts.

const sourceMaps = new Map();

function sourceMapFor(path) {
  if (!sourceMaps.has(path)) {
    let map = null;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
    } catch {
      // No map: the frame keeps its dist/ location.
    }
    sourceMaps.set(path, map);
  }
  return sourceMaps.get(path);
}

/** `src/server/server-handler.ts:123` for a gwi frame, `node:internal/…:45` for node's. */
function locate({ url, lineNumber, columnNumber }) {
  if (!url) return '';
  if (!url.startsWith('file://')) return `${url}:${lineNumber + 1}`;
  const path = fileURLToPath(url);
  const entry = sourceMapFor(path)?.findEntry(lineNumber, columnNumber);
  if (entry?.originalSource) {
    const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : join(path, '..', entry.originalSource);
    return `${relative(ROOT, source)}:${entry.originalLine + 1}`;
  }
  return `${relative(ROOT, path)}:${lineNumber + 1}`;
}

function area({ url, functionName }) {
  if (!url) {
    if (functionName === '(idle)') return 'idle (waiting for I/O)';
    if (functionName === '(garbage collector)') return 'garbage collector';
    return `${functionName || '(anonymous)'} — native/V8`;
  }
  if (url.startsWith('node:')) return 'node internals (http, net, streams, timers…)';
  if (url.includes('/dist/')) return 'gwi (dist/)';
  if (url.includes('/bench/')) return 'bench app';
  return 'other JS';
}

// ---------------------------------------------------------------------------------------------
// The profile: self time per sampled node, inclusive time over each sample's stack.

function summarise(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = (node) => `${node.callFrame.functionName || '(anonymous)'}  ${locate(node.callFrame)}`;

  const self = new Map();
  const inclusive = new Map();
  const areas = new Map();
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0;
    total += us;
    const node = nodes.get(id);
    add(self, label(node), us);
    add(areas, area(node.callFrame), us);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const key = label(nodes.get(at));
      if (!seen.has(key)) add(inclusive, key, us);
      seen.add(key);
    }
  });
  return { total, self, inclusive, areas };
}

function printTable(title, map, total, top) {
  console.log(`\n${title}`);
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, us] of rows) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(6)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  }
}

// ---------------------------------------------------------------------------------------------

function printSummary(path, top) {
  const { total, self, inclusive, areas } = summarise(JSON.parse(readFileSync(path, 'utf8')));
  console.log(`profile: ${path} (${(total / 1e6).toFixed(1)} s sampled, includes start-up and warm-up)`);
  printTable('Time by area', areas, total, 10);
  printTable(`Top ${top} by self time`, self, total, top);
  printTable(`Top ${top} by inclusive time`, inclusive, total, top);
}

async function main() {
  const opts = options();
  if (opts.summarise) {
    printSummary(opts.summarise, opts.top);
    return;
  }
  requireWrk();
  ensureBuilt();
  installCleanup();
  const dir = mkdtempSync(join(os.tmpdir(), 'gwi-profile-'));
  const logPath = opts.kind === 'gwi' ? join(dir, 'access.log') : null;
  const server = await startServer(opts.kind, { logPath, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  try {
    await checkHello(server);
    await runWrk(server.url, { connections: opts.connections, duration: '1s' });
    const summary = await runWrk(server.url, { connections: opts.connections, duration: opts.duration });
    console.log(`${opts.kind}: ${summary.args.join(' ')} → ${Math.round(summary.requestsPerSec)} req/s` +
      `${wrkProblem(summary) ? ` (${wrkProblem(summary)})` : ''}`);
  } finally {
    await stopServer(server);
  }
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
  printSummary(join(dir, file), opts.top);
  if (!opts.keep) rmSync(dir, { recursive: true, force: true });
}

runBench(main);
