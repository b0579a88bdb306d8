// Django's utils/crypto.py: the salted HMAC that signing derives its keys with, and the comparison that
// does not tell an attacker how much of a guessed signature was right.
import { Buffer } from 'node:buffer';
import { createHash, createHmac, getHashes, timingSafeEqual, type Hmac } from 'node:crypto';
import { asBuffer } from '../../gateway/bytes.js';
import { pyRepr } from '../../gateway/py-repr.js';

/** A hash name hashlib has no constructor for (Django's InvalidAlgorithm). */
export class InvalidAlgorithm extends Error {
  override name = 'InvalidAlgorithm';
}

/** Text as UTF-8 bytes, bytes as they are (Django's force_bytes). */
export function forceBytes(value: string | Uint8Array): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : asBuffer(value);
}

/** hashlib's attribute names (sha256, sha3_256) as node:crypto spells them (sha256, sha3-256). */
function nodeHash(algorithm: string): string {
  const name = algorithm.replace(/_/g, '-');
  if (!/^\w+$/.test(algorithm) || !getHashes().includes(name)) {
    throw new InvalidAlgorithm(`${pyRepr(algorithm)} is not an algorithm accepted by the hashlib module.`);
  }
  return name;
}

/**
 * Django's salted_hmac: the HMAC of `value` under a key derived from `keySalt` and `secret` — always
 * the hash of the two, so that a key is never the secret itself.
 */
export function saltedHmac(keySalt: string, value: string | Uint8Array, secret: string | Uint8Array, algorithm: string): Hmac {
  const hash = nodeHash(algorithm);
  const key = createHash(hash).update(forceBytes(keySalt)).update(forceBytes(secret)).digest();
  return createHmac(hash, key).update(forceBytes(value));
}

/**
 * Django's constant_time_compare (Python's secrets.compare_digest): the time taken depends on the
 * lengths only, never on where the first difference is.
 */
export function constantTimeCompare(val1: string | Uint8Array, val2: string | Uint8Array): boolean {
  const a = forceBytes(val1);
  const b = forceBytes(val2);
  if (a.length === b.length) return timingSafeEqual(a, b);
  // timingSafeEqual refuses unequal lengths; comparing `a` with itself spends the same time.
  timingSafeEqual(a, a);
  return false;
}
