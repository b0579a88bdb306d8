// `npm run bench`: every benchmark, one after the other (they must not share the 2 cores), then the chart.
//
// Each one writes its own section of bench/RESULTS.md and its bench/results/<name>.json; bench/chart.mjs
// then redraws bench/results/chart.svg from all of them, and scale.svg from scale.json. A benchmark that
// fails (a correctness check, a missing tool) does not stop the others; the exit code is 1 if any failed.
// About 40 minutes.
//
//   npm run bench
//   node bench/all.mjs throughput reload      only these, then the chart
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const BENCHMARKS = ['throughput', 'instructions', 'streaming', 'reload', 'memory', 'soak', 'scale'];

const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !BENCHMARKS.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}: choose from ${BENCHMARKS.join(', ')}`);
  process.exit(2);
}

const failed = [];
for (const name of chosen.length > 0 ? chosen : BENCHMARKS) {
  console.error(`\n=== bench/${name}.mjs ===`);
  const started = performance.now();
  const { status, signal } = spawnSync(process.execPath, [join(ROOT, 'bench', `${name}.mjs`)], { stdio: 'inherit' });
  console.error(`=== bench/${name}.mjs: ${status === 0 ? 'done' : `FAILED (${signal ?? `exit ${status}`})`} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  if (status !== 0) failed.push(name);
  if (signal === 'SIGINT') break;
}
spawnSync(process.execPath, [join(ROOT, 'bench', 'chart.mjs')], { stdio: 'inherit' });
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
