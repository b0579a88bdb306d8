// XFrameOptionsMiddleware: forbids framing the site elsewhere (X-Frame-Options, DENY by default).
import { currentSettings } from '../conf/settings.js';
import { whenReady } from '../../gateway/maybe-promise.js';
import { upperCase } from '../../gateway/memo.js';
import type { GetResponse, MiddlewareFunction } from '../handlers/middleware.js';
import type { HttpResponseBase } from '../http/response.js';

/** Responses marked this way keep their page frameable (Django's xframe_options_exempt). */
export const xframeOptionsExempt = new WeakSet<object>();

function processResponse(response: HttpResponseBase): HttpResponseBase {
  if (response.headers.has('X-Frame-Options') || xframeOptionsExempt.has(response)) return response;
  // Read per response, as Django's get_xframe_options_value does.
  response.headers.set('X-Frame-Options', upperCase(currentSettings().X_FRAME_OPTIONS));
  return response;
}

export function XFrameOptionsMiddleware(getResponse: GetResponse): MiddlewareFunction {
  return (request) => whenReady(getResponse(request), processResponse);
}
