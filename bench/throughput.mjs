// Throughput benchmark: hello world over keep-alive, raw node:http against gwi's reference server.
//
// What it measures: requests per second that wrk (keep-alive, its default) gets from
//   raw  a bare node:http server: res.writeHead(200, {'Content-Type': 'text/plain'}); res.end('Hello, world!')
//   gwi  makeServer('127.0.0.1', 0, app, { log }) + serveForever() from the BUILT package (dist/index.js),
//        with a GWI hello app and the request log ON, written to a temp file
// and the ratio gwi / raw — the goal is gwi ≥ 0.85 × raw.
//
// How: each server runs in its own child process (bench/hello-server.mjs; gwi's stderr, where its
// log goes, is redirected to a file), so neither shares an event loop with wrk or this script. After
// a short warm-up of each, wrk runs `-t1 -c10 -d5s` and `-t1 -c100 -d5s` in alternating rounds
// (raw, gwi, raw, gwi, …); the median req/s of each server is reported, with the server's CPU time per
// request (from /proc: less sensitive than req/s to other load on the machine). A run fails on any
// non-2xx/3xx response or socket error wrk reports, and on a gwi log that does not hold exactly one
// `"GET / HTTP/1.1" 200 13` access line per request (wrk's count, plus at most one per connection for
// the requests in flight when wrk stopped). Before any load, each server must answer one GET with 200.
// Connects the kernel dropped on a full listen queue (TcpExt ListenOverflows) are reported, not failed.
//
// Output: a markdown table on stdout, also written to bench/RESULTS.md (only the section
// "Throughput (hello world, keep-alive)" is rewritten). Exit 1 when a check failed.
//
//   npm run bench                         (node bench/throughput.mjs)
//   node bench/throughput.mjs --rounds 5 --duration 10s --warmup 3s
//   node bench/throughput.mjs --backlog 10    gwi with requestQueueSize 10 (Django's listen backlog; gwi's
//                                             default is node's 511): a burst of 100 connects then
//                                             overflows it (see "listen-queue overflows")
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkHello,
  cpuTimeMs,
  ensureBuilt,
  formatInt,
  installCleanup,
  listenOverflows,
  median,
  requireWrk,
  ROOT,
  runWrk,
  sleep,
  startServer,
  stopServer,
  writeResultsSection,
  wrkProblem,
} from './lib.mjs';

const SECTION = 'Throughput (hello world, keep-alive)';
const RESULTS_PATH = join(ROOT, 'bench', 'RESULTS.md');
const GOAL = 0.85;
const CONNECTIONS = [10, 100];
// Django's access line for the hello request: [22/Nov/2026 04:35:45] "GET / HTTP/1.1" 200 13
const ACCESS_LINE = /^\[\d\d\/[A-Z][a-z]{2}\/\d{4} \d\d:\d\d:\d\d\] "GET \/ HTTP\/1\.1" 200 13$/;

function options() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      duration: { type: 'string', default: '5s' },
      warmup: { type: 'string', default: '2s' },
      backlog: { type: 'string' },
    },
  });
  return {
    rounds: Number(values.rounds),
    duration: values.duration,
    warmup: values.warmup,
    backlog: values.backlog === undefined ? null : Number(values.backlog),
  };
}

const progress = (text) => process.stderr.write(`${text}\n`);

// ---------------------------------------------------------------------------------------------
// gwi's request log: read what was appended since the last look, and sort access lines from the rest.

class LogTail {
  offset = 0;
  partial = '';
  accessLines = 0;
  otherLines = [];

  constructor(path) {
    this.path = path;
  }

  /** Waits for the log to stop growing (it is flushed once per event-loop turn), then reads it. */
  async settle() {
    let size = -1;
    for (let same = 0; same < 3; ) {
      await sleep(50);
      const now = statSync(this.path).size;
      same = now === size ? same + 1 : 0;
      size = now;
    }
    return this.read();
  }

  /** Reads the new part of the file; returns the counts it added. */
  read() {
    const fd = openSync(this.path, 'r');
    const chunk = Buffer.alloc(Math.max(0, statSync(this.path).size - this.offset));
    const got = readSync(fd, chunk, 0, chunk.length, this.offset);
    closeSync(fd);
    this.offset += got;
    const lines = (this.partial + chunk.toString('latin1', 0, got)).split('\n');
    this.partial = lines.pop();
    let access = 0;
    let other = 0;
    for (const line of lines) {
      if (ACCESS_LINE.test(line)) access++;
      else {
        other++;
        if (this.otherLines.length < 10) this.otherLines.push(line);
      }
    }
    this.accessLines += access;
    return { access, other };
  }
}

// ---------------------------------------------------------------------------------------------
// The runs.

/** One wrk run, its problems added to `failures`. For gwi, also checks one access line per request. */
async function measure(server, connections, duration, tail, failures) {
  const cpuBefore = cpuTimeMs(server.child.pid);
  const overflowsBefore = listenOverflows();
  const summary = await runWrk(server.url, { connections, duration });
  const cpuAfter = cpuTimeMs(server.child.pid);
  const overflows = overflowsBefore === null ? 0 : listenOverflows() - overflowsBefore;
  summary.cpuUsPerRequest = cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1000) / summary.requests;
  const problem = wrkProblem(summary);
  // Not a failure by itself: connections waited for a SYN retransmit (wrk may count them as timeouts).
  const overflowNote = overflows > 0 ? `, ${overflows} listen-queue overflows` : '';
  if (overflows > 0) summary.listenOverflows = overflows;
  if (problem) failures.push(`${server.kind} ${summary.args.join(' ')}: ${problem}`);
  let logNote = '';
  if (tail) {
    const { access, other } = await tail.settle();
    // wrk stops with up to `connections` requests in flight: the server answered (and logged) them.
    const extra = access - summary.requests;
    logNote = `, log +${access} access lines (${extra >= 0 ? '+' : ''}${extra} vs wrk)`;
    if (extra < 0 || extra > connections) {
      failures.push(`gwi ${summary.args.join(' ')}: ${access} access lines for ${summary.requests} requests ` +
        `(late requests of an earlier run${overflows > 0 ? ', or of this one' : ''}?)`);
    }
    if (other > 0) failures.push(`gwi ${summary.args.join(' ')}: ${other} unexpected log lines`);
  }
  const cpu = summary.cpuUsPerRequest === null ? '' : `, ${summary.cpuUsPerRequest.toFixed(1)} µs CPU/request`;
  progress(`  ${server.kind.padEnd(3)} -c${String(connections).padEnd(3)} ${formatInt(summary.requestsPerSec).padStart(7)} req/s` +
    `  (${summary.requests} requests${cpu}${problem ? `, ${problem}` : ''}${overflowNote}${logNote})`);
  return summary;
}

async function warmUp(servers, warmup, tails) {
  progress(`warm-up: ${warmup} at each connection count, each server`);
  for (const connections of CONNECTIONS) {
    for (const server of servers) {
      await runWrk(server.url, { connections, duration: warmup });
      await tails[server.kind]?.settle();
    }
  }
}

/** Alternating rounds: returns { [connections]: { raw: [summary…], gwi: [summary…] } }. */
async function rounds(servers, { rounds, duration }, tails, failures) {
  const results = {};
  for (const connections of CONNECTIONS) {
    results[connections] = Object.fromEntries(servers.map((s) => [s.kind, []]));
    progress(`wrk -t1 -c${connections} -d${duration}, ${rounds} rounds`);
    for (let round = 0; round < rounds; round++) {
      for (const server of servers) {
        const summary = await measure(server, connections, duration, tails[server.kind], failures);
        results[connections][server.kind].push(summary);
      }
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// The report.

const cpuText = (runs) => {
  const values = runs.map((run) => run.cpuUsPerRequest);
  return values.includes(null) ? 'n/a' : median(values).toFixed(1);
};

/** `raw 0, gwi 1,234 (backlog 10)`: connects the kernel dropped because a listen queue was full. */
function overflowText(results) {
  const total = (kind) => CONNECTIONS.reduce(
    (sum, c) => sum + results[c][kind].reduce((n, run) => n + (run.listenOverflows ?? 0), 0), 0);
  return `raw ${formatInt(total('raw'))}, gwi ${formatInt(total('gwi'))}`;
}

function report(results, { rounds, duration, warmup, backlog }, env, logCheck) {
  const rows = CONNECTIONS.map((connections) => {
    const raw = results[connections].raw.map((run) => run.requestsPerSec);
    const gwi = results[connections].gwi.map((run) => run.requestsPerSec);
    const ratio = median(gwi) / median(raw);
    return {
      line: `| \`wrk -t1 -c${connections} -d${duration}\` | ${formatInt(median(raw))} | ${formatInt(median(gwi))} | ` +
        `**${ratio.toFixed(2)}** ${ratio >= GOAL ? '✅' : '❌'} | ${cpuText(results[connections].raw)} | ${cpuText(results[connections].gwi)} |`,
      runs: `- -c${connections}: raw ${raw.map(formatInt).join(' / ')}; gwi ${gwi.map(formatInt).join(' / ')}`,
      ratio,
    };
  });
  const met = rows.every((row) => row.ratio >= GOAL);
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Node: ${process.version} (${process.platform}/${process.arch})`,
    `- Machine: ${env.cores} cores, ${env.cpuModel}; 1-min load average before the run: ${env.loadBefore.toFixed(2)}` +
      (env.loadBefore > 0.5 ? ' (other processes were busy: figures are noisier)' : ''),
    `- Load: ${env.wrk}, keep-alive, 1 thread; ${warmup} warm-up per server, then ${rounds} alternating rounds ` +
      '(raw, gwi, …) per connection count; median per server',
    '- raw: `node:http`, `res.writeHead(200, {\'Content-Type\': \'text/plain\'}); res.end(\'Hello, world!\')`',
    (backlog === null
      ? '- gwi: `makeServer(\'127.0.0.1\', 0, app, { log })`'
      : `- gwi: \`makeServer('127.0.0.1', 0, app, { log, requestQueueSize: ${backlog} })\``) +
      ' + `serveForever()` from `dist/index.js`, request log ON (child stderr → file); each server in its own child process',
    '- CPU µs/req: user + system time of the server process during the run (loopback TCP delivery included) ÷ requests',
    '',
    '| wrk | raw req/s | gwi req/s | gwi / raw | raw CPU µs/req | gwi CPU µs/req |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((row) => row.line),
    '',
    `Goal gwi ≥ ${GOAL} × raw: **${met ? 'met' : 'not met'}**.`,
    '',
    'Individual runs (req/s):',
    ...rows.map((row) => row.runs),
    '',
    `Request log check: ${logCheck}`,
    `Listen-queue overflows (kernel TcpExt ListenOverflows) during the measured runs: ${overflowText(results)}.`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = options();
  const env = {
    wrk: requireWrk(),
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    loadBefore: os.loadavg()[0],
  };
  ensureBuilt();
  installCleanup();

  const tmp = mkdtempSync(join(os.tmpdir(), 'gwi-bench-'));
  const logPath = join(tmp, 'gwi-access.log');
  process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
  const failures = [];
  const servers = [];
  try {
    servers.push(await startServer('raw'));
    servers.push(await startServer('gwi', { logPath, backlog: opts.backlog }));
    progress(`raw on ${servers[0].url}, gwi on ${servers[1].url} (log: ${logPath})`);
    for (const server of servers) await checkHello(server);
    const tails = { gwi: new LogTail(logPath) };

    await warmUp(servers, opts.warmup, tails);
    const results = await rounds(servers, opts, tails, failures);

    // Stopping gwi flushes its log; every line of the file has been read and sorted by now.
    await Promise.all(servers.map((server) => stopServer(server)));
    tails.gwi.read();
    const logCheck = tails.gwi.otherLines.length === 0
      ? `${formatInt(tails.gwi.accessLines)} access lines in total; each run logged wrk's request count plus ` +
        'at most the requests in flight when wrk stopped; no other lines.'
      : `unexpected lines, e.g. ${JSON.stringify(tails.gwi.otherLines.slice(0, 3))}`;

    const body = report(results, opts, env, logCheck);
    console.log(`## ${SECTION}\n\n${body}`);
    if (failures.length > 0) {
      console.error(`\nFAILED — results not written to bench/RESULTS.md:\n- ${failures.join('\n- ')}`);
      process.exitCode = 1;
      return;
    }
    writeResultsSection(RESULTS_PATH, SECTION, body);
    progress(`\nwritten to ${RESULTS_PATH}`);
  } finally {
    await Promise.all(servers.map((server) => stopServer(server)));
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
