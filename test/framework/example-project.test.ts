// templates/example_project end to end: its settings loaded as runserver loads them, its application behind
// StaticFilesHandler on a real server, and every page of the demo checked over HTTP.
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getInternalGwiApplication } from '../../src/framework/handlers/application.js';
import { configureSettings, loadSettings, resetSettings, settings } from '../../src/framework/conf/settings.js';
import { setRequestLogStream, type LogStream } from '../../src/framework/utils/log.js';
import { StaticFilesHandler } from '../../src/framework/staticfiles/handlers.js';
import { clearUrlCaches } from '../../src/framework/urls/base.js';
import { serve, STAMP, waitFor, type Served } from '../helpers/serve.js';
import { httpRequest } from '../helpers/http.js';

const EXAMPLE = fileURLToPath(new URL('../../templates/example_project/', import.meta.url));
const VIEWS_FILE = path.join(EXAMPLE, 'mysite', 'views.ts');
const SECRET_KEY = 'gwi-insecure-y2zc(t-je7qpmiw1cl28)xaalud(+86kvtf@rtpi1yq19c3p+_';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** How many pieces the body arrived in. */
  chunks: number;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

let served: Served | null = null;
let requestLog = '';
let previousLog: LogStream;

/** What runserver serves: the project's GWI_APPLICATION, wrapped for static files. */
async function start(): Promise<Served> {
  served = await serve(StaticFilesHandler(await getInternalGwiApplication()));
  return served;
}

async function request(target: string, { method = 'GET', headers = {}, body }: RequestOptions = {}): Promise<Reply> {
  const s = served ?? (await start());
  const reply = await httpRequest(s.port, target, { host: s.host, method, headers, ...(body === undefined ? {} : { body }) });
  return { status: reply.status, headers: reply.headers, body: reply.bytes, text: reply.bytes.toString('utf8'), chunks: reply.chunks };
}

/** A page's CSRF token (its hidden csrfmiddlewaretoken input) and the Cookie header holding its secret. */
async function csrfOf(target: string): Promise<{ token: string; cookie: string }> {
  const reply = await request(target);
  const token = /<input type="hidden" name="csrfmiddlewaretoken" value="([a-zA-Z0-9]{64})">/.exec(reply.text)?.[1];
  const secret = /^csrftoken=([a-zA-Z0-9]{32});/.exec((reply.headers['set-cookie'] ?? [])[0] ?? '')?.[1];
  if (!token || !secret) throw new Error(`${target} has no CSRF token`);
  return { token, cookie: `csrftoken=${secret}` };
}

/** What a script sends: the cookie's secret, and the same in the X-CSRFToken header (a raw request has no page to read). */
const CSRF_SECRET = 'gwiExampleCsrfSecret0123456789ab';
const CSRF_HEADERS = { Cookie: `csrftoken=${CSRF_SECRET}`, 'X-CSRFToken': CSRF_SECRET };

/** The one line of the server's log about `requestLine`, as `[stamp] "GET / HTTP/1.1" 200 123`. */
function logLine(requestLine: string, status: number, size: number | string): string {
  return `${STAMP} "${requestLine}" ${status} ${size}\n`;
}

/** The headers every response from the project's middleware carries. */
function expectMiddlewareHeaders(reply: Reply): void {
  expect(reply.headers['x-content-type-options']).toBe('nosniff');
  expect(reply.headers['referrer-policy']).toBe('same-origin');
  expect(reply.headers['cross-origin-opener-policy']).toBe('same-origin');
  expect(reply.headers['x-frame-options']).toBe('DENY');
  expect(reply.headers['x-response-time']).toMatch(/^\d+\.\d{2}ms$/);
}

function expectContentLength(reply: Reply): void {
  expect(reply.headers['content-length']).toBe(String(reply.body.length));
  expect(reply.headers['transfer-encoding']).toBeUndefined();
}

beforeEach(async () => {
  requestLog = '';
  previousLog = setRequestLogStream({ write: (text: string) => (requestLog += text) });
  // As runserver: the settings module named by the example's package.json (the environment is kept out).
  await loadSettings({ cwd: EXAMPLE, env: {} });
});

afterEach(async () => {
  await served?.close();
  served = null;
  setRequestLogStream(previousLog);
  resetSettings();
  clearUrlCaches();
});

describe('settings', () => {
  it('are found through package.json and hold what the template promises', () => {
    expect(settings.SETTINGS_MODULE).toBe('mysite/settings');
    expect(settings.BASE_DIR).toBe(path.resolve(EXAMPLE));
    expect(settings.DEBUG).toBe(true);
    expect(settings.ALLOWED_HOSTS).toEqual([]);
    expect(settings.ROOT_URLCONF).toBe('mysite/urls');
    expect(settings.GWI_APPLICATION).toBe('mysite/gwi#application');
    expect(settings.MIDDLEWARE.map((m) => (typeof m === 'string' ? m : m.name))).toEqual([
      'SecurityMiddleware',
      'SessionMiddleware',
      'CommonMiddleware',
      'CsrfViewMiddleware',
      'XFrameOptionsMiddleware',
      'mysite/middleware#timingMiddleware',
    ]);
    expect(settings.STATIC_URL).toBe('/static/');
    expect(settings.STATICFILES_DIRS).toEqual(['static']);
  });
});

describe('pages', () => {
  it('the home page links every demo, with the middleware headers and a Content-Length', async () => {
    const reply = await request('/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expectContentLength(reply);
    expectMiddlewareHeaders(reply);
    for (const href of [
      '/articles/42/?format=short',
      '/greeting/?name=Ada',
      '/form/',
      '/upload/',
      '/stream/',
      '/polls/',
      '/missing/',
      '/boom/',
      '/go/',
      '/visits/',
      '/static/style.css',
    ]) {
      expect(reply.text).toContain(`<a href="${href}">`);
    }
    expect(reply.text).toContain('<link rel="stylesheet" href="/static/style.css">');
    expect(reply.text).toContain('<script src="/static/app.js" defer></script>');
    expect(served?.log()).toBe(logLine('GET / HTTP/1.1', 200, reply.body.length));
    expect(requestLog).toBe('');
  });

  it('every link of the home page answers as its label says', async () => {
    const home = await request('/');
    const hrefs = [...home.text.matchAll(/<a href="([^"]+)">/g)].map((m) => (m[1] as string).replace(/&amp;/g, '&'));
    const statuses: Record<string, number> = {};
    for (const href of hrefs) statuses[href] = (await request(href, { headers: { Accept: 'text/html' } })).status;
    expect(statuses).toEqual({
      '/': 200,
      '/articles/42/?format=short': 200,
      '/greeting/?name=Ada': 200,
      '/form/': 200,
      '/upload/': 200,
      '/stream/': 200,
      '/polls/': 200,
      '/missing/': 404,
      '/boom/': 500,
      '/go/': 302,
      '/visits/': 200,
      '/nowhere/': 404,
      '/form': 301,
      '/static/style.css': 200,
    });
  });

  it('a JSON view gets the <int:id> parameter as a number, and the query string', async () => {
    const reply = await request('/articles/42/?format=short&tag=a%26b');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expectContentLength(reply);
    expectMiddlewareHeaders(reply);
    expect(JSON.parse(reply.text)).toEqual({ id: 42, title: 'Article 42', url: '/articles/42/', query: { format: 'short', tag: 'a&b' } });
    expect((await request('/articles/forty-two/')).status).toBe(404);
  });

  it('the class-based view answers GET and POST, and 405 for other methods', async () => {
    const get = await request('/greeting/?name=%3Cb%3EAda%3C%2Fb%3E');
    expect(get.status).toBe(200);
    expect(get.text).toContain('<h1>Hello, &lt;b&gt;Ada&lt;/b&gt;!</h1>');
    expectContentLength(get);

    const post = await request('/greeting/', { method: 'POST', headers: { 'Content-Type': 'application/json', ...CSRF_HEADERS }, body: '{"name":"Grace"}' });
    expect(post.status).toBe(201);
    expect(JSON.parse(post.text)).toEqual({ greeting: 'Hello, Grace!' });
    expectMiddlewareHeaders(post);

    const put = await request('/greeting/', { method: 'PUT', headers: CSRF_HEADERS, body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
    expectMiddlewareHeaders(put);
    // The view's own line, then the handler's for any 4xx (Django logs both as well).
    expect(requestLog).toBe('Method Not Allowed (PUT): /greeting/\nMethod Not Allowed: /greeting/\n');
  });

  it('the form round trip shows back what was posted, escaped', async () => {
    const form = await request('/form/');
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form method="post" action="/form/">');
    const { token, cookie } = await csrfOf('/form/');

    const fields = new URLSearchParams([
      ['name', '<script>alert("hi")</script>'],
      ['message', `Tom & Jerry's "show"\nline 2`],
      ['topic', 'routing'],
      ['topic', 'static files'],
      ['csrfmiddlewaretoken', token],
    ]);
    const reply = await request('/form/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
      body: fields.toString(),
    });
    expect(reply.status).toBe(200);
    expectContentLength(reply);
    expectMiddlewareHeaders(reply);
    expect(reply.text).toContain('<span class="name">&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;</span>');
    expect(reply.text).toContain('<blockquote class="message">Tom &amp; Jerry&#x27;s &quot;show&quot;\nline 2</blockquote>');
    expect(reply.text).toContain('<ul class="topics"><li>routing</li><li>static files</li></ul>');
    expect(reply.text).not.toContain('<script>alert');
  });

  it('a POST without the form\u2019s CSRF token is refused by CsrfViewMiddleware', async () => {
    const { cookie } = await csrfOf('/form/');
    const reply = await request('/form/', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie }, body: 'name=Eve' });
    expect(reply.status).toBe(403);
    expect(reply.text).toContain('CSRF verification failed. Request aborted.');
    expectMiddlewareHeaders(reply);
    expect(requestLog).toBe('Forbidden (CSRF token missing.): /form/\n');
  });

  it('an upload of a few hundred KB is reported with its name, size and SHA-256', async () => {
    const data = randomBytes(300 * 1024 + 7);
    const boundary = '----gwiExampleBoundary7MA4YWxkTrZu0gW';
    const { token, cookie } = await csrfOf('/upload/');
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n${token}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nfirst <try>\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`),
      data,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const reply = await request('/upload/', {
      method: 'POST',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(body.length), Cookie: cookie },
      body,
    });
    expect(reply.status).toBe(200);
    expectContentLength(reply);
    expectMiddlewareHeaders(reply);
    expect(reply.text).toContain('<dd class="name">photo.bin</dd>');
    expect(reply.text).toContain('<dd class="type">application/octet-stream</dd>');
    expect(reply.text).toContain(`<dd class="size">${data.length}</dd>`);
    expect(reply.text).toContain(`<dd class="sha256">${createHash('sha256').update(data).digest('hex')}</dd>`);
    expect(reply.text).toContain('<dd class="note">first &lt;try&gt;</dd>');

    const form = await request('/upload/');
    expect(form.text).toContain('<form method="post" action="/upload/" enctype="multipart/form-data">');
  });

  it('the streaming response arrives whole, chunked, without Content-Length', async () => {
    const reply = await request('/stream/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(reply.headers['transfer-encoding']).toBe('chunked');
    expect(reply.headers['content-length']).toBeUndefined();
    expectMiddlewareHeaders(reply);
    expect(reply.text).toBe('5...\n4...\n3...\n2...\n1...\nLift-off!\n');
    // The pauses between lines: they come as they are made, not as one buffer.
    expect(reply.chunks).toBeGreaterThan(1);
  });

  it('the polls app is included under a namespace', async () => {
    const index = await request('/polls/');
    expect(index.status).toBe(200);
    expect(index.text).toContain('<li><a href="/polls/1/">What&#x27;s new?</a></li>');
    expect(index.text).toContain('<li><a href="/polls/2/">Tabs or spaces?</a></li>');
    const detail = await request('/polls/2/');
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('<h1>Tabs or spaces?</h1>');
    expect(detail.text).toContain('<a href="/polls/">All polls</a>');
    const missing = await request('/polls/9/');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('No question matches the given query.');
    // Under polls/, the technical 404 lists the app's patterns behind the include's route.
    const unknown = await request('/polls/latest/');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('<li><code>polls/</code> <code></code> [name=&#x27;index&#x27;]</li>');
    expect(unknown.text).toContain('<li><code>polls/</code> <code>&lt;int:questionId&gt;/</code> [name=&#x27;detail&#x27;]</li>');
  });

  it('a session counts one browser\'s visits in a signed cookie, and forgets them on a POST with the CSRF token', async () => {
    const first = await request('/visits/');
    expect(first.text).toContain('<p class="visits">You have seen this page 1 time.</p>');
    const session = (first.headers['set-cookie'] ?? []).find((line) => line.startsWith('sessionid='));
    expect(session).toMatch(/^sessionid=[^;]+; expires=.+; HttpOnly; Max-Age=1209600; Path=\/; SameSite=Lax$/);
    const cookie = (session as string).split(';')[0] as string;
    const second = await request('/visits/', { headers: { Cookie: cookie } });
    expect(second.text).toContain('<p class="visits">You have seen this page 2 times.</p>');
    // Another browser (no cookie), and a forged cookie: a new count each.
    expect((await request('/visits/')).text).toContain('1 time.');
    expect((await request('/visits/', { headers: { Cookie: `${cookie}x` } })).text).toContain('1 time.');

    const { token, cookie: csrf } = await csrfOf('/visits/');
    const forget = await request('/visits/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `${cookie}; ${csrf}` },
      body: `csrfmiddlewaretoken=${token}`,
    });
    expect(forget.status).toBe(302);
    expect(forget.headers.location).toBe('/visits/');
    expect((forget.headers['set-cookie'] ?? []).find((line) => line.startsWith('sessionid='))).toMatch(/^sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=\/; SameSite=Lax$/);
  });

  it('a redirect sends the URL reverse() built', async () => {
    const reply = await request('/go/');
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe('/articles/7/');
    expect(reply.headers['content-length']).toBe('0');
    expectMiddlewareHeaders(reply);
  });

  it('APPEND_SLASH redirects a URL without its slash, keeping the query string', async () => {
    const reply = await request('/form?from=home');
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe('/form/?from=home');
    expect(reply.headers['content-length']).toBe('0');
    // CommonMiddleware answers itself: only the middleware outside it (SecurityMiddleware) sees the redirect.
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['x-frame-options']).toBeUndefined();
    expect(reply.headers['x-response-time']).toBeUndefined();
    // No slash version exists: a plain 404.
    expect((await request('/nowhere')).status).toBe(404);
    // DEBUG: a POST would lose its data in the redirect, so gwi says so instead.
    const post = await request('/form', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(post.status).toBe(500);
    expect(post.text).toContain('You called this URL via POST, but the URL doesn&#x27;t end in a slash and you have APPEND_SLASH set.');
  });
});

describe('uploads', () => {
  const boundary = '----gwiExampleBoundary7MA4YWxkTrZu0gW';
  const contentType = `multipart/form-data; boundary=${boundary}`;
  // The CSRF token first (a script's: the cookie's secret), then the file.
  const fileHead = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n${CSRF_SECRET}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  let uploadDir: string;

  beforeEach(() => {
    uploadDir = mkdtempSync(path.join(os.tmpdir(), 'gwi-example-uploads-'));
    // The project's settings, with uploads beyond 64 KiB spilled where the test can look.
    const { SETTINGS_MODULE, ...values } = settings;
    configureSettings({ ...values, FILE_UPLOAD_TEMP_DIR: uploadDir, FILE_UPLOAD_MAX_MEMORY_SIZE: 64 * 1024 }, SETTINGS_MODULE);
  });
  afterEach(() => rmSync(uploadDir, { recursive: true, force: true }));

  /** A raw connection that has sent the head of an upload whose body is `length` bytes, then `first`. */
  async function beginUpload(length: number, first: Buffer): Promise<net.Socket> {
    const s = served ?? (await start());
    const socket = net.connect(s.port, s.host);
    await once(socket, 'connect');
    socket.write(`POST /upload/ HTTP/1.1\r\nHost: ${s.host}:${s.port}\r\nContent-Type: ${contentType}\r\nCookie: csrftoken=${CSRF_SECRET}\r\n`);
    socket.write(`Content-Length: ${length}\r\nConnection: close\r\n\r\n`);
    socket.write(first);
    return socket;
  }

  const spilled = (): boolean => readdirSync(uploadDir).some((name) => statSync(path.join(uploadDir, name)).size > 0);

  it('a large upload is on disk while it arrives, and its temporary file is removed once answered', async () => {
    const data = randomBytes(1024 * 1024);
    const head = Buffer.concat([fileHead, data.subarray(0, 512 * 1024)]);
    const tail = Buffer.concat([data.subarray(512 * 1024), Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const socket = await beginUpload(head.length + tail.length, head);
    await waitFor(spilled);
    const pieces: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => pieces.push(chunk));
    socket.write(tail);
    await once(socket, 'close');
    const answer = Buffer.concat(pieces).toString('utf8');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toContain(`<dd class="size">${data.length}</dd>`);
    expect(answer).toContain(`<dd class="sha256">${createHash('sha256').update(data).digest('hex')}</dd>`);
    await waitFor(() => readdirSync(uploadDir).length === 0);
  });

  it('a malformed body is a 400, and the upload spilled before the fault is removed', async () => {
    const body = Buffer.concat([
      fileHead,
      randomBytes(200 * 1024),
      Buffer.from(`\r\n--${boundary}garbage\r\nContent-Disposition: form-data; name="note"\r\n\r\nx\r\n--${boundary}--\r\n`),
    ]);
    const reply = await request('/upload/', { method: 'POST', headers: { 'Content-Type': contentType, Cookie: `csrftoken=${CSRF_SECRET}` }, body });
    expect(reply.status).toBe(400);
    expect(requestLog).toMatch(
      /^Bad request \(Unable to parse request body\): \/upload\/\nMultiPartParserError: Malformed multipart body: a boundary line is followed by other text\.\n/,
    );
    expect(readdirSync(uploadDir)).toEqual([]);
  });

  it('a client that leaves halfway through an upload leaves no temporary file behind', async () => {
    const head = Buffer.concat([fileHead, randomBytes(512 * 1024)]);
    const socket = await beginUpload(head.length + 1024 * 1024, head);
    await waitFor(spilled);
    socket.destroy();
    await waitFor(() => readdirSync(uploadDir).length === 0);
  });
});

describe('static files', () => {
  const css = readFileSync(path.join(EXAMPLE, 'static', 'style.css'));
  const lastModified = new Date(Math.floor(statSync(path.join(EXAMPLE, 'static', 'style.css')).mtimeMs / 1000) * 1000).toUTCString();

  it('are served from STATICFILES_DIRS with their type, length and date', async () => {
    const reply = await request('/static/style.css');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/css');
    expect(reply.headers['content-length']).toBe(String(css.length));
    expect(reply.headers['last-modified']).toBe(lastModified);
    expect(reply.body.equals(css)).toBe(true);
    const js = await request('/static/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
    expect(js.text).toContain("document.getElementById('json-demo')");
  });

  it('answer 304 to an If-Modified-Since that is not older than the file', async () => {
    const reply = await request('/static/style.css', { headers: { 'If-Modified-Since': lastModified } });
    expect(reply.status).toBe(304);
    expect(reply.body.length).toBe(0);
    const older = await request('/static/style.css', { headers: { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' } });
    expect(older.status).toBe(200);
  });

  it('a missing file, a folder and a path leaving the folder are 404s (the technical page: DEBUG)', async () => {
    const missing = await request('/static/nope.css');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('Page not found <small>(404)</small>');
    expect(missing.text).toContain('&#x27;nope.css&#x27; could not be found');
    for (const target of ['/static/../mysite/settings.ts', '/static/%2e%2e/mysite/settings.ts', '/static/..%2fmysite%2fsettings.ts']) {
      const reply = await request(target);
      expect(reply.status, target).toBe(404);
      expect(reply.text, target).not.toContain(SECRET_KEY);
    }
  });
});

describe('errors', () => {
  it('an unknown URL gets the technical 404 page listing the URL patterns', async () => {
    const reply = await request('/nowhere/');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expectContentLength(reply);
    expectMiddlewareHeaders(reply);
    expect(reply.text).toContain('Page not found <small>(404)</small>');
    expect(reply.text).toContain('Using the URLconf defined in <code>mysite/urls</code>, gwi tried these URL patterns, in this order:');
    expect(reply.text).toContain('<li><code>articles/&lt;int:id&gt;/</code> [name=&#x27;article&#x27;]</li>');
    // The include()'s own route did not match: its patterns were not tried.
    expect(reply.text).toContain('<li><code>polls/</code></li>');
    expect(reply.text).toContain("The current path, <code>nowhere/</code>, didn't match any of these.");
    expect(reply.text).toContain('DEBUG = true');
    expect(requestLog).toBe('Not Found: /nowhere/\n');
    expect(served?.log()).toBe(logLine('GET /nowhere/ HTTP/1.1', 404, reply.body.length));
  });

  it('Http404 from a view shows its message and the view', async () => {
    const reply = await request('/missing/');
    expect(reply.status).toBe(404);
    expect(reply.text).toContain('There is nothing here, on purpose.');
    expect(reply.text).toContain('missing');
    expect(requestLog).toBe('Not Found: /missing/\n');
  });

  it('an Error from a view gets the debug page with the TypeScript file and line', async () => {
    const source = readFileSync(VIEWS_FILE, 'utf8').split('\n');
    const index = source.findIndex((line) => line.includes("throw new Error('Something broke (on purpose).')"));
    const line = index + 1;
    // V8 points at the `new` of the throw statement.
    const column = (source[index] as string).indexOf('new Error') + 1;

    const reply = await request('/boom/', { headers: { Accept: 'text/html' } });
    expect(reply.status).toBe(500);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expectContentLength(reply);
    expectMiddlewareHeaders(reply);
    expect(reply.text).toContain('<h1>Error at /boom/</h1>');
    expect(reply.text).toContain('Something broke (on purpose).');
    expect(reply.text).toMatch(new RegExp(`${escapeRegExp(VIEWS_FILE)}:${line}:${column}, in boom`));
    // The source around the line, the line itself marked.
    expect(reply.text).toContain('<li class="current">  throw new Error(&#x27;Something broke (on purpose).&#x27;);</li>');
    // Settings are shown, the secret is not.
    expect(reply.text).toContain('Using settings module <code>mysite/settings</code>');
    expect(reply.text).not.toContain(SECRET_KEY);
    expect(requestLog).toMatch(/^Internal Server Error: \/boom\/\nError: Something broke \(on purpose\)\.\n/);
    expect(served?.log()).toBe(logLine('GET /boom/ HTTP/1.1', 500, reply.body.length));

    // A client that does not take HTML gets the same report as text.
    const text = await request('/boom/', { headers: { Accept: 'application/json' } });
    expect(text.status).toBe(500);
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.text).toContain(`${VIEWS_FILE}:${line}:${column}`);
  });

  it('with DEBUG off: the project handler404, and the plain 500 page that shows nothing', async () => {
    const { SETTINGS_MODULE, ...values } = settings;
    configureSettings({ ...values, DEBUG: false, ALLOWED_HOSTS: ['127.0.0.1'] }, SETTINGS_MODULE);
    const notFound = await request('/nowhere/');
    expect(notFound.status).toBe(404);
    expect(notFound.text).toContain('<p>Nothing lives at <code>/nowhere/</code>.</p>');
    expectMiddlewareHeaders(notFound);
    const error = await request('/boom/');
    expect(error.status).toBe(500);
    expect(error.text).toContain('<h1>Server Error (500)</h1>');
    expect(error.text).not.toContain('Something broke');
    // The framework's request log is DEBUG's.
    expect(requestLog).toBe('');
  });
});

describe('the request log', () => {
  it('has one line per request, static files and streams included', async () => {
    const home = await request('/');
    const css = await request('/static/style.css');
    const notModified = await request('/static/style.css', { headers: { 'If-Modified-Since': css.headers['last-modified'] as string } });
    const missing = await request('/nowhere/');
    const redirect = await request('/go/');
    const stream = await request('/stream/');
    expect(notModified.status).toBe(304);
    expect(served?.log()).toBe(
      logLine('GET / HTTP/1.1', 200, home.body.length) +
        logLine('GET /static/style.css HTTP/1.1', 200, css.body.length) +
        logLine('GET /static/style.css HTTP/1.1', 304, 0) +
        logLine('GET /nowhere/ HTTP/1.1', 404, missing.body.length) +
        logLine('GET /go/ HTTP/1.1', 302, 0) +
        // A streamed body is counted as it is sent.
        logLine('GET /stream/ HTTP/1.1', 200, stream.body.length),
    );
    expect(redirect.status).toBe(302);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
