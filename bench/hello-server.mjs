// A hello-world server for the benchmarks, run as a child process of bench/throughput.mjs (or
// bench/profile.mjs) so that the load generator and the server never share an event loop.
//
//   node bench/hello-server.mjs raw   node:http, res.writeHead + res.end
//   node bench/hello-server.mjs gwi   gwi's makeServer() + serveForever(), request log ON (to stderr)
//   node bench/hello-server.mjs gwi 511   the same with `requestQueueSize: 511` (node:http's default backlog)
//   node bench/hello-server.mjs express   Express 5: app.get('/', (req, res) => res.type('text/plain').send(...))
//
// Listens on 127.0.0.1 and a free port, tells the parent `{ port }` over the IPC channel, and exits
// (flushing gwi's request log) on SIGTERM, SIGINT or when the parent goes away.
import http from 'node:http';

const BODY = 'Hello, world!';

function startRaw() {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(BODY);
  });
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

const STARTERS = { raw: startRaw, gwi: startGwi, express: startExpress };

async function main() {
  const kind = process.argv[2];
  const start = STARTERS[kind];
  if (!start || typeof process.send !== 'function') {
    console.error('usage: a child of bench/throughput.mjs — node bench/hello-server.mjs raw|gwi|express (with an IPC channel)');
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
