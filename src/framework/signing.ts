// Django's django/core/signing.py: values signed with an HMAC derived from SECRET_KEY, and objects signed
// as URL-safe base64 JSON with a timestamp, written as Django writes them so either side reads the other's.
import { Buffer } from 'node:buffer';
import { asBuffer } from '../gateway/bytes.js';
import { pyRepr } from '../gateway/py-repr.js';
import { currentSettings } from './conf/settings.js';
import { ImproperlyConfigured } from './exceptions.js';
import { constantTimeCompare, saltedHmac } from './utils/crypto.js';
import { pyJsonDumps } from './utils/py-json.js';

/** The signature does not match the value (or there is none). */
export class BadSignature extends Error {
  override name = 'BadSignature';
}

/** The signature matches, but it was made longer ago than maxAge allows. */
export class SignatureExpired extends BadSignature {
  override name = 'SignatureExpired';
}

const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** An integer in base 62, as Django writes timestamps. */
export function b62Encode(value: number): string {
  if (value === 0) return '0';
  let rest = Math.abs(value);
  let encoded = '';
  while (rest > 0) {
    encoded = (BASE62_ALPHABET[rest % 62] as string) + encoded;
    rest = Math.floor(rest / 62);
  }
  return (value < 0 ? '-' : '') + encoded;
}

/** The integer b62Encode() wrote; NaN for text that is not base 62. */
export function b62Decode(text: string): number {
  const digits = text.startsWith('-') ? text.slice(1) : text;
  if (!/^[0-9A-Za-z]+$/.test(digits)) return NaN;
  let decoded = 0;
  for (const digit of digits) decoded = decoded * 62 + BASE62_ALPHABET.indexOf(digit);
  return text.startsWith('-') ? -decoded : decoded;
}

/** URL-safe base64 without its `=` padding. */
export function b64Encode(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64url');
}

export function b64Decode(text: string): Buffer {
  return Buffer.from(text, 'base64url');
}

/** The salted HMAC of `value`, as b64Encode() text. */
export function base64Hmac(salt: string, value: string, key: string | Uint8Array, algorithm: string): string {
  return b64Encode(saltedHmac(salt, value, key, algorithm).digest());
}

/** Turns an object into the bytes that are signed, and back (Django's serializer classes). */
export interface Serializer {
  dumps(obj: unknown): Uint8Array;
  loads(data: Uint8Array): unknown;
}

/** Django's JSONSerializer: compact JSON, non-ASCII escaped, exactly as Python's json module writes it. */
export const JSONSerializer: Serializer = {
  dumps: (obj) => Buffer.from(pyJsonDumps(obj), 'latin1'),
  // Django decodes as latin-1 too: JSON written by either side is ASCII.
  loads: (data) => JSON.parse(asBuffer(data).toString('latin1')) as unknown,
};

export type SigningKey = string | Uint8Array;

export interface SignerOptions {
  /** Default: settings.SECRET_KEY. */
  key?: SigningKey | null;
  /** Between the value and its signature; default ':'. */
  sep?: string;
  /** A namespace for the signatures; default 'django.core.signing.' and the class's name, as Django's. */
  salt?: string | null;
  /** A hashlib name; default 'sha256'. */
  algorithm?: string | null;
  /** Keys whose signatures are still accepted (rotated-out secrets); default settings.SECRET_KEY_FALLBACKS. */
  fallbackKeys?: readonly SigningKey[] | null;
}

export interface SignObjectOptions {
  serializer?: Serializer;
  /** Compress with zlib when that makes the text shorter (the payload then starts with '.'). */
  compress?: boolean;
}

export interface UnsignObjectOptions {
  serializer?: Serializer;
}

export interface MaxAgeOptions {
  /** Seconds a timestamped signature stays valid; null: forever. */
  maxAge?: number | null;
}

// Django's _SEP_UNSAFE, whose A-z also spans [\]^_` (kept: the same separators are refused).
const SEP_UNSAFE = /^[A-z0-9\-_=]*$/;

function isEmptyKey(key: SigningKey | null | undefined): boolean {
  return key === null || key === undefined || key.length === 0;
}

/** The base64 text signObject() signs: the serialized bytes, compressed when that is shorter. */
function encodeObject(obj: unknown, { serializer = JSONSerializer, compress = false }: SignObjectOptions): string {
  const data = serializer.dumps(obj);
  if (compress) {
    // node:zlib is loaded on first use, not by gwi's import (~2 ms of every start).
    const compressed = process.getBuiltinModule('node:zlib').deflateSync(data);
    // The '.' is signed along: a value is only inflated once its signature holds (no zip bombs).
    if (compressed.length < data.length - 1) return `.${b64Encode(compressed)}`;
  }
  return b64Encode(data);
}

function decodeObject(base64d: string, serializer: Serializer = JSONSerializer): unknown {
  const compressed = base64d.startsWith('.');
  const data = b64Decode(compressed ? base64d.slice(1) : base64d);
  return serializer.loads(compressed ? process.getBuiltinModule('node:zlib').inflateSync(data) : data);
}

/** Signs text (Django's Signer): `value:signature`. */
export class Signer {
  readonly key: SigningKey;
  readonly fallbackKeys: readonly SigningKey[];
  readonly sep: string;
  readonly salt: string;
  readonly algorithm: string;

  constructor({ key, sep = ':', salt, algorithm, fallbackKeys }: SignerOptions = {}) {
    // currentSettings(): sessions make signers on every request, where the settings proxy's trap costs.
    const settings = currentSettings();
    const secret = isEmptyKey(key) ? settings.SECRET_KEY : (key as SigningKey);
    // Django's settings refuse to hand out an empty SECRET_KEY: anyone could sign with it.
    if (isEmptyKey(secret)) throw new ImproperlyConfigured('The SECRET_KEY setting must not be empty.');
    this.key = secret;
    this.fallbackKeys = fallbackKeys ?? settings.SECRET_KEY_FALLBACKS;
    this.sep = sep;
    // Django's default names the class's module: gwi's classes keep Django's, so their signatures match.
    this.salt = salt || `django.core.signing.${new.target.name}`;
    this.algorithm = algorithm || 'sha256';
    if (SEP_UNSAFE.test(sep)) {
      throw new RangeError(`Unsafe Signer separator: ${pyRepr(sep)} (cannot be empty or consist of only A-z0-9-_=)`);
    }
  }

  signature(value: string, key: SigningKey = this.key): string {
    return base64Hmac(`${this.salt}signer`, value, key, this.algorithm);
  }

  sign(value: string): string {
    return `${value}${this.sep}${this.signature(value)}`;
  }

  /** The value, if its signature was made with the key or one of the fallback keys; else BadSignature. */
  unsign(signedValue: string): string {
    const at = signedValue.lastIndexOf(this.sep);
    if (at < 0) throw new BadSignature(`No "${this.sep}" found in value`);
    const value = signedValue.slice(0, at);
    const sig = signedValue.slice(at + this.sep.length);
    for (const key of [this.key, ...this.fallbackKeys]) {
      if (constantTimeCompare(sig, this.signature(value, key))) return value;
    }
    throw new BadSignature(`Signature "${sig}" does not match`);
  }

  /** `obj` serialized (JSON by default), base64-encoded and signed. */
  signObject(obj: unknown, options: SignObjectOptions = {}): string {
    return this.sign(encodeObject(obj, options));
  }

  unsignObject(signedObj: string, { serializer }: UnsignObjectOptions = {}): unknown {
    return decodeObject(this.unsign(signedObj), serializer);
  }
}

/** A Signer that also signs the time (Django's TimestampSigner): `value:timestamp:signature`. */
export class TimestampSigner extends Signer {
  /** Now, in whole seconds, base 62. */
  timestamp(): string {
    return b62Encode(Math.floor(Date.now() / 1000));
  }

  override sign(value: string): string {
    return super.sign(`${value}${this.sep}${this.timestamp()}`);
  }

  /** The value, if the signature holds and (with maxAge) was made at most maxAge seconds ago. */
  override unsign(value: string, { maxAge = null }: MaxAgeOptions = {}): string {
    const result = super.unsign(value);
    const at = result.lastIndexOf(this.sep);
    const timestamp = at < 0 ? NaN : b62Decode(result.slice(at + this.sep.length));
    // Only a value signed without a timestamp under the same key and salt gets here.
    if (Number.isNaN(timestamp)) throw new BadSignature(`No timestamp found in ${pyRepr(result)}`);
    if (maxAge !== null) {
      const age = Date.now() / 1000 - timestamp;
      if (age > maxAge) throw new SignatureExpired(`Signature age ${age} > ${maxAge} seconds`);
    }
    return result.slice(0, at);
  }

  override unsignObject(signedObj: string, { serializer, maxAge }: UnsignObjectOptions & MaxAgeOptions = {}): unknown {
    return decodeObject(this.unsign(signedObj, { maxAge }), serializer);
  }
}

export interface DumpsOptions extends SignObjectOptions {
  key?: SigningKey | null;
  /** Default 'django.core.signing'. */
  salt?: string;
}

export interface LoadsOptions extends UnsignObjectOptions, MaxAgeOptions {
  key?: SigningKey | null;
  /** Default 'django.core.signing'. */
  salt?: string;
  fallbackKeys?: readonly SigningKey[] | null;
}

/** `obj` as URL-safe signed JSON with a timestamp (Django's signing.dumps). */
export function dumps(obj: unknown, { key, salt = 'django.core.signing', ...options }: DumpsOptions = {}): string {
  return new TimestampSigner({ key, salt }).signObject(obj, options);
}

/** The object dumps() signed; BadSignature (SignatureExpired past maxAge) otherwise. */
export function loads(text: string, { key, salt = 'django.core.signing', fallbackKeys, ...options }: LoadsOptions = {}): unknown {
  return new TimestampSigner({ key, salt, fallbackKeys }).unsignObject(text, options);
}
