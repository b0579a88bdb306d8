// A hello-world server for the benchmarks, run as a child process of bench/throughput.mjs (or
// bench/profile.mjs) so that the load generator and the server never share an event loop.
//
//   node bench/hello-server.mjs raw   node:http, res.writeHead + res.end
//   node bench/hello-server.mjs gwi   gwi's makeServer() + serveForever(), request log ON (to stderr)
//   node bench/hello-server.mjs gwi 511   the same with `requestQueueSize: 511` (node:http's default backlog)
//   node bench/hello-server.mjs express   Express 5: app.get('/', (req, res) => res.type('text/plain').send(...))
//   node bench/hello-server.mjs bytes-gwi         node:http alone writing makeServer's response and access line
//   node bench/hello-server.mjs bytes-runserver   node:http alone writing runserver's response and access line
//
// Listens on 127.0.0.1 and a free port, tells the parent `{ port }` over the IPC channel, and exits
// (flushing gwi's request log) on SIGTERM, SIGINT or when the parent goes away.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const BODY = 'Hello, world!';

function startRaw() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(BODY);
  });
  return listen(server);
}

// The reference servers: node:http and nothing else (no environ, no checks, no GWI), sending the bytes a
// gwi server sends for the hello — wsgiref's Date and Server first, the application's headers, the
// computed Content-Length last; runserver's with its middleware's headers — and writing the same access
// line, batched as gwi's log is. What they cost against raw is the price of that
// output in node:http; what gwi costs against them is gwi's own work.
const SERVER_HEADER = `gwi/${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version} Node.js/${process.versions.node}`;
const HEADS = {
  gwi: (date) => ['Date', date, 'Server', SERVER_HEADER, 'Content-Type', 'text/plain', 'Content-Length', '13'],
  runserver: (date) => [
    'Date', date, 'Server', SERVER_HEADER, 'Content-Type', 'text/plain', 'X-Frame-Options', 'DENY', 'Content-Length', '13',
    'X-Content-Type-Options', 'nosniff', 'Referrer-Policy', 'same-origin', 'Cross-Origin-Opener-Policy', 'same-origin',
  ],
};
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n) => String(n).padStart(2, '0');

function startSameBytes(shape) {
  const body = Buffer.from(BODY);
  const headOf = HEADS[shape];
  let second = -1;
  let date = '';
  let stamp = '';
  let pending = '';
  let flushing = null;
  let resting = null;
  // As gwi's log: written at the end of the turn, then lines gather for 5 ms before the next write.
  const flush = () => {
    flushing = null;
    const text = pending;
    pending = '';
    process.stderr.write(text);
    resting = setTimeout(rested, 5);
  };
  const rested = () => {
    resting = null;
    if (pending !== '') flush();
  };
  process.on('exit', () => process.stderr.write(pending));
  const server = http.createServer((req, res) => {
    const now = Date.now();
    if (Math.floor(now / 1000) !== second) {
      second = Math.floor(now / 1000);
      const d = new Date(now);
      date = d.toUTCString();
      stamp = `[${pad2(d.getDate())}/${MONTHS[d.getMonth()]}/${d.getFullYear()} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}] `;
    }
    res.sendDate = false;
    res.removeHeader('Connection');
    res.writeHead(200, 'OK', headOf(date));
    res.end(body);
    pending += `${stamp}"${req.method} ${req.url} HTTP/${req.httpVersion}" 200 13\n`;
    if (resting === null) flushing ??= setImmediate(flush);
  });
  return listen(server);
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

async function startGwi() {
  const { makeServer, ServerLog } = await import(new URL('../dist/index.js', import.meta.url).href);
  /** @type {import('../dist/index.js').Application} */
  // The body is made once, as a Python app's b'Hello, world!' literal is (raw's string is a constant too).
  const body = Buffer.from(BODY);
  const app = (environ, startResponse) => {
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return [body];
  };
  // The default request log: Django's format on process.stderr, which the parent sends to a file.
  const log = new ServerLog();
  const backlog = process.argv[3];
  const server = await makeServer('127.0.0.1', 0, app, backlog ? { log, requestQueueSize: Number(backlog) } : { log });
  server.serveForever().catch((err) => {
    console.error('serveForever failed:', err);
    process.exit(1);
  });
  return server.serverPort;
}

/** Express 5 from the benchmarks' peers cache (bench/throughput.mjs installs it before starting this). */
async function startExpress() {
  const { installPeer, requirePeer } = await import('./projects.mjs');
  const express = requirePeer(installPeer('express@5'));
  const app = express();
  app.get('/', (req, res) => res.type('text/plain').send(BODY));
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', (err) => (err ? reject(err) : resolve(server.address().port)));
  });
}

const STARTERS = {
  raw: startRaw,
  gwi: startGwi,
  express: startExpress,
  'bytes-gwi': () => startSameBytes('gwi'),
  'bytes-runserver': () => startSameBytes('runserver'),
};

async function main() {
  const kind = process.argv[2];
  const start = STARTERS[kind];
  if (!start || typeof process.send !== 'function') {
    console.error('usage: a child of bench/throughput.mjs — node bench/hello-server.mjs raw|gwi|express|bytes-gwi|bytes-runserver (with an IPC channel)');
    process.exit(2);
  }
  // process.exit() runs gwi's 'exit' hook that flushes the log, and writes --cpu-prof profiles.
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  const port = await start();
  process.send({ port });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
