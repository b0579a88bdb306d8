// The servers of bench/streaming.mjs, one per child process so that each one's memory can be read alone:
//
//   node bench/stream-server.mjs raw   node:http, writing with backpressure (write() false → wait for 'drain')
//   node bench/stream-server.mjs gwi   gwi's makeServer() + serveForever() from dist/, request log ON (stderr)
//
// Both answer the same two requests:
//   GET  /download?bytes=N&chunk=C   N bytes (Content-Length: N), sent in chunks of C bytes, each a NEW
//                                    Buffer (a server that kept them would show it in its RSS)
//   POST /upload                     reads the body in pieces to its end, counting; answers the count
//   GET  /allocate?bytes=N&chunk=C   (raw only) allocates the download's chunks, one per event-loop turn,
//                                    and drops them unsent; answers the count: the memory that garbage
//                                    alone takes before V8 collects it, for reference
// Listens on 127.0.0.1 and a free port, prints `LISTENING <port>` on stdout; exits on SIGTERM or SIGINT.
import http from 'node:http';
import { drained } from './lib.mjs';

const READ_SIZE = 64 * 1024;

/** The download's parameters from the query string. */
function downloadOf(url) {
  const query = new URL(url, 'http://x').searchParams;
  return { bytes: Number(query.get('bytes')), chunk: Number(query.get('chunk') ?? READ_SIZE) };
}

/** The download's body: `bytes` bytes in new chunks of `chunk` bytes (the last one shorter). */
function* chunks({ bytes, chunk }) {
  for (let sent = 0; sent < bytes; sent += chunk) yield Buffer.alloc(Math.min(chunk, bytes - sent), 0x78);
}

function startRaw() {
  const server = http.createServer(async (req, res) => {
    if (req.method === 'POST') {
      let total = 0;
      for await (const piece of req) total += piece.length;
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(String(total));
      return;
    }
    if (req.url.startsWith('/allocate')) {
      let total = 0;
      for (const piece of chunks(downloadOf(req.url))) {
        total += piece.length;
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end(String(total));
      return;
    }
    const download = downloadOf(req.url);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(download.bytes) });
    for (const piece of chunks(download)) {
      if (!res.write(piece)) await drained(res);
      if (res.destroyed) return;
    }
    res.end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

async function startGwi() {
  const { makeServer, ServerLog } = await import(new URL('../dist/index.js', import.meta.url).href);
  /** @type {import('../dist/index.js').Application} */
  const app = async (environ, startResponse) => {
    if (environ.REQUEST_METHOD === 'POST') {
      const input = environ['gwi.input'];
      let total = 0;
      for (let piece = await input.read(READ_SIZE); piece.length > 0; piece = await input.read(READ_SIZE)) total += piece.length;
      startResponse('200 OK', [['Content-Type', 'text/plain']]);
      return [Buffer.from(String(total))];
    }
    const download = downloadOf(`/?${environ.QUERY_STRING}`);
    startResponse('200 OK', [['Content-Type', 'application/octet-stream'], ['Content-Length', String(download.bytes)]]);
    return chunks(download);
  };
  const server = await makeServer('127.0.0.1', 0, app, { log: new ServerLog() });
  server.serveForever().catch((err) => {
    console.error('serveForever failed:', err);
    process.exit(1);
  });
  return server.serverPort;
}

const STARTERS = { raw: startRaw, gwi: startGwi };

async function main() {
  const start = STARTERS[process.argv[2]];
  if (!start) {
    console.error('usage: node bench/stream-server.mjs raw|gwi   (a child of bench/streaming.mjs)');
    process.exit(2);
  }
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log(`LISTENING ${await start()}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
