// The project's own middleware: how long the rest of the chain (and the view) took, as a header.
import type { GetResponse, MiddlewareFunction } from 'gwi';

export function timingMiddleware(getResponse: GetResponse): MiddlewareFunction {
  return async (request) => {
    const start = performance.now();
    const response = await getResponse(request);
    // A streaming body is still to come: for those this is the time to the first byte.
    response.headers.set('X-Response-Time', `${(performance.now() - start).toFixed(2)}ms`);
    return response;
  };
}
