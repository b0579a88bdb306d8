// Native strings of the GWI contract: JS strings whose code units are bytes (latin-1), as in PEP 3333.
import { Buffer } from 'node:buffer';

/** Encodes a native string to bytes; a code unit above 0xFF is an error, never a silent truncation. */
export function encodeLatin1(text: string, what = 'text'): Buffer {
  const bad = firstNonLatin1(text);
  if (bad >= 0) {
    const unit = text.charCodeAt(bad).toString(16).padStart(4, '0');
    throw new TypeError(`${what} must be latin-1: character '\\u${unit}' at position ${bad} is above 0xFF`);
  }
  return Buffer.from(text, 'latin1');
}

/** Index of the first code unit above 0xFF, or -1. */
export function firstNonLatin1(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0xff) return i;
  }
  return -1;
}

const PERCENT_ESCAPE = /%([0-9A-Fa-f]{2})/g;

/** Python's `unquote(text, 'latin-1')`: each `%XX` becomes code unit 0xXX; malformed escapes stay. */
export function unquoteLatin1(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(PERCENT_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const ALWAYS_SAFE = /[A-Za-z0-9_.\-~]/;

/** Python's quote() of bytes: unreserved ASCII and the ASCII characters of `safe` pass, the rest is `%XX`. */
export function percentEncode(bytes: Uint8Array, safe = '/'): string {
  let out = '';
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && (ALWAYS_SAFE.test(ch) || safe.includes(ch)) ? ch : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** Python's `quote(text, safe, encoding='latin1')`: unreserved and `safe` characters pass, others become `%XX`. */
export function quoteLatin1(text: string, safe = '/'): string {
  return percentEncode(encodeLatin1(text, 'URL component'), safe);
}
