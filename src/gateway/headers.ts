// wsgiref.headers.Headers: a case-insensitive view over a response's [name, value] array.
import { inspect } from 'node:util';
import { encodeLatin1 } from './latin1.js';
import type { HeaderList } from './types.js';

// HTAB is allowed inside a value, never in a name (RFC 9110 §5.5); the rest would let an
// application split the response (newer CPython refuses them too, gh-143916).
const NAME_DISALLOWED = /[\x00-\x1F\x7F]/;
const VALUE_DISALLOWED = /[\x00-\x08\x0A-\x1F\x7F]/;

function checkString(text: unknown, disallowed: RegExp): string {
  if (typeof text !== 'string') {
    throw new TypeError(`Header names/values must be of type string (got ${inspect(text)})`);
  }
  if (disallowed.test(text)) throw new TypeError('Control characters not allowed in headers');
  return text;
}

const checkName = (name: unknown): string => checkString(name, NAME_DISALLOWED);
const checkValue = (value: unknown): string => checkString(value, VALUE_DISALLOWED);

/** `k="v"`, always quoted as wsgiref does; an empty value renders the bare key, as there. */
function formatParam(key: string, value: string): string {
  if (value === '') return key;
  return `${key}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Edits the array it is given in place (a reference, not a copy), so headers handed to
 * `startResponse` can still be adjusted afterwards, as with wsgiref.
 */
export class Headers {
  readonly #headers: HeaderList;

  constructor(headers: HeaderList = []) {
    if (!Array.isArray(headers)) throw new TypeError('Headers must be an array of [name, value] pairs');
    for (const header of headers as unknown[]) {
      if (!Array.isArray(header) || header.length !== 2) {
        throw new TypeError('Headers must be an array of [name, value] pairs');
      }
      checkName(header[0]);
      checkValue(header[1]);
    }
    this.#headers = headers;
  }

  /** The number of entries, duplicates included. */
  get length(): number {
    return this.#headers.length;
  }

  /** The value of the first entry with this name (any case), else `defaultValue`. */
  get(name: string): string | undefined;
  get<T>(name: string, defaultValue: T): string | T;
  get<T>(name: string, defaultValue?: T): string | T | undefined {
    const wanted = name.toLowerCase();
    for (const [key, value] of this.#headers) {
      if (key.toLowerCase() === wanted) return value;
    }
    return defaultValue;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Every value with this name, in order; `[]` when there is none. */
  getAll(name: string): string[] {
    const wanted = name.toLowerCase();
    return this.#headers.filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value);
  }

  /** Replaces every entry with this name by one entry at the end. */
  set(name: string, value: string): void {
    // Checked before deleting, so a refused value leaves the old entries in place.
    const entry: [string, string] = [checkName(name), checkValue(value)];
    this.delete(name);
    this.#headers.push(entry);
  }

  /** Removes every entry with this name; nothing happens when there is none. */
  delete(name: string): void {
    const wanted = name.toLowerCase();
    for (let i = this.#headers.length - 1; i >= 0; i--) {
      if ((this.#headers[i] as [string, string])[0].toLowerCase() === wanted) this.#headers.splice(i, 1);
    }
  }

  /** The first existing value, or else appends `[name, value]` and returns `value`. */
  setDefault(name: string, value: string): string {
    const existing = this.get(name);
    if (existing !== undefined) return existing;
    this.#headers.push([checkName(name), checkValue(value)]);
    return value;
  }

  /**
   * Appends `name: value; key="param"; ...`. A `_` in a key becomes `-` (`{ max_age: '1' }`
   * gives `max-age="1"`), and a `null` param renders the bare key.
   */
  addHeader(name: string, value: string | null, params: Record<string, string | null> = {}): void {
    checkName(name);
    const parts = value === null ? [] : [checkValue(value)];
    for (const [rawKey, param] of Object.entries(params)) {
      const key = checkName(rawKey).replace(/_/g, '-');
      parts.push(param === null ? key : formatParam(key, checkValue(param)));
    }
    this.#headers.push([name, parts.join('; ')]);
  }

  keys(): string[] {
    return this.#headers.map(([key]) => key);
  }

  values(): string[] {
    return this.#headers.map(([, value]) => value);
  }

  /** A copy: changing it, or its pairs, leaves these headers alone. */
  items(): HeaderList {
    return this.#headers.map(([key, value]) => [key, value]);
  }

  /** The header block as sent: `Name: value\r\n` per entry, then the blank line. */
  toString(): string {
    let out = '';
    for (const [key, value] of this.#headers) out += `${key}: ${value}\r\n`;
    return out + '\r\n';
  }

  /** The header block as latin-1 bytes; a code unit above 0xFF is an error. */
  toBytes(): Buffer {
    return encodeLatin1(this.toString(), 'headers');
  }
}
