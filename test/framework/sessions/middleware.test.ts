// SessionMiddleware through the framework's GwiHandler, a cookie carried from response to request as a
// browser would: persistence, the cookie's attributes, when it is written or deleted, tampering, expiry,
// and the same cookies as Django's own SessionMiddleware (Debian's python3-django).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureSettings, resetSettings, type SettingsInput } from '../../../src/framework/conf/settings.js';
import { GwiHandler } from '../../../src/framework/handlers/gwi.js';
import { HttpResponse, HttpResponseServerError } from '../../../src/framework/http/response.js';
import { SessionMiddleware } from '../../../src/framework/sessions/middleware.js';
import { loads } from '../../../src/framework/signing.js';
import { clearUrlCaches } from '../../../src/framework/urls/base.js';
import { path as route } from '../../../src/framework/urls/conf.js';
import type { GwiRequest } from '../../../src/framework/http/request.js';
import { BytesInput } from '../../../src/gateway/input.js';
import type { HeaderList } from '../../../src/gateway/types.js';
import { setupTestingDefaults } from '../../../src/gateway/util.js';
import { runDjango } from '../../helpers/django.js';

const KEY = 'sessions-middleware-key';
const SALT = 'django.contrib.sessions.backends.signed_cookies';
/** 2023-11-14T22:13:20Z. */
const NOW = 1_700_000_000;
const EXPIRES_IN_TWO_WEEKS = 'expires=Tue, 28 Nov 2023 22:13:20 GMT';

const text = (body: string) => new HttpResponse(body, { contentType: 'text/plain' });
const count = (request: GwiRequest) => {
  const n = Number(request.session.get('n', 0)) + 1;
  request.session.set('n', n);
  return text(String(n));
};

const urlpatterns = [
  route('count/', count),
  route('read/', (request) => text(JSON.stringify(request.session.get('n') ?? null))),
  route('nothing/', () => text('nothing')),
  route('flush/', (request) => {
    request.session.flush();
    return text('flushed');
  }),
  route('cycle/', (request) => {
    request.session.cycleKey();
    return text('cycled');
  }),
  route('fail/', (request) => {
    request.session.set('n', 99);
    return new HttpResponseServerError('failed');
  }),
  route('expire-in/<int:seconds>/', (request, { seconds }) => {
    request.session.setExpiry(seconds as number);
    return text('set');
  }),
  route('put/', async (request) => {
    const data = JSON.parse((await request.body()).toString()) as Record<string, unknown>;
    request.session.update(data);
    return text('put');
  }),
  route('dump/', (request) => new HttpResponse(JSON.stringify(Object.fromEntries(request.session.items())))),
];

interface Reply {
  status: string;
  body: string;
  headers: HeaderList;
  /** The Set-Cookie header values. */
  cookies: string[];
  vary: string | undefined;
}

let handler: GwiHandler;

async function site(extra: SettingsInput = {}): Promise<void> {
  configureSettings({ SECRET_KEY: KEY, ALLOWED_HOSTS: ['testserver'], MIDDLEWARE: [SessionMiddleware], ROOT_URLCONF: { urlpatterns }, ...extra });
  handler = new GwiHandler();
  await handler.ready();
}

async function call(path: string, cookie?: string, body?: string): Promise<Reply> {
  let status = '';
  let headers: HeaderList = [];
  const environ = setupTestingDefaults({ SERVER_NAME: 'testserver', PATH_INFO: path });
  if (cookie !== undefined) environ.HTTP_COOKIE = cookie;
  if (body !== undefined) Object.assign(environ, { REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(Buffer.byteLength(body)), 'gwi.input': new BytesInput(Buffer.from(body)) });
  const result = await handler.application(environ, (s, h) => {
    status = s;
    headers = h;
    return async () => undefined;
  });
  const bytes = Buffer.concat([...(result as Iterable<Uint8Array>)]);
  await result.close?.();
  const values = (name: string) => headers.filter(([key]) => key.toLowerCase() === name).map(([, value]) => value);
  return { status, body: bytes.toString(), headers, cookies: values('set-cookie'), vary: values('vary')[0] };
}

/** The cookie's value in a Set-Cookie header. */
function valueOf(setCookie: string | undefined): string {
  return /^[^=]+=([^;]*)/.exec(setCookie ?? '')?.[1] ?? '';
}

/** A browser's jar, for one cookie: what the next request sends. */
class Browser {
  cookie: string | undefined;
  constructor(readonly name = 'sessionid') {}
  async get(path: string): Promise<Reply> {
    const reply = await call(path, this.cookie && `${this.name}=${this.cookie}`);
    for (const header of reply.cookies) {
      if (!header.startsWith(`${this.name}=`)) continue;
      this.cookie = /Max-Age=0(;|$)/.test(header) ? undefined : valueOf(header);
    }
    return reply;
  }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW * 1000 });
});

afterEach(() => {
  vi.useRealTimers();
  resetSettings();
  clearUrlCaches();
});

describe('SessionMiddleware', () => {
  it("keeps the session across requests in its signed cookie, with Django's attributes", async () => {
    await site();
    const browser = new Browser();
    const first = await browser.get('/count/');
    expect([first.status, first.body, first.vary]).toEqual(['200 OK', '1', 'Cookie']);
    expect(first.cookies).toEqual([`sessionid=${browser.cookie}; ${EXPIRES_IN_TWO_WEEKS}; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax`]);
    expect(loads(browser.cookie as string, { key: KEY, salt: SALT })).toEqual({ n: 1 });
    expect((await browser.get('/count/')).body).toBe('2');
    expect((await browser.get('/count/')).body).toBe('3');
    expect((await browser.get('/read/')).body).toBe('3');
  });

  it('writes the cookie only when the session changed; Vary: Cookie only when it was read', async () => {
    await site();
    const browser = new Browser();
    await browser.get('/count/');
    const read = await browser.get('/read/');
    expect([read.cookies, read.vary]).toEqual([[], 'Cookie']);
    const untouched = await browser.get('/nothing/');
    expect([untouched.cookies, untouched.vary]).toEqual([[], undefined]);
    const anonymous = await call('/read/');
    expect([anonymous.body, anonymous.cookies, anonymous.vary]).toEqual(['null', [], 'Cookie']);
  });

  it('writes it on every response with SESSION_SAVE_EVERY_REQUEST, renewing its age (not for an empty session)', async () => {
    await site({ SESSION_SAVE_EVERY_REQUEST: true });
    const browser = new Browser();
    expect((await browser.get('/nothing/')).cookies).toEqual([]);
    await browser.get('/count/');
    const before = browser.cookie;
    vi.setSystemTime((NOW + 60) * 1000);
    const untouched = await browser.get('/nothing/');
    expect(untouched.cookies).toEqual([`sessionid=${browser.cookie}; expires=Tue, 28 Nov 2023 22:14:20 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax`]);
    expect(browser.cookie).not.toBe(before);
    expect(loads(browser.cookie as string, { key: KEY, salt: SALT })).toEqual({ n: 1 });
  });

  it("keeps the client's cookie when the response is a 500", async () => {
    await site();
    const browser = new Browser();
    await browser.get('/count/');
    const failed = await browser.get('/fail/');
    expect([failed.status, failed.cookies, failed.vary]).toEqual(['500 Internal Server Error', [], 'Cookie']);
    expect((await browser.get('/read/')).body).toBe('1');
  });

  it('deletes the cookie when the session is flushed', async () => {
    await site();
    const browser = new Browser();
    await browser.get('/count/');
    const flushed = await browser.get('/flush/');
    expect(flushed.cookies).toEqual(['sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax']);
    expect(flushed.vary).toBe('Cookie');
    expect(browser.cookie).toBeUndefined();
    expect((await browser.get('/read/')).body).toBe('null');
  });

  it('sends a new cookie for the same data when the key is cycled', async () => {
    await site();
    const browser = new Browser();
    await browser.get('/count/');
    const before = browser.cookie;
    vi.setSystemTime((NOW + 1) * 1000);
    expect((await browser.get('/cycle/')).cookies).toHaveLength(1);
    expect(browser.cookie).not.toBe(before);
    expect((await browser.get('/read/')).body).toBe('1');
  });

  it('answers a tampered cookie with an empty session, never an error, and a fresh cookie once it is read', async () => {
    await site();
    const browser = new Browser();
    await browser.get('/count/');
    const cookie = browser.cookie as string;
    const forged = `${cookie.slice(0, -3)}${cookie.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const tampered = await call('/read/', `sessionid=${forged}`);
    expect([tampered.status, tampered.body]).toEqual(['200 OK', 'null']);
    // As Django: the unreadable session is a new one, saved empty.
    expect(loads(valueOf(tampered.cookies[0]), { key: KEY, salt: SALT })).toEqual({});
    expect((await call('/nothing/', `sessionid=${forged}`)).cookies).toEqual([]);
    // Too short to be a key: no session at all, so the cookie is deleted.
    expect((await call('/read/', 'sessionid=abc')).cookies).toEqual(['sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax']);
  });

  it('forgets a session whose cookie is older than SESSION_COOKIE_AGE', async () => {
    await site({ SESSION_COOKIE_AGE: 60 });
    const browser = new Browser();
    const first = await browser.get('/count/');
    expect(first.cookies[0]).toContain('Max-Age=60;');
    const cookie = browser.cookie as string;
    vi.setSystemTime((NOW + 60) * 1000);
    expect((await call('/read/', `sessionid=${cookie}`)).body).toBe('1');
    vi.setSystemTime((NOW + 61) * 1000);
    expect((await call('/read/', `sessionid=${cookie}`)).body).toBe('null');
  });

  it('follows the cookie settings', async () => {
    await site({
      SESSION_COOKIE_NAME: 'sid',
      SESSION_COOKIE_DOMAIN: '.example.com',
      SESSION_COOKIE_PATH: '/app',
      SESSION_COOKIE_SECURE: true,
      SESSION_COOKIE_HTTPONLY: false,
      SESSION_COOKIE_SAMESITE: 'Strict',
      SESSION_COOKIE_AGE: 3600,
    });
    const browser = new Browser('sid');
    const first = await browser.get('/count/');
    expect(first.cookies).toEqual([`sid=${browser.cookie}; Domain=.example.com; expires=Tue, 14 Nov 2023 23:13:20 GMT; Max-Age=3600; Path=/app; SameSite=Strict; Secure`]);
    expect((await browser.get('/count/')).body).toBe('2');
    expect((await browser.get('/flush/')).cookies).toEqual([
      'sid=""; Domain=.example.com; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/app; SameSite=Strict',
    ]);
  });

  it("sends a cookie for the browser session only with SESSION_EXPIRE_AT_BROWSER_CLOSE or setExpiry(0), else the session's own age", async () => {
    await site({ SESSION_EXPIRE_AT_BROWSER_CLOSE: true, SESSION_COOKIE_SAMESITE: null });
    const browser = new Browser();
    expect((await browser.get('/count/')).cookies).toEqual([`sessionid=${browser.cookie}; HttpOnly; Path=/`]);
    expect((await browser.get('/expire-in/300/')).cookies).toEqual([
      `sessionid=${browser.cookie}; expires=Tue, 14 Nov 2023 22:18:20 GMT; HttpOnly; Max-Age=300; Path=/`,
    ]);
    expect((await browser.get('/expire-in/0/')).cookies).toEqual([`sessionid=${browser.cookie}; HttpOnly; Path=/`]);
  });

  it('adds Cookie to a Vary header the view set', async () => {
    await site({
      ROOT_URLCONF: {
        urlpatterns: [
          route('', (request) => {
            request.session.get('n');
            return new HttpResponse('x', { headers: { Vary: 'Accept-Encoding' } });
          }),
        ],
      },
    });
    expect((await call('/')).vary).toBe('Accept-Encoding, Cookie');
  });
});

describe("interop with Django's SessionMiddleware", () => {
  const DJANGO = { SECRET_KEY: KEY, SESSION_ENGINE: 'django.contrib.sessions.backends.signed_cookies' };

  it('reads the session cookie Django wrote, and Django reads the one gwi wrote', async () => {
    await site();
    const data = { _auth_user_id: '7', cart: [1, 2, 3], name: 'Zoë', nested: { deep: true } };
    const djangoCookie = (await runDjango(
      `
      from django.contrib.sessions.backends.signed_cookies import SessionStore
      s = SessionStore()
      s.update(args)
      s.save()
      result = s.session_key
      `,
      { settings: DJANGO, now: NOW, args: data },
    )) as string;
    expect(JSON.parse((await call('/dump/', `sessionid=${djangoCookie}`)).body)).toEqual(data);

    const put = await call('/put/', undefined, JSON.stringify(data));
    const gwiCookie = valueOf(put.cookies[0]);
    const readByDjango = await runDjango(
      `
      from django.contrib.sessions.backends.signed_cookies import SessionStore
      result = dict(SessionStore(args).items())
      `,
      { settings: DJANGO, now: NOW + 10, args: gwiCookie },
    );
    expect(readByDjango).toEqual(data);
  });

  it('writes the Set-Cookie headers Django writes, for the same settings and time', async () => {
    const settings = { SESSION_COOKIE_DOMAIN: 'example.com', SESSION_COOKIE_SECURE: true, SESSION_COOKIE_AGE: 7200 };
    await site(settings);
    const browser = new Browser();
    const gwi = [(await browser.get('/count/')).cookies[0], (await browser.get('/flush/')).cookies[0]];
    const django = await runDjango(
      `
      from django.contrib.sessions.backends.signed_cookies import SessionStore
      from django.contrib.sessions.middleware import SessionMiddleware
      from django.http import HttpResponse
      class Request:
          def __init__(self, cookies):
              self.COOKIES = cookies
              self.session = SessionStore(cookies.get('sessionid'))
      middleware = SessionMiddleware(lambda request: HttpResponse())
      result = []
      counted = Request({})
      counted.session['n'] = 1
      response = middleware.process_response(counted, HttpResponse())
      result.append(response.cookies['sessionid'].OutputString())
      flushed = Request({'sessionid': response.cookies['sessionid'].value})
      flushed.session.flush()
      result.append(middleware.process_response(flushed, HttpResponse()).cookies['sessionid'].OutputString())
      `,
      { settings: { ...DJANGO, ...settings }, now: NOW },
    );
    expect(gwi).toEqual(django);
    expect(gwi).toEqual([
      expect.stringMatching(/^sessionid=eyJuIjoxfQ:1r31eq:[\w-]+; Domain=example.com; expires=Wed, 15 Nov 2023 00:13:20 GMT; HttpOnly; Max-Age=7200; Path=\/; SameSite=Lax; Secure$/),
      'sessionid=""; Domain=example.com; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax',
    ]);
  });
});
