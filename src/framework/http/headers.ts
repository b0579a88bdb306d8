// The request headers (Django's HttpHeaders): the environ's HTTP_* keys, CONTENT_TYPE and CONTENT_LENGTH
// under their header names, looked up in any case.
import type { Environ } from '../../gateway/types.js';

/** Python's str.title() on a header name: `X-FORWARDED-FOR` → `X-Forwarded-For`. */
function titleCase(name: string): string {
  let out = '';
  let previousCased = false;
  for (const ch of name) {
    const cased = ch.toLowerCase() !== ch.toUpperCase();
    out += cased ? (previousCased ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    previousCased = cased;
  }
  return out;
}

/**
 * The request headers as a case-insensitive, read-only mapping (Django's HttpHeaders): the HTTP_*
 * keys plus CONTENT_TYPE and CONTENT_LENGTH, named as `Content-Type`. Lookups accept `_` for `-`.
 */
export class HttpHeaders implements Iterable<[string, string]> {
  readonly #headers = new Map<string, [string, string]>();

  constructor(environ: Environ) {
    for (const [key, value] of Object.entries(environ)) {
      if (typeof value !== 'string') continue;
      const name = HttpHeaders.parseHeaderName(key);
      if (name !== null) this.#headers.set(name.toLowerCase(), [name, value]);
    }
  }

  /** `HTTP_USER_AGENT` → `User-Agent`; null for an environ key that is not a header. */
  static parseHeaderName(key: string): string | null {
    let header: string;
    if (key.startsWith('HTTP_')) header = key.slice(5);
    else if (key === 'CONTENT_TYPE' || key === 'CONTENT_LENGTH') header = key;
    else return null;
    return titleCase(header.replace(/_/g, '-'));
  }

  get(name: string): string | undefined;
  get<D>(name: string, defaultValue: D): string | D;
  get<D>(name: string, defaultValue?: D): string | D | undefined {
    return this.#headers.get(name.replace(/_/g, '-').toLowerCase())?.[1] ?? defaultValue;
  }

  has(name: string): boolean {
    return this.#headers.has(name.replace(/_/g, '-').toLowerCase());
  }

  get size(): number {
    return this.#headers.size;
  }

  keys(): string[] {
    return [...this.#headers.values()].map(([name]) => name);
  }

  entries(): IterableIterator<[string, string]> {
    return [...this.#headers.values()].map(([name, value]): [string, string] => [name, value])[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}
