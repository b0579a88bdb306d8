// request.session on its own (Django's SessionBase and its signed_cookies SessionStore): the data, the
// accessed/modified flags the middleware reads, and the expiry rules.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { SessionStore } from '../../../src/framework/sessions/backends/signed-cookies.js';
import { dumps, loads } from '../../../src/framework/signing.js';

const SALT = 'django.contrib.sessions.backends.signed_cookies';
const NOW = 1_700_000_000;

beforeEach(() => {
  configureSettings({ SECRET_KEY: 'sessions-test-key' });
  vi.useFakeTimers({ toFake: ['Date'], now: NOW * 1000 });
});

afterEach(() => {
  vi.useRealTimers();
  resetSettings();
});

/** A session as the middleware makes it from a cookie holding `data`. */
function stored(data: Record<string, unknown>): SessionStore {
  return new SessionStore(dumps(data, { salt: SALT, compress: true }));
}

describe('the data', () => {
  it('gets, sets, deletes and tells what it has', () => {
    const session = new SessionStore();
    expect(session.get('a')).toBeUndefined();
    expect(session.get('a', 'default')).toBe('default');
    session.set('a', 1);
    expect([session.has('a'), session.get('a', 'default'), session.keys()]).toEqual([true, 1, ['a']]);
    expect(session.delete('a')).toBe(true);
    expect(session.delete('a')).toBe(false);
    expect(session.has('a')).toBe(false);
  });

  it('pops, sets defaults, updates and lists items', () => {
    const session = stored({ a: 1, b: [2] });
    expect(session.pop('a')).toBe(1);
    expect(session.pop('a', 'gone')).toBe('gone');
    expect(session.setDefault('b', 'x')).toEqual([2]);
    expect(session.setDefault('c', 'x')).toBe('x');
    session.update({ d: { e: null } });
    expect(session.items()).toEqual([['b', [2]], ['c', 'x'], ['d', { e: null }]]);
  });

  it('keeps any key as data, __proto__ too', () => {
    const session = new SessionStore();
    session.set('__proto__', 'just a key');
    session.save();
    expect(new SessionStore(session.sessionKey).get('__proto__')).toBe('just a key');
  });
});

describe('the flags', () => {
  it('accessed on the first read, modified by a change (not by a read or a missing key)', () => {
    const session = stored({ a: 1 });
    expect([session.accessed, session.modified]).toEqual([false, false]);
    session.get('a');
    session.has('z');
    session.delete('z');
    session.pop('z');
    expect([session.accessed, session.modified]).toEqual([true, false]);
    session.set('a', 1);
    expect(session.modified).toBe(true);
  });

  it('each change marks it modified', () => {
    const changes: [string, (s: SessionStore) => void][] = [
      ['delete', (s) => s.delete('a')],
      ['pop', (s) => s.pop('a')],
      ['setDefault', (s) => s.setDefault('b', 1)],
      ['update', (s) => s.update({})],
      ['clear', (s) => s.clear()],
      ['flush', (s) => s.flush()],
      ['cycleKey', (s) => s.cycleKey()],
      ['setExpiry', (s) => s.setExpiry(60)],
    ];
    for (const [name, change] of changes) {
      const session = stored({ a: 1 });
      change(session);
      expect([name, session.modified]).toEqual([name, true]);
    }
  });

  it('is empty with neither key nor data', () => {
    expect(new SessionStore().isEmpty()).toBe(true);
    expect(stored({}).isEmpty()).toBe(false);
    // Shorter than 8 characters: no key (Django's rule), so nothing is loaded.
    expect(new SessionStore('short').isEmpty()).toBe(true);
    const session = new SessionStore();
    session.set('a', 1);
    expect(session.isEmpty()).toBe(false);
    session.flush();
    expect([session.isEmpty(), session.sessionKey]).toEqual([true, null]);
  });
});

describe('the signed cookie', () => {
  it("saves the data as Django's signed_cookies backend does: dumps() with its salt, compressed", () => {
    const session = new SessionStore();
    session.set('n', 1);
    session.save();
    expect(session.sessionKey).toBe(dumps({ n: 1 }, { salt: SALT, compress: true }));
    expect(loads(session.sessionKey as string, { salt: SALT })).toEqual({ n: 1 });
  });

  it('reads a tampered, foreign or expired cookie as a new empty session (modified, so a fresh cookie goes out)', () => {
    const good = dumps({ n: 1 }, { salt: SALT, compress: true });
    const cases = [
      `${good}x`,
      dumps({ n: 1 }, { compress: true }),
      dumps({ n: 1 }, { salt: SALT, key: 'another-key' }),
      dumps([1, 2], { salt: SALT }),
      'not a signed value at all',
    ];
    for (const key of cases) {
      const session = new SessionStore(key);
      expect([key, session.get('n'), session.modified]).toEqual([key, undefined, true]);
    }
    vi.setSystemTime((NOW + 1209600 + 1) * 1000);
    const expired = new SessionStore(good);
    expect([expired.get('n'), expired.modified]).toEqual([undefined, true]);
    vi.setSystemTime((NOW + 1209600) * 1000);
    expect(new SessionStore(good).get('n')).toBe(1);
  });

  it('cycles the key by signing the data anew', () => {
    const session = stored({ n: 1 });
    const before = session.sessionKey;
    vi.setSystemTime((NOW + 5) * 1000);
    session.cycleKey();
    expect(session.sessionKey).not.toBe(before);
    expect(loads(session.sessionKey as string, { salt: SALT })).toEqual({ n: 1 });
  });
});

describe('expiry', () => {
  it('follows SESSION_COOKIE_AGE and SESSION_EXPIRE_AT_BROWSER_CLOSE until the session has its own', () => {
    configureSettings({ SECRET_KEY: 'k', SESSION_COOKIE_AGE: 600, SESSION_EXPIRE_AT_BROWSER_CLOSE: true });
    const session = new SessionStore();
    expect([session.getExpiryAge(), session.getExpireAtBrowserClose()]).toEqual([600, true]);
    session.setExpiry(300);
    expect([session.getExpiryAge(), session.getExpireAtBrowserClose()]).toEqual([300, false]);
    session.setExpiry(0);
    expect([session.getExpiryAge(), session.getExpireAtBrowserClose()]).toEqual([600, true]);
    session.setExpiry(null);
    expect(session.has('_session_expiry')).toBe(false);
  });

  it("keeps a date as Python's isoformat() text, as Django 5 does", () => {
    const session = new SessionStore();
    session.setExpiry(new Date((NOW + 90) * 1000));
    expect(session.get('_session_expiry')).toBe('2023-11-14T22:14:50+00:00');
    expect(session.getExpiryAge()).toBe(90);
    session.setExpiry(new Date((NOW + 90) * 1000 + 250));
    expect(session.get('_session_expiry')).toBe('2023-11-14T22:14:50.250000+00:00');
    // A date Django wrote, microseconds and all.
    session.set('_session_expiry', '2023-11-14T22:15:20.123456+00:00');
    expect(session.getExpiryAge()).toBe(120);
  });
});
