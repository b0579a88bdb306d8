// The cookies a test client keeps (the SimpleCookie of Django's client): what each response's Set-Cookie
// headers set, and what an expired one deletes.
import { cookieUnquote } from '../http/cookies.js';

/** Whether a Set-Cookie's attributes say it is already gone: Max-Age ≤ 0, else an Expires in the past. */
function isExpired(attributes: readonly string[], now: number): boolean {
  let expires: number | null = null;
  for (const attribute of attributes) {
    const eq = attribute.indexOf('=');
    const name = (eq < 0 ? attribute : attribute.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : attribute.slice(eq + 1).trim();
    // Max-Age wins over Expires (RFC 6265 §5.3); one that is not a number is ignored.
    if (name === 'max-age' && /^-?\d+$/.test(value)) return Number(value) <= 0;
    if (name === 'expires') expires = Date.parse(value);
  }
  return expires !== null && expires <= now;
}

/** Stores each Set-Cookie header's cookie in `jar` (its value unquoted), or deletes it when it has expired. */
export function storeCookies(jar: Map<string, string>, setCookies: readonly string[], now = Date.now()): void {
  for (const header of setCookies) {
    const [pair = '', ...attributes] = header.split(';');
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    if (isExpired(attributes, now)) jar.delete(name);
    else jar.set(name, cookieUnquote(pair.slice(eq + 1).trim()));
  }
}
