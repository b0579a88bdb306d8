// The session a view reads and writes as request.session (Django's contrib/sessions/backends/base.py):
// data loaded on first use, the accessed/modified flags SessionMiddleware reads, and the expiry rules.
import { currentSettings } from '../../conf/settings.js';

/** Where a session's own expiry is kept among its data (Django's key, so either side reads it). */
const EXPIRY_KEY = '_session_expiry';

/** Python's datetime.isoformat() of an aware UTC time (microseconds only when there are some). */
function isoFormat(date: Date): string {
  return date.toISOString().replace(/(?:\.000)?Z$/, '+00:00').replace(/\.(\d{3})\+/, '.$1000+');
}

/**
 * What every session backend shares. The data is a Map, so a key such as `__proto__` is just a key;
 * what is stored must be what the serializer writes (JSON: strings, numbers, booleans, null, arrays
 * and plain objects).
 */
export abstract class SessionBase {
  /** Whether the data was read (or written): the response then varies with the Cookie header. */
  accessed = false;
  /** Whether the data changed: the middleware then saves it. */
  modified = false;
  #sessionKey: string | null = null;
  #cache: Map<string, unknown> | null = null;

  constructor(sessionKey: string | null = null) {
    this.sessionKey = sessionKey;
  }

  /** The key the store knows the session by; null for a new session. */
  get sessionKey(): string | null {
    return this.#sessionKey;
  }

  /** A key shorter than 8 characters is no key (Django's _validate_session_key). */
  protected set sessionKey(value: string | null) {
    this.#sessionKey = value && value.length >= 8 ? value : null;
  }

  /** The data, loaded from the store on first use. */
  get #session(): Map<string, unknown> {
    this.accessed = true;
    this.#cache ??= new Map(this.sessionKey === null ? [] : Object.entries(this.load()));
    return this.#cache;
  }

  /** The data as one object, for the store to serialize. */
  protected get data(): Record<string, unknown> {
    return Object.fromEntries(this.#session);
  }

  /** Replaces the data without loading it first. */
  protected set data(values: Record<string, unknown>) {
    this.#cache = new Map(Object.entries(values));
  }

  has(key: string): boolean {
    return this.#session.has(key);
  }

  get(key: string, defaultValue?: unknown): unknown {
    const session = this.#session;
    return session.has(key) ? session.get(key) : defaultValue;
  }

  set(key: string, value: unknown): void {
    this.#session.set(key, value);
    this.modified = true;
  }

  /** Removes the key (Django's `del session[key]`); false when it was not there. */
  delete(key: string): boolean {
    const deleted = this.#session.delete(key);
    if (deleted) this.modified = true;
    return deleted;
  }

  /** Removes the key and returns its value, or `defaultValue` when it was not there. */
  pop(key: string, defaultValue?: unknown): unknown {
    const value = this.get(key, defaultValue);
    this.delete(key);
    return value;
  }

  /** The key's value; when it has none, `value`, stored. */
  setDefault(key: string, value: unknown): unknown {
    if (this.has(key)) return this.get(key);
    this.set(key, value);
    return value;
  }

  update(values: Record<string, unknown>): void {
    const session = this.#session;
    for (const [key, value] of Object.entries(values)) session.set(key, value);
    this.modified = true;
  }

  keys(): string[] {
    return [...this.#session.keys()];
  }

  items(): [string, unknown][] {
    return [...this.#session.entries()];
  }

  /** Empties the data, without reading it from the store first. */
  clear(): void {
    this.#cache = new Map();
    this.accessed = true;
    this.modified = true;
  }

  /** No key and no data: nothing to send (the middleware deletes a cookie it received). */
  isEmpty(): boolean {
    return this.sessionKey === null && (this.#cache === null || this.#cache.size === 0);
  }

  /** Empties the session and forgets its key: a new session, as logging out needs. */
  flush(): void {
    this.clear();
    this.deleteSession();
    this.sessionKey = null;
  }

  /** Seconds a session lasts, whatever its own expiry (SESSION_COOKIE_AGE). */
  getSessionCookieAge(): number {
    return currentSettings().SESSION_COOKIE_AGE;
  }

  /** Seconds from now until the session expires: its own expiry (see setExpiry()), else SESSION_COOKIE_AGE. */
  getExpiryAge(): number {
    const expiry = this.get(EXPIRY_KEY);
    if (!expiry) return this.getSessionCookieAge();
    // A date is kept as Python's isoformat() text, as Django keeps it.
    if (typeof expiry === 'string') return Math.floor((Date.parse(expiry) - Date.now()) / 1000);
    return Number(expiry);
  }

  /**
   * The session's own expiry: seconds of inactivity (0: when the browser closes), a Date, or null to
   * follow SESSION_COOKIE_AGE and SESSION_EXPIRE_AT_BROWSER_CLOSE again.
   */
  setExpiry(value: number | Date | null): void {
    if (value === null) this.delete(EXPIRY_KEY);
    else this.set(EXPIRY_KEY, value instanceof Date ? isoFormat(value) : value);
  }

  /** Whether the cookie should end with the browser (no Max-Age). */
  getExpireAtBrowserClose(): boolean {
    const expiry = this.get(EXPIRY_KEY);
    if (expiry === undefined || expiry === null) return currentSettings().SESSION_EXPIRE_AT_BROWSER_CLOSE;
    return expiry === 0;
  }

  /** A new key for the same data (after logging in, against session fixation). */
  abstract cycleKey(): void;

  /** The data stored under the session key: an empty object when there is none or it cannot be read. */
  protected abstract load(): Record<string, unknown>;

  /** Stores the data; the session key then names it. */
  abstract save(): void;

  /** Removes the session from the store (Django's SessionBase.delete; `delete` here is a key's). */
  abstract deleteSession(): void;
}
