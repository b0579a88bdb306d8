// The response headers (Django's ResponseHeaders): one value per name in any case, each name and value
// checked when set, so a response never sends a header that breaks it (BadHeaderError).
import { Buffer } from 'node:buffer';
import { pyRepr } from '../../gateway/py-repr.js';
import { headerKey, isPlainHeaderValue } from '../../gateway/util.js';
import { boundedMemo } from '../../gateway/memo.js';

/** A header name or value that would break the response (Django's BadHeaderError). */
export class BadHeaderError extends Error {
  override name = 'BadHeaderError';
}

export type HeadersInit = Record<string, string | number> | Iterable<readonly [string, string | number]>;

/** Python's email quoted-printable header length of these bytes (Header's SHORTEST choice). */
function qEncode(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    if (byte === 0x20) out += '_';
    else if (/[A-Za-z0-9!*+\-/]/.test(ch)) out += ch;
    else out += '=' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/**
 * A header value that is not latin-1 is MIME-encoded, as Django does (`†` → `=?utf-8?b?4oCg?=`):
 * base64 or quoted-printable, whichever is shorter (quoted-printable on a tie).
 */
function mimeEncode(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  const q = qEncode(bytes);
  const b = bytes.toString('base64');
  return b.length < q.length ? `=?utf-8?b?${b}?=` : `=?utf-8?q?${q}?=`;
}

/** A header name's lookup key (lower-cased), whether it may be sent, and the last value checked for it. */
interface HeaderName {
  readonly key: string;
  readonly valid: boolean;
  lastValue: string | number | undefined;
  lastChecked: string;
}

// Names and values repeat from response to response: each distinct one is looked at once, so a lookup
// or a set costs one memo lookup per name (a refused value is never remembered: it throws every time).
const headerName = boundedMemo(
  (name): HeaderName => ({
    key: headerKey(name),
    valid: /^[\x21-\x7e]+$/.test(name) && !name.includes(':'),
    lastValue: undefined,
    lastChecked: '',
  }),
);

/** The value as sent; a header set to the value it had last time (the usual case) costs a comparison. */
function checkHeaderValue(header: HeaderName, value: string | number): string {
  if (value !== header.lastValue) {
    header.lastChecked = checkHeaderText(typeof value === 'string' ? value : String(value));
    header.lastValue = value;
  }
  return header.lastChecked;
}

/** The text as sent (isPlainHeaderValue remembers the plain ones; the others are rare). */
function checkHeaderText(text: string): string {
  if (isPlainHeaderValue(text)) return text;
  if (text.includes('\n') || text.includes('\r')) throw new BadHeaderError(`Header values can't contain newlines (got ${pyRepr(text)})`);
  // The server refuses the other control characters too (HTAB is allowed): say so where the header is set.
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(text)) {
    throw new BadHeaderError(`Header values can't contain control characters (got ${pyRepr(text)})`);
  }
  return /[^\x00-\xff]/.test(text) ? mimeEncode(text) : text;
}

/**
 * The response headers (Django's ResponseHeaders): one value per name, looked up in any case,
 * kept in insertion order with the case first given. Values are checked when set.
 */
export class ResponseHeaders implements Iterable<[string, string]> {
  // [key, name, value] per header, in order. A response has a handful of headers: scanning them costs
  // less than a Map, whose lookups, growth and rehashing showed on every request.
  readonly #entries: [key: string, name: string, value: string][] = [];

  constructor(init?: HeadersInit) {
    if (init) {
      const pairs = Symbol.iterator in init ? (init as Iterable<readonly [string, string | number]>) : Object.entries(init);
      for (const [name, value] of pairs) this.set(name, value);
    }
  }

  #find(key: string): [string, string, string] | undefined {
    for (const entry of this.#entries) if (entry[0] === key) return entry;
    return undefined;
  }

  get(name: string): string | undefined {
    return this.#find(headerName(name).key)?.[2];
  }

  has(name: string): boolean {
    return this.#find(headerName(name).key) !== undefined;
  }

  set(name: string, value: string | number): void {
    const header = headerName(name);
    const checked = checkHeaderValue(header, value);
    const entry = this.#find(header.key);
    if (entry) entry[2] = checked;
    else this.#add(header, name, checked);
  }

  /** The value, first setting it to `value` when the header is missing. */
  setDefault(name: string, value: string | number): string {
    const header = headerName(name);
    const entry = this.#find(header.key);
    if (entry) return entry[2];
    const checked = checkHeaderValue(header, value);
    this.#add(header, name, checked);
    return checked;
  }

  /** A new header, its name kept in the case given. */
  #add({ key, valid }: HeaderName, name: string, value: string): void {
    if (!valid) throw new BadHeaderError(`Header names must be printable ASCII without ':' or spaces (got ${pyRepr(name)})`);
    this.#entries.push([key, name, value]);
  }

  delete(name: string): boolean {
    const key = headerName(name).key;
    const index = this.#entries.findIndex((entry) => entry[0] === key);
    if (index < 0) return false;
    this.#entries.splice(index, 1);
    return true;
  }

  get size(): number {
    return this.#entries.length;
  }

  keys(): string[] {
    return this.#entries.map((entry) => entry[1]);
  }

  /** Copies of the [name, value] pairs, in order. */
  list(): [string, string][] {
    return this.#entries.map((entry): [string, string] => [entry[1], entry[2]]);
  }

  entries(): IterableIterator<[string, string]> {
    return this.list()[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}
