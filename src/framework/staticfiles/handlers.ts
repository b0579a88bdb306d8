// runserver's static files (Django's staticfiles StaticFilesHandler): GET/HEAD under STATIC_URL answered
// from STATICFILES_DIRS, everything else passed on to the application.
import { Buffer } from 'node:buffer';
import path from 'node:path';
import type { Application, Body, Environ, StartResponse } from '../../gateway/types.js';
import type { MaybePromise } from '../../gateway/maybe-promise.js';
import { upperCase } from '../../gateway/memo.js';
import { settings } from '../conf/settings.js';
import { GwiRequest } from '../http/request.js';
import { serveStatic } from './views.js';

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

/** The wrapped application plus what the handler serves. */
export type StaticFilesApplication = Application & {
  /** The application everything outside STATIC_URL goes to. */
  readonly application: Application;
  /** The URL path served ('/static/'), or null when STATIC_URL serves nothing here. */
  readonly baseUrl: string | null;
  /** The folders it serves from (STATICFILES_DIRS, absolute), first match first. */
  readonly roots: readonly string[];
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
  return Object.assign(handler, { application, baseUrl, roots });
}
