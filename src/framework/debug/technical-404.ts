// The DEBUG "Page not found" page (Django's technical_404_response): the URL patterns tried, in order,
// or the message of an Http404 raised by a view; an empty URLconf gets the welcome page instead.
import { settings } from '../conf/settings.js';
import type { Http404 } from '../exceptions.js';
import type { GwiRequest } from '../http/request.js';
import { HttpResponseNotFound, type HttpResponse } from '../http/response.js';
import { Resolver404 } from '../urls/exceptions.js';
import { escapeHtml, metaTable, renderPage } from './html.js';
import { raisingView, requestUrl } from './exception-reporter.js';
import { welcomePageResponse } from './welcome.js';

/** One line of the list: the patterns from the root to the leaf, and the leaf's name. */
export interface TriedEntry {
  patterns: string[];
  name: string | null;
}

export interface Technical404Data {
  method: string;
  url: string;
  pathInfo: string;
  /** The view that raised Http404, when one did. */
  raisedBy: string | null;
  /** The URLconf's module name, as the page names it. */
  urlconf: string;
  /** The patterns tried, in order; null when neither the error nor the match says. */
  tried: TriedEntry[] | null;
  /** The path the URLconf saw (without its leading slash). */
  requestPath: string;
  /** The Http404's message; shown when a view (not URL resolution) raised it. */
  reason: string;
  /** True when URL resolution found a view, which then raised. */
  resolved: boolean;
}

/** The HTML page; every value is escaped, including the patterns (`<int:year>`). */
export function renderTechnical404(data: Technical404Data): string {
  const rows: [string, string][] = [
    ['Request Method:', data.method],
    ['Request URL:', data.url],
  ];
  if (data.raisedBy) rows.push(['Raised by:', data.raisedBy]);
  const header =
    '<h1>Page not found <small>(404)</small></h1>\n' +
    (data.reason && data.resolved ? `<pre class="exception_value">${escapeHtml(data.reason)}</pre>\n` : '') +
    metaTable(rows);

  let main = '';
  if (data.tried && data.tried.length > 0) {
    const items = data.tried.map(({ patterns, name }) => {
      const codes = patterns.map((part) => `<code>${escapeHtml(part)}</code>`).join(' ');
      return `<li>${codes}${name ? ` [name=&#x27;${escapeHtml(name)}&#x27;]` : ''}</li>`;
    });
    const path = data.requestPath ? `The current path, <code>${escapeHtml(data.requestPath)}</code>,` : 'The empty path';
    main =
      `<p>Using the URLconf defined in <code>${escapeHtml(data.urlconf)}</code>, gwi tried these URL patterns, in this order:</p>\n` +
      `<ol class="tried">\n${items.join('\n')}\n</ol>\n` +
      `<p>${path} ${data.resolved ? 'matched the last one.' : "didn't match any of these."}</p>`;
  }
  const footer =
    "<p>You're seeing this error because you have <code>DEBUG = true</code> in your gwi settings file. " +
    'Change that to <code>false</code>, and gwi will display a standard 404 page.</p>';
  return renderPage({ title: `Page not found at ${data.pathInfo}`, tone: 'error', header, main, footer });
}

function urlconfName(urlconf: unknown): string {
  return typeof urlconf === 'string' ? urlconf : 'ROOT_URLCONF';
}

/** The list entries of Resolver404.triedPatterns / ResolverMatch.triedPatterns (URLPattern or URLResolver). */
function triedEntries(tried: readonly (readonly { pattern: unknown; name?: unknown }[])[]): TriedEntry[] {
  return tried.map((entry) => {
    const leaf = entry[entry.length - 1];
    return { patterns: entry.map((item) => String(item.pattern)), name: typeof leaf?.name === 'string' && leaf.name ? leaf.name : null };
  });
}

/**
 * What the page shows for `error` raised while answering `request`: a Resolver404 carries the
 * patterns tried; an Http404 from a view is "resolved", and the match says what was tried to find it.
 */
export function technical404Data(request: GwiRequest, error: Resolver404 | Http404): Technical404Data {
  const resolved = !(error instanceof Resolver404);
  const match = request.resolverMatch;
  let tried: TriedEntry[] | null = null;
  if (!resolved) tried = triedEntries(error.triedPatterns);
  else if (match?.triedPatterns) tried = triedEntries(match.triedPatterns);
  return {
    method: request.method,
    url: requestUrl(request),
    pathInfo: request.pathInfo,
    raisedBy: raisingView(request),
    urlconf: urlconfName(request.urlconf ?? settings.ROOT_URLCONF),
    tried,
    requestPath: resolved ? request.pathInfo.slice(1) : error.path,
    reason: error.message,
    resolved,
  };
}

/**
 * The DEBUG response to an Http404. A Resolver404 that tried no pattern at all means the URLconf is
 * empty: that is a new project, greeted with the welcome page (a 200, as Django's).
 */
export function technical404Response(request: GwiRequest, error: Resolver404 | Http404): HttpResponse {
  const data = technical404Data(request, error);
  if (!data.resolved && (data.tried ?? []).length === 0) return welcomePageResponse();
  return new HttpResponseNotFound(renderTechnical404(data), { contentType: 'text/html; charset=utf-8' });
}
