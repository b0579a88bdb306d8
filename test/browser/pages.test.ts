// The framework's own pages as a browser shows them: Debian's Chromium, driven by playwright-core,
// against real servers on loopback. Each page must load with no console message (but Chromium's own
// line for a 4xx/5xx status), no page error, no dialog, no script, no request leaving its origin; show
// its facts as text (injected markup included); and leave a full-page screenshot in
// test-artifacts/browser/ to look at.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Locator, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings, type SettingsInput } from '../../src/framework/conf/settings.js';
import { loadFailureResponse } from '../../src/framework/debug/load-failure.js';
import { CLEANSED_SUBSTITUTE } from '../../src/framework/debug/exception-reporter.js';
import { getGwiApplication } from '../../src/framework/handlers/gwi.js';
import { setRequestLogStream, type LogStream } from '../../src/framework/utils/log.js';
import { HttpResponse } from '../../src/framework/http/response.js';
import { CsrfViewMiddleware } from '../../src/framework/middleware/csrf.js';
import { clearUrlCaches } from '../../src/framework/urls/base.js';
import { path as route } from '../../src/framework/urls/conf.js';
import type { View } from '../../src/framework/views/generic.js';
import type { Application } from '../../src/gateway/types.js';
import { VERSION } from '../../src/version.js';
import { serve, waitFor, type Served } from '../helpers/serve.js';
import { launchChromium } from './chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/browser/', import.meta.url));

const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(1)>';
const SECRET_KEY = ['browser', 'test', 's3cret', 'value'].join('-');

// One browser for the file; a fresh profile directory of its own.
let profile: string;
let context: BrowserContext;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  profile = mkdtempSync(path.join(tmpdir(), 'gwi-chromium-'));
  context = await launchChromium(profile);
}, 60_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

let served: Served | null = null;
/** The test's tabs, closed after it. */
const pages: Page[] = [];
let previousLog: LogStream;

beforeEach(() => {
  previousLog = setRequestLogStream({ write: () => {} });
});

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  await served?.close();
  served = null;
  setRequestLogStream(previousLog);
  resetSettings();
  clearUrlCaches();
  await context.clearCookies();
});

/** The framework's application with these settings, served on 127.0.0.1:0. */
async function site(extra: SettingsInput): Promise<Served> {
  configureSettings({ ALLOWED_HOSTS: ['127.0.0.1'], SECRET_KEY, ...extra });
  served = await serve(getGwiApplication());
  return served;
}

interface ConsoleEntry {
  type: string;
  text: string;
  url: string;
}

/** What a visit saw besides the page itself. */
interface Visit {
  served: Served;
  page: Page;
  response: Response;
  origin: string;
  console: ConsoleEntry[];
  pageErrors: string[];
  dialogs: string[];
  /** Every request the page made (Playwright does not report the browser's own /favicon.ico). */
  requests: string[];
  /** Requests that failed (refused, blocked, aborted). */
  failed: string[];
}

/** A POST in place of the visit's GET: a form's body, and headers to add (Chromium keeps its own Origin and Referer). */
interface Post {
  body: string;
  headers?: Record<string, string>;
}

async function visit(s: Served, target: string, post?: Post): Promise<Visit> {
  const origin = `http://${s.host}:${s.port}`;
  const page = await context.newPage();
  pages.push(page);
  if (post) {
    // The navigation itself goes out as the POST a form would send: the page's one request.
    await page.route(origin + target, (route) =>
      route.continue({
        method: 'POST',
        postData: post.body,
        headers: { ...route.request().headers(), 'content-type': 'application/x-www-form-urlencoded', ...post.headers },
      }),
    );
  }
  const seen = { console: [] as ConsoleEntry[], pageErrors: [] as string[], dialogs: [] as string[], requests: [] as string[], failed: [] as string[] };
  page.on('console', (message) => void seen.console.push({ type: message.type(), text: message.text(), url: message.location().url }));
  page.on('pageerror', (error) => void seen.pageErrors.push(String(error)));
  page.on('dialog', (dialog) => {
    seen.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('request', (request) => void seen.requests.push(request.url()));
  page.on('requestfailed', (request) => void seen.failed.push(`${request.url()}: ${request.failure()?.errorText}`));
  const response = await page.goto(origin + target, { waitUntil: 'load' });
  if (!response) throw new Error(`no response for ${target}`);
  return { served: s, page, response, origin, ...seen };
}

/** The server's request log: `[path, status]` for each request it answered. */
function answered(s: Served): [string, number][] {
  return [...s.log().matchAll(/"GET (\S+) HTTP\/1\.1" (\d{3}) /g)].map((m) => [m[1] as string, Number(m[2])]);
}

const FAILED_RESOURCE = /^Failed to load resource: the server responded with a status of (\d{3}) \(/;

/**
 * Nothing but the page: no console output, page error, dialog, failed request, request off the
 * server's origin, or script. The one console line Chromium always writes for a 4xx/5xx answer
 * ("Failed to load resource: ... status of 404") is allowed for the page itself and for the browser's
 * own /favicon.ico, and only with the status the server gave: that is the status, not the page.
 */
async function expectQuiet(v: Visit): Promise<void> {
  // Anything the page might still do after `load` (an onerror handler, a late request) happens now.
  await v.page.waitForLoadState('networkidle');
  const documentUrl = v.response.url();
  const favicon = `${v.origin}/favicon.ico`;
  // The server logs a request once it has sent the answer: the browser may have it a moment earlier.
  if (v.console.some((entry) => entry.url === favicon)) await waitFor(() => answered(v.served).some(([p]) => p === '/favicon.ico'));
  const statusOf = (url: string): number | undefined => {
    if (url === documentUrl) return v.response.status();
    const target = url.slice(v.origin.length);
    return answered(v.served).find(([p]) => p === target)?.[1];
  };
  const unexpected = v.console.filter((entry) => {
    const status = FAILED_RESOURCE.exec(entry.text)?.[1];
    const expected = entry.url === documentUrl || entry.url === favicon;
    return !(entry.type === 'error' && status !== undefined && expected && Number(status) === statusOf(entry.url) && Number(status) >= 400);
  });
  expect(unexpected).toEqual([]);
  expect(v.pageErrors).toEqual([]);
  expect(v.dialogs).toEqual([]);
  expect(v.failed).toEqual([]);
  // Same origin only: what the page asked for, and what the server was asked (the favicon included).
  expect(v.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(v.requests.filter((url) => new URL(url).origin !== v.origin)).toEqual([]);
  expect(v.requests).toEqual([documentUrl]);
  for (const [target] of answered(v.served)) expect([new URL(documentUrl).pathname + new URL(documentUrl).search, '/favicon.ico']).toContain(target);
  // The pages are self-contained: no script element, no element with an injected handler.
  expect(await v.page.locator('script').count()).toBe(0);
  expect(await v.page.locator('img').count()).toBe(0);
  expect(await v.page.locator('[onerror]').count()).toBe(0);
  // The layout holds: nothing wider than the window.
  // (A string: this project's TypeScript has no DOM library.)
  const overflow = await v.page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  expect(overflow).toBe(0);
}

async function screenshot(v: Visit, name: string): Promise<void> {
  await v.page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The text of a row of a `table.meta` (Request URL, Exception Type, ...). */
function metaValue(page: Page, label: string) {
  return page.locator('table.meta tr').filter({ has: page.locator('th', { hasText: label }) }).locator('td');
}

/** The value cell of a Variable/Value row (GET, META, settings). */
function varsValue(page: Page, section: string, name: string) {
  return page
    .locator(`h3#${section} + table.vars tbody tr`)
    .filter({ has: page.locator('td:first-child', { hasText: new RegExp(`^${name}$`) }) })
    .locator('td:last-child');
}

/** The text a reader sees: the element must be visible, and is read as rendered (innerText). */
async function text(locator: Locator): Promise<string> {
  expect(await locator.count(), String(locator)).toBe(1);
  expect(await locator.isVisible(), `${String(locator)} is visible`).toBe(true);
  return locator.innerText();
}

/** The rendered text of every match, in document order (all of them visible). */
async function texts(locator: Locator): Promise<string[]> {
  const all = await locator.all();
  for (const item of all) expect(await item.isVisible(), `${String(item)} is visible`).toBe(true);
  return locator.allInnerTexts();
}

const ok: View = () => new HttpResponse('ok', { contentType: 'text/plain' });

describe('the framework pages in Chromium', () => {
  it('shows the welcome page for an empty URLconf with DEBUG', async () => {
    const s = await site({ DEBUG: true, ROOT_URLCONF: { urlpatterns: [] } });
    const v = await visit(s, '/');
    expect(v.response.status()).toBe(200);
    expect(v.response.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await v.page.title()).toBe('The install worked successfully! Congratulations!');
    expect(await text(v.page.locator('h1'))).toBe('The install worked successfully! Congratulations!');
    expect(await text(v.page.locator('header .version'))).toBe(`gwi ${VERSION}`);
    expect(await text(v.page.locator('h2'))).toBe('Next: your first view');
    expect(await text(v.page.locator('pre.hint'))).toContain("export const urlpatterns = [path('', home, { name: 'home' })];");
    expect(await text(v.page.locator('pre.hint'))).toContain("const home = () => new HttpResponse('Hello, world.');");
    await expectQuiet(v);
    await screenshot(v, 'welcome');
  });

  it('shows the technical 404 with the patterns tried, in order, and the injected path and query as text', async () => {
    const s = await site({
      DEBUG: true,
      ROOT_URLCONF: {
        urlpatterns: [
          route('articles/<int:year>/', ok, { name: 'year-archive' }),
          route('articles/<int:year>/<slug:slug>/', ok, { name: 'article-detail' }),
          route('about/', ok),
        ],
      },
    });
    // Chromium percent-encodes `<`, `>` in the path and the query; the server decodes the path.
    const v = await visit(s, `/missing/${SCRIPT}?q=${SCRIPT}`);
    expect(v.response.status()).toBe(404);
    const pathInfo = `/missing/${SCRIPT}`;
    expect(await v.page.title()).toBe(`Page not found at ${pathInfo}`);
    expect(await text(v.page.locator('h1'))).toBe('Page not found (404)');
    expect(await text(metaValue(v.page, 'Request Method:'))).toBe('GET');
    expect(await text(metaValue(v.page, 'Request URL:'))).toBe(
      // The path as the server quotes it again (parentheses too, as Python's quote()), the query as sent.
      `${v.origin}/missing/%3Cscript%3Ealert%281%29%3C/script%3E?q=%3Cscript%3Ealert(1)%3C/script%3E`,
    );
    expect(await texts(v.page.locator('ol.tried > li'))).toEqual([
      "articles/<int:year>/ [name='year-archive']",
      "articles/<int:year>/<slug:slug>/ [name='article-detail']",
      'about/',
    ]);
    expect(await text(v.page.locator('main'))).toContain('Using the URLconf defined in ROOT_URLCONF, gwi tried these URL patterns, in this order:');
    expect(await text(v.page.locator('main p').last())).toBe(`The current path, ${pathInfo.slice(1)}, didn't match any of these.`);
    expect(await text(v.page.locator('main p code').last())).toBe(pathInfo.slice(1));
    expect(await text(v.page.locator('footer'))).toContain('You\'re seeing this error because you have DEBUG = true');
    await expectQuiet(v);
    await screenshot(v, 'technical-404');
  });

  it('shows the technical 500: the exception, the TypeScript file:line, the masked SECRET_KEY, the request', async () => {
    const source = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
    const throwLine = source.findIndex((line) => /^\s+throw new Error\(`Cannot render the report/.test(line)) + 1;
    expect(throwLine).toBeGreaterThan(0);
    const brokenView: View = function brokenView() {
      throw new Error(`Cannot render the report ${IMG}`);
    };
    const s = await site({ DEBUG: true, ROOT_URLCONF: { urlpatterns: [route('report/', brokenView, { name: 'report' })] } });
    const v = await visit(s, `/report/?q=${SCRIPT}`);
    expect(v.response.status()).toBe(500);
    const message = `Cannot render the report ${IMG}`;
    expect(await v.page.title()).toBe('Error at /report/');
    expect(await text(v.page.locator('h1'))).toBe('Error at /report/');
    expect(await text(v.page.locator('header pre.exception_value'))).toBe(message);
    expect(await text(metaValue(v.page, 'Exception Type:'))).toBe('Error');
    expect(await text(metaValue(v.page, 'Exception Value:'))).toBe(message);
    const file = fileURLToPath(import.meta.url);
    expect(await text(metaValue(v.page, 'Exception Location:'))).toMatch(new RegExp(`^${escapeRegExp(`${file}:${throwLine}:`)}\\d+, in brokenView$`));
    expect(await text(metaValue(v.page, 'Request URL:'))).toBe(`${v.origin}/report/?q=%3Cscript%3Ealert(1)%3C/script%3E`);
    expect(await text(metaValue(v.page, 'Raised during:'))).toBe('brokenView');
    // The first frame is the view, in the test's own TypeScript source, with the throwing line marked.
    const frame = v.page.locator('#traceback .frame').first();
    expect(await text(frame.locator('.where .fn'))).toBe('brokenView');
    expect(await text(frame.locator('.where .loc'))).toMatch(new RegExp(`pages\\.test\\.ts:${throwLine}:\\d+$`));
    expect(await text(frame.locator('li.current'))).toBe(source[throwLine - 1] as string);
    // The query string, decoded by the server, shown as text.
    expect(await text(varsValue(v.page, 'get-info', 'q'))).toBe(`'${SCRIPT}'`);
    expect(await text(varsValue(v.page, 'meta-info', 'PATH_INFO'))).toBe("'/report/'");
    expect(await text(varsValue(v.page, 'settings-info', 'SECRET_KEY'))).toBe(`'${CLEANSED_SUBSTITUTE}'`);
    expect(CLEANSED_SUBSTITUTE).toBe('********************');
    expect(await text(v.page.locator('body'))).not.toContain(SECRET_KEY);
    await expectQuiet(v);
    await screenshot(v, 'technical-500');
  });

  it('shows the load-failure page: the SyntaxError, its file:line and the source around it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gwi-browser-load-'));
    try {
      const file = path.join(dir, 'urls.ts');
      writeFileSync(file, ["import { path } from 'gwi';", '', `export const urlpatterns = [ // ${SCRIPT}`, "  path('', home", ''].join('\n'));
      const error = new SyntaxError(`${file}:4:17: ERROR: Expected ")" but found end of file ${IMG}`);
      const app: Application = (_environ, startResponse) => {
        const response = loadFailureResponse(error, { file, line: 4 });
        startResponse(response.statusLine, response.headerList());
        return [response.content];
      };
      served = await serve(app);
      const v = await visit(served, '/');
      expect(v.response.status()).toBe(500);
      expect(await v.page.title()).toBe('SyntaxError while loading the project');
      expect(await text(v.page.locator('h1'))).toBe('The project failed to load');
      expect(await text(v.page.locator('header pre.exception_value'))).toBe(`SyntaxError: ${error.message}`);
      expect(await text(metaValue(v.page, 'Exception Type:'))).toBe('SyntaxError');
      expect(await text(metaValue(v.page, 'Exception Value:'))).toBe(error.message);
      expect(await text(metaValue(v.page, 'Location:'))).toBe(`${file}:4`);
      expect(await text(v.page.locator('main h2').first())).toBe(`${file}:4`);
      expect(await texts(v.page.locator('ol.context').first().locator('li'))).toEqual([
        "import { path } from 'gwi';",
        ' ',
        `export const urlpatterns = [ // ${SCRIPT}`,
        "  path('', home",
        ' ',
      ]);
      expect(await text(v.page.locator('ol.context li.current').first())).toBe("  path('', home");
      expect(await text(v.page.locator('footer'))).toContain('gwi reloads the project');
      await expectQuiet(v);
      await screenshot(v, 'load-failure');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows the CSRF failure page with DEBUG: the reason, the markup its explanation quotes as text, and the help', async () => {
    const s = await site({
      DEBUG: true,
      MIDDLEWARE: [CsrfViewMiddleware],
      SECURE_PROXY_SSL_HEADER: ['HTTP_X_FORWARDED_PROTO', 'https'],
      ROOT_URLCONF: { urlpatterns: [route('submit/', ok)] },
    });
    // Seen as HTTPS and sent without a Referer (Chromium does not let a test set one on a navigation).
    const v = await visit(s, '/submit/', { body: 'csrfmiddlewaretoken=x', headers: { 'x-forwarded-proto': 'https' } });
    expect(v.response.status()).toBe(403);
    expect(v.response.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(await v.page.title()).toBe('403 Forbidden');
    expect(await text(v.page.locator('h1'))).toBe('Forbidden (403)');
    const summary = await texts(v.page.locator('#summary p'));
    expect(summary[0]).toBe('CSRF verification failed. Request aborted.');
    expect(summary[3]).toBe(
      'If you are using the <meta name="referrer" content="no-referrer"> tag or including the “Referrer-Policy: no-referrer” ' +
        'header, please remove them. The CSRF protection requires the “Referer” header to do strict referer checking. If ' +
        'you’re concerned about privacy, use alternatives like <a rel="noreferrer" …> for links to third-party sites.',
    );
    // Quoted, not made: no link, and only the head's own meta elements.
    expect(await v.page.locator('a').count()).toBe(0);
    expect(await v.page.locator('body meta').count()).toBe(0);
    // Django's template indents the reason inside the <pre>.
    expect((await text(v.page.locator('#info pre'))).trim()).toBe('Referer checking failed - no Referer.');
    expect(await text(v.page.locator('#info h2'))).toBe('Help');
    expect(await texts(v.page.locator('#info li'))).toHaveLength(5);
    expect(await text(v.page.locator('#info'))).toContain('You can customize this page using the CSRF_FAILURE_VIEW setting.');
    await expectQuiet(v);
    await screenshot(v, 'csrf-failure-debug');
  });

  it('shows the CSRF failure page without DEBUG: why the cookie is needed, and no reason', async () => {
    const s = await site({ DEBUG: false, MIDDLEWARE: [CsrfViewMiddleware], ROOT_URLCONF: { urlpatterns: [route('submit/', ok)] } });
    const v = await visit(s, '/submit/', { body: `csrfmiddlewaretoken=${SCRIPT}` });
    expect(v.response.status()).toBe(403);
    expect(await v.page.title()).toBe('403 Forbidden');
    expect(await texts(v.page.locator('#summary p'))).toEqual([
      'CSRF verification failed. Request aborted.',
      'You are seeing this message because this site requires a CSRF cookie when submitting forms. This cookie is required ' +
        'for security reasons, to ensure that your browser is not being hijacked by third parties.',
      'If you have configured your browser to disable cookies, please re-enable them, at least for this site, or for ' +
        '“same-origin” requests.',
    ]);
    expect(await text(v.page.locator('#explanation'))).toBe('More information is available with DEBUG=true.');
    expect(await v.page.locator('#info').count()).toBe(0);
    await expectQuiet(v);
    await screenshot(v, 'csrf-failure');
  });

  it('shows the plain 404 without DEBUG', async () => {
    const s = await site({ DEBUG: false, ROOT_URLCONF: { urlpatterns: [route('about/', ok, { name: 'about' })] } });
    const v = await visit(s, `/missing/?q=${SCRIPT}`);
    expect(v.response.status()).toBe(404);
    expect(await v.page.title()).toBe('Not Found');
    expect(await text(v.page.locator('h1'))).toBe('Not Found');
    expect(await text(v.page.locator('body p'))).toBe('The requested resource was not found on this server.');
    // Nothing about the request or the URLconf.
    expect(await text(v.page.locator('body'))).not.toContain('about/');
    expect(await text(v.page.locator('body'))).not.toContain('missing');
    await expectQuiet(v);
    await screenshot(v, 'not-found');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
