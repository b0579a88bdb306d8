// Django's django.utils.encoding (iri_to_uri, escape_uri_path, repercent_broken_unicode) and the text/bytes
// conversions it relies on: Python's bytes.decode and urllib.parse's quote and unquote.
import { Buffer } from 'node:buffer';
import { percentEncode, unquoteLatin1 } from '../../gateway/latin1.js';

/** Bytes as text; `fatal` throws on invalid input, else bad bytes become U+FFFD (Python's errors='replace'). */
export function decodeBytes(bytes: Uint8Array, encoding: string, fatal = false): string {
  // TextDecoder's 'latin1' is windows-1252 (WHATWG); Python's latin-1 maps every byte to its code point.
  if (/^(?:latin[-_]?1|iso[-_]?8859[-_]1|l1)$/i.test(encoding)) return Buffer.from(bytes).toString('latin1');
  return new TextDecoder(encoding, { fatal }).decode(bytes);
}

/** Python's `quote(text, safe)`: text is UTF-8 encoded; unreserved and `safe` characters stay. */
export function quote(text: string | Uint8Array, safe = '/'): string {
  return percentEncode(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, safe);
}

/** Python's `quote_plus`: as quote() with nothing safe, and spaces as `+`. */
export function quotePlus(text: string, safe = ''): string {
  return quote(text, safe + ' ').replace(/ /g, '+');
}

/** Django's iri_to_uri: the characters a URI may keep (reserved ones and `%`) stay, the rest is escaped. */
export function iriToUri(iri: string): string {
  return quote(iri, "/#%[]=:;$&()+,!?*@'~");
}

/** Django's escape_uri_path: a path made safe for a URI (the `?`, `#` and `%` it contains are escaped). */
export function escapeUriPath(path: string): string {
  return quote(path, "/:@&+$,-_.!~*'()");
}

/** Percent escapes of an ASCII string as bytes; malformed escapes stay literal. */
function unquoteToBytes(ascii: string): Buffer {
  return Buffer.from(unquoteLatin1(ascii), 'latin1');
}

/**
 * Python's `unquote(text, encoding, errors='replace')`: runs of ASCII (escapes included) are decoded
 * as bytes in `encoding`; characters that are already non-ASCII are kept as they are.
 */
export function unquote(text: string, encoding = 'utf-8'): string {
  if (!text.includes('%')) return text;
  return text.replace(/[\x00-\x7f]+/g, (ascii) => decodeBytes(unquoteToBytes(ascii), encoding));
}

/** Python's `unquote_plus`. */
export function unquotePlus(text: string, encoding = 'utf-8'): string {
  return unquote(text.replace(/\+/g, ' '), encoding);
}


/** The length of a valid UTF-8 sequence at `i`, or 0 (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i] as number;
  if (b0 < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) length = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 === 0xe0) low = 0xa0;
    if (b0 === 0xed) high = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 === 0xf0) low = 0x90;
    if (b0 === 0xf4) high = 0x8f;
  } else return 0;
  for (let k = 1; k < length; k++) {
    const b = bytes[i + k];
    if (b === undefined || b < (k === 1 ? low : 0x80) || b > (k === 1 ? high : 0xbf)) return 0;
  }
  return length;
}

/**
 * Django's repercent_broken_unicode: the bytes that are not valid UTF-8 are percent-escaped, so the
 * path decodes losslessly (`/caf\xe9` → `/caf%E9`) and a broken URL can still give a 404.
 */
export function repercentBrokenUnicode(bytes: Uint8Array): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = utf8SequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    out += Buffer.from(bytes.subarray(start, i)).toString('utf8') + '%' + (bytes[i] as number).toString(16).toUpperCase().padStart(2, '0');
    start = ++i;
  }
  return out + Buffer.from(bytes.subarray(start)).toString('utf8');
}
