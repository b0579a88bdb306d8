// XFrameOptionsMiddleware: forbids framing the site elsewhere (X-Frame-Options, DENY by default).
import { settings } from '../conf.js';
import type { GetResponse, MiddlewareFunction } from '../middleware.js';

/** Responses marked this way keep their page frameable (Django's xframe_options_exempt). */
export const xframeOptionsExempt = new WeakSet<object>();

export function XFrameOptionsMiddleware(getResponse: GetResponse): MiddlewareFunction {
  return async (request) => {
    const response = await getResponse(request);
    if (response.headers.has('X-Frame-Options') || xframeOptionsExempt.has(response)) return response;
    response.headers.set('X-Frame-Options', settings.X_FRAME_OPTIONS.toUpperCase());
    return response;
  };
}
