// The framework through a real server against hostile requests: Host headers a DNS-rebinding page would
// send (400 and Django's django.security.DisallowedHost line), and static-file paths that try to leave
// STATICFILES_DIRS (404); each proved whole with expectRecovered() (django-runserver §3.8, §5).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings, type SettingsInput } from '../../src/framework/conf/settings.js';
import { getGwiApplication } from '../../src/framework/handlers/gwi.js';
import { XFrameOptionsMiddleware } from '../../src/framework/middleware/clickjacking.js';
import { CommonMiddleware } from '../../src/framework/middleware/common.js';
import { SecurityMiddleware } from '../../src/framework/middleware/security.js';
import { HttpResponse } from '../../src/framework/http/response.js';
import { StaticFilesHandler } from '../../src/framework/staticfiles/handlers.js';
import { clearUrlCaches } from '../../src/framework/urls/base.js';
import { path as route } from '../../src/framework/urls/conf.js';
import { SERVER } from '../helpers/expected.js';
import { captureRequestLog } from '../helpers/request-log.js';
import { normalizeDate, rawRequest, STAMP, waitFor } from '../helpers/serve.js';
import { brokenPipe, expectRecovered, RawClient, start, stopAll, type Case } from './leaks.js';

const requestLog = captureRequestLog();
afterEach(async () => {
  await stopAll();
  resetSettings();
  clearUrlCaches();
});

const get = (target: string, host: string): string => `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

// The project template's middleware: the security headers, and CommonMiddleware, which checks the host.
const MIDDLEWARE = [SecurityMiddleware, CommonMiddleware, XFrameOptionsMiddleware];
const SECURITY_HEADERS = 'X-Content-Type-Options: nosniff\r\nReferrer-Policy: same-origin\r\nCross-Origin-Opener-Policy: same-origin\r\n';
const text = (body: string) => () => new HttpResponse(body, { contentType: 'text/plain' });

/** A view's text answer through the template's middleware. */
function viewResponse(body: string): string {
  return (
    `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\nX-Frame-Options: DENY\r\n` +
    `Content-Length: ${body.length}\r\n${SECURITY_HEADERS}\r\n${body}`
  );
}

/** The framework with a home page that never reads the host, and the probe; `settings` on top of the template's. */
async function site(settings: SettingsInput, host = '127.0.0.1'): Promise<Case> {
  configureSettings({
    MIDDLEWARE,
    ROOT_URLCONF: { urlpatterns: [route('', text('home')), route('probe', text('probe ok'))] },
    ...settings,
  });
  return start(getGwiApplication(), {
    host,
    probe: { request: get('/probe', 'localhost'), response: viewResponse('probe ok'), logged: `${STAMP} "GET /probe HTTP/1.1" 200 8\n` },
  });
}

// Django's default 400 page (django.views.defaults.bad_request), 143 bytes.
const BAD_REQUEST_PAGE = '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Bad Request (400)</title>\n</head>\n<body>\n  <h1>Bad Request (400)</h1><p></p>\n</body>\n</html>\n';

/** Django's DisallowedHost message for `host`; the domain it names has no port and no trailing dot. */
function disallowed(host: string, domain: string | null): string {
  return domain === null
    ? `Invalid HTTP_HOST header: '${host}'. The domain name provided is not valid according to RFC 1034/1035.`
    : `Invalid HTTP_HOST header: '${host}'. You may need to add '${domain}' to ALLOWED_HOSTS.`;
}

describe('Host headers outside ALLOWED_HOSTS (DNS rebinding), DEBUG off, ALLOWED_HOSTS localhost and 127.0.0.1', () => {
  const production = { DEBUG: false, ALLOWED_HOSTS: ['localhost', '127.0.0.1'] };

  it.each([
    'evil.example',
    'attacker.com:8000',
    'evil.example.',
    'localhost.evil.example',
    '127.0.0.1.nip.io',
    '10.0.0.1',
    '192.168.1.10:8000',
    '[::2]:8000',
    'localhost@evil.example',
  ])('Host: %s → 400, the default page, the access line only', async (host) => {
    const c = await site(production);
    const answer = await rawRequest(c, get('/', host));
    expect(normalizeDate(answer.toString('latin1'))).toBe(
      `HTTP/1.1 400 Bad Request\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/html; charset=utf-8\r\n` +
        `${SECURITY_HEADERS}Content-Length: 143\r\n\r\n${BAD_REQUEST_PAGE}`,
    );
    expect(c.log()).toBe(`${STAMP} "GET / HTTP/1.1" 400 143\n`);
    // Django's django.security logger prints through the console handler only when DEBUG is on.
    expect(requestLog()).toBe('');
    await expectRecovered(c);
  });

  // Django drops a trailing dot and any port before matching: these are the allowed hosts.
  it.each(['localhost', 'localhost:8000', 'localhost.', '127.0.0.1'])('Host: %s is served', async (host) => {
    const c = await site(production);
    const answer = await rawRequest(c, get('/', host));
    expect(normalizeDate(answer.toString('latin1'))).toBe(viewResponse('home'));
    expect(c.log()).toBe(`${STAMP} "GET / HTTP/1.1" 200 4\n`);
    await expectRecovered(c);
  });

  // RFC 9112 §3.2.2: an absolute-form target's host is the request's host, whatever Host says, so it is
  // the one ALLOWED_HOSTS judges.
  it('an absolute-form target naming a host outside them → 400, whatever Host says', async () => {
    const c = await site(production);
    const answer = await rawRequest(c, get('http://evil.example/', 'localhost'));
    expect(normalizeDate(answer.toString('latin1'))).toBe(
      `HTTP/1.1 400 Bad Request\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/html; charset=utf-8\r\n` +
        `${SECURITY_HEADERS}Content-Length: 143\r\n\r\n${BAD_REQUEST_PAGE}`,
    );
    expect(c.log()).toBe(`${STAMP} "GET http://evil.example/ HTTP/1.1" 400 143\n`);
    await expectRecovered(c);
  });

  it('an absolute-form target naming an allowed host is served, whatever Host says', async () => {
    const c = await site(production);
    const answer = await rawRequest(c, get('http://localhost:8000/probe', 'evil.example'));
    expect(normalizeDate(answer.toString('latin1'))).toBe(viewResponse('probe ok'));
    expect(c.log()).toBe(`${STAMP} "GET http://localhost:8000/probe HTTP/1.1" 200 8\n`);
    await expectRecovered(c);
  });
});

describe('Host headers with DEBUG on and ALLOWED_HOSTS empty (localhost, 127.0.0.1 and [::1] only)', () => {
  const development = { DEBUG: true, ALLOWED_HOSTS: [] };

  async function expectDisallowed(c: Case, host: string, domain: string | null): Promise<void> {
    const log = c.log();
    const answer = (await rawRequest(c, get('/', host))).toString('utf8');
    const split = answer.indexOf('\r\n\r\n') + 4;
    const body = answer.slice(split);
    expect(normalizeDate(answer.slice(0, split))).toBe(
      `HTTP/1.1 400 Bad Request\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/html; charset=utf-8\r\n` +
        `${SECURITY_HEADERS}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
    );
    // The technical 500 page, with status 400, naming the exception (escaped as HTML).
    const message = disallowed(host, domain);
    expect(body).toContain('<title>DisallowedHost');
    expect(body).toContain(message.replace(/'/g, '&#x27;'));
    expect(c.log()).toBe(`${log}${STAMP} "GET / HTTP/1.1" 400 ${Buffer.byteLength(body)}\n`);
    // django.security.DisallowedHost: the message, then the exception and its stack; no "Bad Request:" line.
    const [first, second, ...stack] = requestLog().split('\n');
    expect(first).toBe(message);
    expect(second).toBe(`DisallowedHost: ${message}`);
    expect(stack.join('\n')).toMatch(/^ {4}at .*\n(?: {4}at .*\n)*$/);
  }

  it.each([
    ['evil.example', 'evil.example'],
    ['attacker.com:8000', 'attacker.com'],
    ['evil.example.', 'evil.example'],
    ['localhost.evil.example', 'localhost.evil.example'],
    ['10.0.0.1', '10.0.0.1'],
    ['[::2]', '[::2]'],
    ['exa mple', null],
  ])('Host: %s → 400 and the DisallowedHost log', async (host, domain) => {
    const c = await site(development);
    await expectDisallowed(c, host, domain);
    await expectRecovered(c);
  });

  it.each(['localhost', 'sub.localhost', '127.0.0.1:8000'])('Host: %s is served', async (host) => {
    const c = await site(development);
    expect(normalizeDate((await rawRequest(c, get('/', host))).toString('latin1'))).toBe(viewResponse('home'));
    expect(requestLog()).toBe('');
    await expectRecovered(c);
  });

  it('on ::1: Host [::1]:port is served, Host evil.example is refused', async () => {
    const c = await site(development, '::1');
    expect(normalizeDate((await rawRequest(c, get('/', `[::1]:${c.port}`))).toString('latin1'))).toBe(viewResponse('home'));
    expect(c.log()).toBe(`${STAMP} "GET / HTTP/1.1" 200 4\n`);
    await expectDisallowed(c, 'evil.example', 'evil.example');
    await expectRecovered(c);
  });
});

describe('static files: paths that try to leave STATICFILES_DIRS', () => {
  const HELLO = 'hello from the static root\n';
  const MTIME = new Date('2026-01-02T03:04:05Z');
  let dir: string;
  let secret: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gwi-reliability-'));
    const root = path.join(dir, 'static');
    secret = path.join(dir, 'secret.txt');
    mkdirSync(path.join(root, 'css'), { recursive: true });
    writeFileSync(secret, 'TOP SECRET');
    writeFileSync(path.join(root, 'hello.txt'), HELLO);
    utimesSync(path.join(root, 'hello.txt'), MTIME, MTIME);
    writeFileSync(path.join(root, 'big.bin'), Buffer.alloc(8 * 1024 * 1024, 0x62));
    symlinkSync(secret, path.join(root, 'link-out.txt'));
    symlinkSync(dir, path.join(root, 'dir-out'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The runserver shape: StaticFilesHandler around the framework; the probe is a static file. */
  function staticSite(): Promise<Case> {
    configureSettings({
      DEBUG: false,
      ALLOWED_HOSTS: ['localhost', '127.0.0.1'],
      MIDDLEWARE,
      ROOT_URLCONF: { urlpatterns: [] },
      STATIC_URL: '/static/',
      STATICFILES_DIRS: [path.join(dir, 'static')],
    });
    return start(StaticFilesHandler(getGwiApplication()), {
      probe: {
        request: get('/static/hello.txt', 'localhost'),
        response:
          `HTTP/1.1 200 OK\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/plain\r\n` +
          `Content-Length: ${HELLO.length}\r\nContent-Disposition: inline; filename="hello.txt"\r\n` +
          `Last-Modified: Fri, 02 Jan 2026 03:04:05 GMT\r\n\r\n${HELLO}`,
        logged: `${STAMP} "GET /static/hello.txt HTTP/1.1" 200 ${HELLO.length}\n`,
      },
    });
  }

  // Django's default 404 page, 179 (0xb3) bytes; the static handler runs no middleware, so nothing gives
  // it a Content-Length and it goes out chunked (Django closes the connection instead).
  const NOT_FOUND_PAGE =
    '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n';

  it.each([
    ['../', () => '/static/../secret.txt'],
    ['%2e%2e', () => '/static/%2e%2e/secret.txt'],
    ['%2E%2E%2F', () => '/static/%2E%2E%2Fsecret.txt'],
    ['double-encoded %252e%252e', () => '/static/%252e%252e/secret.txt'],
    ['double-encoded %252e%252e%252f', () => '/static/css/%252e%252e%252f%252e%252e%252fsecret.txt'],
    ['doubled ..../', () => '/static/..../secret.txt'],
    ['....// (../ once stripped)', () => '/static/....//....//secret.txt'],
    ['a backslash', () => '/static/..\\secret.txt'],
    ['%5c', () => '/static/..%5csecret.txt'],
    ['an absolute path', () => `/static/${secret}`],
    ['an encoded absolute path', () => `/static/${encodeURIComponent(secret)}`],
    ['a NUL byte', () => '/static/hello.txt%00.css'],
    ['a symlink pointing outside', () => '/static/link-out.txt'],
    ['a symlinked folder outside', () => '/static/dir-out/secret.txt'],
  ])('%s → 404', async (_name, target) => {
    const c = await staticSite();
    const answer = await rawRequest(c, get(target(), 'localhost'));
    expect(normalizeDate(answer.toString('latin1'))).toBe(
      `HTTP/1.1 404 Not Found\r\nDate: <DATE>\r\nServer: ${SERVER}\r\nContent-Type: text/html; charset=utf-8\r\n` +
        `Transfer-Encoding: chunked\r\n\r\nb3\r\n${NOT_FOUND_PAGE}\r\n0\r\n\r\n`,
    );
    expect(c.log()).toBe(`${STAMP} "GET ${target()} HTTP/1.1" 404 179\n`);
    await expectRecovered(c);
  });

  it('a client that leaves during a large file: the file is closed, a broken pipe logged', async () => {
    const c = await staticSite();
    const client = await RawClient.connect(c);
    client.send(get('/static/big.bin', 'localhost'));
    await client.receive('\r\n\r\nbbbb');
    client.socket.destroy();
    await client.closed;
    await waitFor(() => c.log() !== '');
    expect(c.log()).toBe(brokenPipe(client));
    await expectRecovered(c);
  });
});
