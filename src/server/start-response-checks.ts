// What startResponse() checks before it stores a status and headers (wsgiref's start_response asserts,
// plus what node:http would refuse): valid values are remembered, as applications repeat the same few.
import { inspect } from 'node:util';
import { firstNonLatin1 } from '../gateway/latin1.js';
import type { HeaderList } from '../gateway/types.js';
import { isHopByHop, isPlainHeaderValue } from '../gateway/util.js';

// A token per RFC 9110; node:http refuses anything else, so say it clearly at startResponse.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CONTROL_IN_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

// Statuses seen valid: an application answers with the same few again and again (bounded).
const VALID_STATUSES = new Set<string>();
const VALID_STATUSES_MAX = 1000;

export function checkStatus(status: unknown): asserts status is string {
  if (typeof status !== 'string') throw new TypeError(`Status must be of type string (got ${inspect(status)})`);
  if (VALID_STATUSES.has(status)) return;
  if (status.length < 4) throw new Error('Status must be at least 4 characters');
  if (!isDigit(status.charCodeAt(0)) || !isDigit(status.charCodeAt(1)) || !isDigit(status.charCodeAt(2))) {
    throw new Error('Status message must begin w/3-digit code');
  }
  if (status.charCodeAt(3) !== 0x20) throw new Error('Status message must have a space after code');
  if (status.charCodeAt(0) === 0x30) throw new Error(`Status code is invalid: ${status.slice(0, 3)}`);
  for (let i = 4; i < status.length; i++) {
    const code = status.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) throw new Error(`Control characters are not allowed in status: ${inspect(status)}`);
    if (code > 0xff) throw new Error(`Status must be latin-1: ${inspect(status)}`);
  }
  if (VALID_STATUSES.size < VALID_STATUSES_MAX) VALID_STATUSES.add(status);
}

// Header names seen valid, so the next response's same names are not checked again (bounded).
const VALID_NAMES = new Set<string>();
const VALID_NAMES_MAX = 1000;

function checkHeaderName(name: string, value: string): void {
  if (isHopByHop(name)) throw new Error(`Hop-by-hop header, '${name}: ${value}', not allowed`);
  if (!TOKEN.test(name)) throw new Error(`Invalid header name: ${inspect(name)}`);
  if (VALID_NAMES.size < VALID_NAMES_MAX) VALID_NAMES.add(name);
}

export function checkHeaders(headers: unknown): asserts headers is HeaderList {
  if (!Array.isArray(headers)) throw new TypeError('Headers must be an array of [name, value] pairs');
  for (const header of headers) {
    if (!Array.isArray(header) || header.length !== 2) {
      throw new TypeError(`Headers must be an array of [name, value] pairs (got ${inspect(header)})`);
    }
    const [name, value] = header as unknown[];
    if (typeof name !== 'string' || typeof value !== 'string') {
      throw new TypeError(`Header names/values must be of type string (got ${inspect(header)})`);
    }
    if (!VALID_NAMES.has(name)) checkHeaderName(name, value);
    if (isPlainHeaderValue(value)) continue;
    if (CONTROL_IN_VALUE.test(value)) {
      throw new Error(`Control characters are not allowed in header values: ${inspect(`${name}: ${value}`)}`);
    }
    if (firstNonLatin1(value) >= 0) throw new Error(`Header value must be latin-1: ${inspect(`${name}: ${value}`)}`);
  }
}
