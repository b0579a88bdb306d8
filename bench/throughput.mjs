// Throughput benchmark: hello world over keep-alive, gwi's servers against their peers, side by side.
//
// What it measures: requests per second that wrk (keep-alive, its default) gets from
//   raw         a bare node:http server: res.writeHead(200, {'Content-Type': 'text/plain'}); res.end('Hello, world!')
//   bytes-gwi, bytes-runserver   references: node:http alone (no environ, no checks) writing the exact
//               response bytes and access line of makeServer's hello and of runserver's (its middleware's
//               headers): what that output costs in node:http, and so what is gwi's own work
//   gwi         makeServer('127.0.0.1', 0, app, { log }) + serveForever() from the BUILT package (dist/index.js),
//               a GWI hello app, the request log ON
//   express     Express 5: app.get('/', (req, res) => res.type('text/plain').send('Hello, world!'))
//   runserver   `gwi runserver --noreload`: a `gwi startproject` with a hello view (startproject's settings:
//               DEBUG on, Security/Session/Common/Csrf/XFrameOptions middleware, static files handler),
//               request log ON
//   supervisor  `gwi runserver` (the same project): the auto-reloader's supervisor owns the socket and hands
//               each connection to the serving child
//   django      Django's `manage.py runserver` (python3-django, with its reloader, DEBUG on): a
//               `django-admin startproject` with the same hello view, the same five middleware and
//               only the static files app
// and each one's ratio to raw node:http. Goals: gwi ≥ 0.85 × raw; supervisor ≥ 0.5 × raw and ≥ 30 × Django.
//
// How: every server runs in its own process (bench/hello-server.mjs or the real CLI) with its stderr —
// where the request logs go — redirected to a file, so no server shares an event loop with wrk or this
// script. In each round every server runs alone: it is started, warmed up, measured with `wrk -t1 -c10`
// and `-t1 -c100`, and stopped, in the order of --servers (reversed every other round). Alone, because
// with all eight servers up at once the ones started late (after five others) came out 12–33 % slower
// in some runs, a bare node:http server among them, while their CPU use while idle was nil: whatever
// the cause, one server's figure must not depend on its neighbours. The median req/s of each server
// is reported, with its CPU time per request (the whole
// process tree, from /proc: less sensitive than req/s to other load on the machine). A run fails on any
// non-2xx/3xx response or socket error wrk reports for node:http or gwi (for Express and Django they are
// reported), and on a gwi log that does not hold exactly one `"GET / HTTP/1.1" 200 13` access line per
// request (wrk's count, plus at most one per connection for the requests in flight when wrk stopped).
// Before any load, each server must answer a GET with 200 "Hello, world!". Connects the kernel dropped on
// a full listen queue (TcpExt ListenOverflows: Django's backlog is 10) are reported, not failed.
//
// Output: a markdown table on stdout, also written to bench/RESULTS.md (only the section
// "Throughput (hello world, keep-alive)" is rewritten) and bench/results/throughput.json (for the chart),
// when every server ran. Exit 1 when a check failed.
//
//   npm run bench:throughput              (node bench/throughput.mjs)
//   node bench/throughput.mjs --rounds 3 --duration 10s --warmup 3s
//   node bench/throughput.mjs --servers raw,gwi     a quick look at two of them (not written)
//   node bench/throughput.mjs --backlog 10          gwi with requestQueueSize 10 (Django's listen backlog;
//                                                   gwi's default is node's 511)
import { appendFileSync, closeSync, mkdtempSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  checkHello,
  cpuTimeMs,
  ensureBuilt,
  formatInt,
  freePort,
  listenOverflows,
  machine,
  machineLines,
  median,
  namesOf,
  parseBenchArgs,
  pollUntil,
  progress,
  requireWrk,
  ROOT,
  runBench,
  runTmpdir,
  runWrk,
  sleep,
  startServer,
  stopServer,
  writeResultsJson,
  writeResultsSection,
  wrkProblem,
} from './lib.mjs';
import { descendantPids, installCleanup, spawnGroup, stopGroup } from './processes.mjs';
import { DEV_SERVERS } from './dev-servers.mjs';
import { installPeer, readVersion } from './projects.mjs';

const SECTION = 'Throughput (hello world, keep-alive)';
const RESULTS_PATH = join(ROOT, 'bench', 'RESULTS.md');
const CONNECTIONS = [10, 100];
const GOALS = { gwi: 0.85, supervisorVsRaw: 0.5, supervisorVsDjango: 30 };
const BODY = 'Hello, world!';
const READY_TIMEOUT_MS = 30_000;
// Django's access line for the hello request: [22/Nov/2026 04:35:45] "GET / HTTP/1.1" 200 13
const ACCESS_LINE = /^\[\d\d\/[A-Z][a-z]{2}\/\d{4} \d\d:\d\d:\d\d\] "GET \/ HTTP\/1\.1" 200 13$/;

// ---------------------------------------------------------------------------------------------
// The servers: start(ctx, logPath) resolves with { url, pids(), stop(), version }, or { skip: reason }.

/**
 * The middleware of gwi's startproject template in Django's names, and the static files app (runserver
 * then serves through its static handler, as gwi's does with DEBUG on): both frameworks do the same work.
 */
const DJANGO_SETTINGS = `
INSTALLED_APPS = ['django.contrib.staticfiles']
MIDDLEWARE = [
    'django.middleware.security.SecurityMiddleware',
    'django.contrib.sessions.middleware.SessionMiddleware',
    'django.middleware.common.CommonMiddleware',
    'django.middleware.csrf.CsrfViewMiddleware',
    'django.middleware.clickjacking.XFrameOptionsMiddleware',
]
`;

/** A hello server of bench/hello-server.mjs. */
async function helloChild(kind, { logPath = null, backlog = null } = {}) {
  const server = await startServer(kind, { logPath, backlog });
  return { url: server.url, pids: () => [server.child.pid], stop: () => stopServer(server) };
}

/**
 * A dev server of bench/dev-servers.mjs whose one view answers the hello, in a process group of its own
 * with its output to `logPath` (extra `args` after its command line); ready once it answers the hello.
 * `edit(run)` may change the project before it starts.
 */
async function devServer(name, ctx, logPath, { args = [], edit = () => {} } = {}) {
  const port = await freePort();
  const run = DEV_SERVERS[name].prepare({ dir: mkdtempSync(join(ctx.tmp, `${name}-`)), port });
  if (run.skip) return run;
  writeFileSync(run.file, run.source(BODY));
  edit(run);
  const child = spawnGroup(run.command, [...run.args, ...args], { cwd: run.cwd, env: run.env, logPath });
  const url = `http://127.0.0.1:${port}/`;
  const ready = await pollUntil(url, ({ status, body }) => status === 200 && body === BODY, { timeoutMs: READY_TIMEOUT_MS, everyMs: 50, child });
  if (ready === null) throw new Error(`${name} did not answer the hello within ${READY_TIMEOUT_MS} ms (see ${logPath})`);
  return { url, pids: () => [child.pid, ...descendantPids(child.pid)], stop: () => stopGroup(child, 5000), version: run.version };
}

/** A reference row: bench/hello-server.mjs `kind`, node:http alone sending `whose` hello response and access line. */
const referenceServer = (kind, whose, headers) => ({
  label: `node:http writing ${whose} bytes`,
  logged: true,
  reference: true,
  shown: `reference: node:http alone sending ${whose} hello response (${headers}) and its access line`,
  start: async (_ctx, logPath) => ({ ...(await helloChild(kind, { logPath })), version: `node ${process.version}` }),
});

const gwiVersion = () => `gwi ${readVersion(join(ROOT, 'package.json'))}`;

const SERVERS = {
  raw: {
    label: 'node:http',
    shown: "`node:http`: `res.writeHead(200, {'Content-Type': 'text/plain'}); res.end('Hello, world!')`",
    start: async () => ({ ...(await helloChild('raw')), version: `node ${process.version}` }),
  },
  'bytes-gwi': referenceServer('bytes-gwi', "makeServer's", 'Date, Server, Content-Type, Content-Length'),
  gwi: {
    label: 'gwi makeServer',
    logged: true,
    shown: '`makeServer(\'127.0.0.1\', 0, app, { log })` + `serveForever()` from `dist/index.js`, a GWI hello app',
    start: async ({ backlog }, logPath) => ({ ...(await helloChild('gwi', { logPath, backlog })), version: gwiVersion() }),
  },
  express: {
    label: 'Express 5',
    shown: "`app.get('/', (req, res) => res.type('text/plain').send('Hello, world!'))`",
    start: async () => {
      const peer = installPeer('express@5', progress);
      if (peer.error) return { skip: `express@5 could not be installed (${peer.error})` };
      return { ...(await helloChild('express')), version: `express ${peer.version}` };
    },
  },
  'bytes-runserver': referenceServer('bytes-runserver', "runserver's", 'the same plus X-Frame-Options and the three security headers'),
  runserver: {
    label: 'gwi runserver --noreload',
    logged: true,
    shown: '`gwi runserver --noreload`: a `gwi startproject` (DEBUG on, its five middleware, static files handler) with a hello view',
    start: (ctx, logPath) => devServer('gwi', ctx, logPath, { args: ['--noreload'] }),
  },
  supervisor: {
    label: 'gwi runserver',
    logged: true,
    shown: '`gwi runserver`, a copy of the same project through the auto-reloader (the supervisor hands each connection to the serving child)',
    start: (ctx, logPath) => devServer('gwi', ctx, logPath),
  },
  django: {
    label: 'Django runserver',
    shown: "`python3 manage.py runserver` (Django's reloader, DEBUG on): a `django-admin startproject` with the same hello view, gwi's five middleware and only the static files app",
    start: (ctx, logPath) =>
      devServer('django', ctx, logPath, { edit: (run) => appendFileSync(join(dirname(run.file), 'settings.py'), DJANGO_SETTINGS) }),
  },
};
const ALL_SERVERS = Object.keys(SERVERS);

function options() {
  const values = parseBenchArgs({
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '5s' },
    warmup: { type: 'string', default: '2s' },
    backlog: { type: 'string' },
    servers: { type: 'string', default: ALL_SERVERS.join(',') },
  });
  const servers = namesOf(values.servers, ALL_SERVERS);
  return {
    rounds: Number(values.rounds),
    duration: values.duration,
    warmup: values.warmup,
    backlog: values.backlog === undefined ? null : Number(values.backlog),
    servers,
    // Only a run of every server, with the default backlog, replaces the published figures.
    full: servers.length === ALL_SERVERS.length && values.backlog === undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// A server's request log: read what was appended since the last look, and sort access lines from the rest.

class LogTail {
  offset = 0;
  partial = '';
  accessLines = 0;
  otherLines = [];

  constructor(path) {
    this.path = path;
  }

  /** Waits for the log to stop growing (gwi flushes it once per event-loop turn), then reads it. */
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

  /** Skips what the server printed so far (its banner, the readiness check's access line). */
  async skip() {
    await this.settle();
    this.accessLines = 0;
    this.otherLines = [];
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

const treeCpuMs = (server) => {
  const times = server.pids().map(cpuTimeMs);
  return times.includes(null) ? null : times.reduce((a, b) => a + b, 0);
};

/** One wrk run, its problems added to `failures`. For gwi's servers, also checks one access line per request. */
async function measure(server, connections, duration, failures) {
  const cpuBefore = treeCpuMs(server);
  const overflowsBefore = listenOverflows();
  const summary = await runWrk(server.url, { connections, duration });
  const cpuAfter = treeCpuMs(server);
  summary.listenOverflows = overflowsBefore === null ? 0 : listenOverflows() - overflowsBefore;
  summary.cpuUsPerRequest = cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1000) / summary.requests;
  summary.problem = wrkProblem(summary);
  const what = `${server.name} ${summary.args.join(' ')}`;
  if (summary.problem && !server.peer) failures.push(`${what}: ${summary.problem}`);
  let logNote = '';
  if (server.tail) {
    const { access, other } = await server.tail.settle();
    // wrk stops with up to `connections` requests in flight: the server answered (and logged) them.
    const extra = access - summary.requests;
    logNote = `, log +${access} access lines (${extra >= 0 ? '+' : ''}${extra} vs wrk)`;
    if (extra < 0 || extra > connections) {
      failures.push(`${what}: ${access} access lines for ${summary.requests} requests ` +
        `(late requests of an earlier run${summary.listenOverflows > 0 ? ', or of this one' : ''}?)`);
    }
    if (other > 0) failures.push(`${what}: ${other} unexpected log lines, e.g. ${JSON.stringify(server.tail.otherLines[0])}`);
  }
  const cpu = summary.cpuUsPerRequest === null ? '' : `, ${summary.cpuUsPerRequest.toFixed(1)} µs CPU/request`;
  const overflows = summary.listenOverflows > 0 ? `, ${summary.listenOverflows} listen-queue overflows` : '';
  progress(`  ${server.name.padEnd(10)} -c${String(connections).padEnd(3)} ${formatInt(summary.requestsPerSec).padStart(7)} req/s` +
    `  (${summary.requests} requests${cpu}${summary.problem ? `, ${summary.problem}` : ''}${overflows}${logNote})`);
  return summary;
}

async function warmUp(server, warmup) {
  for (const connections of CONNECTIONS) {
    await runWrk(server.url, { connections, duration: warmup });
    await server.tail?.settle();
  }
}

/**
 * Starts one server for a round (its own log file); null when it cannot run here (`skipped` says why).
 * Checks the hello, and skips what the server logged so far.
 */
async function startOne(name, round, ctx, skipped) {
  const spec = SERVERS[name];
  const logPath = join(ctx.tmp, `${name}-${round}.log`);
  const started = await spec.start(ctx, logPath);
  if (started.skip) {
    progress(`${spec.label}: skipped: ${started.skip}`);
    skipped.push({ label: spec.label, reason: started.skip });
    return null;
  }
  const server = { ...spec, ...started, name, peer: name === 'express' || name === 'django' };
  progress(`${spec.label.padEnd(25)} ${server.url}  (output: ${logPath})`);
  await checkHello(server);
  if (spec.logged) {
    server.tail = new LogTail(logPath);
    await server.tail.skip();
  }
  return server;
}

/**
 * The rounds: in each, every server runs alone — started, warmed up, measured at each connection count,
 * stopped — in the order of --servers, reversed every other round. Returns
 * { results: { [connections]: { [name]: [summary…] } }, servers (the first start of each), logs }.
 */
async function rounds(names, opts, ctx, failures, skipped, running) {
  const results = Object.fromEntries(CONNECTIONS.map((c) => [c, Object.fromEntries(names.map((name) => [name, []]))]));
  const servers = new Map();
  const logs = new Map();
  let measured = names;
  for (let round = 0; round < opts.rounds; round++) {
    progress(`round ${round + 1} of ${opts.rounds}: each server alone, ${opts.warmup} warm-up, then wrk -t1 -d${opts.duration} ` +
      `at -c${CONNECTIONS.join(' and -c')}`);
    const order = round % 2 === 0 ? measured : [...measured].reverse();
    for (const name of order) {
      const server = await startOne(name, round, ctx, skipped);
      if (server === null) {
        measured = measured.filter((other) => other !== name);
        continue;
      }
      running.add(server);
      try {
        if (!servers.has(name)) servers.set(name, server);
        await warmUp(server, opts.warmup);
        if (server.tail) server.tail.accessLines = 0;
        for (const connections of CONNECTIONS) results[connections][name].push(await measure(server, connections, opts.duration, failures));
      } finally {
        // Stopping a gwi server flushes its log; then every line of the file is read and sorted.
        await server.stop();
        running.delete(server);
      }
      if (server.tail) {
        server.tail.read();
        const log = logs.get(name) ?? { accessLines: 0, otherLines: [] };
        log.accessLines += server.tail.accessLines;
        log.otherLines.push(...server.tail.otherLines);
        logs.set(name, log);
      }
    }
  }
  for (const connections of CONNECTIONS) {
    for (const name of names) if (!measured.includes(name)) delete results[connections][name];
  }
  return { results, servers: measured.map((name) => servers.get(name)), logs };
}

// ---------------------------------------------------------------------------------------------
// The report.

const reqPerSec = (results, connections, name) => median(results[connections][name].map((run) => run.requestsPerSec));

function cpuText(runs) {
  const values = runs.map((run) => run.cpuUsPerRequest);
  return values.includes(null) ? 'n/a' : median(values).toFixed(1);
}

const check = (ok) => (ok ? '✅' : '❌');

/** The goal lines (for the servers that ran). */
function goals(results, names) {
  const lines = [];
  const ratio = (c, a, b) => reqPerSec(results, c, a) / reqPerSec(results, c, b);
  const each = (a, b, goal) => CONNECTIONS.map((c) => {
    const r = ratio(c, a, b);
    return { text: `-c${c} ${r.toFixed(2)}`, ok: r >= goal };
  });
  const line = (title, parts) => `- ${title}: ${parts.map((p) => `${p.text} ${check(p.ok)}`).join(', ')}`;
  if (names.includes('gwi') && names.includes('raw')) lines.push(line(`makeServer ≥ ${GOALS.gwi} × node:http`, each('gwi', 'raw', GOALS.gwi)));
  if (names.includes('supervisor') && names.includes('raw')) {
    lines.push(line(`gwi runserver (supervisor, request log on) ≥ ${GOALS.supervisorVsRaw} × node:http`, each('supervisor', 'raw', GOALS.supervisorVsRaw)));
  }
  if (names.includes('supervisor') && names.includes('django')) {
    lines.push(line(`gwi runserver ≥ ${GOALS.supervisorVsDjango} × Django runserver`, each('supervisor', 'django', GOALS.supervisorVsDjango)));
  }
  const plain = (a, b) => CONNECTIONS.map((c) => `-c${c} ${ratio(c, a, b).toFixed(2)}`).join(', ');
  const reference = (bytes, server, what) => {
    if (!names.includes(bytes) || !names.includes('raw')) return;
    lines.push(`- For reference, node:http alone writing ${what}'s bytes and access line: ${plain(bytes, 'raw')} × node:http` +
      (names.includes(server) ? `; ${SERVERS[server].label} does ${plain(server, bytes)} of what it does` : ''));
  };
  reference('bytes-gwi', 'gwi', 'makeServer');
  reference('bytes-runserver', 'supervisor', 'runserver');
  return lines;
}

function report(results, servers, skipped, opts, env, logChecks) {
  const names = servers.map((s) => s.name);
  const rows = servers.map((server) => {
    const cells = CONNECTIONS.flatMap((c) => {
      const value = reqPerSec(results, c, server.name);
      const ratio = names.includes('raw') ? (value / reqPerSec(results, c, 'raw')).toFixed(2) : 'n/a';
      return [formatInt(value), `**${ratio}**`];
    });
    const cpu = CONNECTIONS.map((c) => cpuText(results[c][server.name])).join(' / ');
    return `| ${server.label} | ${cells.join(' | ')} | ${cpu} |`;
  });
  const runs = servers.flatMap((server) => CONNECTIONS.map((c) => {
    const list = results[c][server.name];
    const problems = list.filter((run) => run.problem).map((run) => run.problem);
    const overflows = list.reduce((n, run) => n + run.listenOverflows, 0);
    return `- ${server.label} -c${c}: ${list.map((run) => formatInt(run.requestsPerSec)).join(' / ')}` +
      (problems.length > 0 ? ` — wrk reported: ${problems.join('; ')}` : '') +
      (overflows > 0 ? ` — ${formatInt(overflows)} listen-queue overflows` : '');
  }));
  const header = CONNECTIONS.flatMap((c) => [`-c${c} req/s`, `-c${c} × node:http`]);
  return [
    ...machineLines(env),
    `- Load: ${env.wrk}, keep-alive, 1 thread, \`wrk -t1 -cN -d${opts.duration}\`; ${opts.rounds} rounds; in each, every server ` +
      `runs alone (${names.join(', ')}; the order reversed every other round): started, ${opts.warmup} warm-up at each ` +
      'connection count, measured, stopped; median per server',
    ...servers.map((server) => `- ${server.label} (${server.version}): ${server.shown}` +
      (server.logged ? ', request log ON (stderr → file)' : '')),
    `- CPU µs/req: user + system time of the server's processes during the run (loopback TCP delivery included) ÷ requests`,
    '',
    `| Server | ${header.join(' | ')} | CPU µs/req (-c${CONNECTIONS.join(' / -c')}) |`,
    `|---|${header.map(() => '---:').join('|')}|---:|`,
    ...rows,
    '',
    'Goals:',
    ...goals(results, names),
    '',
    'Individual runs (req/s):',
    ...runs,
    '',
    'Request log check (gwi\'s servers and the references: one access line per request, nothing else):',
    ...logChecks,
    ...skipped.map(({ label, reason }) => `- ${label}: skipped: ${reason}`),
  ].join('\n');
}

/** The figures bench/chart.mjs draws: one bar per server and connection count. */
function chartRows(results, servers) {
  return CONNECTIONS.flatMap((c) => servers.filter((server) => !server.reference).map((server) => ({
    label: server.label,
    value: Math.round(reqPerSec(results, c, server.name)),
    unit: 'req/s',
    chart: `Hello world, keep-alive, wrk -c${c} (req/s)`,
    gwi: server.name === 'gwi' || server.name === 'runserver' || server.name === 'supervisor',
  })));
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = options();
  const env = { ...machine(), wrk: requireWrk() };
  ensureBuilt();
  installCleanup();

  const tmp = runTmpdir('throughput');
  const ctx = { tmp, backlog: opts.backlog };
  const failures = [];
  const skipped = [];
  const running = new Set();
  try {
    const { results, servers, logs } = await rounds(opts.servers, opts, ctx, failures, skipped, running);
    const logChecks = servers.filter((server) => logs.has(server.name)).map(({ name, label }) => {
      const { accessLines, otherLines } = logs.get(name);
      return otherLines.length === 0
        ? `- ${label}: ${formatInt(accessLines)} access lines in the measured runs; each run logged wrk's request count plus at most ` +
          'the requests in flight when wrk stopped; no other lines.'
        : `- ${label}: unexpected lines, e.g. ${JSON.stringify(otherLines.slice(0, 3))}`;
    });

    const body = report(results, servers, skipped, opts, env, logChecks);
    console.log(`## ${SECTION}\n\n${body}`);
    if (failures.length > 0) {
      console.error(`\nFAILED — results not written to bench/RESULTS.md:\n- ${failures.join('\n- ')}`);
      process.exitCode = 1;
      return;
    }
    if (!opts.full) {
      progress(`\nnot written to ${RESULTS_PATH}: only a run of every server with the default backlog is`);
      return;
    }
    writeResultsSection(RESULTS_PATH, SECTION, body);
    writeResultsJson('throughput', SECTION, chartRows(results, servers));
    progress(`\nwritten to ${RESULTS_PATH} and bench/results/throughput.json`);
  } finally {
    await Promise.all([...running].map((server) => server.stop()));
  }
}

runBench(main);
