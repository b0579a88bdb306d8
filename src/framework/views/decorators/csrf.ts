// The CSRF view decorators (Django's views/decorators/csrf.py): a view left out of the CSRF checks, or
// checked (or given the CSRF cookie) on its own, without CsrfViewMiddleware in MIDDLEWARE.
import { CsrfViewMiddleware, getCsrfToken, type CsrfExemptView } from '../../middleware/csrf.js';
import type { GwiRequest } from '../../http/request.js';
import type { View } from '../generic.js';

/** A new function that calls `view`, with its name and properties (Django's functools.wraps). */
function wraps<V extends View>(view: V, wrapper: View): V {
  Object.defineProperty(wrapper, 'name', { value: view.name });
  return Object.assign(wrapper, view);
}

/** Django's csrf_exempt: CsrfViewMiddleware lets this view's unsafe requests through unchecked. */
export function csrfExempt<V extends View>(view: V): V & CsrfExemptView {
  return Object.assign(
    wraps(view, (request, kwargs) => view(request, kwargs)),
    { csrfExempt: true as const },
  );
}

/**
 * Django's decorator_from_middleware for the CSRF middleware: its request and view steps before the
 * view, its response step after; a refusal is answered as it is.
 */
function fromMiddleware(Middleware: typeof CsrfViewMiddleware): <V extends View>(view: V) => V {
  return (view) => {
    const middleware = new Middleware((request) => view(request, {}));
    return wraps(view, async (request, kwargs) => {
      middleware.processRequest(request);
      const refused = await middleware.processView(request, view);
      if (refused) return refused;
      return middleware.processResponse(request, await view(request, kwargs));
    });
  };
}

// Checks as the middleware does but refuses (and logs) nothing: the view just gets the CSRF cookie's secret.
class EnsureCsrfToken extends CsrfViewMiddleware {
  protected override async reject(): Promise<null> {
    return null;
  }
}

class EnsureCsrfCookie extends EnsureCsrfToken {
  override processView(request: GwiRequest, view: View): ReturnType<CsrfViewMiddleware['processView']> {
    const result = super.processView(request, view);
    // The response sets the cookie even though the view never asked for the token.
    getCsrfToken(request);
    return result;
  }
}

/** Django's csrf_protect: the middleware's checks for this view alone. */
export const csrfProtect = fromMiddleware(CsrfViewMiddleware);

/** Django's requires_csrf_token: getCsrfToken() works in this view without the middleware; nothing is refused. */
export const requiresCsrfToken = fromMiddleware(EnsureCsrfToken);

/** Django's ensure_csrf_cookie: the response sets the CSRF cookie (for a page whose script posts). */
export const ensureCsrfCookie = fromMiddleware(EnsureCsrfCookie);
