// Why CsrfViewMiddleware refuses a request (Django's REASON_* of middleware/csrf.py): apart from the
// middleware, so that the failure page, which the middleware calls, can tell them apart.

export const REASON_BAD_ORIGIN = (origin: string): string => `Origin checking failed - ${origin} does not match any trusted origins.`;
export const REASON_NO_REFERER = 'Referer checking failed - no Referer.';
export const REASON_BAD_REFERER = (referer: string): string => `Referer checking failed - ${referer} does not match any trusted origins.`;
export const REASON_NO_CSRF_COOKIE = 'CSRF cookie not set.';
export const REASON_CSRF_TOKEN_MISSING = 'CSRF token missing.';
export const REASON_MALFORMED_REFERER = 'Referer checking failed - Referer is malformed.';
export const REASON_INSECURE_REFERER = 'Referer checking failed - Referer is insecure while host is secure.';
// Phrases without a subject: they complete "CSRF cookie …" as well as "CSRF token from POST …".
export const REASON_INCORRECT_LENGTH = 'has incorrect length';
export const REASON_INVALID_CHARACTERS = 'has invalid characters';
