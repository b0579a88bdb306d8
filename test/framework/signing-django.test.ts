// Signing against the real Django (Debian's python3-django): for the same key, salt, value and time gwi
// writes Django's strings, and each side reads what the other signed. Django is required, not optional:
// without it these tests fail, saying what to install.
import { inflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureSettings, resetSettings } from '../../src/framework/conf/settings.js';
import { b64Decode, dumps, loads, Signer, TimestampSigner } from '../../src/framework/signing.js';
import { pyJsonDumps } from '../../src/framework/utils/py-json.js';
import { runDjango } from '../helpers/django.js';

const KEY = 'django-insecure-interop-key';
const NOW = 1_700_000_000;
const SETTINGS = { SECRET_KEY: KEY };

beforeEach(() => {
  configureSettings(SETTINGS);
  vi.useFakeTimers({ toFake: ['Date'], now: NOW * 1000 });
});

afterEach(() => {
  vi.useRealTimers();
  resetSettings();
});

const session = { _auth_user_id: '1', _auth_user_backend: 'django.contrib.auth.backends.ModelBackend', cart: [3, 14, 15] };
/** A payload large enough that zlib's choices matter: each side must inflate what the other deflated. */
const large = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`item-${(i * 7919) % 1000}`, { qty: (i * 31) % 17, price: ((i * 7) % 13) + 0.25 }]));

const VALUES: unknown[] = [
  'hello',
  '',
  'café ☕ 😀 «quotes» "and" \\ \n\t\u0000\u007f',
  42,
  -2.5e-10,
  null,
  [true, false, null, 1.5, 'x'],
  { message: 'Hello!', nested: { ключ: ['значение', 1e21] } },
  Array.from({ length: 19 }, (_, i) => i + 1),
  'ab'.repeat(100),
  session,
];

/** What gwi signs, for the same cases as Django's script below. */
function gwiSigned(value: unknown): string[] {
  const text = typeof value === 'string' ? value : 'a value';
  return [
    new Signer().sign(text),
    new Signer({ salt: 'my.salt', sep: '~', algorithm: 'sha512' }).sign(text),
    new TimestampSigner().sign(text),
    new Signer().signObject(value),
    dumps(value),
    dumps(value, { key: 'another-key', salt: 'django.contrib.sessions.backends.signed_cookies' }),
  ];
}

const DJANGO_SIGNED = `
  from django.core import signing
  result = []
  for value in args:
      text = value if isinstance(value, str) else 'a value'
      result.append([
          signing.Signer().sign(text),
          signing.Signer(salt='my.salt', sep='~', algorithm='sha512').sign(text),
          signing.TimestampSigner().sign(text),
          signing.Signer().sign_object(value),
          signing.dumps(value),
          signing.dumps(value, key='another-key', salt='django.contrib.sessions.backends.signed_cookies'),
      ])
`;

/**
 * A compressed payload as what it inflates to, its signature left out: zlib builds may deflate the same
 * bytes differently (Node bundles Chromium's zlib, Debian's Python the reference one), and each side
 * signs its own deflated bytes.
 */
function inflated(signed: string): string {
  const parts = signed.split(':');
  const payload = parts[0] as string;
  if (!payload.startsWith('.')) return signed;
  return [`.${inflateSync(b64Decode(payload.slice(1))).toString('latin1')}`, ...parts.slice(1, -1)].join(':');
}

describe('interop with Django', () => {
  it('signs byte for byte as Django: strings, unicode, objects, timestamps', async () => {
    const django = (await runDjango(DJANGO_SIGNED, { settings: SETTINGS, now: NOW, args: VALUES })) as string[][];
    expect(VALUES.map(gwiSigned)).toEqual(django);
  });

  it('compresses as Django: when it is shorter, the same JSON inside, and the same bytes where zlib builds agree', async () => {
    const values = [...VALUES, large];
    const django = (await runDjango(`from django.core import signing\nresult = [signing.dumps(v, compress=True) for v in args]`, {
      settings: SETTINGS,
      now: NOW,
      args: values,
    })) as string[];
    const gwi = values.map((value) => dumps(value, { compress: true }));
    expect(gwi.map(inflated)).toEqual(django.map(inflated));
    expect(gwi.filter((signed) => signed.startsWith('.'))).toHaveLength(6);
    // Django's docstring example: small enough that every zlib deflates it alike.
    expect(gwi[8]).toBe(django[8]);
    expect(gwi[8]).toMatch(/^\.eJwFwcERACAIwLCF-rCiILN47r-GyZVJsNgkxaFxoDgxcOHGxMKD_T7vhAml:1r31eq:/);
  });

  it("reads what Django signed, and Django reads what gwi signed (a large compressed payload too)", async () => {
    const values = [...VALUES, large];
    const fromDjango = (await runDjango(
      `
      from django.core import signing
      result = [[signing.dumps(v), signing.dumps(v, compress=True, salt='s'), signing.Signer(key='k2').sign_object(v)] for v in args]
      `,
      { settings: SETTINGS, now: NOW, args: values },
    )) as string[][];
    vi.setSystemTime((NOW + 30) * 1000);
    for (const [i, [plain, compressed, signed]] of fromDjango.entries()) {
      expect(loads(plain as string, { maxAge: 60 })).toEqual(values[i]);
      expect(loads(compressed as string, { salt: 's' })).toEqual(values[i]);
      expect(new Signer({ key: 'k2' }).unsignObject(signed as string)).toEqual(values[i]);
    }
    expect((fromDjango.at(-1) as string[])[1]).toMatch(/^\./);

    const fromGwi = values.map((v) => [dumps(v), dumps(v, { compress: true, salt: 's' }), new Signer({ key: 'k2' }).signObject(v)]);
    const read = await runDjango(
      `
      from django.core import signing
      result = [[signing.loads(a, max_age=60), signing.loads(b, salt='s'), signing.Signer(key='k2').unsign_object(c)] for a, b, c in args]
      `,
      { settings: SETTINGS, now: NOW + 30, args: fromGwi },
    );
    expect(read).toEqual(values.map((v) => [v, v, v]));
  });

  it("agrees with Django on what is refused: a wrong key, a tampered value, an expired timestamp", async () => {
    const signed = dumps({ a: 1 });
    const tampered = signed.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    const django = await runDjango(
      `
      from django.core import signing
      def outcome(f):
          try:
              return repr(f())
          except signing.BadSignature as e:
              return type(e).__name__
      signed, tampered = args
      result = [
          outcome(lambda: signing.loads(signed)),
          outcome(lambda: signing.loads(signed, key='wrong')),
          outcome(lambda: signing.loads(tampered)),
          outcome(lambda: signing.loads(signed, max_age=99)),
          outcome(lambda: signing.loads(signed, max_age=101)),
      ]
      `,
      { settings: SETTINGS, now: NOW + 100, args: [signed, tampered] },
    );
    vi.setSystemTime((NOW + 100) * 1000);
    const outcome = (f: () => unknown) => {
      try {
        return f() && "{'a': 1}";
      } catch (err) {
        return (err as Error).name;
      }
    };
    expect([
      outcome(() => loads(signed)),
      outcome(() => loads(signed, { key: 'wrong' })),
      outcome(() => loads(tampered)),
      outcome(() => loads(signed, { maxAge: 99 })),
      outcome(() => loads(signed, { maxAge: 101 })),
    ]).toEqual(django);
    expect(django).toEqual(["{'a': 1}", 'BadSignature', 'BadSignature', 'SignatureExpired', "{'a': 1}"]);
  });

  it("writes the JSON Python's json module writes", async () => {
    const values = [0, -0, 1e-5, 1.5e-7, 1e15 + 0.5, 1e20, 1e21, 2 ** 53 + 2, 1e300, 5e-324, 'ctl \b\f\n\r\t\u0000\u001f\u007f', '😀\u2028\ud800', { b: 1, 1: 2, ключ: [null] }];
    // Python reads JSON.stringify's text, and writes it again as its json.dumps does.
    const python = await runDjango(
      `result = [json.dumps(json.loads(text), separators=(',', ':')) for text in args]`,
      { settings: SETTINGS, args: values.map((v) => JSON.stringify(v)) },
    );
    expect(values.map(pyJsonDumps)).toEqual(python);
  });
});
