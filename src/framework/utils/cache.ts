// Response header helpers of Django's utils/cache.py that say how a response may be cached: Vary.
import type { HttpResponseBase } from '../http/response.js';

/**
 * Django's patch_vary_headers: adds `newHeaders` to the response's Vary header, each once (compared
 * case-insensitively), keeping the order already there, since caches may hash the header as it is;
 * `*` anywhere makes the whole header `*`.
 */
export function patchVaryHeaders(response: HttpResponseBase, newHeaders: readonly string[]): void {
  const current = response.headers.get('Vary');
  const vary = current === undefined ? [] : current.split(/\s*,\s*/);
  const existing = new Set(vary.map((header) => header.toLowerCase()));
  vary.push(...newHeaders.filter((header) => !existing.has(header.toLowerCase())));
  response.headers.set('Vary', vary.includes('*') ? '*' : vary.join(', '));
}
