// Cookies: parsing the Cookie request header (Django's parse_cookie) and building Set-Cookie values
// exactly as Python's http.cookies.Morsel.OutputString does for Django's set_cookie().
import { pyRepr } from '../../gateway/py-repr.js';
import { formatDateTime } from '../../gateway/util.js';

/** An illegal cookie name or attribute (Python's http.cookies.CookieError). */
export class CookieError extends Error {
  override name = 'CookieError';
}

const LEGAL_CHARS = "A-Za-z0-9!#$%&'*+\\-.^_`|~:";
const LEGAL_KEY = new RegExp(`^[${LEGAL_CHARS}]+$`);
// Characters Python leaves as they are inside a quoted value; every other byte is an octal escape.
const UNESCAPED = new RegExp(`[${LEGAL_CHARS} ()/<=>?@\\[\\]{}]`);
const RESERVED = new Set(['expires', 'path', 'comment', 'domain', 'max-age', 'secure', 'httponly', 'version', 'samesite', 'partitioned']);

/**
 * Python's http.cookies._quote: a value made only of legal characters is sent as is; anything else
 * is double-quoted with `"` and `\` backslash-escaped and other bytes as `\ooo` octal escapes
 * (`café` → `"caf\351"`, `a;b` → `"a\073b"`, `''` → `""`).
 */
export function cookieQuote(value: string): string {
  if (LEGAL_KEY.test(value)) return value;
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (code > 0xff || UNESCAPED.test(ch)) out += ch;
    else out += '\\' + code.toString(8).padStart(3, '0');
  }
  return out + '"';
}

/** Python's http.cookies._unquote: strips the quotes of a quoted value and undoes its escapes. */
export function cookieUnquote(value: string): string {
  if (value.length < 2 || value[0] !== '"' || value[value.length - 1] !== '"') return value;
  return value
    .slice(1, -1)
    .replace(/\\(?:([0-3][0-7][0-7])|([\s\S]))/g, (_, octal: string | undefined, ch: string | undefined) =>
      octal ? String.fromCharCode(parseInt(octal, 8)) : (ch as string),
    );
}

/**
 * Django's parse_cookie: `name=value` pairs split on `;`, never throwing. A chunk without `=` is a
 * value with an empty name (as browsers do); later duplicates win. The result has no prototype, so
 * a cookie called `__proto__` is just a cookie.
 */
export function parseCookie(header: string): Record<string, string> {
  const cookies = Object.create(null) as Record<string, string>;
  for (const chunk of header.split(';')) {
    const eq = chunk.indexOf('=');
    const key = (eq < 0 ? '' : chunk.slice(0, eq)).trim();
    const value = (eq < 0 ? chunk : chunk.slice(eq + 1)).trim();
    if (key || value) cookies[key] = cookieUnquote(value);
  }
  return cookies;
}

export type SameSite = 'Lax' | 'Strict' | 'None' | 'lax' | 'strict' | 'none';

export interface CookieOptions {
  /** Seconds the cookie lives; also sets `expires` (for old browsers), as Django does. */
  maxAge?: number | null;
  /** A Date (turned into Max-Age + expires) or an already formatted expiry string. */
  expires?: Date | string | null;
  /** Default `/`; null leaves the attribute out. */
  path?: string | null;
  domain?: string | null;
  secure?: boolean;
  httponly?: boolean;
  samesite?: SameSite | null;
}

/** One cookie to send (Python's Morsel): the value and its attributes. */
export class Cookie {
  expires = '';
  maxAge: number | null = null;
  path = '';
  domain = '';
  secure = false;
  httponly = false;
  samesite = '';

  constructor(
    readonly key: string,
    readonly value: string,
  ) {
    if (RESERVED.has(key.toLowerCase())) throw new CookieError(`Attempt to set a reserved key ${pyRepr(key)}`);
    if (!LEGAL_KEY.test(key)) throw new CookieError(`Illegal key ${pyRepr(key)}`);
    // Python sends code points above 0xFF raw, which no HTTP header can carry: refuse them here,
    // where the mistake is made, rather than as a server error when the headers are written.
    for (const ch of value) {
      if ((ch.codePointAt(0) as number) > 0xff) {
        throw new CookieError(`Cookie values must be latin-1 text; encode ${pyRepr(value)} first (for example with encodeURIComponent)`);
      }
    }
  }

  /** The value as sent: quoted when it needs to be. */
  get codedValue(): string {
    return cookieQuote(this.value);
  }

  /** The Set-Cookie header value; attributes in Python's order (sorted by their lower-case name). */
  outputString(): string {
    const parts = [`${this.key}=${this.codedValue}`];
    if (this.domain) parts.push(`Domain=${this.domain}`);
    if (this.expires) parts.push(`expires=${this.expires}`);
    if (this.httponly) parts.push('HttpOnly');
    if (this.maxAge !== null) parts.push(`Max-Age=${this.maxAge}`);
    if (this.path) parts.push(`Path=${this.path}`);
    if (this.samesite) parts.push(`SameSite=${this.samesite}`);
    if (this.secure) parts.push('Secure');
    return parts.join('; ');
  }

  toString(): string {
    return `Set-Cookie: ${this.outputString()}`;
  }
}

/** Attribute values are written unquoted: a `;` or a control character would forge attributes or headers. */
function attribute(name: string, value: string): string {
  if (/[\x00-\x1f\x7f;]/.test(value)) {
    throw new CookieError(`The cookie attribute ${name} must not contain ';' or control characters (got ${pyRepr(value)})`);
  }
  return value;
}

/** Django's HttpResponse.set_cookie(): the cookie with its attributes, times computed from now. */
export function makeCookie(key: string, value = '', options: CookieOptions = {}): Cookie {
  const { expires = null, path = '/', domain = null, secure = false, httponly = false, samesite = null } = options;
  let { maxAge = null } = options;
  const cookie = new Cookie(key, value);
  const now = Date.now();
  if (expires instanceof Date) {
    if (maxAge !== null) throw new TypeError("'expires' and 'maxAge' can't be used together.");
    // Django adds a second to make up for the time lost before formatting; rounding up gives the
    // same result without turning an exact 10 s into 11.
    maxAge = Math.max(0, Math.ceil((expires.getTime() - now) / 1000));
  } else if (expires !== null) {
    cookie.expires = attribute('expires', expires);
  }
  if (maxAge !== null) {
    cookie.maxAge = Math.trunc(maxAge);
    // Old browsers only know expires: add it when the caller gave none.
    if (!cookie.expires) cookie.expires = formatDateTime(now + cookie.maxAge * 1000);
  }
  if (path !== null) cookie.path = attribute('path', path);
  if (domain !== null) cookie.domain = attribute('domain', domain);
  if (secure) cookie.secure = true;
  if (httponly) cookie.httponly = true;
  if (samesite) {
    if (!['lax', 'none', 'strict'].includes(samesite.toLowerCase())) throw new TypeError('samesite must be "lax", "none", or "strict".');
    cookie.samesite = samesite;
  }
  return cookie;
}

/**
 * Django's delete_cookie(): an empty value that expired in 1970. `secure` is added when browsers
 * would otherwise ignore the header (`__Secure-`/`__Host-` names, SameSite=None).
 */
export function makeDeletionCookie(
  key: string,
  { path = '/', domain = null, samesite = null }: Pick<CookieOptions, 'path' | 'domain' | 'samesite'> = {},
): Cookie {
  const secure = key.startsWith('__Secure-') || key.startsWith('__Host-') || samesite?.toLowerCase() === 'none';
  return makeCookie(key, '', { maxAge: 0, path, domain, secure, expires: 'Thu, 01 Jan 1970 00:00:00 GMT', samesite });
}
