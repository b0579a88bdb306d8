// Django's utils/cache.py, the part gwi needs: telling caches which request headers a response depends on.
import type { HttpResponseBase } from '../http/response.js';

/**
 * Django's patch_vary_headers: adds the names to the response's Vary header, keeping the ones there
 * (compared case-insensitively) and their order; a `*` among them makes the header just `*`.
 */
export function patchVaryHeaders(response: HttpResponseBase, newHeaders: readonly string[]): void {
  const current = response.headers.get('Vary');
  const varyHeaders = current === undefined ? [] : current.split(/\s*,\s*/);
  const existing = new Set(varyHeaders.map((header) => header.toLowerCase()));
  varyHeaders.push(...newHeaders.filter((header) => !existing.has(header.toLowerCase())));
  response.headers.set('Vary', varyHeaders.includes('*') ? '*' : varyHeaders.join(', '));
}
