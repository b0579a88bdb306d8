// SecurityMiddleware: the security headers Django adds to every response (nosniff, Referrer-Policy, COOP).
import { settings } from '../conf/settings.js';
import { whenReady } from '../../gateway/maybe-promise.js';
import type { GetResponse, MiddlewareFunction } from '../handlers/middleware.js';
import type { HttpResponseBase } from '../http/response.js';

export function SecurityMiddleware(getResponse: GetResponse): MiddlewareFunction {
  const nosniff = settings.SECURE_CONTENT_TYPE_NOSNIFF;
  const referrerPolicy = settings.SECURE_REFERRER_POLICY;
  const openerPolicy = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY;
  const processResponse = (response: HttpResponseBase): HttpResponseBase => {
    const headers = response.headers;
    if (nosniff) headers.setDefault('X-Content-Type-Options', 'nosniff');
    if (referrerPolicy) headers.setDefault('Referrer-Policy', referrerPolicy);
    if (openerPolicy) headers.setDefault('Cross-Origin-Opener-Policy', openerPolicy);
    return response;
  };
  return (request) => whenReady(getResponse(request), processResponse);
}
