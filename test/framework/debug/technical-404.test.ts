import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { renderTechnical404, technical404Response, type Technical404Data } from '../../../src/framework/debug/technical-404.js';
import { Http404 } from '../../../src/framework/exceptions.js';
import { GwiRequest } from '../../../src/framework/http/request.js';
import { resolve } from '../../../src/framework/urls/base.js';
import { path as route } from '../../../src/framework/urls/conf.js';
import { Resolver404 } from '../../../src/framework/urls/exceptions.js';
import { HttpResponse } from '../../../src/framework/http/response.js';
import { setupTestingDefaults } from '../../../src/gateway/util.js';

const XSS = '<script>alert(1)</script>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

const view = () => new HttpResponse('ok');

beforeEach(() => configureSettings({ DEBUG: true, ROOT_URLCONF: 'mysite/urls', ALLOWED_HOSTS: ['testserver'] }, 'mysite/settings'));
afterEach(() => resetSettings());

function makeRequest(pathInfo: string, extra: Record<string, unknown> = {}): GwiRequest {
  return new GwiRequest(setupTestingDefaults({ SERVER_NAME: 'testserver', PATH_INFO: pathInfo, ...extra }));
}

function resolverError(path: string, urlpatterns: unknown[]): Resolver404 {
  try {
    resolve(path, urlpatterns);
  } catch (err) {
    if (err instanceof Resolver404) return err;
    throw err;
  }
  throw new Error(`${path} resolved`);
}

const BASE: Technical404Data = {
  method: 'GET',
  url: 'http://testserver/nope',
  pathInfo: '/nope',
  raisedBy: null,
  urlconf: 'mysite/urls',
  tried: [
    { patterns: ['admin/'], name: null },
    { patterns: ['articles/', '<int:year>/'], name: 'year-archive' },
  ],
  requestPath: 'nope',
  reason: '',
  resolved: false,
};

describe('renderTechnical404', () => {
  it('lists the patterns tried, escaped, and says the path matched none', () => {
    const html = renderTechnical404(BASE);
    expect(html).toContain('<title>Page not found at /nope</title>');
    expect(html).toContain('<h1>Page not found <small>(404)</small></h1>');
    expect(html).toContain('<tr><th scope="row">Request Method:</th><td>GET</td></tr>');
    expect(html).toContain('<tr><th scope="row">Request URL:</th><td>http://testserver/nope</td></tr>');
    expect(html).toContain(
      '<p>Using the URLconf defined in <code>mysite/urls</code>, gwi tried these URL patterns, in this order:</p>\n' +
        '<ol class="tried">\n<li><code>admin/</code></li>\n<li><code>articles/</code> <code>&lt;int:year&gt;/</code> [name=&#x27;year-archive&#x27;]</li>\n</ol>\n' +
        "<p>The current path, <code>nope</code>, didn't match any of these.</p>",
    );
    expect(html).toContain(
      "You're seeing this error because you have <code>DEBUG = true</code> in your gwi settings file. " +
        'Change that to <code>false</code>, and gwi will display a standard 404 page.',
    );
  });

  it('names the empty path', () => {
    expect(renderTechnical404({ ...BASE, requestPath: '' })).toContain("<p>The empty path didn't match any of these.</p>");
  });

  it('shows the reason and the view when a view raised Http404', () => {
    const html = renderTechnical404({ ...BASE, tried: null, resolved: true, reason: 'No Order matches the given query.', raisedBy: 'orderDetail' });
    expect(html).toContain('<pre class="exception_value">No Order matches the given query.</pre>');
    expect(html).toContain('<tr><th scope="row">Raised by:</th><td>orderDetail</td></tr>');
    expect(html).not.toContain('gwi tried these URL patterns');
  });

  it('escapes the path, the URL, the patterns and the reason', () => {
    const html = renderTechnical404({
      ...BASE,
      url: `http://testserver/${XSS}`,
      pathInfo: `/${XSS}`,
      requestPath: XSS,
      tried: [{ patterns: [XSS], name: XSS }],
      resolved: false,
    });
    const raised = renderTechnical404({ ...BASE, tried: null, resolved: true, reason: XSS, raisedBy: XSS });
    for (const page of [html, raised]) expect(page).not.toContain(XSS);
    expect(html).toContain(`<title>Page not found at /${ESCAPED}</title>`);
    expect(html).toContain(`<li><code>${ESCAPED}</code> [name=&#x27;${ESCAPED}&#x27;]</li>`);
    expect(html).toContain(`The current path, <code>${ESCAPED}</code>,`);
    expect(raised).toContain(`<pre class="exception_value">${ESCAPED}</pre>`);
  });
});

describe('technical404Response', () => {
  it('answers a Resolver404 with the patterns tried', () => {
    const error = resolverError('/nope', [route('articles/<int:year>/', view, { name: 'year' })]);
    const response = technical404Response(makeRequest('/nope'), error);
    expect(response.statusCode).toBe(404);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    const html = response.content.toString('utf8');
    expect(html).toContain('<code>articles/&lt;int:year&gt;/');
    expect(html).toContain("didn't match any of these.");
    expect(html).toContain('Using the URLconf defined in <code>mysite/urls</code>');
  });

  it('escapes a hostile path and query in the page', () => {
    const error = resolverError(`/${XSS}`, [route('articles/', view)]);
    const html = technical404Response(makeRequest(`/${XSS}`, { QUERY_STRING: `x=${XSS}` }), error).content.toString('utf8');
    expect(html).not.toContain(XSS);
    expect(html).toContain(ESCAPED);
  });

  it('shows an Http404 raised by a view with its message', () => {
    const html = technical404Response(makeRequest('/orders/7'), new Http404(`No order 7 ${XSS}`)).content.toString('utf8');
    expect(html).toContain(`<pre class="exception_value">No order 7 ${ESCAPED}</pre>`);
    expect(html).not.toContain('gwi tried these URL patterns');
  });

  it('for a view that raised, lists the patterns up to its match and names the view', () => {
    function orderDetail() {
      return new HttpResponse('never');
    }
    const request = makeRequest('/orders/7/');
    request.resolverMatch = resolve('/orders/7/', [route('about/', view), route('orders/<int:pk>/', orderDetail, { name: 'order' })]);
    const html = technical404Response(request, new Http404('No Order matches the given query.')).content.toString('utf8');
    expect(html).toContain('<tr><th scope="row">Raised by:</th><td>orderDetail</td></tr>');
    expect(html).toContain('<li><code>orders/&lt;int:pk&gt;/</code> [name=&#x27;order&#x27;]</li>');
    expect(html).toContain('<p>The current path, <code>orders/7/</code>, matched the last one.</p>');
  });

  it('greets an empty URLconf with the welcome page (200, as Django)', () => {
    const error = resolverError('/', []);
    const response = technical404Response(makeRequest('/'), error);
    expect(response.statusCode).toBe(200);
    expect(response.content.toString('utf8')).toContain('The install worked successfully! Congratulations!');
  });
});
