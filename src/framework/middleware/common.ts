// CommonMiddleware: the Host check, APPEND_SLASH (a 404 for /x becomes a 301 to /x/ when /x/ exists) and Content-Length.
import { settings } from '../conf/settings.js';
import { whenReadyWith, type MaybePromise } from '../../gateway/maybe-promise.js';
import type { GetResponse, MiddlewareFunction } from '../handlers/middleware.js';
import type { GwiRequest } from '../http/request.js';
import { HttpResponsePermanentRedirect, type HttpResponseBase } from '../http/response.js';
import { isValidPath } from '../urls/base.js';

async function shouldRedirectWithSlash(request: GwiRequest): Promise<boolean> {
  if (!settings.APPEND_SLASH || request.pathInfo.endsWith('/')) return false;
  const urlconf = request.urlconf ?? settings.ROOT_URLCONF;
  if (await isValidPath(request.pathInfo, urlconf)) return false;
  return Boolean(await isValidPath(`${request.pathInfo}/`, urlconf));
}

function pathWithSlash(request: GwiRequest): string {
  const full = request.getFullPath(true);
  // '//evil.example/' would be an open redirect: keep it a path.
  const path = full.replace(/^\/+/, '/');
  if (settings.DEBUG && ['POST', 'PUT', 'PATCH'].includes(request.method)) {
    throw new Error(
      `You called this URL via ${request.method}, but the URL doesn't end in a slash and you have APPEND_SLASH ` +
        `set. gwi can't redirect to the slash URL while maintaining ${request.method} data. Change your form ` +
        `to point to ${request.getHost()}${path} (note the trailing slash), or set APPEND_SLASH=false in your settings.`,
    );
  }
  return path;
}

export function CommonMiddleware(getResponse: GetResponse): MiddlewareFunction {
  return (request) => {
    // As Django's process_request: the host is checked before any view runs, so a Host outside
    // ALLOWED_HOSTS (a DNS-rebinding page, say) gets the DisallowedHost 400, whatever the view reads.
    request.getHost();
    return whenReadyWith(getResponse(request), processResponse, request);
  };
}

function processResponse(response: HttpResponseBase, request: GwiRequest): MaybePromise<HttpResponseBase> {
  return response.statusCode === 404 ? redirectWithSlashOr(request, response) : withContentLength(response);
}

async function redirectWithSlashOr(request: GwiRequest, response: HttpResponseBase): Promise<HttpResponseBase> {
  if (await shouldRedirectWithSlash(request)) return new HttpResponsePermanentRedirect(pathWithSlash(request));
  return withContentLength(response);
}

function withContentLength(response: HttpResponseBase): HttpResponseBase {
  if (!response.streaming && !response.headers.has('Content-Length') && 'content' in response) {
    response.headers.set('Content-Length', String((response.content as Uint8Array).length));
  }
  return response;
}
