// Exceptions → responses (Django's core/handlers/exception.py): every middleware layer and the view are
// wrapped, so a thrown Http404 is a 404, PermissionDenied a 403, BadRequest/SuspiciousOperation a 400, the
// rest a 500 — with the debug pages when DEBUG is on.
import { isPromiseLike, type MaybePromise } from '../../gateway/maybe-promise.js';
import { settings } from '../conf/settings.js';
import { technical404Response } from '../debug/technical-404.js';
import { technical500Response } from '../debug/technical-500.js';
import { badRequest, pageNotFound, permissionDenied, serverError } from '../views/defaults.js';
import {
  BadRequest,
  Http404,
  MultiPartParserError,
  PermissionDenied,
  SuspiciousOperation,
} from '../exceptions.js';
import { escapeLogValue, logRequestProblem } from '../utils/log.js';
import type { GwiRequest } from '../http/request.js';
import type { HttpResponseBase } from '../http/response.js';
import { gotRequestException } from '../signals.js';
import { getResolver } from '../urls/resolvers.js';
import type { View } from '../views/generic.js';

/** The responses already logged, so get_response does not log them twice. */
export const loggedResponses = new WeakSet<HttpResponseBase>();

/** The next layer of the chain: a response, or a promise of one when something below is asynchronous. */
export type GetResponse = (request: GwiRequest) => MaybePromise<HttpResponseBase>;

/**
 * Wraps one layer of the chain (sync or async): whatever it throws becomes a response. A layer that
 * answers synchronously stays synchronous.
 */
export function convertExceptionToResponse(getResponse: GetResponse): GetResponse {
  return (request) => {
    try {
      const response = getResponse(request);
      if (!isPromiseLike(response)) return response;
      return Promise.resolve(response).catch((exception: unknown) => responseForException(request, exception));
    } catch (exception) {
      return responseForException(request, exception);
    }
  };
}

function logged(response: HttpResponseBase, message: string, error?: unknown): HttpResponseBase {
  logRequestProblem(message, error);
  loggedResponses.add(response);
  return response;
}

export async function responseForException(request: GwiRequest, exception: unknown): Promise<HttpResponseBase> {
  const path = escapeLogValue(request.path);
  if (exception instanceof Http404) {
    const response = settings.DEBUG
      ? await technical404Response(request, exception)
      : await errorHandlerResponse(request, 404, exception);
    // The welcome page of an empty URLconf is a 200 and is not a problem to log.
    return response.statusCode === 404 ? logged(response, `Not Found: ${path}`) : response;
  }
  if (exception instanceof PermissionDenied) {
    return logged(await errorHandlerResponse(request, 403, exception), `Forbidden (Permission denied): ${path}`, exception);
  }
  if (exception instanceof MultiPartParserError) {
    return logged(await errorHandlerResponse(request, 400, exception), `Bad request (Unable to parse request body): ${path}`, exception);
  }
  if (exception instanceof BadRequest) {
    const response = settings.DEBUG
      ? await technical500Response(request, exception, 400)
      : await errorHandlerResponse(request, 400, exception);
    return logged(response, `${escapeLogValue(exception.message)}: ${path}`, exception);
  }
  if (exception instanceof SuspiciousOperation) {
    const response = settings.DEBUG
      ? await technical500Response(request, exception, 400)
      : await errorHandlerResponse(request, 400, exception);
    return logged(response, escapeLogValue(exception.message), exception);
  }
  gotRequestException.send(null, { request, exception });
  return logged(await handleUncaughtException(request, exception), `Internal Server Error: ${path}`, exception);
}

async function handleUncaughtException(request: GwiRequest, exception: unknown): Promise<HttpResponseBase> {
  if (settings.DEBUG) return technical500Response(request, exception);
  return errorHandlerResponse(request, 500, exception);
}

const DEFAULT_HANDLERS: Record<number, View> = { 400: badRequest, 403: permissionDenied, 404: pageNotFound, 500: serverError };

/** The URLconf's handler404/handler500/... (or the default page); a failing handler is a plain 500. */
async function errorHandlerResponse(request: GwiRequest, status: 400 | 403 | 404 | 500, exception: unknown): Promise<HttpResponseBase> {
  let handler: View = DEFAULT_HANDLERS[status] as View;
  try {
    const custom = (await getResolver(request.urlconf ?? settings.ROOT_URLCONF)).resolveErrorHandler(status);
    if (custom) handler = custom;
  } catch {
    // A broken URLconf must not hide the error being reported: use the default page.
  }
  try {
    return await handler(request, { exception });
  } catch (handlerError) {
    if (status === 500) return serverError(request, { exception: handlerError });
    return handleUncaughtException(request, handlerError);
  }
}
