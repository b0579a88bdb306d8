// The standby's warm-up: one request through the framework (settings, middleware, URL resolution, a view,
// the response, live reload's wrapper) before any save, so that the load after a save finds gwi's own
// request path compiled, and the new code's first answer comes sooner. It leaves no settings or URL
// caches behind: the project's load starts as in a fresh process.
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
import type { Body } from '../gateway/types.js';
import { setupTestingDefaults } from '../gateway/util.js';
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
    const app = withLiveReload(getGwiApplication(), { events: new LiveReloadEvents('warm-up'), allowed: () => true });
    const body: Body = await app(setupTestingDefaults({ HTTP_HOST: '127.0.0.1:8000' }), () => async () => {});
    for await (const _chunk of body as AsyncIterable<Uint8Array>) {
      // Read to the end, as a server does.
    }
    await body.close?.();
  } catch {
    // Only a head start.
  } finally {
    resetSettings();
    clearUrlCaches();
  }
}
