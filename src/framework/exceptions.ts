// The framework's error types, with Django's names: each carries the message the user sees.

/** Settings or project files are wrong; the message says what to fix. */
export class ImproperlyConfigured extends Error {
  override name = 'ImproperlyConfigured';
}

/** Raised in a view (or by URL resolution) to answer 404. */
export class Http404 extends Error {
  override name = 'Http404';
}

/** Raised in a view to answer 403. */
export class PermissionDenied extends Error {
  override name = 'PermissionDenied';
}

/** The request is malformed: answered 400. */
export class BadRequest extends Error {
  override name = 'BadRequest';
}

/** The request looks like an attack (answered 400 and logged to the security log). */
export class SuspiciousOperation extends Error {
  override name = 'SuspiciousOperation';
}

/** The Host header is not in ALLOWED_HOSTS. */
export class DisallowedHost extends SuspiciousOperation {
  override name = 'DisallowedHost';
}

/** A redirect to a scheme other than http, https or ftp was refused. */
export class DisallowedRedirect extends SuspiciousOperation {
  override name = 'DisallowedRedirect';
}

/** The request body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE. */
export class RequestDataTooBig extends SuspiciousOperation {
  override name = 'RequestDataTooBig';
}

/** More form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS. */
export class TooManyFieldsSent extends SuspiciousOperation {
  override name = 'TooManyFieldsSent';
}

/** More uploaded files than DATA_UPLOAD_MAX_NUMBER_FILES. */
export class TooManyFilesSent extends SuspiciousOperation {
  override name = 'TooManyFilesSent';
}

/** A multipart body that cannot be parsed (answered 400). */
export class MultiPartParserError extends Error {
  override name = 'MultiPartParserError';
}

/** Thrown by a middleware factory that wants to be left out of the chain. */
export class MiddlewareNotUsed extends Error {
  override name = 'MiddlewareNotUsed';
}
