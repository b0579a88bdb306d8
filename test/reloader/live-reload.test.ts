// Live reload's server side on its own: the tag added to whole HTML pages and nothing else, the two
// endpoints under the prefix and their Host check, the event streams, which changes are static ones, and
// the system check that keeps a project's routes out of the prefix.
import { Buffer } from 'node:buffer';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings } from '../../src/framework/conf/settings.js';
import { clearUrlCaches } from '../../src/framework/urls/base.js';
import { path as route, rePath } from '../../src/framework/urls/conf.js';
import { HttpResponse } from '../../src/framework/http/response.js';
import type { Application, Body, HeaderList } from '../../src/gateway/types.js';
import { setupTestingDefaults } from '../../src/gateway/util.js';
import { LIVE_RELOAD_CLIENT } from '../../src/reloader/live-reload-client.js';
import { injectTag, LiveReloadEvents, scriptTag, staticChange, withLiveReload } from '../../src/reloader/live-reload.js';
import { checkReservedPrefix } from '../../src/reloader/reserved-prefix-check.js';

const TAG = scriptTag('t1');
const events = new LiveReloadEvents('t1');
const allowed = (host: string): boolean => host === '127.0.0.1:8000';

afterEach(() => {
  resetSettings();
  clearUrlCaches();
});

interface Answer {
  status: string;
  headers: HeaderList;
  body: Body;
}

/** Calls `app` through withLiveReload like a server would, up to the body. */
async function call(app: Application, extras: Record<string, unknown> = {}): Promise<Answer> {
  const environ = setupTestingDefaults({ HTTP_HOST: '127.0.0.1:8000', ...extras });
  let status = '';
  let headers: HeaderList = [];
  let starts = 0;
  const body = await withLiveReload(app, { events, allowed })(environ, (s, h) => {
    starts++;
    status = s;
    headers = h;
    return async () => {};
  });
  expect(starts).toBe(1);
  return { status, headers, body };
}

async function text(body: Body): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function page(html: string, headers: HeaderList = [['Content-Type', 'text/html; charset=utf-8']], status = '200 OK'): Application {
  const bytes = Buffer.from(html, 'utf8');
  return (_environ, startResponse) => {
    startResponse(status, [...headers, ['Content-Length', String(bytes.length)]]);
    return [bytes];
  };
}

describe('the script tag', () => {
  it('goes before the last </body>, in any case, or at the end of a page without one', () => {
    expect(injectTag(Buffer.from('<p></body> x</BODY >\n</html>'), TAG).toString()).toBe(`<p></body> x${TAG}</BODY >\n</html>`);
    expect(injectTag(Buffer.from('<p>é'), TAG).toString()).toBe(`<p>é${TAG}`);
  });

  it('names the script by the prefix, with the code token URL-encoded, deferred', () => {
    expect(scriptTag('a b')).toBe('<script src="/__gwi__/live-reload.js?v=a%20b" defer></script>');
  });
});

describe('withLiveReload', () => {
  it('adds the tag to a whole HTML page and fixes its Content-Length; close() reaches the page', async () => {
    let closed = 0;
    const app: Application = (environ, startResponse) => {
      const body = page('<html><body>hé</body></html>')(environ, startResponse) as Uint8Array[] & Body;
      body.close = () => void closed++;
      return body;
    };
    const { status, headers, body } = await call(app);
    const expected = `<html><body>hé${TAG}</body></html>`;
    expect(status).toBe('200 OK');
    expect(headers).toEqual([
      ['Content-Type', 'text/html; charset=utf-8'],
      ['Content-Length', String(Buffer.byteLength(expected))],
    ]);
    expect(await text(body)).toBe(expected);
    await body.close?.();
    expect(closed).toBe(1);
  });

  it('leaves alone: other types, HEAD, a 304, a compressed page, a streamed page, write()', async () => {
    const html = '<body>x</body>';
    const untouched = async (app: Application, extras: Record<string, unknown> = {}): Promise<void> => {
      const { body } = await call(app, extras);
      expect(await text(body)).not.toContain('__gwi__');
    };
    await untouched(page(html, [['Content-Type', 'application/json']]));
    await untouched(page(html), { REQUEST_METHOD: 'HEAD' });
    await untouched(page(html, [['Content-Type', 'text/html']], '304 Not Modified'));
    await untouched(page(html, [['Content-Type', 'text/html'], ['Content-Encoding', 'identity']]));
    await untouched((_environ, startResponse) => {
      startResponse('200 OK', [['Content-Type', 'text/html']]);
      return (async function* () {
        yield Buffer.from(html);
      })();
    });
    const written: Uint8Array[] = [];
    const viaWrite: Application = async (_environ, startResponse) => {
      await startResponse('200 OK', [['Content-Type', 'text/html']])(Buffer.from(html));
      return [];
    };
    const environ = setupTestingDefaults({ HTTP_HOST: '127.0.0.1:8000' });
    await withLiveReload(viaWrite, { events, allowed })(environ, () => async (data) => void written.push(data));
    expect(Buffer.concat(written).toString()).toBe(html);
  });

  it('answers the script and refuses a Host ALLOWED_HOSTS does not name (DNS rebinding), under the prefix only', async () => {
    const never: Application = () => {
      throw new Error('the application is not asked');
    };
    const script = await call(never, { PATH_INFO: '/__gwi__/live-reload.js' });
    expect(script.status).toBe('200 OK');
    expect(script.headers).toContainEqual(['Content-Type', 'text/javascript; charset=utf-8']);
    expect(await text(script.body)).toBe(LIVE_RELOAD_CLIENT);
    const refused = await call(never, { PATH_INFO: '/__gwi__/events', HTTP_HOST: 'rebound.example' });
    expect([refused.status, await text(refused.body)]).toEqual(['400 Bad Request', 'Bad Request (400)']);
    expect((await call(never, { PATH_INFO: '/__gwi__/other' })).status).toBe('404 Not Found');
  });

  it('streams events: hello with the token, then what the server says, and ends with endAll()', async () => {
    const own = new LiveReloadEvents('t7');
    const stream = await withLiveReload(page(''), { events: own, allowed })(
      setupTestingDefaults({ HTTP_HOST: '127.0.0.1:8000', PATH_INFO: '/__gwi__/events' }),
      () => async () => {},
    );
    const received = text(stream);
    own.swapStylesheets(['/static/a.css']);
    own.reload();
    own.endAll();
    expect(await received).toBe(
      'retry: 1000\nevent: hello\ndata: t7\n\nevent: css\ndata: ["/static/a.css"]\n\nevent: reload\ndata: \n\n',
    );
  });
});

describe('LiveReloadEvents: open pages', () => {
  const sink = () => ({ write: () => {}, end: () => {} });

  it('tells when the first page connects and when the last one leaves, once each', () => {
    const told: boolean[] = [];
    const own = new LiveReloadEvents('t8', (open) => told.push(open));
    const leaveFirst = own.connect(sink());
    const leaveSecond = own.connect(sink());
    expect(told).toEqual([true]);
    leaveFirst();
    leaveFirst();
    expect(told).toEqual([true]);
    leaveSecond();
    expect(told).toEqual([true, false]);
  });
});

describe('staticChange', () => {
  const assets = { url: '/static/', dirs: [path.resolve('/p/static'), path.resolve('/p/assets')] };

  it('stylesheets as URL paths when every file is one; null for another static file; undefined outside', () => {
    expect(staticChange([path.resolve('/p/static/css/site.css'), path.resolve('/p/assets/ä b.css')], assets)).toEqual([
      '/static/css/site.css',
      '/static/%C3%A4%20b.css',
    ]);
    expect(staticChange([path.resolve('/p/static/site.css'), path.resolve('/p/static/app.js')], assets)).toBeNull();
    expect(staticChange([path.resolve('/p/static/site.css'), path.resolve('/p/mysite/views.ts')], assets)).toBeUndefined();
    expect(staticChange([path.resolve('/p/staticfile.css')], assets)).toBeUndefined();
  });
});

describe('livereload.W001', () => {
  const view = () => new HttpResponse('x');

  it('reports a route under /__gwi__/, not an ordinary one nor a catch-all', async () => {
    configureSettings({ ROOT_URLCONF: { urlpatterns: [route('', view), rePath('^.*$', view)] } as never });
    expect(await checkReservedPrefix()).toEqual([]);
    configureSettings({ ROOT_URLCONF: { urlpatterns: [route('__gwi__/events', view)] } as never });
    const [warning] = await checkReservedPrefix();
    expect(warning?.id).toBe('livereload.W001');
    expect(String(warning)).toBe(
      '?: (livereload.W001) Your URL patterns match paths under /__gwi__/, which runserver keeps for live reload: __gwi__/events.\n' +
        '\tHINT: Move these routes out of /__gwi__/, or run with --nolivereload.',
    );
  });
});
