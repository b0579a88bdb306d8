// SecurityMiddleware: the security headers Django adds to every response (nosniff, Referrer-Policy, COOP).
import { settings } from '../conf.js';
import type { GetResponse, MiddlewareFunction } from '../middleware.js';

export function SecurityMiddleware(getResponse: GetResponse): MiddlewareFunction {
  const nosniff = settings.SECURE_CONTENT_TYPE_NOSNIFF;
  const referrerPolicy = settings.SECURE_REFERRER_POLICY;
  const openerPolicy = settings.SECURE_CROSS_ORIGIN_OPENER_POLICY;
  return async (request) => {
    const response = await getResponse(request);
    const headers = response.headers;
    if (nosniff && !headers.has('X-Content-Type-Options')) headers.set('X-Content-Type-Options', 'nosniff');
    if (referrerPolicy && !headers.has('Referrer-Policy')) headers.set('Referrer-Policy', referrerPolicy);
    if (openerPolicy && !headers.has('Cross-Origin-Opener-Policy')) headers.set('Cross-Origin-Opener-Policy', openerPolicy);
    return response;
  };
}
