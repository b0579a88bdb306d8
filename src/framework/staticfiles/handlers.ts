// runserver's static files (Django's staticfiles StaticFilesHandler + views.serve): GET/HEAD under
// STATIC_URL answered from STATICFILES_DIRS, with a path resolution that never leaves those folders.
import { Buffer } from 'node:buffer';
import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { Application, Body, Environ, StartResponse } from '../../gateway/types.js';
import { formatDateTime } from '../../gateway/util.js';
import type { MaybePromise } from '../../gateway/maybe-promise.js';
import { upperCase } from '../../gateway/memo.js';
import { settings } from '../conf/settings.js';
import { technical404Response } from '../debug/technical-404.js';
import { pageNotFound } from '../views/defaults.js';
import { Http404 } from '../exceptions.js';
import { GwiRequest } from '../http/request.js';
import { FileResponse } from '../http/file-response.js';
import { HttpResponseNotModified, type HttpResponseBase } from '../http/response.js';

/**
 * The URL path static files are served under ('/static/'), or null when there is none: STATIC_URL
 * unset, or naming a host (a CDN) — Django serves nothing then either.
 */
export function staticUrlPath(staticUrl: string | null): string | null {
  if (!staticUrl) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(staticUrl) || staticUrl.startsWith('//')) return null;
  let urlPath = staticUrl.replace(/[?#].*$/, '');
  // 'static/' is relative to the site's root; a missing trailing slash would let '/staticx' match.
  if (!urlPath.startsWith('/')) urlPath = `/${urlPath}`;
  if (!urlPath.endsWith('/')) urlPath += '/';
  return urlPath;
}

/**
 * The path segments of a URL path below STATIC_URL, or null when it must not be served: `..`
 * (also sent as %2e%2e), a NUL byte, a backslash (a separator on Windows), or an absolute path
 * (a second leading slash, or a drive). Empty and `.` segments are dropped, as normpath does.
 */
export function safeSegments(relative: string): string[] | null {
  if (relative.includes('\0') || relative.includes('\\')) return null;
  if (relative.startsWith('/') || path.isAbsolute(relative)) return null;
  const segments = relative.split('/').filter((segment) => segment !== '' && segment !== '.');
  return segments.includes('..') ? null : segments;
}

function inside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** A file found under one of the roots. */
export interface StaticFile {
  /** The file itself, symbolic links resolved: what is opened, so it is the file that was checked. */
  path: string;
  /** The name as requested: it gives the Content-Type and the Content-Disposition file name. */
  name: string;
  stats: Stats;
}

/**
 * Finds `relative` in the first root that has it (Django's FileSystemFinder). Symbolic links are
 * followed only while they stay inside their root. 'directory' when it names a folder.
 */
export async function findStaticFile(relative: string, roots: readonly string[]): Promise<StaticFile | 'directory' | null> {
  const segments = safeSegments(relative);
  if (segments === null) return null;
  for (const root of roots) {
    const candidate = path.join(root, ...segments);
    let real: string;
    let stats: Stats;
    try {
      real = await realpath(candidate);
      if (!inside(await realpath(root), real)) continue;
      stats = await stat(real);
    } catch {
      // Missing here (or gone since): the next root may have it.
      continue;
    }
    if (stats.isDirectory()) return 'directory';
    if (stats.isFile()) return { path: real, name: path.basename(candidate), stats };
  }
  return null;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const TIME = '(?<hour>[0-9]{2}):(?<min>[0-9]{2}):(?<sec>[0-9]{2})';
const HTTP_DATES = [
  new RegExp(`^\\w{3}, (?<day>[0-9]{2}) (?<mon>\\w{3}) (?<year>[0-9]{4}) ${TIME} GMT$`), // RFC 1123
  new RegExp(`^\\w{6,9}, (?<day>[0-9]{2})-(?<mon>\\w{3})-(?<year>[0-9]{2}) ${TIME} GMT$`), // RFC 850
  new RegExp(`^\\w{3} (?<mon>\\w{3}) (?<day>[ 0-9][0-9]) ${TIME} (?<year>[0-9]{4})$`), // asctime
];

/** Django's parse_http_date: the three formats of RFC 9110, as seconds since the epoch; null if invalid. */
export function parseHttpDate(text: string, now: Date = new Date()): number | null {
  let groups: Record<string, string> | undefined;
  for (const format of HTTP_DATES) {
    groups = format.exec(text)?.groups;
    if (groups) break;
  }
  if (!groups) return null;
  const { day = '', mon = '', year = '', hour = '', min = '', sec = '' } = groups;
  let fullYear = Number(year);
  if (year.length === 2) {
    // RFC 850's two-digit years: more than 50 years ahead means the previous century (RFC 9110 §5.6.7).
    const current = now.getUTCFullYear();
    const century = current - (current % 100);
    fullYear += fullYear - (current % 100) > 50 ? century - 100 : century;
  }
  const month = MONTHS.indexOf(mon.toLowerCase());
  const [d, h, m, s] = [Number(day), Number(hour), Number(min), Number(sec)];
  // setUTCFullYear, not Date.UTC: that one reads years below 100 as 19xx.
  const date = new Date(0);
  date.setUTCFullYear(fullYear, month, d);
  date.setUTCHours(h, m, s);
  // Feb 30 rolls over into March here; Python's datetime refuses it, and so does this.
  if (month < 0 || date.getUTCDate() !== d || date.getUTCMonth() !== month || h > 23 || m > 59 || s > 59) return null;
  return date.getTime() / 1000;
}

/** Django's was_modified_since: true unless If-Modified-Since is valid and not older than the file. */
export function wasModifiedSince(header: string | undefined, mtimeMs: number): boolean {
  if (header === undefined) return true;
  const since = parseHttpDate(header);
  return since === null || Math.floor(mtimeMs / 1000) > since;
}

/** A 404 as the rest of the site gives it: the technical page with DEBUG, the plain one without. */
function notFound(request: GwiRequest, message: string): HttpResponseBase {
  return settings.DEBUG ? technical404Response(request, new Http404(message)) : pageNotFound(request);
}

/** Django's staticfiles serve(): the file, a 304 for a fresh If-Modified-Since, or a 404. */
export async function serveStatic(request: GwiRequest, relative: string, roots: readonly string[]): Promise<HttpResponseBase> {
  const found = await findStaticFile(relative, roots);
  if (found === 'directory') return notFound(request, 'Directory indexes are not allowed here.');
  if (found === null) return notFound(request, `'${relative}' could not be found`);
  const { path: file, name, stats } = found;
  if (!wasModifiedSince(request.META.HTTP_IF_MODIFIED_SINCE, stats.mtimeMs)) return new HttpResponseNotModified();
  const response = new FileResponse(file, { filename: name });
  response.headers.set('Last-Modified', formatDateTime(Math.floor(stats.mtimeMs / 1000) * 1000));
  return response;
}

/** The wrapped application plus what the handler serves. */
export type StaticFilesApplication = Application & {
  /** The application everything outside STATIC_URL goes to. */
  readonly application: Application;
  /** The URL path served ('/static/'), or null when STATIC_URL serves nothing here. */
  readonly baseUrl: string | null;
};

/**
 * Wraps `application` (runserver does, unless --nostatic): GET and HEAD under STATIC_URL are
 * answered from STATICFILES_DIRS (first match wins), everything else goes to `application`.
 * Settings are read once, here, as Django's handler reads them in its constructor.
 */
export function StaticFilesHandler(application: Application): StaticFilesApplication {
  const baseUrl = staticUrlPath(settings.STATIC_URL);
  const roots = settings.STATICFILES_DIRS.map((dir) => path.resolve(settings.BASE_DIR, dir));
  // PATH_INFO holds the request's bytes as latin-1: compare it with STATIC_URL's UTF-8 bytes.
  const prefix = baseUrl === null ? null : Buffer.from(baseUrl, 'utf8').toString('latin1');

  const serve = async (environ: Environ, startResponse: StartResponse, method: string, urlPath: string): Promise<Body> => {
    const request = new GwiRequest(environ);
    const response = await serveStatic(request, request.pathInfo.slice(urlPath.length), roots);
    startResponse(response.statusLine, response.headerList());
    if (method === 'HEAD') {
      // The server would read the whole file only to drop it: send no body, close the response.
      return Object.assign([] as Uint8Array[], { close: () => response.close() });
    }
    return response as unknown as Body;
  };

  // Not async: a request passed on keeps the application's answer as it is, a body given at once
  // staying one (no promise per request).
  const handler = (environ: Environ, startResponse: StartResponse): MaybePromise<Body> => {
    try {
      const method = upperCase(environ.REQUEST_METHOD);
      if (prefix === null || baseUrl === null || (method !== 'GET' && method !== 'HEAD') || !environ.PATH_INFO.startsWith(prefix)) {
        return application(environ, startResponse);
      }
      return serve(environ, startResponse, method, baseUrl);
    } catch (err) {
      // Callers await the handler: a failure is a rejection, never a synchronous throw.
      return Promise.reject(err);
    }
  };
  return Object.assign(handler, { application, baseUrl });
}
