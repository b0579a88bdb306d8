// BaseHandler (Django's core/handlers/base.py): the middleware chain built once, then per request the
// chain → URL resolution → view hooks → view → template-response hooks, and the 4xx/5xx logged once.
import { isPromiseLike, whenReadyWith, type MaybePromise } from '../../gateway/maybe-promise.js';
import { currentSettings, settings } from '../conf/settings.js';
import { convertExceptionToResponse, loggedResponses, type GetResponse } from './exception.js';
import { ImproperlyConfigured } from '../exceptions.js';
import { loadMiddleware, type MiddlewareHooks } from './middleware.js';
import { escapeLogValue, logRequestProblem } from '../utils/log.js';
import type { GwiRequest } from '../http/request.js';
import { isResponse, type HttpResponseBase } from '../http/response.js';
import type { ResolverMatch } from '../urls/resolver-match.js';
import { loadedResolver, type URLResolver } from '../urls/resolvers.js';
import type { View } from '../views/generic.js';

type ViewHook = NonNullable<MiddlewareHooks['processView']>;
type ExceptionHook = NonNullable<MiddlewareHooks['processException']>;
type TemplateHook = NonNullable<MiddlewareHooks['processTemplateResponse']>;

/** A response that renders late (Django's TemplateResponse): processTemplateResponse hooks run first. */
interface Renderable {
  render(): HttpResponseBase | Promise<HttpResponseBase>;
}

function isRenderable(value: unknown): value is HttpResponseBase & Renderable {
  return typeof (value as Partial<Renderable> | null)?.render === 'function';
}

function checkResponse(response: unknown, view: View, what = 'view'): asserts response is HttpResponseBase {
  if (isResponse(response)) return;
  const name = view.name || 'anonymous';
  const got = response === undefined || response === null ? String(response) : `a ${typeof response}`;
  throw new TypeError(`The ${what} ${name} didn't return an HttpResponse object. It returned ${got} instead.`);
}

export class BaseHandler {
  #chain: GetResponse | null = null;
  #viewHooks: ViewHook[] = [];
  #exceptionHooks: ExceptionHook[] = [];
  #templateHooks: TemplateHook[] = [];

  /** Builds the middleware chain from MIDDLEWARE (Django's load_middleware). */
  async loadMiddleware(): Promise<void> {
    const loaded = await loadMiddleware(settings.MIDDLEWARE, convertExceptionToResponse((request) => this.#getResponseInner(request)));
    this.#chain = loaded.chain;
    this.#viewHooks = loaded.viewHooks;
    this.#exceptionHooks = loaded.exceptionHooks;
    this.#templateHooks = loaded.templateHooks;
  }

  /**
   * Runs the request through the chain; logs 4xx/5xx responses as Django's get_response does. The
   * response comes at once when the middleware and the view answered synchronously.
   */
  getResponse(request: GwiRequest): MaybePromise<HttpResponseBase> {
    if (this.#chain === null) return Promise.reject(new ImproperlyConfigured('Call loadMiddleware() before getResponse().'));
    return whenReadyWith(this.#chain(request), closeAndLog, request);
  }

  #getResponseInner(request: GwiRequest): MaybePromise<HttpResponseBase> {
    return whenReadyWith(loadedResolver(request.urlconf ?? currentSettings().ROOT_URLCONF), BaseHandler.#resolveAndCall, this, request);
  }

  // Static, with the handler passed: whenReadyWith() calls it without a closure.
  static #resolveAndCall(resolver: URLResolver, handler: BaseHandler, request: GwiRequest): MaybePromise<HttpResponseBase> {
    const match = resolver.resolve(request.pathInfo);
    request.resolverMatch = match;
    const view = match.func as View;
    return handler.#viewHooks.length > 0 ? handler.#callViewHooks(request, match, view) : handler.#callView(request, view, match.kwargs);
  }

  /** The processView hooks from the `from`th, then the view: synchronous while the hooks are (CSRF's for a GET). */
  #callViewHooks(request: GwiRequest, match: ResolverMatch, view: View, from = 0): MaybePromise<HttpResponseBase> {
    const hooks = this.#viewHooks;
    for (let i = from; i < hooks.length; i++) {
      const response = (hooks[i] as ViewHook)(request, view, match.args, match.kwargs);
      if (isPromiseLike(response)) {
        return Promise.resolve(response).then((resolved) =>
          resolved ? this.#viewResponse(request, view, resolved) : this.#callViewHooks(request, match, view, i + 1),
        );
      }
      if (response) return this.#viewResponse(request, view, response);
    }
    return this.#callView(request, view, match.kwargs);
  }

  /** The view's response; what the view throws (sync or async) goes to the processException hooks. */
  #callView(request: GwiRequest, view: View, kwargs: Record<string, unknown>): MaybePromise<HttpResponseBase> {
    let response: unknown;
    try {
      response = view(request, kwargs);
    } catch (exception) {
      return this.#viewFailed(request, view, exception);
    }
    if (!isPromiseLike(response)) return this.#viewResponse(request, view, response);
    return Promise.resolve(response).then(
      (resolved) => this.#viewResponse(request, view, resolved),
      (exception: unknown) => this.#viewFailed(request, view, exception),
    );
  }

  async #viewFailed(request: GwiRequest, view: View, exception: unknown): Promise<HttpResponseBase> {
    const response = await this.#processException(request, exception);
    if (!response) throw exception;
    return this.#viewResponse(request, view, response);
  }

  #viewResponse(request: GwiRequest, view: View, response: unknown): MaybePromise<HttpResponseBase> {
    checkResponse(response, view);
    return isRenderable(response) ? this.#render(request, response) : response;
  }

  async #render(request: GwiRequest, renderable: HttpResponseBase & Renderable): Promise<HttpResponseBase> {
    let response: HttpResponseBase = renderable;
    for (const hook of this.#templateHooks) {
      const next: unknown = await hook(request, response);
      checkResponse(next, hook as unknown as View, 'middleware');
      response = next;
    }
    try {
      return await (response as HttpResponseBase & Renderable).render();
    } catch (exception) {
      const handled = await this.#processException(request, exception);
      if (!handled) throw exception;
      return handled;
    }
  }

  async #processException(request: GwiRequest, exception: unknown): Promise<HttpResponseBase | null> {
    for (const hook of this.#exceptionHooks) {
      const response = await hook(request, exception);
      if (response) return response;
    }
    return null;
  }
}

/** Django's get_response once the chain answered: the request closes with the response; a 4xx/5xx is logged once. */
function closeAndLog(response: HttpResponseBase, request: GwiRequest): HttpResponseBase {
  response.closers.push(() => request.close());
  if (response.statusCode >= 400 && !loggedResponses.has(response)) {
    logRequestProblem(`${response.reasonPhrase}: ${escapeLogValue(request.path)}`);
    loggedResponses.add(response);
  }
  return response;
}
