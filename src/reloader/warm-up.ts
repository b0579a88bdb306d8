// The standby's warm-up: one request through the whole path a served connection takes (node's HTTP
// parser, the server's handler and its log line, the framework's settings, middleware, URL resolution, a
// view, the response, live reload's wrapper) before any save, so that the load after a save finds gwi's
// own request path compiled, and the new code's first answer comes sooner. It leaves no settings or URL
// caches behind: the project's load starts as in a fresh process.
import net from 'node:net';
import { configureSettings, resetSettings } from '../framework/conf/settings.js';
import { getGwiApplication } from '../framework/handlers/gwi.js';
import { HttpResponse } from '../framework/http/response.js';
import { CommonMiddleware } from '../framework/middleware/common.js';
import { CsrfViewMiddleware } from '../framework/middleware/csrf.js';
import { SecurityMiddleware } from '../framework/middleware/security.js';
import { XFrameOptionsMiddleware } from '../framework/middleware/clickjacking.js';
import { SessionMiddleware } from '../framework/sessions/middleware.js';
import { clearUrlCaches } from '../framework/urls/base.js';
import { path } from '../framework/urls/conf.js';
import type { Application } from '../gateway/types.js';
import { ServerLog } from '../log/server-log.js';
import { GwiServer } from '../server/gwi-server.js';
import { LiveReloadEvents, withLiveReload } from './live-reload.js';

/** Runs the warm-up request; whatever goes wrong only costs the head start. */
export async function warmUp(): Promise<void> {
  try {
    configureSettings({
      DEBUG: true,
      ROOT_URLCONF: { urlpatterns: [path('', () => new HttpResponse('<html><body>warm</body></html>'))] },
      // startproject's.
      MIDDLEWARE: [SecurityMiddleware, SessionMiddleware, CommonMiddleware, CsrfViewMiddleware, XFrameOptionsMiddleware],
    });
    await requestOverLoopback(withLiveReload(getGwiApplication(), { events: new LiveReloadEvents('warm-up'), allowed: () => true }));
  } catch {
    // Only a head start.
  } finally {
    resetSettings();
    clearUrlCaches();
  }
}

/**
 * One GET answered by `app` on a server that is handed the connection as a server process is (its log
 * line written nowhere), from a client in this process over a loopback port open for that one request.
 */
async function requestOverLoopback(app: Application): Promise<void> {
  const server = new GwiServer('127.0.0.1', 0, { listen: false, log: new ServerLog({ stream: { write: () => true } }) });
  await server.serverBind({ listen: false });
  server.setApp(app);
  const listener = net.createServer({ pauseOnConnect: true }, (socket) => server.acceptConnection(socket));
  try {
    await new Promise<void>((resolve, reject) => listener.once('error', reject).listen(0, '127.0.0.1', resolve));
    // Bounded: a connection that fails must not hold the standby up; it only loses its head start.
    const answered = server.handleRequest({ timeout: 2 });
    const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
    client.on('error', () => client.destroy());
    client.end('GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: close\r\n\r\n');
    // Read to the end: the server closes the connection after its answer.
    await new Promise((resolve) => client.resume().once('close', resolve));
    await answered;
  } finally {
    await Promise.all([new Promise((resolve) => listener.close(resolve)), server.serverClose()]);
  }
}
