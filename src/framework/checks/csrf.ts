// The CSRF checks (Django's django.core.checks.security.csrf): the middleware in MIDDLEWARE and its cookie
// secure-only (deployment), and a CSRF_FAILURE_VIEW that can be imported.
import { settings } from '../conf/settings.js';
import { CsrfViewMiddleware, getFailureView } from '../middleware/csrf.js';
import { importString } from '../utils/module-loading.js';
import { Error as CheckError, Warning, type CheckMessage } from './messages.js';

/** Whether MIDDLEWARE lists CsrfViewMiddleware, as the class or an import string naming it. */
async function csrfMiddlewareUsed(): Promise<boolean> {
  for (const spec of settings.MIDDLEWARE) {
    if (spec === CsrfViewMiddleware) return true;
    // A string that does not import is not this middleware; loadMiddleware() says what is wrong with it.
    if (typeof spec === 'string' && (await importString(spec, settings.BASE_DIR).catch(() => null)) === CsrfViewMiddleware) return true;
  }
  return false;
}

/** security.W003 (deployment): nothing checks unsafe requests. */
export async function checkCsrfMiddleware(): Promise<CheckMessage[]> {
  if (await csrfMiddlewareUsed()) return [];
  return [
    new Warning(
      "You don't appear to be using gwi's built-in cross-site request forgery protection via the middleware " +
        "('CsrfViewMiddleware' is not in your MIDDLEWARE). Enabling the middleware is the safest approach to ensure " +
        "you don't leave any holes.",
      { id: 'security.W003' },
    ),
  ];
}

/** security.W016 (deployment): the CSRF cookie also goes over plain HTTP. */
export async function checkCsrfCookieSecure(): Promise<CheckMessage[]> {
  if (settings.CSRF_COOKIE_SECURE || !(await csrfMiddlewareUsed())) return [];
  return [
    new Warning(
      "You have 'CsrfViewMiddleware' in your MIDDLEWARE, but you have not set CSRF_COOKIE_SECURE to true. Using a " +
        'secure-only CSRF cookie makes it more difficult for network traffic sniffers to steal the CSRF token.',
      { id: 'security.W016' },
    ),
  ];
}

/** security.E102: the failure view is needed at the first refused request; find out now. */
export async function checkCsrfFailureView(): Promise<CheckMessage[]> {
  try {
    await getFailureView();
    return [];
  } catch {
    return [new CheckError(`The CSRF failure view '${String(settings.CSRF_FAILURE_VIEW)}' could not be imported.`, { id: 'security.E102' })];
  }
}
