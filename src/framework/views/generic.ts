// Views: the view function type, and Django's class-based View (dispatch by HTTP method, asView()).
import { escapeLogValue, logRequestProblem } from '../utils/log.js';
import type { GwiRequest } from '../http/request.js';
import { HttpResponse, HttpResponseNotAllowed, type HttpResponseBase } from '../http/response.js';

/** A view: the request and the URL's keyword arguments in, a response out. */
export type View = (request: GwiRequest, kwargs: Record<string, unknown>) => HttpResponseBase | Promise<HttpResponseBase>;

/** The function asView() returns: a View that remembers its class and options. */
export type ClassView<C extends typeof BaseView = typeof BaseView> = View & {
  readonly viewClass: C;
  readonly viewInitkwargs: Readonly<Record<string, unknown>>;
};

/** A method handler of a class-based view (`get`, `post`, ...). */
type Handler = (this: BaseView, request: GwiRequest, kwargs: Record<string, unknown>) => HttpResponseBase | Promise<HttpResponseBase>;

/**
 * Django's generic View. Subclasses define `get`, `post`, ... (as methods: no `override` needed, the
 * base declares none of them) and are routed with `MyView.asView()`. One instance serves one request.
 * Exported as `View` too: `class Home extends View { get() { ... } }`.
 */
export class BaseView {
  static httpMethodNames: readonly string[] = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'trace'];

  /** Set by setup(), before dispatch. */
  request!: GwiRequest;
  kwargs: Record<string, unknown> = {};

  /**
   * The view function: a new instance per request, `initkwargs` assigned to it (only names the class
   * already has, and no method names), then setup() and dispatch().
   */
  static asView<C extends typeof BaseView>(this: C, initkwargs: Record<string, unknown> = {}): ClassView<C> {
    const probe = new this() as unknown as Record<string, unknown>;
    for (const key of Object.keys(initkwargs)) {
      if (this.httpMethodNames.includes(key)) {
        throw new TypeError(`The method name ${key} is not accepted as a keyword argument to ${this.name}().`);
      }
      if (!(key in probe)) {
        throw new TypeError(
          `${this.name}() received an invalid keyword '${key}'. asView only accepts arguments that are already attributes of the class.`,
        );
      }
    }
    const cls = this;
    const view: View = (request, kwargs) => {
      // Assigned after construction, so subclass field initializers do not overwrite them.
      const self = Object.assign(new cls(), initkwargs);
      self.setup(request, kwargs);
      if (!(self as Partial<BaseView>).request) {
        throw new TypeError(`${cls.name} instance has no 'request' attribute. Did you override setup() and forget to call super?`);
      }
      return self.dispatch(request, kwargs);
    };
    // Named after the class, for error pages and logs.
    Object.defineProperty(view, 'name', { value: this.name });
    return Object.assign(view, { viewClass: cls, viewInitkwargs: Object.freeze({ ...initkwargs }) });
  }

  /** The handler for a lower-case method name, if the class defines one. */
  #handler(method: string): Handler | undefined {
    const handler = (this as unknown as Record<string, unknown>)[method];
    return typeof handler === 'function' ? (handler as Handler) : undefined;
  }

  /** Keeps the request and kwargs; HEAD is answered by get() when there is no head(). */
  setup(request: GwiRequest, kwargs: Record<string, unknown>): void {
    const self = this as unknown as Record<string, unknown>;
    if (this.#handler('get') && !this.#handler('head')) self.head = this.#handler('get');
    this.request = request;
    this.kwargs = kwargs;
  }

  /** Calls the handler of the request's method, or httpMethodNotAllowed. */
  dispatch(request: GwiRequest, kwargs: Record<string, unknown>): HttpResponseBase | Promise<HttpResponseBase> {
    const method = request.method.toLowerCase();
    const handler = (this.constructor as typeof BaseView).httpMethodNames.includes(method) ? this.#handler(method) : undefined;
    return handler ? handler.call(this, request, kwargs) : this.httpMethodNotAllowed(request, kwargs);
  }

  /** 405 with the allowed methods; logs `Method Not Allowed (POST): /path` as Django's django.request logger. */
  httpMethodNotAllowed(request: GwiRequest, _kwargs: Record<string, unknown>): HttpResponseBase | Promise<HttpResponseBase> {
    logRequestProblem(`Method Not Allowed (${escapeLogValue(request.method)}): ${escapeLogValue(request.path)}`);
    return new HttpResponseNotAllowed(this.allowedMethods());
  }

  /** OPTIONS: 200 with Allow and an empty body. */
  options(_request: GwiRequest, _kwargs: Record<string, unknown>): HttpResponseBase | Promise<HttpResponseBase> {
    const response = new HttpResponse();
    response.headers.set('Allow', this.allowedMethods().join(', '));
    response.headers.set('Content-Length', '0');
    return response;
  }

  /** The upper-case methods this view answers, in httpMethodNames order. */
  allowedMethods(): string[] {
    return (this.constructor as typeof BaseView).httpMethodNames.filter((method) => this.#handler(method)).map((method) => method.toUpperCase());
  }
}

/**
 * Django's `View`. A constant, not a second class declaration, so the name can also be the View
 * function type above (`View` in a type position is a view function; an instance is a BaseView).
 */
export const View = BaseView;
