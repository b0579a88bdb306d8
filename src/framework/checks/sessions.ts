// The session cookie's deployment checks (Django's core/checks/security/sessions.py), run by
// `check --deploy` when SessionMiddleware is in MIDDLEWARE.
import { settings } from '../conf/settings.js';
import { SessionMiddleware } from '../sessions/middleware.js';
import { Warning, type CheckMessage } from './messages.js';

/**
 * The warning when the setting is off and sessions are in use. gwi has no INSTALLED_APPS: sessions are in
 * use when the middleware is, and Django's warnings for a project with both its sessions app and its
 * middleware (W012, W015) are the ones that fit, word for word.
 */
function unlessSet(setting: boolean, id: string, message: string): CheckMessage[] {
  if (setting || !settings.MIDDLEWARE.includes(SessionMiddleware)) return [];
  return [new Warning(message, { id })];
}

/** security.W012 (deployment): the session cookie may travel over plain HTTP. */
export function checkSessionCookieSecure(): CheckMessage[] {
  return unlessSet(
    settings.SESSION_COOKIE_SECURE,
    'security.W012',
    'SESSION_COOKIE_SECURE is not set to True. Using a secure-only session cookie makes it more difficult for ' +
      'network traffic sniffers to hijack user sessions.',
  );
}

/** security.W015 (deployment): page scripts can read the session cookie. */
export function checkSessionCookieHttponly(): CheckMessage[] {
  return unlessSet(
    settings.SESSION_COOKIE_HTTPONLY,
    'security.W015',
    'SESSION_COOKIE_HTTPONLY is not set to True. Using an HttpOnly session cookie makes it more difficult for ' +
      'cross-site scripting attacks to hijack user sessions.',
  );
}
