// Python's json.dumps(obj, separators=(',', ':')), the text Django's signing.JSONSerializer signs: the same
// bytes as Django's for the same data, so a signature made on one side can be remade on the other.
import { isPlainObject } from '../../gateway/plain-object.js';

// Python's ensure_ascii: everything outside printable ASCII, one UTF-16 unit at a time (so an astral
// character is its surrogate pair), as \uXXXX with lower-case hex; quote and backslash as \" and \\.
const ESCAPED = /[\\"\u0000-\u001f\u007f-\uffff]/g;
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function pyString(text: string): string {
  return `"${text.replace(ESCAPED, (ch) => SHORT_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/**
 * A number as Python writes the one it reads from JSON.stringify's text: an integer below 1e21 is an int,
 * written as it is; anything else is a float, written as repr() does, which differs from JavaScript only
 * in its exponents (1e-07 for 1e-7, 1e+21). NaN and the infinities are null, as JSON.stringify has them.
 */
function pyNumber(value: number): string {
  if (!Number.isFinite(value)) return 'null';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  const [mantissa, exponent] = value.toExponential().split('e') as [string, string];
  const power = Number(exponent);
  // Python's repr switches to an exponent below 1e-4 and from 1e16.
  if (power < -4 || power >= 16) return `${mantissa}e${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
  return String(value);
}

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function isSkipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function encode(value: unknown, key: string, seen: Set<object>): string {
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return pyString(value);
    case 'number':
      return pyNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
  }
  if (!Array.isArray(value) && !isPlainObject(value)) {
    const type = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
    throw new TypeError(`Object of type ${type} is not JSON serializable`);
  }
  if (seen.has(value)) throw new TypeError('Circular reference detected');
  seen.add(value);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map((item: unknown, i) => (isSkipped(item) ? 'null' : encode(item, String(i), seen))).join(',')}]`;
  } else {
    const members: string[] = [];
    for (const [name, item] of Object.entries(value)) {
      if (!isSkipped(item)) members.push(`${pyString(name)}:${encode(item, name, seen)}`);
    }
    text = `{${members.join(',')}}`;
  }
  seen.delete(value);
  return text;
}

/**
 * `value` as Python's json.dumps(value, separators=(',', ':')) writes it: JSON.stringify's choices
 * (toJSON, members left out), Python's text (ASCII only, its numbers). What Python cannot write either
 * (a Map, a class instance without toJSON) is a TypeError with Python's message.
 */
export function pyJsonDumps(value: unknown): string {
  return encode(value, '', new Set());
}
