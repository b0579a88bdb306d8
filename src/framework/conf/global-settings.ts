// The settings' names, types and defaults (Django's conf/global_settings.py): what a project's settings
// module overrides.
import type { SameSite } from '../http/cookies.js';

/** A middleware given in MIDDLEWARE: a factory or a class, or an import string ('mysite/middleware#timing'). */
export type MiddlewareSpec = string | ((getResponse: never) => unknown) | (new (getResponse: never) => unknown);

/** A view given in settings: the function, or an import string ('mysite/views#csrfFailure'). */
export type ViewSpec = string | ((request: never, kwargs: never) => unknown);

export interface Settings {
  DEBUG: boolean;
  /** Host names this site serves; `.example.com` matches subdomains, `*` anything. */
  ALLOWED_HOSTS: string[];
  SECRET_KEY: string;
  /** Former secret keys whose signatures are still accepted while they are rotated out. */
  SECRET_KEY_FALLBACKS: string[];
  /** The URLconf module ('mysite/urls'), or a module object with `urlpatterns`. */
  ROOT_URLCONF: string | { urlpatterns: unknown[] } | null;
  /** The application runserver serves ('mysite/gwi#application'); null: getGwiApplication(). */
  GWI_APPLICATION: string | null;
  MIDDLEWARE: MiddlewareSpec[];
  APPEND_SLASH: boolean;
  PREPEND_WWW: boolean;
  STATIC_URL: string | null;
  STATICFILES_DIRS: string[];
  /** Largest request body read into memory (bytes); null: no limit. */
  DATA_UPLOAD_MAX_MEMORY_SIZE: number | null;
  DATA_UPLOAD_MAX_NUMBER_FIELDS: number | null;
  DATA_UPLOAD_MAX_NUMBER_FILES: number | null;
  /** Uploaded files larger than this go to a temporary file instead of memory. */
  FILE_UPLOAD_MAX_MEMORY_SIZE: number;
  FILE_UPLOAD_TEMP_DIR: string | null;
  DEFAULT_CHARSET: string;
  USE_X_FORWARDED_HOST: boolean;
  USE_X_FORWARDED_PORT: boolean;
  SECURE_PROXY_SSL_HEADER: [string, string] | null;
  SECURE_CONTENT_TYPE_NOSNIFF: boolean;
  SECURE_REFERRER_POLICY: string | null;
  SECURE_CROSS_ORIGIN_OPENER_POLICY: string | null;
  X_FRAME_OPTIONS: string;
  /** The CSRF cookie: its name, lifetime in seconds (null: until the browser closes) and attributes. */
  CSRF_COOKIE_NAME: string;
  CSRF_COOKIE_AGE: number | null;
  CSRF_COOKIE_DOMAIN: string | null;
  CSRF_COOKIE_PATH: string;
  CSRF_COOKIE_SECURE: boolean;
  CSRF_COOKIE_HTTPONLY: boolean;
  /** 'Lax', 'Strict' or 'None'; false leaves the attribute out. */
  CSRF_COOKIE_SAMESITE: 'Lax' | 'Strict' | 'None' | false;
  /** The environ key of the header a script sends the token in (HTTP_X_CSRFTOKEN: X-CSRFToken). */
  CSRF_HEADER_NAME: string;
  /** Origins trusted for unsafe requests besides the request's own ('https://example.com', 'https://*.example.com'). */
  CSRF_TRUSTED_ORIGINS: string[];
  /** The view answering a request the CSRF checks refuse, called with `{ reason }`; null: gwi's csrfFailure. */
  CSRF_FAILURE_VIEW: ViewSpec | null;
  FORCE_SCRIPT_NAME: string | null;
  SESSION_COOKIE_NAME: string;
  /** Seconds a session lasts (two weeks). */
  SESSION_COOKIE_AGE: number;
  SESSION_COOKIE_DOMAIN: string | null;
  SESSION_COOKIE_PATH: string;
  SESSION_COOKIE_HTTPONLY: boolean;
  /** null: no SameSite attribute. */
  SESSION_COOKIE_SAMESITE: SameSite | null;
  SESSION_COOKIE_SECURE: boolean;
  /** Send the session cookie (and so renew its age) on every response, not only when the session changed. */
  SESSION_SAVE_EVERY_REQUEST: boolean;
  /** A cookie without Max-Age: the browser forgets the session when it closes. */
  SESSION_EXPIRE_AT_BROWSER_CLOSE: boolean;
  /** The project root (the folder of package.json); module names resolve from here. */
  BASE_DIR: string;
}

export const DEFAULTS: Readonly<Settings> = Object.freeze({
  DEBUG: false,
  ALLOWED_HOSTS: [],
  SECRET_KEY: '',
  SECRET_KEY_FALLBACKS: [],
  ROOT_URLCONF: null,
  GWI_APPLICATION: null,
  MIDDLEWARE: [],
  APPEND_SLASH: true,
  PREPEND_WWW: false,
  STATIC_URL: null,
  STATICFILES_DIRS: [],
  DATA_UPLOAD_MAX_MEMORY_SIZE: 2621440,
  DATA_UPLOAD_MAX_NUMBER_FIELDS: 1000,
  DATA_UPLOAD_MAX_NUMBER_FILES: 100,
  FILE_UPLOAD_MAX_MEMORY_SIZE: 2621440,
  FILE_UPLOAD_TEMP_DIR: null,
  DEFAULT_CHARSET: 'utf-8',
  USE_X_FORWARDED_HOST: false,
  USE_X_FORWARDED_PORT: false,
  SECURE_PROXY_SSL_HEADER: null,
  SECURE_CONTENT_TYPE_NOSNIFF: true,
  SECURE_REFERRER_POLICY: 'same-origin',
  SECURE_CROSS_ORIGIN_OPENER_POLICY: 'same-origin',
  X_FRAME_OPTIONS: 'DENY',
  CSRF_COOKIE_NAME: 'csrftoken',
  CSRF_COOKIE_AGE: 60 * 60 * 24 * 7 * 52,
  CSRF_COOKIE_DOMAIN: null,
  CSRF_COOKIE_PATH: '/',
  CSRF_COOKIE_SECURE: false,
  CSRF_COOKIE_HTTPONLY: false,
  CSRF_COOKIE_SAMESITE: 'Lax',
  CSRF_HEADER_NAME: 'HTTP_X_CSRFTOKEN',
  CSRF_TRUSTED_ORIGINS: [],
  CSRF_FAILURE_VIEW: null,
  FORCE_SCRIPT_NAME: null,
  SESSION_COOKIE_NAME: 'sessionid',
  SESSION_COOKIE_AGE: 60 * 60 * 24 * 7 * 2,
  SESSION_COOKIE_DOMAIN: null,
  SESSION_COOKIE_PATH: '/',
  SESSION_COOKIE_HTTPONLY: true,
  SESSION_COOKIE_SAMESITE: 'Lax',
  SESSION_COOKIE_SECURE: false,
  SESSION_SAVE_EVERY_REQUEST: false,
  SESSION_EXPIRE_AT_BROWSER_CLOSE: false,
  BASE_DIR: '',
});
