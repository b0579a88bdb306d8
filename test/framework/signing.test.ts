// Signing (Django's django.core.signing): the expected strings are Django's own, for the same key, salt,
// value and time (signing-django.test.ts checks the same against a running Django).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureSettings, resetSettings } from '../../src/framework/conf/settings.js';
import { ImproperlyConfigured } from '../../src/framework/exceptions.js';
import {
  b62Decode,
  b62Encode,
  b64Decode,
  b64Encode,
  BadSignature,
  dumps,
  loads,
  SignatureExpired,
  Signer,
  TimestampSigner,
} from '../../src/framework/signing.js';
import { InvalidAlgorithm } from '../../src/framework/utils/crypto.js';

const KEY = 'django-insecure-test-key';
/** 2023-11-14T22:13:20Z: '1r31eq' in base 62. */
const NOW = 1_700_000_000;

beforeEach(() => {
  configureSettings({ SECRET_KEY: KEY });
  vi.useFakeTimers({ toFake: ['Date'], now: NOW * 1000 });
});

afterEach(() => {
  vi.useRealTimers();
  resetSettings();
});

describe('encodings', () => {
  it.each([
    [0, '0'],
    [1, '1'],
    [61, 'z'],
    [62, '10'],
    [-62, '-10'],
    [NOW, '1r31eq'],
  ])('base 62: %i is %s', (value, text) => {
    expect(b62Encode(value)).toBe(text);
    expect(b62Decode(text)).toBe(value);
  });

  it.each(['', '-', '1r3!', '1.5'])('base 62: %j is no number', (text) => {
    expect(b62Decode(text)).toBeNaN();
  });

  it('base64 is URL-safe, without padding', () => {
    expect(b64Encode(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect([...b64Decode('-_8')]).toEqual([0xfb, 0xff]);
  });
});

describe('Signer', () => {
  it.each([
    [{}, 'hello:hIWUBSHRlgzjp_KSie0FnxS8BGHmCcx7zN1-vNf-afM'],
    [{ salt: 'greeting' }, 'hello:IUF8ojsKsAehF0Yim1KwyUoHh4Oy__A8Fpwa2euC7OQ'],
    [{ sep: '/' }, 'hello/hIWUBSHRlgzjp_KSie0FnxS8BGHmCcx7zN1-vNf-afM'],
    [{ algorithm: 'sha512' }, 'hello:6AGKo0dAPOp6XefCAPTkulIfyFe5-jq4z4StLJtnMm5mm5sfhLKURqDDmKjXUsker9FHLz-EmP2Ud_v4MkcU2g'],
    [{ key: 'other-key' }, 'hello:jSG9osGc3LYIm0l4XmjifunjjbwUyp_WmUKyvGn2Cuw'],
    [{ key: new TextEncoder().encode('other-key') }, 'hello:jSG9osGc3LYIm0l4XmjifunjjbwUyp_WmUKyvGn2Cuw'],
  ])('signs as Django does: %o', (options, signed) => {
    const signer = new Signer(options);
    expect(signer.sign('hello')).toBe(signed);
    expect(signer.unsign(signed)).toBe('hello');
  });

  it("defaults to Django's salt, the class's module and name", () => {
    expect(new Signer().salt).toBe('django.core.signing.Signer');
    expect(new TimestampSigner().salt).toBe('django.core.signing.TimestampSigner');
  });

  it('refuses a tampered value, a tampered signature, another salt or key, and a value without one', () => {
    const signed = new Signer().sign('hello');
    const unsign = (value: string, signer = new Signer()) => () => signer.unsign(value);
    expect(unsign(signed.replace('hello', 'hellO'))).toThrow(new BadSignature('Signature "hIWUBSHRlgzjp_KSie0FnxS8BGHmCcx7zN1-vNf-afM" does not match'));
    expect(unsign(`${signed}x`)).toThrow(BadSignature);
    expect(unsign(signed, new Signer({ salt: 'other' }))).toThrow(BadSignature);
    expect(unsign(signed, new Signer({ key: 'other-key' }))).toThrow(BadSignature);
    expect(unsign('hello')).toThrow(new BadSignature('No ":" found in value'));
    expect(unsign('hello:', new Signer({ sep: '/' }))).toThrow(new BadSignature('No "/" found in value'));
  });

  it('accepts signatures of the fallback keys (SECRET_KEY_FALLBACKS by default) and signs with the key', () => {
    const old = new Signer({ key: 'old-key' }).sign('hello');
    expect(() => new Signer().unsign(old)).toThrow(BadSignature);
    expect(new Signer({ fallbackKeys: ['older-key', 'old-key'] }).unsign(old)).toBe('hello');
    configureSettings({ SECRET_KEY: KEY, SECRET_KEY_FALLBACKS: ['old-key'] });
    expect(new Signer().unsign(old)).toBe('hello');
    expect(new Signer().sign('hello')).toBe('hello:hIWUBSHRlgzjp_KSie0FnxS8BGHmCcx7zN1-vNf-afM');
    expect(() => new Signer({ fallbackKeys: [] }).unsign(old)).toThrow(BadSignature);
  });

  it.each(['', 'a', 'Z9', '-', '_', '=', '^', '`'])('refuses the separator %j, as Django (whose A-z spans [\\]^_`)', (sep) => {
    expect(() => new Signer({ sep })).toThrow(RangeError);
  });

  it('names the unsafe separator as Python would', () => {
    expect(() => new Signer({ sep: 'ab' })).toThrow("Unsafe Signer separator: 'ab' (cannot be empty or consist of only A-z0-9-_=)");
  });

  it('needs a secret: an empty SECRET_KEY is ImproperlyConfigured', () => {
    configureSettings({});
    expect(() => new Signer()).toThrow(new ImproperlyConfigured('The SECRET_KEY setting must not be empty.'));
    expect(new Signer({ key: 'given' }).sign('x')).toMatch(/^x:/);
  });

  it("refuses a hash hashlib does not have, with Django's message", () => {
    expect(() => new Signer({ algorithm: 'nope' }).sign('x')).toThrow(new InvalidAlgorithm("'nope' is not an algorithm accepted by the hashlib module."));
    expect(new Signer({ algorithm: 'sha3_256' }).sign('x')).toMatch(/^x:[\w-]{43}$/);
  });

  it('signs objects as base64 JSON', () => {
    const signed = new Signer().signObject({ message: 'Hello!' });
    expect(signed).toBe('eyJtZXNzYWdlIjoiSGVsbG8hIn0:FLCLN4Swpna2x4FBoGQbEnk8bf629I8j9OMTLi3ca7w');
    expect(new Signer().unsignObject(signed)).toEqual({ message: 'Hello!' });
    expect(() => new Signer().unsignObject(signed.replace('eyJ', 'eyK'))).toThrow(BadSignature);
  });
});

describe('TimestampSigner', () => {
  it('signs the time too, in base 62', () => {
    const signed = new TimestampSigner().sign('hello');
    expect(signed).toBe('hello:1r31eq:sVvpYUdBO-a93F4peFmyksym2zkThaXRB9VnKicKf0s');
    expect(new TimestampSigner().unsign(signed)).toBe('hello');
  });

  it('refuses a signature older than maxAge (SignatureExpired, a BadSignature)', () => {
    const signed = new TimestampSigner().sign('hello');
    vi.setSystemTime((NOW + 10) * 1000);
    expect(new TimestampSigner().unsign(signed, { maxAge: 10 })).toBe('hello');
    vi.setSystemTime((NOW + 11.5) * 1000);
    const late = () => new TimestampSigner().unsign(signed, { maxAge: 10 });
    expect(late).toThrow(new SignatureExpired('Signature age 11.5 > 10 seconds'));
    expect(late).toThrow(BadSignature);
    expect(new TimestampSigner().unsign(signed)).toBe('hello');
  });

  it('refuses a value signed without a timestamp under the same salt', () => {
    const signed = new Signer({ salt: 'shared' }).sign('hello');
    expect(() => new TimestampSigner({ salt: 'shared' }).unsign(signed)).toThrow(new BadSignature("No timestamp found in 'hello'"));
  });
});

describe('dumps and loads', () => {
  it.each([
    ['hello', {}, 'ImhlbGxvIg:1r31eq:D5q_DGDn9Aw46H9afZX7iegV7YpEnpB4lZQndj5_sMk'],
    [{ foo: 'bar', n: [1, 2.5, null, true] }, {}, 'eyJmb28iOiJiYXIiLCJuIjpbMSwyLjUsbnVsbCx0cnVlXX0:1r31eq:jd7z4sV73itn4NXkn9-mcAZhxWgtZcfmcsW7aOAA5Dc'],
    // Django's docstring example: compressed, so the payload starts with '.'.
    [
      Array.from({ length: 19 }, (_, i) => i + 1),
      { compress: true },
      '.eJwFwcERACAIwLCF-rCiILN47r-GyZVJsNgkxaFxoDgxcOHGxMKD_T7vhAml:1r31eq:V10fDBsbSRDO4WhRNHdCmpOY7zCA2RANcVaU4gfhIRE',
    ],
    // Compressing would not make it shorter: left as it is.
    [[1, 2], { compress: true }, 'WzEsMl0:1r31eq:8iXS4DiFFPinLALdbVHjje6RWbexY_oEZRI9BFaB9_M'],
    // Non-ASCII as \u escapes, as Python's json writes it.
    ['café', { salt: 's' }, 'ImNhZlx1MDBlOSI:1r31eq:CjNCrR-G9nIrm_VQ5GapaZuC5uE0cjzaRszsiV72rok'],
  ])('%j %o', (value, options, signed) => {
    expect(dumps(value, options)).toBe(signed);
    expect(loads(signed, 'salt' in options ? { salt: options.salt } : {})).toEqual(value);
  });

  it('refuses another salt or key, a tampered payload, and an expired one', () => {
    const signed = dumps({ a: 1 });
    expect(() => loads(signed, { salt: 'other' })).toThrow(BadSignature);
    expect(() => loads(signed, { key: 'other-key' })).toThrow(BadSignature);
    expect(() => loads(`x${signed}`)).toThrow(BadSignature);
    expect(loads(signed, { key: 'other-key', fallbackKeys: [KEY] })).toEqual({ a: 1 });
    vi.setSystemTime((NOW + 61) * 1000);
    expect(() => loads(signed, { maxAge: 60 })).toThrow(SignatureExpired);
    expect(loads(signed, { maxAge: 61 })).toEqual({ a: 1 });
  });

  it('takes another serializer', () => {
    const serializer = { dumps: (obj: unknown) => new TextEncoder().encode(String(obj)), loads: (data: Uint8Array) => new TextDecoder().decode(data).split(',') };
    const signed = dumps(['a', 'b'], { serializer });
    expect(signed.split(':')[0]).toBe(b64Encode(new TextEncoder().encode('a,b')));
    expect(loads(signed, { serializer })).toEqual(['a', 'b']);
  });
});
