// Sessions kept in the cookie itself (Django's contrib/sessions/backends/signed_cookies.py): the session
// key is the data, signed and timestamped, so the same SECRET_KEY reads Django's session cookies and its.
import { isPlainObject } from '../../../gateway/plain-object.js';
import { dumps, loads } from '../../signing.js';
import { SessionBase } from './base.js';

/** Django's salt: a cookie signed by one side verifies on the other. */
const SALT = 'django.contrib.sessions.backends.signed_cookies';

export class SessionStore extends SessionBase {
  /** The data the cookie holds; a tampered, expired or unreadable cookie is a new, empty session. */
  protected load(): Record<string, unknown> {
    try {
      // SESSION_COOKIE_AGE, not the session's own expiry: the timestamp is when the cookie was written.
      const data = loads(this.sessionKey ?? '', { salt: SALT, maxAge: this.getSessionCookieAge() });
      if (isPlainObject(data)) return data;
    } catch {
      // BadSignature, SignatureExpired, or a payload that does not inflate or parse: start afresh.
    }
    this.create();
    return {};
  }

  /** A new session: marked modified, so the response carries its cookie. */
  protected create(): void {
    this.modified = true;
  }

  save(): void {
    this.sessionKey = dumps(this.data, { salt: SALT, compress: true });
    this.modified = true;
  }

  deleteSession(): void {
    this.sessionKey = null;
    this.data = {};
    this.modified = true;
  }

  /** The data signed anew: a cookie with a new value (and timestamp). */
  cycleKey(): void {
    this.save();
  }
}
