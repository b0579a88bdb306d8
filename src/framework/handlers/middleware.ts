// Middleware: the types, and building the chain from MIDDLEWARE exactly as Django's load_middleware does —
// factories wrapped in reverse order, each layer behind convertExceptionToResponse, hooks collected.
import type { MiddlewareSpec } from '../conf/global-settings.js';
import { settings } from '../conf/settings.js';
import { convertExceptionToResponse, type GetResponse } from './exception.js';
import { ImproperlyConfigured, MiddlewareNotUsed } from '../exceptions.js';
import { importString } from '../utils/module-loading.js';
import { logRequestProblem } from '../utils/log.js';
import type { GwiRequest } from '../http/request.js';
import type { HttpResponseBase } from '../http/response.js';
import type { View } from '../views/generic.js';

export type { GetResponse };

type MaybeResponse = HttpResponseBase | null | undefined | void;

export interface MiddlewareHooks {
  /** Before the view (in MIDDLEWARE order): return a response to skip the view. */
  processView?(request: GwiRequest, view: View, args: unknown[], kwargs: Record<string, unknown>): MaybeResponse | Promise<MaybeResponse>;
  /** When the view throws (in reverse order): return a response to handle it. */
  processException?(request: GwiRequest, exception: unknown): MaybeResponse | Promise<MaybeResponse>;
  /** For responses with render() (in reverse order): return the response to render. */
  processTemplateResponse?(request: GwiRequest, response: HttpResponseBase): HttpResponseBase | Promise<HttpResponseBase>;
}

/** A middleware as a function, optionally carrying hooks as properties. */
export type MiddlewareFunction = ((request: GwiRequest) => HttpResponseBase | Promise<HttpResponseBase>) & MiddlewareHooks;

/** A middleware as an object (what a class instance is): `call(request)` plus hooks. */
export interface MiddlewareObject extends MiddlewareHooks {
  call(request: GwiRequest): HttpResponseBase | Promise<HttpResponseBase>;
}

export type Middleware = MiddlewareFunction | MiddlewareObject;

/** What MIDDLEWARE lists: `(getResponse) => middleware`, or a class constructed with getResponse. */
export type MiddlewareFactory =
  | ((getResponse: GetResponse) => Middleware | null | undefined)
  | (new (getResponse: GetResponse) => Middleware);

export interface LoadedMiddleware {
  chain: GetResponse;
  viewHooks: NonNullable<MiddlewareHooks['processView']>[];
  exceptionHooks: NonNullable<MiddlewareHooks['processException']>[];
  templateHooks: NonNullable<MiddlewareHooks['processTemplateResponse']>[];
}

function isClass(factory: MiddlewareFactory): factory is new (getResponse: GetResponse) => Middleware {
  return /^class[\s{]/.test(Function.prototype.toString.call(factory));
}

function nameOf(spec: MiddlewareSpec): string {
  return typeof spec === 'string' ? spec : spec.name || 'anonymous';
}

/** Builds the chain around `inner` (the URL resolution and view call). */
export async function loadMiddleware(specs: readonly MiddlewareSpec[], inner: GetResponse): Promise<LoadedMiddleware> {
  const loaded: LoadedMiddleware = { chain: inner, viewHooks: [], exceptionHooks: [], templateHooks: [] };
  let handler = inner;
  for (const spec of [...specs].reverse()) {
    const factory = (typeof spec === 'string' ? await importString(spec, settings.BASE_DIR) : spec) as MiddlewareFactory;
    if (typeof factory !== 'function') {
      throw new ImproperlyConfigured(`Middleware ${nameOf(spec)} is not a factory function or class.`);
    }
    let middleware: Middleware | null | undefined;
    try {
      middleware = isClass(factory) ? new factory(handler) : factory(handler);
    } catch (err) {
      if (err instanceof MiddlewareNotUsed) {
        logRequestProblem(err.message ? `MiddlewareNotUsed('${nameOf(spec)}'): ${err.message}` : `MiddlewareNotUsed: '${nameOf(spec)}'`);
        continue;
      }
      throw err;
    }
    if (middleware === null || middleware === undefined) {
      throw new ImproperlyConfigured(`Middleware factory ${nameOf(spec)} returned ${String(middleware)}.`);
    }
    const instance = middleware;
    // Hooks keep their `this`; view hooks run in settings order, the others in reverse.
    if (instance.processView) loaded.viewHooks.unshift(instance.processView.bind(instance));
    if (instance.processTemplateResponse) loaded.templateHooks.push(instance.processTemplateResponse.bind(instance));
    if (instance.processException) loaded.exceptionHooks.push(instance.processException.bind(instance));
    const call: MiddlewareFunction =
      typeof instance === 'function' ? instance : (request) => (instance as MiddlewareObject).call(request);
    handler = convertExceptionToResponse(call);
  }
  loaded.chain = handler;
  return loaded;
}
