// CsrfViewMiddleware (Django's middleware/csrf.py): an unsafe request must come from a trusted origin and
// carry a token that matches the secret in its CSRF cookie; getCsrfToken() gives a view that token.
import { randomInt } from 'node:crypto';
import { whenReadyWith, type MaybePromise } from '../../gateway/maybe-promise.js';
import { pyRepr } from '../../gateway/py-repr.js';
import { settings } from '../conf/settings.js';
import { DisallowedHost } from '../exceptions.js';
import { loggedResponses, type GetResponse } from '../handlers/exception.js';
import type { MiddlewareObject } from '../handlers/middleware.js';
import { HttpHeaders } from '../http/headers.js';
import type { GwiRequest } from '../http/request.js';
import type { HttpResponseBase } from '../http/response.js';
import { patchVaryHeaders } from '../utils/cache.js';
import { constantTimeCompare } from '../utils/crypto.js';
import { isSameDomain, urlSplit, urlUnsplit, type SplitUrl } from '../utils/http.js';
import { escapeLogValue, logRequestProblem } from '../utils/log.js';
import { importString } from '../utils/module-loading.js';
import { csrfFailure } from '../views/csrf.js';
import type { View } from '../views/generic.js';
import {
  REASON_BAD_ORIGIN,
  REASON_BAD_REFERER,
  REASON_CSRF_TOKEN_MISSING,
  REASON_INCORRECT_LENGTH,
  REASON_INSECURE_REFERER,
  REASON_INVALID_CHARACTERS,
  REASON_MALFORMED_REFERER,
  REASON_NO_CSRF_COOKIE,
  REASON_NO_REFERER,
} from './csrf-reasons.js';

/** The environ key the test client sets unless asked to enforce CSRF checks (Django's enforce_csrf_checks). */
export const DONT_ENFORCE_CSRF_CHECKS = 'gwi.test.dont_enforce_csrf_checks';

export * from './csrf-reasons.js';

export const CSRF_SECRET_LENGTH = 32;
export const CSRF_TOKEN_LENGTH = 2 * CSRF_SECRET_LENGTH;
/** Python's string.ascii_letters + string.digits: the masking arithmetic depends on this order. */
export const CSRF_ALLOWED_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const INVALID_TOKEN_CHARS = /[^a-zA-Z0-9]/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** The failure view's signature: Django's csrf_failure(request, reason). */
export type CsrfFailureView = (request: GwiRequest, kwargs: { reason: string }) => HttpResponseBase | Promise<HttpResponseBase>;

/** A view csrfExempt() marked: the middleware lets its unsafe requests through. */
export type CsrfExemptView = View & { readonly csrfExempt: true };

/**
 * Marks a request already checked (by csrfProtect and the middleware both, say): Django's
 * request.csrf_processing_done. A property, not a WeakSet: adding each request to one cost ~0.7 µs.
 */
const PROCESSING_DONE = Symbol('csrfProcessingDone');
type Checked = GwiRequest & { [PROCESSING_DONE]?: true };

/** CSRF_FAILURE_VIEW as a function (Django's _get_failure_view); an import string is imported. */
export async function getFailureView(): Promise<CsrfFailureView> {
  const spec = settings.CSRF_FAILURE_VIEW;
  if (spec === null) return csrfFailure;
  return (typeof spec === 'string' ? await importString(spec, settings.BASE_DIR) : spec) as CsrfFailureView;
}

/** Django's get_random_string over CSRF_ALLOWED_CHARS, from the system's secure random source. */
function getNewCsrfString(): string {
  let text = '';
  for (let i = 0; i < CSRF_SECRET_LENGTH; i++) text += CSRF_ALLOWED_CHARS[randomInt(CSRF_ALLOWED_CHARS.length)];
  return text;
}

/**
 * A token for `secret` that differs on every call (so that a compressed page cannot leak it, BREACH):
 * a random mask, then each secret character shifted by the mask's character at its place.
 */
function maskCipherSecret(secret: string): string {
  const mask = getNewCsrfString();
  const n = CSRF_ALLOWED_CHARS.length;
  let cipher = '';
  for (let i = 0; i < secret.length; i++) {
    cipher += CSRF_ALLOWED_CHARS[(CSRF_ALLOWED_CHARS.indexOf(secret[i] as string) + CSRF_ALLOWED_CHARS.indexOf(mask[i] as string)) % n];
  }
  return mask + cipher;
}

/** The secret a masked token holds (Django's _unmask_cipher_token). */
function unmaskCipherToken(token: string): string {
  const mask = token.slice(0, CSRF_SECRET_LENGTH);
  const n = CSRF_ALLOWED_CHARS.length;
  let secret = '';
  for (let i = CSRF_SECRET_LENGTH; i < token.length; i++) {
    const shifted = CSRF_ALLOWED_CHARS.indexOf(token[i] as string) - CSRF_ALLOWED_CHARS.indexOf(mask[i - CSRF_SECRET_LENGTH] as string);
    secret += CSRF_ALLOWED_CHARS[(shifted + n) % n];
  }
  return secret;
}

/** A new secret for this request, to be sent as the CSRF cookie with the response. */
function addNewCsrfCookie(request: GwiRequest): string {
  const secret = getNewCsrfString();
  request.META.CSRF_COOKIE = secret;
  request.META.CSRF_COOKIE_NEEDS_UPDATE = true;
  return secret;
}

/**
 * Django's get_token: the token a form sends back (a hidden `csrfmiddlewaretoken` input, or the
 * X-CSRFToken header), masked anew on each call. The response then sets (or renews) the CSRF cookie.
 */
export function getCsrfToken(request: GwiRequest): string {
  const current = request.META.CSRF_COOKIE;
  if (typeof current !== 'string') return maskCipherSecret(addNewCsrfCookie(request));
  // Sent again even when the client has it: its expiry starts over.
  request.META.CSRF_COOKIE_NEEDS_UPDATE = true;
  return maskCipherSecret(current);
}

/** Django's rotate_token: a new secret (and cookie) for this client; call it when a user logs in. */
export function rotateToken(request: GwiRequest): void {
  addNewCsrfCookie(request);
}

/** Why a cookie secret or a token is not one (Django's InvalidTokenFormat), or null. */
function tokenFormatProblem(token: string): string | null {
  if (token.length !== CSRF_TOKEN_LENGTH && token.length !== CSRF_SECRET_LENGTH) return REASON_INCORRECT_LENGTH;
  return INVALID_TOKEN_CHARS.test(token) ? REASON_INVALID_CHARACTERS : null;
}

/** Whether a well-formed token (masked, or the bare secret a script read from the cookie) holds `secret`. */
function doesTokenMatch(token: string, secret: string): boolean {
  const unmasked = token.length === CSRF_TOKEN_LENGTH ? unmaskCipherToken(token) : token;
  return constantTimeCompare(unmasked, secret);
}

/** The request's CSRF secret from its cookie: null without one; a problem when it is malformed. */
function getSecret(request: GwiRequest): { secret: string | null } | { problem: string } {
  const cookie = request.COOKIES[settings.CSRF_COOKIE_NAME];
  if (cookie === undefined) return { secret: null };
  const problem = tokenFormatProblem(cookie);
  if (problem) return { problem };
  // Django before 4.1 stored the secret masked.
  return { secret: cookie.length === CSRF_TOKEN_LENGTH ? unmaskCipherToken(cookie) : cookie };
}

/** What the middleware may trust besides the request's own origin (CSRF_TRUSTED_ORIGINS, read once). */
interface TrustedOrigins {
  /** The hosts a secure Referer may name. */
  hosts: string[];
  exact: Set<string>;
  /** Per scheme, the domains (`.example.com`) whose subdomains are trusted (`https://*.example.com`). */
  subdomains: Map<string, string[]>;
}

function trustedOrigins(origins: readonly string[]): TrustedOrigins {
  const trusted: TrustedOrigins = { hosts: [], exact: new Set(), subdomains: new Map() };
  for (const origin of origins) {
    const { scheme, netloc } = urlSplit(origin);
    const host = netloc.replace(/^\*+/, '');
    trusted.hosts.push(host);
    if (!origin.includes('*')) trusted.exact.add(origin);
    else trusted.subdomains.set(scheme, [...(trusted.subdomains.get(scheme) ?? []), host]);
  }
  return trusted;
}

/** request.getHost(), or null when ALLOWED_HOSTS refuses it (the checks then trust it for nothing). */
function allowedHost(request: GwiRequest): string | null {
  try {
    return request.getHost();
  } catch (error) {
    if (error instanceof DisallowedHost) return null;
    throw error;
  }
}

/** Python's urlparse, or null where it raises ValueError. */
function parsedOrNull(url: string): SplitUrl | null {
  try {
    return urlSplit(url);
  } catch {
    return null;
  }
}

/**
 * Django's CsrfViewMiddleware. GET, HEAD, OPTIONS and TRACE pass; any other method needs an Origin that
 * is the site's own or trusted (over HTTPS without an Origin, such a Referer), the CSRF cookie, and the
 * token matching it in the POST's `csrfmiddlewaretoken` field or the X-CSRFToken header. A refused
 * request gets the CSRF_FAILURE_VIEW's 403, logged as `Forbidden (reason): /path`.
 */
export class CsrfViewMiddleware implements MiddlewareObject {
  readonly #getResponse: GetResponse;
  #trusted: TrustedOrigins | null = null;

  constructor(getResponse: GetResponse) {
    this.#getResponse = getResponse;
  }

  call(request: GwiRequest): MaybePromise<HttpResponseBase> {
    this.processRequest(request);
    return whenReadyWith(this.#getResponse(request), respond, this, request);
  }

  // Read on first use, as Django's cached_property: csrfProtect() builds one before settings are configured.
  get #trustedOrigins(): TrustedOrigins {
    this.#trusted ??= trustedOrigins(settings.CSRF_TRUSTED_ORIGINS);
    return this.#trusted;
  }

  /** Takes the secret from the cookie for getCsrfToken(); a malformed cookie is replaced. */
  processRequest(request: GwiRequest): void {
    const found = getSecret(request);
    if ('problem' in found) addNewCsrfCookie(request);
    else if (found.secret !== null) request.META.CSRF_COOKIE = found.secret;
  }

  processView(request: GwiRequest, view: View): MaybePromise<HttpResponseBase | null> {
    if ((request as Checked)[PROCESSING_DONE]) return null;
    // processRequest() has run all the same: getCsrfToken() works in an exempt view.
    if ((view as Partial<CsrfExemptView>).csrfExempt) return null;
    // Django's request._dont_enforce_csrf_checks: set by the test client (no server sets gwi.* keys from a request).
    if (SAFE_METHODS.has(request.method) || request.environ[DONT_ENFORCE_CSRF_CHECKS] === true) return this.accept(request);
    const origin = request.META.HTTP_ORIGIN;
    if (typeof origin === 'string') {
      if (!this.#originVerified(request, origin)) return this.reject(request, REASON_BAD_ORIGIN(origin));
    } else if (request.isSecure()) {
      // Over HTTPS a man in the middle can set a cookie and its token from plain HTTP: the Referer must
      // name this site as well (missing for same-site requests in a tiny share of browsers only).
      const reason = this.#checkReferer(request);
      if (reason !== null) return this.reject(request, reason);
    }
    return this.#checkToken(request).then((reason) => (reason === null ? this.accept(request) : this.reject(request, reason)));
  }

  /** Sets the CSRF cookie when getCsrfToken() or rotateToken() asked for it; once, with csrfProtect and the middleware both. */
  processResponse(request: GwiRequest, response: HttpResponseBase): HttpResponseBase {
    if (request.META.CSRF_COOKIE_NEEDS_UPDATE === true) {
      response.setCookie(settings.CSRF_COOKIE_NAME, request.META.CSRF_COOKIE as string, {
        maxAge: settings.CSRF_COOKIE_AGE,
        domain: settings.CSRF_COOKIE_DOMAIN,
        path: settings.CSRF_COOKIE_PATH,
        secure: settings.CSRF_COOKIE_SECURE,
        httponly: settings.CSRF_COOKIE_HTTPONLY,
        samesite: settings.CSRF_COOKIE_SAMESITE || null,
      });
      // The page now depends on the cookie: a cache must not give it to other clients.
      patchVaryHeaders(response, ['Cookie']);
      request.META.CSRF_COOKIE_NEEDS_UPDATE = false;
    }
    return response;
  }

  protected accept(request: GwiRequest): null {
    (request as Checked)[PROCESSING_DONE] = true;
    return null;
  }

  /** The failure view's response, logged on the django.security.csrf logger's terms; null lets the request through. */
  protected async reject(request: GwiRequest, reason: string): Promise<HttpResponseBase | null> {
    const response = await (await getFailureView())(request, { reason });
    if (!loggedResponses.has(response)) {
      logRequestProblem(`Forbidden (${escapeLogValue(reason)}): ${escapeLogValue(request.path)}`);
      loggedResponses.add(response);
    }
    return response;
  }

  #originVerified(request: GwiRequest, origin: string): boolean {
    const host = allowedHost(request);
    if (host !== null && origin === `${request.isSecure() ? 'https' : 'http'}://${host}`) return true;
    const trusted = this.#trustedOrigins;
    if (trusted.exact.has(origin)) return true;
    const parsed = parsedOrNull(origin);
    if (parsed === null) return false;
    return (trusted.subdomains.get(parsed.scheme) ?? []).some((domain) => isSameDomain(parsed.netloc, domain));
  }

  /** Why the Referer of a secure request is not good enough, or null. */
  #checkReferer(request: GwiRequest): string | null {
    const header = request.META.HTTP_REFERER;
    if (typeof header !== 'string') return REASON_NO_REFERER;
    const referer = parsedOrNull(header);
    if (referer === null || referer.scheme === '' || referer.netloc === '') return REASON_MALFORMED_REFERER;
    if (referer.scheme !== 'https') return REASON_INSECURE_REFERER;
    if (this.#trustedOrigins.hosts.some((host) => isSameDomain(referer.netloc, host))) return null;
    // The cookie's domain when one is set (its subdomains share the cookie), else this host exactly.
    let goodReferer = settings.CSRF_COOKIE_DOMAIN;
    if (goodReferer === null) {
      goodReferer = allowedHost(request);
      if (goodReferer === null) return REASON_BAD_REFERER(urlUnsplit(referer));
    } else {
      const port = request.getPort();
      if (port !== '443' && port !== '80') goodReferer = `${goodReferer}:${port}`;
    }
    return isSameDomain(referer.netloc, goodReferer) ? null : REASON_BAD_REFERER(urlUnsplit(referer));
  }

  /** Why the request's token does not match its cookie, or null. */
  async #checkToken(request: GwiRequest): Promise<string | null> {
    // Read again rather than from META: rotateToken() may have run since processRequest().
    const found = getSecret(request);
    if ('problem' in found) return `CSRF cookie ${found.problem}.`;
    // No cookie: refused outright, which stops login CSRF too.
    if (found.secret === null) return REASON_NO_CSRF_COOKIE;
    let token = request.method === 'POST' ? (await request.post()).get('csrfmiddlewaretoken', '') : '';
    let source = 'POST';
    if (token === '') {
      const header = request.META[settings.CSRF_HEADER_NAME];
      if (typeof header !== 'string') return REASON_CSRF_TOKEN_MISSING;
      token = header;
      const name = HttpHeaders.parseHeaderName(settings.CSRF_HEADER_NAME);
      source = `the ${name === null ? 'None' : pyRepr(name)} HTTP header`;
    }
    const problem = tokenFormatProblem(token);
    if (problem) return `CSRF token from ${source} ${problem}.`;
    return doesTokenMatch(token, found.secret) ? null : `CSRF token from ${source} incorrect.`;
  }
}

function respond(response: HttpResponseBase, middleware: CsrfViewMiddleware, request: GwiRequest): HttpResponseBase {
  return middleware.processResponse(request, response);
}
