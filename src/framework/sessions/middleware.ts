// SessionMiddleware (Django's contrib/sessions/middleware.py): request.session from the session cookie,
// and on the way out the cookie written when the session changed, or deleted once it is emptied.
import { whenReadyWith } from '../../gateway/maybe-promise.js';
import { currentSettings } from '../conf/settings.js';
import type { GetResponse, MiddlewareFunction } from '../handlers/middleware.js';
import type { GwiRequest } from '../http/request.js';
import type { HttpResponseBase } from '../http/response.js';
import { patchVaryHeaders } from '../utils/cache.js';
import { SessionStore } from './backends/signed-cookies.js';

function processResponse(response: HttpResponseBase, request: GwiRequest): HttpResponseBase {
  const session = request.session;
  const { accessed, modified } = session;
  const empty = session.isEmpty();
  const s = currentSettings();
  const name = s.SESSION_COOKIE_NAME;
  if (request.COOKIES[name] !== undefined && empty) {
    response.deleteCookie(name, { path: s.SESSION_COOKIE_PATH, domain: s.SESSION_COOKIE_DOMAIN, samesite: s.SESSION_COOKIE_SAMESITE });
    patchVaryHeaders(response, ['Cookie']);
    return response;
  }
  if (accessed) patchVaryHeaders(response, ['Cookie']);
  // A 500 keeps the cookie the client has: the view may have failed halfway through its changes.
  if ((modified || s.SESSION_SAVE_EVERY_REQUEST) && !empty && response.statusCode !== 500) {
    const maxAge = session.getExpireAtBrowserClose() ? null : session.getExpiryAge();
    session.save();
    response.setCookie(name, session.sessionKey ?? '', {
      maxAge,
      domain: s.SESSION_COOKIE_DOMAIN,
      path: s.SESSION_COOKIE_PATH,
      secure: s.SESSION_COOKIE_SECURE,
      httponly: s.SESSION_COOKIE_HTTPONLY,
      samesite: s.SESSION_COOKIE_SAMESITE,
    });
  }
  return response;
}

export function SessionMiddleware(getResponse: GetResponse): MiddlewareFunction {
  return (request) => {
    request.session = new SessionStore(request.COOKIES[currentSettings().SESSION_COOKIE_NAME] ?? null);
    return whenReadyWith(getResponse(request), processResponse, request);
  };
}
