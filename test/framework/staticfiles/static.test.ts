import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings, type SettingsInput } from '../../../src/framework/conf/settings.js';
import { safeSegments } from '../../../src/framework/staticfiles/finders.js';
import { StaticFilesHandler, staticUrlPath } from '../../../src/framework/staticfiles/handlers.js';
import { wasModifiedSince } from '../../../src/framework/staticfiles/views.js';
import { parseHttpDate } from '../../../src/framework/utils/http.js';
import type { Application } from '../../../src/gateway/types.js';
import { rawRequest, serve, type Served } from '../../helpers/serve.js';

const MTIME = new Date('2026-01-02T03:04:05.678Z');
const LAST_MODIFIED = 'Fri, 02 Jan 2026 03:04:05 GMT';
const CSS = 'body { color: #333; }\n';
const SECRET = 'TOP SECRET: outside the static root';

let dir: string;
let root1: string;
let root2: string;
let secret: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gwi-static-'));
  root1 = path.join(dir, 'static');
  root2 = path.join(dir, 'assets');
  secret = path.join(dir, 'secret.txt');
  mkdirSync(path.join(root1, 'css'), { recursive: true });
  mkdirSync(root2);
  writeFileSync(secret, SECRET);
  writeFileSync(path.join(root1, 'css', 'site.css'), CSS);
  writeFileSync(path.join(root1, 'hello.txt'), 'hello from the first root\n');
  writeFileSync(path.join(root1, 'café.txt'), 'accent\n');
  writeFileSync(path.join(root2, 'hello.txt'), 'hello from the second root\n');
  writeFileSync(path.join(root2, 'only2.js'), 'export {};\n');
  writeFileSync(path.join(root1, 'data.unknownext'), 'raw');
  symlinkSync(secret, path.join(root1, 'link-out.txt'));
  symlinkSync(path.join(root1, 'css', 'site.css'), path.join(root1, 'link-in.css'));
  symlinkSync(dir, path.join(root1, 'dir-out'));
  for (const file of ['css/site.css', 'hello.txt', 'café.txt']) utimesSync(path.join(root1, file), MTIME, MTIME);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fallback: Application = (environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [Buffer.from(`fallback ${environ.REQUEST_METHOD} ${environ.PATH_INFO}`, 'latin1')];
};

let served: Served | null = null;
beforeEach(() => configureSettings(settingsFor()));
afterEach(async () => {
  await served?.close();
  served = null;
  resetSettings();
});

function settingsFor(extra: SettingsInput = {}): SettingsInput {
  return { DEBUG: false, ALLOWED_HOSTS: ['*'], STATIC_URL: '/static/', STATICFILES_DIRS: [root1, root2], ...extra };
}

interface Reply {
  status: string;
  headers: [string, string][];
  header(name: string): string | undefined;
  body: Buffer;
}

/** One HTTP/1.0 request on a fresh connection; `target` is sent byte for byte. */
async function request(target: string, { method = 'GET', headers = '' } = {}): Promise<Reply> {
  served ??= await serve(StaticFilesHandler(fallback));
  const raw = await rawRequest(served, `${method} ${target} HTTP/1.0\r\nHost: testserver\r\n${headers}\r\n`);
  const split = raw.indexOf('\r\n\r\n');
  const [status = '', ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const parsed = lines.map((line): [string, string] => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]);
  return {
    status,
    headers: parsed,
    header: (name) => parsed.find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1],
    body: raw.subarray(split + 4),
  };
}

const NOT_FOUND_BODY =
  '\n<!doctype html>\n<html lang="en">\n<head>\n  <title>Not Found</title>\n</head>\n<body>\n  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>\n</body>\n</html>\n';

describe('StaticFilesHandler over a real socket', () => {
  it('serves a file with exact Content-Type, Content-Length and Last-Modified', async () => {
    const reply = await request('/static/css/site.css');
    expect(reply.status).toBe('HTTP/1.1 200 OK');
    expect(reply.header('Content-Type')).toBe('text/css');
    expect(reply.header('Content-Length')).toBe(String(Buffer.byteLength(CSS)));
    expect(reply.header('Last-Modified')).toBe(LAST_MODIFIED);
    expect(reply.header('Content-Disposition')).toBe('inline; filename="site.css"');
    expect(reply.body.toString()).toBe(CSS);
  });

  it('uses octet-stream for an unknown extension, and the first root that has the file', async () => {
    const unknown = await request('/static/data.unknownext');
    expect(unknown.header('Content-Type')).toBe('application/octet-stream');
    expect((await request('/static/hello.txt')).body.toString()).toBe('hello from the first root\n');
    const second = await request('/static/only2.js');
    expect(second.status).toBe('HTTP/1.1 200 OK');
    expect(second.body.toString()).toBe('export {};\n');
  });

  // The types of the web (mime-db), as FileResponse sends them: no charset.
  it.each([
    ['movie.mp4', 'video/mp4'],
    ['data.csv', 'text/csv'],
    ['photo.avif', 'image/avif'],
    ['site.webmanifest', 'application/manifest+json'],
    ['module.wasm', 'application/wasm'],
    ['font.woff2', 'font/woff2'],
    ['module.mjs', 'text/javascript'],
    ['script.js', 'text/javascript'],
    ['page.html', 'text/html'],
    ['feed.xml', 'text/xml'],
    ['icon.svg', 'image/svg+xml'],
  ])('serves %j as %j', async (name, type) => {
    writeFileSync(path.join(root1, name), 'x');
    expect((await request(`/static/${name}`)).header('Content-Type')).toBe(type);
  });

  it('serves a percent-encoded UTF-8 name, and drops "." and empty segments', async () => {
    expect((await request('/static/caf%C3%A9.txt')).body.toString()).toBe('accent\n');
    expect((await request('/static/./css//site.css')).body.toString()).toBe(CSS);
  });

  it('follows a symlink that stays inside the root', async () => {
    expect((await request('/static/link-in.css')).body.toString()).toBe(CSS);
  });

  it('answers HEAD with the headers and no body', async () => {
    const reply = await request('/static/css/site.css', { method: 'HEAD' });
    expect(reply.status).toBe('HTTP/1.1 200 OK');
    expect(reply.header('Content-Length')).toBe(String(Buffer.byteLength(CSS)));
    expect(reply.header('Content-Type')).toBe('text/css');
    expect(reply.header('Last-Modified')).toBe(LAST_MODIFIED);
    expect(reply.body.length).toBe(0);
  });

  it('answers a fresh If-Modified-Since with a bodiless 304', async () => {
    for (const since of [LAST_MODIFIED, 'Sat, 03 Jan 2026 00:00:00 GMT', 'Friday, 02-Jan-26 03:04:05 GMT', 'Fri Jan  2 03:04:05 2026']) {
      const reply = await request('/static/css/site.css', { headers: `If-Modified-Since: ${since}\r\n` });
      expect(reply.status, since).toBe('HTTP/1.1 304 Not Modified');
      // Only the server's own headers (Connection: close answers HTTP/1.0): no body, no Content-Type.
      expect(reply.headers.map(([name]) => name).filter((name) => name !== 'Connection')).toEqual(['Date', 'Server']);
      expect(reply.body.length).toBe(0);
    }
  });

  it('sends the file for a stale or invalid If-Modified-Since', async () => {
    for (const since of ['Fri, 02 Jan 2026 03:04:04 GMT', 'yesterday', 'Fri, 31 Feb 2026 03:04:05 GMT']) {
      const reply = await request('/static/css/site.css', { headers: `If-Modified-Since: ${since}\r\n` });
      expect(reply.status, since).toBe('HTTP/1.1 200 OK');
      expect(reply.body.toString()).toBe(CSS);
    }
  });

  describe('never leaves the root', () => {
    const attempts = [
      ['../', '/static/../secret.txt'],
      ['../ after a folder', '/static/css/../../secret.txt'],
      ['%2e%2e', '/static/%2e%2e/secret.txt'],
      ['%2E%2E%2F', '/static/%2E%2E%2Fsecret.txt'],
      ['..%2f', '/static/css/..%2f..%2fsecret.txt'],
      ['%2f-encoded absolute path', `/static/${encodeURIComponent(secret)}`],
      ['absolute path after a double slash', `/static/${secret}`],
      ['backslash', '/static/..\\secret.txt'],
      ['%5c backslash', '/static/..%5csecret.txt'],
      ['NUL byte', '/static/hello.txt%00.css'],
      ['NUL byte before ..', '/static/%00/../secret.txt'],
      ['symlink pointing outside', '/static/link-out.txt'],
      ['through a symlinked folder outside', '/static/dir-out/secret.txt'],
    ] as const;

    it.each(attempts)('%s → 404', async (_label, target) => {
      const reply = await request(target);
      expect(reply.status).toBe('HTTP/1.1 404 Not Found');
      expect(reply.body.toString('latin1')).toBe(NOT_FOUND_BODY);
    });

    it('with DEBUG, the 404 is the technical page, escaped', async () => {
      configureSettings(settingsFor({ DEBUG: true }));
      const reply = await request('/static/%2e%2e/%3Cscript%3Ealert(1)%3C/script%3E');
      expect(reply.status).toBe('HTTP/1.1 404 Not Found');
      const html = reply.body.toString('utf8');
      expect(html).toContain('<h1>Page not found <small>(404)</small></h1>');
      expect(html).toContain('<pre class="exception_value">&#x27;../&lt;script&gt;alert(1)&lt;/script&gt;&#x27; could not be found</pre>');
      expect(html).not.toContain('<script>');
      expect(html).not.toContain(SECRET);
    });
  });

  it('answers 404 for missing files and for folders (no directory indexes)', async () => {
    for (const target of ['/static/missing.css', '/static/css/', '/static/css', '/static/']) {
      const reply = await request(target);
      expect(reply.status, target).toBe('HTTP/1.1 404 Not Found');
    }
    configureSettings(settingsFor({ DEBUG: true }));
    await served?.close();
    served = null;
    expect((await request('/static/css/')).body.toString()).toContain('Directory indexes are not allowed here.');
  });

  it('passes everything else to the wrapped application', async () => {
    expect((await request('/other/static/hello.txt')).body.toString()).toBe('fallback GET /other/static/hello.txt');
    expect((await request('/staticx/hello.txt')).body.toString()).toBe('fallback GET /staticx/hello.txt');
    expect((await request('/static/hello.txt', { method: 'POST', headers: 'Content-Length: 0\r\n' })).body.toString()).toBe(
      'fallback POST /static/hello.txt',
    );
  });

  it.each([
    ['a STATIC_URL with a host', 'http://cdn.example.com/static/'],
    ['no STATIC_URL', null],
  ])('serves nothing with %s', async (_label, staticUrl) => {
    configureSettings(settingsFor({ STATIC_URL: staticUrl }));
    const handler = StaticFilesHandler(fallback);
    expect(handler.baseUrl).toBeNull();
    served = await serve(handler);
    expect((await request('/static/hello.txt')).body.toString()).toBe('fallback GET /static/hello.txt');
  });

  it('serves a relative STATIC_URL and one without a trailing slash', async () => {
    configureSettings(settingsFor({ STATIC_URL: 'assets' }));
    served = await serve(StaticFilesHandler(fallback));
    expect((await request('/assets/hello.txt')).body.toString()).toBe('hello from the first root\n');
    expect((await request('/assetsx/hello.txt')).body.toString()).toBe('fallback GET /assetsx/hello.txt');
  });

  it('resolves relative STATICFILES_DIRS against BASE_DIR', async () => {
    configureSettings(settingsFor({ BASE_DIR: dir, STATICFILES_DIRS: ['assets'] }));
    served = await serve(StaticFilesHandler(fallback));
    expect((await request('/static/hello.txt')).body.toString()).toBe('hello from the second root\n');
  });
});

describe('safeSegments', () => {
  it.each([
    ['css/site.css', ['css', 'site.css']],
    ['./css//site.css', ['css', 'site.css']],
    ['', []],
    ['...', ['...']],
    ['a..b', ['a..b']],
  ])('%j → %j', (input, expected) => expect(safeSegments(input)).toEqual(expected));

  it.each(['..', '../x', 'css/../../x', 'a/..', '/etc/passwd', 'x\0y', '..\\x', 'a\\b'])('%j is refused', (input) => {
    expect(safeSegments(input)).toBeNull();
  });
});

describe('staticUrlPath', () => {
  it.each([
    ['/static/', '/static/'],
    ['static/', '/static/'],
    ['/static', '/static/'],
    ['/static/?v=1', '/static/'],
    ['https://cdn.example.com/static/', null],
    ['//cdn.example.com/static/', null],
    [null, null],
    ['', null],
  ])('%j → %j', (input, expected) => expect(staticUrlPath(input)).toBe(expected));
});

describe('parseHttpDate / wasModifiedSince', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  it.each([
    ['Sun, 06 Nov 1994 08:49:37 GMT', 784111777],
    ['Sunday, 06-Nov-94 08:49:37 GMT', 784111777],
    ['Sun Nov  6 08:49:37 1994', 784111777],
    ['Thursday, 01-Jan-70 00:00:00 GMT', 3155760000],
    ['Mon, 01 Jan 0001 00:00:00 GMT', -62135596800],
  ])('%s → %d', (text, seconds) => expect(parseHttpDate(text, now)).toBe(seconds));

  it.each(['', 'Sun, 06 Nov 1994 08:49:37 UTC', 'Sun, 31 Feb 1994 08:49:37 GMT', 'Sun, 06 Foo 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 25:49:37 GMT'])(
    '%j is invalid',
    (text) => expect(parseHttpDate(text, now)).toBeNull(),
  );

  it('compares whole seconds, as Django', () => {
    const mtime = Date.parse('1994-11-06T08:49:37.900Z');
    expect(wasModifiedSince(undefined, mtime)).toBe(true);
    expect(wasModifiedSince('garbage', mtime)).toBe(true);
    expect(wasModifiedSince('Sun, 06 Nov 1994 08:49:37 GMT', mtime)).toBe(false);
    expect(wasModifiedSince('Sun, 06 Nov 1994 08:49:36 GMT', mtime)).toBe(true);
  });
});
