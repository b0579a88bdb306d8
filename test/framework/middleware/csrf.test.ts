// CsrfViewMiddleware over real requests through the framework: the cookie and the token, the Origin and
// (over HTTPS) Referer checks, Django's reasons in the 403 page and the log, and the view decorators.
import type http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings, type SettingsInput } from '../../../src/framework/conf/settings.js';
import { getGwiApplication } from '../../../src/framework/handlers/gwi.js';
import type { GwiRequest } from '../../../src/framework/http/request.js';
import { HttpResponse, HttpResponseForbidden } from '../../../src/framework/http/response.js';
import {
  CSRF_ALLOWED_CHARS,
  CsrfViewMiddleware,
  getCsrfToken,
  REASON_NO_CSRF_COOKIE,
  REASON_NO_REFERER,
  rotateToken,
} from '../../../src/framework/middleware/csrf.js';
import { clearUrlCaches } from '../../../src/framework/urls/base.js';
import { path as route } from '../../../src/framework/urls/conf.js';
import { csrfExempt, csrfProtect, ensureCsrfCookie, requiresCsrfToken } from '../../../src/framework/views/decorators/csrf.js';
import type { View } from '../../../src/framework/views/generic.js';
import { runDjango } from '../../helpers/django.js';
import { httpRequest, type RequestOptions } from '../../helpers/http.js';
import { captureRequestLog } from '../../helpers/request-log.js';
import { serve, STAMP, type Served } from '../../helpers/serve.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let served: Served | null = null;
const requestLog = captureRequestLog();

afterEach(async () => {
  await served?.close();
  served = null;
  resetSettings();
  clearUrlCaches();
});

/** A form page: the token in a hidden input, as a template would write it. */
const formPage: View = (request) => new HttpResponse(`<input type="hidden" name="csrfmiddlewaretoken" value="${getCsrfToken(request)}">`);
/** What a view that accepts the POST answers. */
const accepted: View = () => new HttpResponse('accepted', { contentType: 'text/plain' });

const PATTERNS = [
  route('form/', formPage),
  route('submit/', accepted),
  route('exempt/', csrfExempt(accepted)),
  route('rotate/', (request) => {
    rotateToken(request);
    return new HttpResponse('rotated');
  }),
  route('plain/', () => new HttpResponse('plain')),
];

async function site(extra: SettingsInput = {}, urlpatterns: unknown[] = PATTERNS): Promise<Served> {
  await served?.close();
  clearUrlCaches();
  configureSettings({
    DEBUG: true,
    ALLOWED_HOSTS: ['127.0.0.1', '.example.com'],
    MIDDLEWARE: [CsrfViewMiddleware],
    ROOT_URLCONF: { urlpatterns },
    ...extra,
  });
  served = await serve(getGwiApplication());
  return served;
}

async function request(target: string, options: Omit<RequestOptions, 'host'> = {}): Promise<Reply> {
  const s = served as Served;
  const reply = await httpRequest(s.port, target, { ...options, host: s.host });
  return { status: reply.status, headers: reply.headers, body: reply.bytes.toString('utf8') };
}

/** The CSRF cookie's value in a reply's Set-Cookie, or undefined. */
function cookieOf(reply: Reply): string | undefined {
  const line = (reply.headers['set-cookie'] ?? []).find((value) => value.startsWith('csrftoken='));
  return line?.slice('csrftoken='.length).split(';', 1)[0];
}

/** GET /form/: the CSRF cookie's secret and the masked token of the page. */
async function tokenAndCookie(): Promise<{ token: string; cookie: string }> {
  const reply = await request('/form/');
  const token = /value="([^"]*)"/.exec(reply.body)?.[1] as string;
  return { token, cookie: cookieOf(reply) as string };
}

function postForm(target: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  return request(target, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

const WORD = /^[a-zA-Z0-9]+$/;
const ANOTHER_SECRET = 'A'.repeat(32);

describe('the token and the cookie', () => {
  it('getCsrfToken() has the CSRF cookie set with Django\u2019s defaults, the 32-character secret, and Vary: Cookie', async () => {
    await site();
    const reply = await request('/form/');
    expect(reply.status).toBe(200);
    const [line] = reply.headers['set-cookie'] as string[];
    expect(line).toMatch(/^csrftoken=[a-zA-Z0-9]{32}; expires=\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT; Max-Age=31449600; Path=\/; SameSite=Lax$/);
    expect(reply.headers.vary).toBe('Cookie');
    const token = /value="([^"]*)"/.exec(reply.body)?.[1] as string;
    expect(token).toHaveLength(64);
    expect(token).toMatch(WORD);
    expect(CSRF_ALLOWED_CHARS).toBe('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
  });

  it('keeps the secret a client sends, renews its cookie when the token is used, and masks the token anew each time', async () => {
    await site();
    const first = await tokenAndCookie();
    const again = await request('/form/', { headers: { Cookie: `csrftoken=${first.cookie}` } });
    expect(cookieOf(again)).toBe(first.cookie);
    const token = /value="([^"]*)"/.exec(again.body)?.[1] as string;
    expect(token).not.toBe(first.token);
    // Both tokens carry the same secret.
    for (const value of [first.token, token]) {
      expect((await postForm('/submit/', { csrfmiddlewaretoken: value }, { Cookie: `csrftoken=${first.cookie}` })).status).toBe(200);
    }
  });

  it('sets no cookie on a page that does not ask for the token', async () => {
    await site();
    const reply = await request('/plain/');
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(reply.headers.vary).toBeUndefined();
  });

  it('replaces a malformed cookie, and keeps a 64-character one from Django before 4.1 (a masked secret)', async () => {
    await site();
    const malformed = await request('/plain/', { headers: { Cookie: 'csrftoken=short' } });
    expect(cookieOf(malformed)).toMatch(/^[a-zA-Z0-9]{32}$/);
    const { token } = await tokenAndCookie();
    // A masked token as the cookie: its secret is what the form's token must hold.
    const old = await postForm('/submit/', { csrfmiddlewaretoken: token }, { Cookie: `csrftoken=${token}` });
    expect(old.status).toBe(200);
    expect(old.headers['set-cookie']).toBeUndefined();
  });

  it('rotateToken() sends a new secret', async () => {
    await site();
    const { cookie } = await tokenAndCookie();
    const rotated = cookieOf(await request('/rotate/', { headers: { Cookie: `csrftoken=${cookie}` } }));
    expect(rotated).toMatch(/^[a-zA-Z0-9]{32}$/);
    expect(rotated).not.toBe(cookie);
  });

  it('sends the cookie as the CSRF_COOKIE_* settings say, and adds Cookie to a Vary already there', async () => {
    await site(
      {
        CSRF_COOKIE_NAME: 'csrftoken',
        CSRF_COOKIE_AGE: null,
        CSRF_COOKIE_DOMAIN: '.example.com',
        CSRF_COOKIE_PATH: '/app/',
        CSRF_COOKIE_SECURE: true,
        CSRF_COOKIE_HTTPONLY: true,
        CSRF_COOKIE_SAMESITE: false,
      },
      [
        route('form/', (request) => {
          const response = new HttpResponse(getCsrfToken(request));
          response.headers.set('Vary', 'Accept-Encoding');
          return response;
        }),
      ],
    );
    const reply = await request('/form/');
    expect(reply.headers['set-cookie']).toEqual([expect.stringMatching(/^csrftoken=[a-zA-Z0-9]{32}; Domain=\.example\.com; HttpOnly; Path=\/app\/; Secure$/)]);
    expect(reply.headers.vary).toBe('Accept-Encoding, Cookie');
  });
});

describe('unsafe requests', () => {
  it('pass with GET, HEAD, OPTIONS and TRACE, with neither cookie nor token', async () => {
    await site();
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'TRACE']) expect((await request('/submit/', { method })).status, method).toBe(200);
  });

  it('are refused without the CSRF cookie: the 403 page, the log line and the access line', async () => {
    await site();
    const reply = await postForm('/submit/', { csrfmiddlewaretoken: 'x'.repeat(64) });
    expect(reply.status).toBe(403);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.body).toContain('<h1>Forbidden <span>(403)</span></h1>');
    expect(reply.body).toContain('<pre>\n    CSRF cookie not set.\n    </pre>');
    expect(reply.body).toContain('this site requires a CSRF cookie when submitting forms.');
    // Logged once, by the middleware (the handler does not add its own "Forbidden: /submit/").
    expect(requestLog()).toBe('Forbidden (CSRF cookie not set.): /submit/\n');
    expect(served?.log()).toBe(`${STAMP} "POST /submit/ HTTP/1.1" 403 ${Buffer.byteLength(reply.body)}\n`);
  });

  it.each([
    ['no token at all', {}, {}, 'CSRF token missing.'],
    ['a wrong token in the form', { csrfmiddlewaretoken: 'a'.repeat(64) }, {}, 'CSRF token from POST incorrect.'],
    ['a form token of the wrong length', { csrfmiddlewaretoken: 'abc' }, {}, 'CSRF token from POST has incorrect length.'],
    ['a form token with other characters', { csrfmiddlewaretoken: '-'.repeat(32) }, {}, 'CSRF token from POST has invalid characters.'],
    ['a wrong token in the header', {}, { 'X-CSRFToken': ANOTHER_SECRET }, "CSRF token from the 'X-Csrftoken' HTTP header incorrect."],
    ['a header token of the wrong length', {}, { 'X-CSRFToken': 'abc' }, "CSRF token from the 'X-Csrftoken' HTTP header has incorrect length."],
  ])('are refused with %s', async (_label, fields, headers, reason) => {
    await site();
    const { cookie } = await tokenAndCookie();
    const reply = await postForm('/submit/', fields, { Cookie: `csrftoken=${cookie}`, ...headers });
    expect(reply.status).toBe(403);
    expect(reply.body).toContain(`<pre>\n    ${reason.replace(/'/g, '&#x27;')}\n    </pre>`);
    expect(requestLog()).toBe(`Forbidden (${reason}): /submit/\n`);
  });

  it('are refused with a malformed cookie, said so', async () => {
    await site();
    const reply = await postForm('/submit/', { csrfmiddlewaretoken: 'a'.repeat(64) }, { Cookie: 'csrftoken=bad!' });
    expect(reply.status).toBe(403);
    expect(requestLog()).toBe('Forbidden (CSRF cookie has incorrect length.): /submit/\n');
  });

  it('pass with the form token, in a urlencoded or a multipart body', async () => {
    await site();
    const { token, cookie } = await tokenAndCookie();
    expect((await postForm('/submit/', { csrfmiddlewaretoken: token }, { Cookie: `csrftoken=${cookie}` })).body).toBe('accepted');
    const boundary = 'gwiCsrfBoundary';
    const reply = await request('/submit/', {
      method: 'POST',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, Cookie: `csrftoken=${cookie}` },
      body: `--${boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n${token}\r\n--${boundary}--\r\n`,
    });
    expect(reply.status).toBe(200);
    expect(requestLog()).toBe('');
  });

  it('pass with a token Django masked for the same secret', async () => {
    await site();
    // Django's _mask_cipher_secret('Zq3vGf0KcW8yT1pLmN4bX7rD2hJ9sA6e'), made by Django itself.
    const secret = 'Zq3vGf0KcW8yT1pLmN4bX7rD2hJ9sA6e';
    const token = 'rBnnl4ovGLUY6HsMcxC5MQuBA4yWPRSwgRgIR9e5IxSmPyHnoaw6zNL4sb7V7hOA';
    expect((await postForm('/submit/', { csrfmiddlewaretoken: token }, { Cookie: `csrftoken=${secret}` })).status).toBe(200);
    expect((await postForm('/submit/', { csrfmiddlewaretoken: token }, { Cookie: `csrftoken=${ANOTHER_SECRET}` })).status).toBe(403);
  });

  it('pass with the token in the X-CSRFToken header (masked, or the secret a script read from the cookie), any method', async () => {
    await site();
    const { token, cookie } = await tokenAndCookie();
    for (const [method, value] of [
      ['PUT', token],
      ['DELETE', cookie],
      ['PATCH', token],
      ['POST', cookie],
    ] as const) {
      const reply = await request('/submit/', { method, headers: { Cookie: `csrftoken=${cookie}`, 'X-CSRFToken': value, 'Content-Type': 'application/json' }, body: '{}' });
      expect(reply.status, method).toBe(200);
    }
  });

  it('read the header CSRF_HEADER_NAME names', async () => {
    await site({ CSRF_HEADER_NAME: 'HTTP_X_XSRF_TOKEN' });
    const { token, cookie } = await tokenAndCookie();
    expect((await request('/submit/', { method: 'PUT', headers: { Cookie: `csrftoken=${cookie}`, 'X-XSRF-Token': token } })).status).toBe(200);
    expect((await request('/submit/', { method: 'PUT', headers: { Cookie: `csrftoken=${cookie}`, 'X-CSRFToken': token } })).status).toBe(403);
    expect(requestLog()).toBe('Forbidden (CSRF token missing.): /submit/\n');
  });

  it('pass unchecked to a csrfExempt() view, which keeps its name', async () => {
    await site();
    expect((await postForm('/exempt/', {})).body).toBe('accepted');
    expect(csrfExempt(accepted).name).toBe('accepted');
    expect(csrfExempt(accepted).csrfExempt).toBe(true);
  });

  it('get the CSRF_FAILURE_VIEW, called with the reason, as a function or an import string', async () => {
    const reasons: string[] = [];
    const failure = (_request: GwiRequest, { reason }: { reason: string }) => {
      reasons.push(reason);
      return new HttpResponseForbidden(`no: ${reason}`, { contentType: 'text/plain' });
    };
    await site({ CSRF_FAILURE_VIEW: failure });
    const reply = await postForm('/submit/', {});
    expect(reply.body).toBe('no: CSRF cookie not set.');
    expect(reasons).toEqual([REASON_NO_CSRF_COOKIE]);
    expect(requestLog()).toBe('Forbidden (CSRF cookie not set.): /submit/\n');
  });

  it('log the reason and the path escaped, and only with DEBUG on', async () => {
    await site({}, [route('caf\u00e9/', accepted)]);
    await postForm('/caf%C3%A9/', {});
    expect(requestLog()).toBe('Forbidden (CSRF cookie not set.): /caf\\xe9/\n');
    await site({ DEBUG: false }, [route('caf\u00e9/', accepted)]);
    await postForm('/caf%C3%A9/', {});
    expect(requestLog()).toBe('Forbidden (CSRF cookie not set.): /caf\\xe9/\n');
  });
});

describe('the Origin header', () => {
  async function post(origin: string, extra: SettingsInput = {}): Promise<Reply> {
    await site(extra);
    const { token, cookie } = await tokenAndCookie();
    return postForm('/submit/', { csrfmiddlewaretoken: token }, { Cookie: `csrftoken=${cookie}`, Origin: origin });
  }

  it('of the site itself passes; another port is another origin', async () => {
    await site();
    const { token, cookie } = await tokenAndCookie();
    const { host, port } = served as Served;
    const send = (origin: string) => postForm('/submit/', { csrfmiddlewaretoken: token }, { Cookie: `csrftoken=${cookie}`, Origin: origin });
    expect((await send(`http://${host}:${port}`)).status).toBe(200);
    expect((await send(`https://${host}:${port}`)).status).toBe(403);
    expect((await send(`http://${host}:${port + 1}`)).status).toBe(403);
  });

  it('of another site is refused even with a valid token', async () => {
    const reply = await post('http://evil.example');
    expect(reply.status).toBe(403);
    expect(reply.body).toContain('Origin checking failed - http://evil.example does not match any trusted origins.');
    expect(requestLog()).toBe('Forbidden (Origin checking failed - http://evil.example does not match any trusted origins.): /submit/\n');
    // A privacy-sensitive context sends "null".
    expect((await post('null')).status).toBe(403);
  });

  it.each([
    ['an exact trusted origin', 'https://app.example.net', ['https://app.example.net']],
    ['a subdomain of a trusted wildcard', 'https://a.b.example.net', ['https://*.example.net']],
    ['the wildcard domain itself', 'https://example.net', ['https://*.example.net']],
  ])('in CSRF_TRUSTED_ORIGINS passes: %s', async (_label, origin, trusted) => {
    expect((await post(origin, { CSRF_TRUSTED_ORIGINS: trusted })).status).toBe(200);
  });

  it.each([
    ['another scheme', 'http://app.example.net', ['https://app.example.net']],
    ['another scheme for a wildcard', 'http://a.example.net', ['https://*.example.net']],
    ['a subdomain of an exact origin', 'https://a.app.example.net', ['https://app.example.net']],
    ['an unparsable origin', 'https://[::1', ['https://*.example.net']],
  ])('outside CSRF_TRUSTED_ORIGINS is refused: %s', async (_label, origin, trusted) => {
    expect((await post(origin, { CSRF_TRUSTED_ORIGINS: trusted })).status).toBe(403);
  });
});

describe('over HTTPS (without an Origin), the Referer', () => {
  /** A site seen over HTTPS (through SECURE_PROXY_SSL_HEADER), and a POST to it with a valid token. */
  async function secureSite(extra: SettingsInput = {}): Promise<(referer: string | null, headers?: Record<string, string>) => Promise<Reply>> {
    await site({ SECURE_PROXY_SSL_HEADER: ['HTTP_X_FORWARDED_PROTO', 'https'], ...extra });
    const { token, cookie } = await tokenAndCookie();
    return (referer, headers = {}) =>
      postForm('/submit/', { csrfmiddlewaretoken: token }, {
        Cookie: `csrftoken=${cookie}`,
        'X-Forwarded-Proto': 'https',
        ...(referer === null ? {} : { Referer: referer }),
        ...headers,
      });
  }

  const port = (): number => (served as Served).port;

  it('must be there: the page explains why', async () => {
    const reply = await (await secureSite())(null);
    expect(reply.status).toBe(403);
    expect(reply.body).toContain('this HTTPS site requires a “Referer header” to be sent by your web browser');
    expect(reply.body).toContain('If you are using the &lt;meta name=&quot;referrer&quot; content=&quot;no-referrer&quot;&gt; tag');
    expect(requestLog()).toBe(`Forbidden (${REASON_NO_REFERER}): /submit/\n`);
  });

  it.each([
    ['malformed', 'not a url', 'Referer checking failed - Referer is malformed.'],
    ['unparsable', 'https://[::1/', 'Referer checking failed - Referer is malformed.'],
    ['insecure', 'http://127.0.0.1/form/', 'Referer checking failed - Referer is insecure while host is secure.'],
    ['another site', 'HTTPS://evil.example/page?q=1', 'Referer checking failed - https://evil.example/page?q=1 does not match any trusted origins.'],
    ['the site without its port', 'https://127.0.0.1/form/', 'Referer checking failed - https://127.0.0.1/form/ does not match any trusted origins.'],
  ])('is refused when %s', async (_label, referer, reason) => {
    const reply = await (await secureSite())(referer);
    expect(reply.status).toBe(403);
    expect(requestLog()).toBe(`Forbidden (${reason}): /submit/\n`);
  });

  it('passes when it is this site, or a host of CSRF_TRUSTED_ORIGINS', async () => {
    expect((await (await secureSite())(`https://127.0.0.1:${port()}/form/`)).status).toBe(200);
    expect((await (await secureSite({ CSRF_TRUSTED_ORIGINS: ['https://pay.example.org'] }))('https://pay.example.org/checkout')).status).toBe(200);
    expect((await (await secureSite({ CSRF_TRUSTED_ORIGINS: ['https://*.pay.example.org'] }))('https://a.pay.example.org/')).status).toBe(200);
    expect(requestLog()).toBe('');
  });

  it('may name any subdomain of CSRF_COOKIE_DOMAIN, with the server port', async () => {
    const post = await secureSite({ CSRF_COOKIE_DOMAIN: '.example.com' });
    const host = { Host: `shop.example.com:${port()}` };
    expect((await post(`https://www.example.com:${port()}/form/`, host)).status).toBe(200);
    expect((await post('https://www.example.com/form/', host)).status).toBe(403);
    expect((await post(`https://www.example.org:${port()}/form/`, host)).status).toBe(403);
  });

  it('is not looked at when the Origin is there', async () => {
    const post = await secureSite();
    expect((await post(null, { Origin: `https://127.0.0.1:${port()}` })).status).toBe(200);
    expect((await post(null, { Origin: `http://127.0.0.1:${port()}` })).status).toBe(403);
  });
});

describe('the 403 page', () => {
  it('without DEBUG: the summary only, no reason', async () => {
    await site({ DEBUG: false });
    const reply = await postForm('/submit/', {});
    expect(reply.status).toBe(403);
    expect(reply.body).toContain('<title>403 Forbidden</title>');
    expect(reply.body).toContain('<p>CSRF verification failed. Request aborted.</p>');
    expect(reply.body).toContain('<p><small>More information is available with DEBUG=true.</small></p>');
    expect(reply.body).not.toContain('Reason given for failure');
    expect(reply.body).not.toContain('<h2>Help</h2>');
    expect(requestLog()).toBe('');
  });

  it('with DEBUG: the reason and the help', async () => {
    await site();
    const reply = await postForm('/submit/', {}, { Cookie: `csrftoken=${ANOTHER_SECRET}` });
    expect(reply.body).toContain('<h2>Help</h2>');
    expect(reply.body).toContain('<p>Reason given for failure:</p>\n    <pre>\n    CSRF token missing.\n    </pre>');
    expect(reply.body).toContain('calls <code>getCsrfToken(request)</code>');
    expect(reply.body).toContain('You can customize this page using the CSRF_FAILURE_VIEW setting.');
    expect(reply.body).not.toContain('More information is available');
    // Neither cookie nor Referer explanation: the reason is another.
    expect(reply.body).not.toContain('requires a CSRF cookie');
    expect(reply.body).not.toContain('Referer header');
  });
});

describe('the decorators, without the middleware', () => {
  const urlpatterns = [
    route('protected/', csrfProtect(accepted)),
    route('form/', csrfProtect(formPage)),
    route('cookie/', ensureCsrfCookie(() => new HttpResponse('cookie'))),
    route('token/', requiresCsrfToken((request) => new HttpResponse(getCsrfToken(request)))),
  ];

  it('csrfProtect checks the one view, and sets the cookie its page asks for', async () => {
    await site({ MIDDLEWARE: [] }, urlpatterns);
    const refused = await postForm('/protected/', {});
    expect(refused.status).toBe(403);
    expect(requestLog()).toBe('Forbidden (CSRF cookie not set.): /protected/\n');
    const { token, cookie } = await tokenAndCookie();
    expect(cookie).toMatch(/^[a-zA-Z0-9]{32}$/);
    expect((await postForm('/protected/', { csrfmiddlewaretoken: token }, { Cookie: `csrftoken=${cookie}` })).body).toBe('accepted');
    expect(csrfProtect(accepted).name).toBe('accepted');
  });

  it('ensureCsrfCookie sets the cookie without the view asking; requiresCsrfToken refuses nothing', async () => {
    await site({ MIDDLEWARE: [] }, urlpatterns);
    const page = await request('/cookie/');
    expect(cookieOf(page)).toMatch(/^[a-zA-Z0-9]{32}$/);
    expect(page.headers.vary).toBe('Cookie');
    const posted = await postForm('/token/', {});
    expect(posted.status).toBe(200);
    expect(posted.body).toMatch(/^[a-zA-Z0-9]{64}$/);
    expect(cookieOf(posted)).toMatch(/^[a-zA-Z0-9]{32}$/);
    expect(requestLog()).toBe('');
  });

  it('csrfProtect and the middleware together check once', async () => {
    await site({}, urlpatterns);
    const { token, cookie } = await tokenAndCookie();
    const reply = await postForm('/protected/', { csrfmiddlewaretoken: token }, { Cookie: `csrftoken=${cookie}` });
    expect(reply.status).toBe(200);
    expect(reply.headers['set-cookie']).toBeUndefined();
  });
});

describe("interop with Django's CSRF tokens (Debian's python3-django)", () => {
  it('Django accepts the token and cookie gwi made, and gwi the ones Django made', async () => {
    await site();
    const { token, cookie } = await tokenAndCookie();
    const djangoAccepts = await runDjango(
      `
      from django.middleware.csrf import _compare_masked_tokens, _sanitize_token
      result = _compare_masked_tokens(_sanitize_token(args['token']), _sanitize_token(args['cookie']))
      `,
      { settings: {}, args: { token, cookie } },
    );
    expect(djangoAccepts).toBe(true);

    const django = (await runDjango(
      `
      from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret
      secret = _get_new_csrf_string()
      result = {
          'secret': secret,
          'cookie': _mask_cipher_secret(secret),
          'token': _mask_cipher_secret(secret),
          'other': _mask_cipher_secret(_get_new_csrf_string()),
      }
      `,
      { settings: {}, args: null },
    )) as { secret: string; cookie: string; token: string; other: string };
    // Django 3.2 keeps a masked token in the cookie (its own masking), Django 4.1+ the secret: gwi takes either.
    expect([django.secret.length, django.cookie.length, django.cookie === django.token]).toEqual([32, 64, false]);
    for (const djangoCookie of [django.secret, django.cookie]) {
      const reply = await postForm('/submit/', { csrfmiddlewaretoken: django.token }, { Cookie: `csrftoken=${djangoCookie}` });
      expect(reply.body).toBe('accepted');
    }
    const refused = await postForm('/submit/', { csrfmiddlewaretoken: django.other }, { Cookie: `csrftoken=${django.secret}` });
    expect(refused.status).toBe(403);
  });
});
