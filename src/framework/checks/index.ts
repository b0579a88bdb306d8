// The system-check framework, as gwi's public `checks` namespace (Django's django.core.checks): messages,
// the registry with the built-in checks on it, and the report a command prints.
export * from './messages.js';
export * from './registry.js';
export * from './report.js';
export { checkAllowedHosts, checkSecretKey } from './security.js';
export { checkSessionCookieHttponly, checkSessionCookieSecure } from './sessions.js';
export { checkCsrfCookieSecure, checkCsrfFailureView, checkCsrfMiddleware } from './csrf.js';
// Django's check_url_config, under the name this namespace has always given it.
export { checkUrlConfig as checkUrls } from './urls.js';
export { checkStaticfilesDirs } from '../staticfiles/checks.js';
