// GwiHandler: the framework as a GWI application (Django's WSGIHandler + BaseHandler): the middleware
// chain is built once, then per request: requestStarted → GwiRequest → chain → URL → view → response.
import type { Application, Body, Environ, StartResponse } from '../gateway/types.js';
import { settings } from './conf.js';
import { convertExceptionToResponse, loggedResponses, type GetResponse } from './exception-response.js';
import { ImproperlyConfigured } from './exceptions.js';
import { loadMiddleware, type MiddlewareHooks } from './middleware.js';
import { escapeLogValue, logRequestProblem } from './request-log.js';
import { GwiRequest } from './request.js';
import { FileResponse, isResponse, type HttpResponseBase } from './response.js';
import { requestStarted } from './signals.js';
import { getResolver } from './urls.js';
import type { View } from './views.js';

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

  /** Runs the request through the chain; logs 4xx/5xx responses as Django's get_response does. */
  async getResponse(request: GwiRequest): Promise<HttpResponseBase> {
    if (this.#chain === null) throw new ImproperlyConfigured('Call loadMiddleware() before getResponse().');
    const response = await this.#chain(request);
    response.closers.push(() => request.close());
    if (response.statusCode >= 400 && !loggedResponses.has(response)) {
      logRequestProblem(`${response.reasonPhrase}: ${escapeLogValue(request.path)}`);
      loggedResponses.add(response);
    }
    return response;
  }

  async #getResponseInner(request: GwiRequest): Promise<HttpResponseBase> {
    const resolver = await getResolver(request.urlconf ?? settings.ROOT_URLCONF);
    const match = resolver.resolve(request.pathInfo);
    request.resolverMatch = match;
    const view = match.func as View;
    let response: HttpResponseBase | null | undefined | void;
    for (const hook of this.#viewHooks) {
      response = await hook(request, view, match.args, match.kwargs);
      if (response) break;
    }
    if (!response) {
      try {
        response = await view(request, match.kwargs);
      } catch (exception) {
        response = await this.#processException(request, exception);
        if (!response) throw exception;
      }
    }
    checkResponse(response, view);
    if (isRenderable(response)) {
      for (const hook of this.#templateHooks) {
        const next: unknown = await hook(request, response);
        checkResponse(next, hook as unknown as View, 'middleware');
        response = next;
      }
      try {
        response = await (response as HttpResponseBase & Renderable).render();
      } catch (exception) {
        response = await this.#processException(request, exception);
        if (!response) throw exception;
      }
    }
    return response;
  }

  async #processException(request: GwiRequest, exception: unknown): Promise<HttpResponseBase | null> {
    for (const hook of this.#exceptionHooks) {
      const response = await hook(request, exception);
      if (response) return response;
    }
    return null;
  }
}

/** The framework's GWI application: `export const application = getGwiApplication()`. */
export class GwiHandler extends BaseHandler {
  #ready: Promise<void> | null = null;
  #loaded = false;

  /** Loads the middleware once; the first request waits for it. */
  ready(): Promise<void> {
    this.#ready ??= this.loadMiddleware().then(() => {
      this.#loaded = true;
    });
    return this.#ready;
  }

  readonly application: Application = async (environ: Environ, startResponse: StartResponse): Promise<Body> => {
    // Once loaded, a request does not wait a microtask turn for the settled promise.
    if (!this.#loaded) await this.ready();
    requestStarted.send(GwiHandler, { environ });
    const request = new GwiRequest(environ);
    const response = await this.getResponse(request);
    startResponse(response.statusLine, response.headerList());
    const fileWrapper = environ['gwi.file_wrapper'];
    if (response instanceof FileResponse && response.fileToStream && fileWrapper) {
      const body = fileWrapper(response.fileToStream, response.blockSize);
      // The response's close() closes the file and sends requestFinished (Django does the same swap).
      return Object.assign(body, { close: () => response.close() });
    }
    if (!response.streaming && 'content' in response) {
      // A one-element array: the server knows the length without reading twice.
      return Object.assign([response.content as Uint8Array], { close: () => response.close() });
    }
    return response as unknown as Body;
  };
}

/**
 * The project's GWI application (Django's get_wsgi_application): settings must be configured first
 * (runserver does it; elsewhere call loadSettings()).
 */
export function getGwiApplication(): Application {
  return new GwiHandler().application;
}

