// Instructions per request: the cost of one hello-world request in CPU instructions, counted by
// valgrind (cachegrind, no cache simulation) in the server process — user space only, and nearly the same
// from run to run, where req/s on this shared 2-core machine moves by 10–30 % between runs.
//
// What it counts, for each server:
//   raw         bench/hello-server.mjs raw      (node:http)
//   bytes-gwi   bench/hello-server.mjs bytes-gwi (node:http alone writing makeServer's response and log line)
//   gwi         bench/hello-server.mjs gwi      (makeServer + a GWI hello app, request log ON to a file)
//   express     bench/hello-server.mjs express  (Express 5)
//   bytes-runserver  bench/hello-server.mjs bytes-runserver (node:http alone writing runserver's response
//               and log line)
//   runserver   `gwi runserver --noreload` on the one-view project the other benches use (startproject's
//               settings and middleware, request log ON to a file)
// How: each server runs twice under `valgrind --tool=cachegrind --cache-sim=no`, answering N1 and then N2
// GET requests (keep-alive, 10 connections, one request at a time on each, sent by this process); the
// instructions of the second run minus the first, divided by N2 − N1, are one request's: start-up and
// shutdown cancel out, and by N1 = 10,000 the JIT has compiled the hot path (with 3,000 it has not: the
// figures then still carry compilation). Each response is checked (200, the hello body). The kernel's part
// (TCP over loopback, ~40 % of node:http's CPU time here) is not counted: it is the same for every server.
// `× node:http` is node:http's instructions per request divided by the server's: the throughput ratio the
// CPU work alone allows (measured req/s ratios come out a little lower, since a slower server also pays
// more kernel time waking the client). One thing it gets wrong: the access log of gwi (and of the
// references, which copy it) is written every 5 ms under load, and valgrind runs a server ~50× slower, so
// here a write and its timer come every few requests instead of every few hundred: about 2,500
// instructions per request that a real run does not pay (makeServer, per-turn writes against 5 ms ones:
// 64,450 against 66,997), and counts that move more between runs.
//
// Output: a markdown table; a full default run also writes its section of bench/RESULTS.md and
// bench/results/instructions.json (for the chart). Needs valgrind (`apt-get install valgrind`).
//
//   npm run bench:instructions             (node bench/instructions.mjs)
//   node bench/instructions.mjs --servers raw,gwi --n1 5000 --n2 15000
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { DEV_SERVERS } from './dev-servers.mjs';
import { installPeer } from './projects.mjs';
import {
  beginRun,
  benchOptions,
  formatInt,
  freePort,
  machineLines,
  namesOf,
  pollUntil,
  progress,
  publish,
  ROOT,
  runBench,
} from './lib.mjs';

const HELLO_SERVER = join(ROOT, 'bench', 'hello-server.mjs');
const HELLO = 'Hello, world!';
const CONNECTIONS = 10;
const READY_TIMEOUT_MS = 120_000;

const SERVERS = {
  raw: { label: 'node:http', hello: 'raw' },
  'bytes-gwi': { label: "node:http writing makeServer's bytes", hello: 'bytes-gwi', reference: true },
  gwi: { label: 'gwi makeServer', hello: 'gwi', gwi: true },
  express: { label: 'Express 5', hello: 'express' },
  'bytes-runserver': { label: "node:http writing runserver's bytes", hello: 'bytes-runserver', reference: true },
  runserver: { label: 'gwi runserver --noreload', gwi: true },
};

function requireValgrind() {
  if (spawnSync('valgrind', ['--version']).status !== 0) {
    throw new Error('valgrind is not installed (apt-get install -y valgrind)');
  }
}

/** The command that serves hello on `port` (hello-server takes its port over IPC instead). */
function command(name, ctx, port) {
  const server = SERVERS[name];
  if (server.hello) return { args: [HELLO_SERVER, server.hello], cwd: ROOT, env: process.env, ipc: true };
  const run = DEV_SERVERS.gwi.prepare({ dir: mkdtempSync(join(ctx.tmp, 'gwi-')), port });
  writeFileSync(run.file, run.source(HELLO));
  return { args: [...run.args, '--noreload'], cwd: run.cwd, env: run.env, ipc: false };
}

/** Sends `total` GETs over CONNECTIONS keep-alive connections, one at a time on each; checks every answer. */
function sendRequests(port, total) {
  let sent = 0;
  const request = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const connection = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let buffer = '';
      const next = () => {
        if (sent >= total) return socket.end(resolve);
        sent++;
        socket.write(request);
      };
      socket.setEncoding('latin1');
      socket.on('connect', next);
      socket.on('error', reject);
      socket.on('data', (data) => {
        buffer += data;
        for (;;) {
          const end = responseEnd(buffer);
          if (end < 0) return;
          const response = buffer.slice(0, end);
          buffer = buffer.slice(end);
          if (!response.startsWith('HTTP/1.1 200 ') || !response.includes(HELLO)) {
            socket.destroy();
            return reject(new Error(`unexpected response: ${JSON.stringify(response.slice(0, 200))}`));
          }
          next();
        }
      });
    });
  return Promise.all(Array.from({ length: CONNECTIONS }, connection));
}

/** Where the first complete response in `text` ends (Content-Length or chunked), or -1. */
function responseEnd(text) {
  const head = text.indexOf('\r\n\r\n');
  if (head < 0) return -1;
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, head));
  if (length) {
    const end = head + 4 + Number(length[1]);
    return text.length >= end ? end : -1;
  }
  const last = text.indexOf('\r\n0\r\n\r\n', head);
  return last < 0 ? -1 : last + 7;
}

/** Runs one server under cachegrind, sends `total` requests, stops it; resolves with its instruction count. */
async function countInstructions(name, ctx, total) {
  const port = await freePort();
  const { args, cwd, env, ipc } = command(name, ctx, port);
  const out = join(ctx.tmp, `${name}-${total}.cachegrind`);
  const logPath = join(ctx.tmp, `${name}-${total}.log`);
  const stderr = openSync(logPath, 'w');
  const child = spawn(
    'valgrind',
    ['--tool=cachegrind', '--cache-sim=no', `--cachegrind-out-file=${out}`, '--smc-check=all-non-file', process.execPath, ...args],
    { cwd, env, stdio: ['ignore', 'ignore', stderr, ...(ipc ? ['ipc'] : [])] },
  );
  closeSync(stderr);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const listening = ipc
      ? (await new Promise((resolve, reject) => {
          child.once('message', resolve);
          child.once('exit', () => reject(new Error(`${name} exited before listening (see ${logPath})`)));
        })).port
      : port;
    const ready = await pollUntil(`http://127.0.0.1:${listening}/`, ({ status }) => status === 200, { timeoutMs: READY_TIMEOUT_MS, everyMs: 200, child });
    if (ready === null) throw new Error(`${name} did not answer within ${READY_TIMEOUT_MS} ms (see ${logPath})`);
    // pollUntil's own requests are the same for both runs, so they cancel out too.
    await sendRequests(listening, total);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  const summary = /^summary: (\d+)/m.exec(readFileSync(out, 'utf8'));
  if (!summary) throw new Error(`${name}: no instruction count in ${out}`);
  return Number(summary[1]);
}

async function main() {
  const { values, full } = benchOptions({ servers: Object.keys(SERVERS).join(','), n1: 10000, n2: 30000 });
  const names = namesOf(values.servers, Object.keys(SERVERS));
  requireValgrind();
  const ctx = beginRun('instructions');
  // Installed now, not by the server running under valgrind.
  if (names.includes('express')) installPeer('express@5', progress);
  const failures = [];
  const perRequest = {};
  for (const name of names) {
    progress(`${name}: ${values.n1} then ${values.n2} requests under valgrind…`);
    const first = await countInstructions(name, ctx, values.n1);
    const second = await countInstructions(name, ctx, values.n2);
    perRequest[name] = (second - first) / (values.n2 - values.n1);
    progress(`${name}: ${formatInt(perRequest[name])} instructions per request`);
  }
  const raw = perRequest.raw;
  const table = [
    '| Server | Instructions per request | × node:http |',
    '|---|---:|---:|',
    ...names.map((name) => `| ${SERVERS[name].label} | ${formatInt(perRequest[name])} | ${raw ? `**${(raw / perRequest[name]).toFixed(2)}**` : '–'} |`),
  ];
  const body = [
    ...machineLines(ctx.env),
    `- Method: each server under \`valgrind --tool=cachegrind --cache-sim=no\`, answering ${values.n1} and then ${values.n2} keep-alive GETs over ${CONNECTIONS} connections; (instructions of the second run − the first) ÷ ${values.n2 - values.n1}. User space only; every response checked.`,
    '- × node:http: node:http\'s instructions per request ÷ the server\'s, the throughput ratio the CPU work alone allows.',
    "- The two `node:http writing …` rows are references, not products: node:http alone (no environ, no checks) sending the exact bytes of gwi's hello response — Date and Server first, Content-Length computed, runserver's with its middleware's four headers — and the same access line to a file. Against node:http they price that output; gwi against them is gwi's own work.",
    "- The access log (gwi's and the references') is written every 5 ms under load; valgrind runs ~50× slower, so here that is a write every few requests, not every few hundred: ~2,500 instructions per request a real run does not pay, and counts that move more between runs.",
    '',
    ...table,
    '',
  ].join('\n');
  const rows = names.filter((name) => !SERVERS[name].reference).map((name) => ({
    label: SERVERS[name].label,
    value: Math.round(perRequest[name]),
    unit: 'instructions',
    chart: 'Instructions per hello-world request (valgrind, fewer is better)',
    gwi: Boolean(SERVERS[name].gwi),
    lowerIsBetter: true,
  }));
  publish({ name: 'instructions', section: 'Instructions per request (hello world)', body, rows, failures, full, began: ctx.began });
}

runBench(main);
