import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import {
  CLEANSED_SUBSTITUTE,
  cleanseSetting,
  describeExceptions,
  safeSettings,
  technical500Data,
} from '../../../src/framework/debug/exception-reporter.js';
import { technical500Response } from '../../../src/framework/debug/technical-500.js';
import { renderTechnical500 } from '../../../src/framework/debug/technical-500-html.js';
import { BadRequest } from '../../../src/framework/exceptions.js';
import { GwiRequest } from '../../../src/framework/http/request.js';
import { setupTestingDefaults } from '../../../src/gateway/util.js';

const XSS = '<script>alert(1)</script>';
// Built, not written out: the page shows this file's source lines, which must not leak them either.
const SECRET_KEY = ['django', 'insecure', 's3cret'].join('-');
const BEARER = ['hunter', '2'].join('');
const CSRF = ['tok', '123'].join('');
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gwi-500-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  configureSettings({ DEBUG: true, SECRET_KEY, ALLOWED_HOSTS: ['testserver'] }, 'mysite/settings');
});
afterEach(() => resetSettings());

function makeRequest(extra: Record<string, unknown> = {}): GwiRequest {
  return new GwiRequest(setupTestingDefaults({ SERVER_NAME: 'testserver', PATH_INFO: '/orders/7', ...extra }));
}

/** Imports a TypeScript view from a temp dir (vitest compiles it) and returns what it throws. */
async function throwFromTs(name: string, source: string): Promise<unknown> {
  const file = path.join(dir, `${name}.ts`);
  writeFileSync(file, source);
  const mod = (await import(pathToFileURL(file).href)) as { view: () => unknown };
  try {
    mod.view();
  } catch (err) {
    return err;
  }
  throw new Error('the view did not throw');
}

const VIEW_TS = [
  'interface Order { id: number }', // 1
  '', //                               2
  `// a comment with ${XSS} in it`, // 3
  'export function view(): never {', // 4
  '  const order: Order = { id: 7 };', // 5
  `  throw new Error('order ' + order.id + ' failed: ${XSS}');`, // 6
  '}', //                                7
  '',
].join('\n');

describe('cleanseSetting', () => {
  it.each([
    ['SECRET_KEY', 'x', CLEANSED_SUBSTITUTE],
    ['DATABASE_PASSWORD', 'x', CLEANSED_SUBSTITUTE],
    ['GITHUB_TOKEN', 'x', CLEANSED_SUBSTITUTE],
    ['STRIPE_API_URL', 'x', CLEANSED_SUBSTITUTE],
    ['MY_SIGNATURE', 'x', CLEANSED_SUBSTITUTE],
    ['AWS_CREDENTIALS', { id: 1 }, CLEANSED_SUBSTITUTE],
    ['passphrase', 'x', CLEANSED_SUBSTITUTE],
    ['HTTP_COOKIE', 'sessionid=1', CLEANSED_SUBSTITUTE],
    ['HTTP_AUTHORIZATION', 'Bearer x', CLEANSED_SUBSTITUTE],
    ['DEBUG', true, true],
    ['ALLOWED_HOSTS', ['a', 'b'], ['a', 'b']],
  ])('%s', (key, value, expected) => expect(cleanseSetting(key, value)).toEqual(expected));

  it('cleanses nested objects and arrays (Django: DATABASES.default.PASSWORD)', () => {
    const value = { default: { NAME: 'db', PASSWORD: 'pw' }, replicas: [{ HOST: 'r1', API_KEY: 'k' }] };
    expect(cleanseSetting('DATABASES', value)).toEqual({
      default: { NAME: 'db', PASSWORD: CLEANSED_SUBSTITUTE },
      replicas: [{ HOST: 'r1', API_KEY: CLEANSED_SUBSTITUTE }],
    });
    expect(value.default.PASSWORD).toBe('pw');
  });

  it('survives cycles', () => {
    const value: Record<string, unknown> = { a: 1 };
    value.self = value;
    expect(cleanseSetting('X', value)).toEqual({ a: 1, self: '[Circular]' });
  });
});

describe('safeSettings', () => {
  it('lists every setting, sorted, with secrets masked', () => {
    const rows = safeSettings() as [string, string][];
    const names = rows.map(([name]) => name);
    expect(names).toEqual([...names].sort());
    expect(Object.fromEntries(rows)).toMatchObject({
      DEBUG: 'true',
      SECRET_KEY: `'${CLEANSED_SUBSTITUTE}'`,
      SETTINGS_MODULE: "'mysite/settings'",
    });
  });

  it('is null before settings are configured', () => {
    resetSettings();
    expect(safeSettings()).toBeNull();
  });
});

describe('describeExceptions', () => {
  it('follows the cause chain', () => {
    const root = new TypeError('root');
    const chain = describeExceptions(new Error('outer', { cause: root }));
    expect(chain.map((e) => [e.type, e.message])).toEqual([
      ['Error', 'outer'],
      ['TypeError', 'root'],
    ]);
  });

  it('names subclasses that keep name = "Error" by their class', () => {
    class OrderError extends Error {}
    expect(describeExceptions(new OrderError('x'))[0]?.type).toBe('OrderError');
    expect(describeExceptions(new BadRequest('x'))[0]?.type).toBe('BadRequest');
  });

  it('describes values that are not errors', () => {
    expect(describeExceptions('oops')[0]).toEqual({ type: 'string (thrown value)', message: 'oops', frames: [] });
    expect(describeExceptions({ code: 1 })[0]?.message).toBe('{ code: 1 }');
  });

  it('stops on a cause cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(describeExceptions(a)).toHaveLength(2);
  });
});

describe('technical500Response', () => {
  it('shows the frame from the TypeScript source, with context, all escaped', async () => {
    const error = await throwFromTs('view_escape', VIEW_TS);
    const request = makeRequest({
      PATH_INFO: `/orders/${XSS}`,
      QUERY_STRING: `q=${encodeURIComponent(XSS)}&${encodeURIComponent(XSS)}=v`,
      HTTP_X_CUSTOM: XSS,
      HTTP_COOKIE: `theme=${XSS}`,
    });
    const response = technical500Response(request, error);
    expect(response.statusCode).toBe(500);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    const html = response.content.toString('utf8');
    expect(html).not.toContain(XSS);
    expect(html).not.toMatch(/<script/i);
    // The exception message, the path (title and h1), the query, the header, the cookie and the source line.
    expect(html).toContain(`<title>Error at /orders/${ESCAPED}</title>`);
    expect(html).toContain(`<h1>Error at /orders/${ESCAPED}</h1>`);
    expect(html).toContain(`<pre class="exception_value">order 7 failed: ${ESCAPED}</pre>`);
    expect(html).toContain(`<tr><td>q</td><td>&#x27;${ESCAPED}&#x27;</td></tr>`);
    expect(html).toContain(`<tr><td>${ESCAPED}</td><td>&#x27;v&#x27;</td></tr>`);
    expect(html).toContain(`<tr><td>HTTP_X_CUSTOM</td><td>&#x27;${ESCAPED}&#x27;</td></tr>`);
    expect(html).toContain(`<tr><td>theme</td><td>&#x27;${ESCAPED}&#x27;</td></tr>`);
    expect(html).toContain(`<li>// a comment with ${ESCAPED} in it</li>`);
    // The TS line (6) is the current one, in a list numbered from line 1.
    const file = path.join(dir, 'view_escape.ts');
    expect(html).toContain(`<span class="fn">Module.view</span> <span class="loc">${file}:6:9</span>`);
    expect(html).toContain('<ol class="context" start="1">\n<li>interface Order { id: number }</li>');
    expect(html).toContain(`<li class="current">  throw new Error(&#x27;order &#x27; + order.id + &#x27; failed: ${ESCAPED}&#x27;);</li>`);
    expect(html).toContain(`<tr><th scope="row">Exception Location:</th><td>${file}:6:9, in Module.view</td></tr>`);
  });

  it('collapses the frames of gwi, node_modules and node: internals', async () => {
    const error = await throwFromTs('view_lib', VIEW_TS);
    const html = technical500Response(makeRequest(), error).content.toString('utf8');
    // vitest's runner (node_modules) called the test, which called the view.
    expect(html).toMatch(/<details class="library">\n<summary>\d+ library frames? \(gwi, node_modules, Node\.js internals\)<\/summary>/);
    const firstDetails = html.indexOf('<details class="library">');
    expect(html.indexOf('<span class="fn">Module.view</span>')).toBeLessThan(firstDetails);
    expect(html.slice(firstDetails)).toContain('/node_modules/');
  });

  it('masks secrets in settings, META and cookies', () => {
    const request = makeRequest({ HTTP_COOKIE: `csrftoken=${CSRF}; sessionid=abc`, HTTP_AUTHORIZATION: `Bearer ${BEARER}` });
    const html = technical500Response(request, new Error('x')).content.toString('utf8');
    expect(html).not.toContain(SECRET_KEY);
    expect(html).not.toContain(BEARER);
    expect(html).not.toContain(CSRF);
    expect(html).toContain(`<tr><td>SECRET_KEY</td><td>&#x27;${CLEANSED_SUBSTITUTE}&#x27;</td></tr>`);
    expect(html).toContain(`<tr><td>HTTP_COOKIE</td><td>&#x27;${CLEANSED_SUBSTITUTE}&#x27;</td></tr>`);
    expect(html).toContain('<tr><td>sessionid</td><td>&#x27;abc&#x27;</td></tr>');
    expect(html).toContain('<p>Using settings module <code>mysite/settings</code></p>');
  });

  it('shows the request summary, the body as not read, and the footer', () => {
    const html = technical500Response(makeRequest({ QUERY_STRING: 'a=1' }), new Error('boom')).content.toString('utf8');
    expect(html).toContain('<tr><th scope="row">Request Method:</th><td>GET</td></tr>');
    expect(html).toContain('<tr><th scope="row">Request URL:</th><td>http://testserver/orders/7?a=1</td></tr>');
    expect(html).toContain('<tr><th scope="row">Exception Type:</th><td>Error</td></tr>');
    expect(html).toContain('<tr><th scope="row">Exception Value:</th><td>boom</td></tr>');
    expect(html).toContain(`<tr><th scope="row">Node.js Version:</th><td>${process.version}</td></tr>`);
    expect(html).toContain('<h3 id="post-info">POST</h3>\n<p class="empty">The request body was not read.</p>');
    expect(html).toContain('<h3 id="cookie-info">COOKIES</h3>\n<p class="empty">No cookie data</p>');
    expect(html).toContain("You're seeing this error because you have <code>DEBUG = true</code> in your gwi settings file.");
  });

  it('still renders when the query string itself is the problem (TooManyFieldsSent)', () => {
    configureSettings({ DEBUG: true, ALLOWED_HOSTS: ['testserver'], DATA_UPLOAD_MAX_NUMBER_FIELDS: 2 });
    const request = makeRequest({ QUERY_STRING: 'a=1&b=2&c=3' });
    let error: unknown;
    try {
      void request.GET;
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(Error);
    const response = technical500Response(request, error, 400);
    expect(response.text).toContain('<h3 id="get-info">GET</h3>\n<p class="empty">The query string could not be parsed.</p>');
  });

  it('uses the given status code (400 for BadRequest and SuspiciousOperation)', () => {
    const response = technical500Response(makeRequest(), new BadRequest('bad input'), 400);
    expect(response.statusCode).toBe(400);
    expect(response.content.toString('utf8')).toContain('<h1>BadRequest at /orders/7</h1>');
  });

  it('shows each cause', () => {
    const error = new Error('could not save', { cause: new RangeError(`disk ${XSS}`) });
    const html = technical500Response(makeRequest(), error).content.toString('utf8');
    expect(html).toContain(`<h3>Caused by RangeError</h3>\n<pre class="exception_value">disk ${ESCAPED}</pre>`);
  });

  it('handles a thrown value that is not an Error', () => {
    const html = technical500Response(makeRequest(), 'just a string').content.toString('utf8');
    expect(html).toContain('<pre class="exception_value">just a string</pre>');
    expect(html).toContain('No stack trace: the thrown value was not an Error.');
  });

  it('answers plain text to a client that does not accept HTML', async () => {
    const error = await throwFromTs('view_text', VIEW_TS);
    const response = technical500Response(makeRequest({ HTTP_ACCEPT: 'application/json' }), error);
    expect(response.headers.get('Content-Type')).toBe('text/plain; charset=utf-8');
    const text = response.content.toString('utf8');
    expect(text.startsWith(`Error at /orders/7\norder 7 failed: ${XSS}\n`)).toBe(true);
    expect(text).toContain(`  at Module.view (${path.join(dir, 'view_text.ts')}:6:9)\n    throw new Error(`);
    expect(text).toContain(`SECRET_KEY = '${CLEANSED_SUBSTITUTE}'`);
    expect(text).toContain('POST: The request body was not read.');
  });

  it('works without a request', () => {
    const data = technical500Data(null, new Error('outside'));
    expect(data.request).toBeNull();
    const html = renderTechnical500(data);
    expect(html).toContain('<h1>Error</h1>');
    expect(html).toContain('Request data not supplied');
  });
});
