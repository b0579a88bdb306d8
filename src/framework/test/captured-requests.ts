// The GwiRequest gwi's handler made of a test client's environ (what Django's ClientHandler attaches as
// response.wsgi_request), found for any application that hands the environ on to the framework.
import type { Environ } from '../../gateway/types.js';
import { BaseHandler } from '../handlers/base.js';
import type { GwiRequest } from '../http/request.js';

/** The environs a client is waiting on, with the request made of each once the handler has it. */
const requests = new WeakMap<Environ, GwiRequest | null>();
let instrumented = false;

/**
 * Django's test environment instruments the framework (setup_test_environment patches Template._render to
 * send template_rendered); here getResponse() notes the request it is given, when a client made its environ.
 * A test-only patch, done once: nothing changes for an environ no client is waiting on.
 */
function instrument(): void {
  if (instrumented) return;
  instrumented = true;
  const getResponse = BaseHandler.prototype.getResponse;
  BaseHandler.prototype.getResponse = function (this: BaseHandler, request: GwiRequest) {
    if (requests.has(request.environ)) requests.set(request.environ, request);
    return getResponse.call(this, request);
  };
}

/** Runs `call` with the request gwi's handler makes of `environ` (null when no handler took it) noted for it. */
export async function captureRequest<T>(environ: Environ, call: () => Promise<T>): Promise<[T, GwiRequest | null]> {
  instrument();
  requests.set(environ, null);
  try {
    const result = await call();
    return [result, requests.get(environ) ?? null];
  } finally {
    requests.delete(environ);
  }
}
