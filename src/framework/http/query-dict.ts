// MultiValueDict and QueryDict (Django's django.utils.datastructures / django.http.QueryDict), and the
// query string parsing they use (Python's urllib.parse.parse_qsl).
import { DEFAULTS } from '../conf/global-settings.js';
import { settings, settingsConfigured } from '../conf/settings.js';
import { TooManyFieldsSent } from '../exceptions.js';
import { decodeBytes, quote, quotePlus, unquotePlus } from '../utils/encoding.js';

/** The number of fields allowed, read when settings exist (QueryDict is also usable without settings). */
function maxNumberOfFields(): number | null {
  return settingsConfigured() ? settings.DATA_UPLOAD_MAX_NUMBER_FIELDS : DEFAULTS.DATA_UPLOAD_MAX_NUMBER_FIELDS;
}

/**
 * Python's parse_qsl(keep_blank_values=True, max_num_fields): `&`-separated, `+` is a space,
 * a field without `=` has an empty value, empty fields are skipped.
 */
export function parseQueryString(query: string, encoding = 'utf-8', maxNumFields: number | null = null): [string, string][] {
  if (!query) return [];
  if (maxNumFields !== null) {
    // Counted before parsing, as Python does, so a huge body is refused without building anything.
    let fields = 1;
    for (let i = query.indexOf('&'); i >= 0; i = query.indexOf('&', i + 1)) fields++;
    if (fields > maxNumFields) {
      throw new TooManyFieldsSent('The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.');
    }
  }
  const pairs: [string, string][] = [];
  for (const field of query.split('&')) {
    if (!field) continue;
    const eq = field.indexOf('=');
    const [name, value] = eq < 0 ? [field, ''] : [field.slice(0, eq), field.slice(eq + 1)];
    pairs.push([unquotePlus(name, encoding), unquotePlus(value, encoding)]);
  }
  return pairs;
}

/** What a MultiValueDict can be built or updated from. */
export type MultiValueInit<V> = Iterable<readonly [string, V]> | Record<string, V>;

/**
 * A map from a key to a list of values (a form field may be sent several times): `get` gives the
 * last value, `getList` all of them. Iteration yields `[key, last value]`, as a Map does.
 */
export class MultiValueDict<V> implements Iterable<[string, V]> {
  readonly #lists = new Map<string, V[]>();

  /** Builds from `[key, value]` pairs (repeated keys collect their values) or an object. */
  constructor(init?: MultiValueInit<V>) {
    if (init) for (const [key, value] of pairsOf(init)) this.#append(key, value);
  }

  /** Refuses a change; QueryDict overrides it to stay immutable. */
  protected assertMutable(): void {}

  #append(key: string, value: V): void {
    const list = this.#lists.get(key);
    if (list) list.push(value);
    else this.#lists.set(key, [value]);
  }

  /** The number of keys. */
  get size(): number {
    return this.#lists.size;
  }

  /** The last value for `key`; `defaultValue` when there is none (also for an empty list, as Django). */
  get(key: string): V | undefined;
  get<D>(key: string, defaultValue: D): V | D;
  get<D>(key: string, defaultValue?: D): V | D | undefined {
    const list = this.#lists.get(key);
    return list && list.length > 0 ? (list[list.length - 1] as V) : defaultValue;
  }

  /** A copy of every value for `key` (`[]`, or `defaultValue`, when the key is missing). */
  getList(key: string, defaultValue: V[] = []): V[] {
    const list = this.#lists.get(key);
    return list ? [...list] : defaultValue;
  }

  has(key: string): boolean {
    return this.#lists.has(key);
  }

  /** Replaces the values of `key` by `value` alone. */
  set(key: string, value: V): void {
    this.assertMutable();
    this.#lists.set(key, [value]);
  }

  setList(key: string, values: readonly V[]): void {
    this.assertMutable();
    this.#lists.set(key, [...values]);
  }

  appendList(key: string, value: V): void {
    this.assertMutable();
    this.#append(key, value);
  }

  /** The last value of `key`, first setting it to `defaultValue` when the key is missing. */
  setDefault(key: string, defaultValue: V): V {
    this.assertMutable();
    if (!this.#lists.has(key)) this.#lists.set(key, [defaultValue]);
    return this.get(key) as V;
  }

  setListDefault(key: string, defaultList: readonly V[] = []): V[] {
    this.assertMutable();
    if (!this.#lists.has(key)) this.#lists.set(key, [...defaultList]);
    return this.#lists.get(key) as V[];
  }

  delete(key: string): boolean {
    this.assertMutable();
    return this.#lists.delete(key);
  }

  clear(): void {
    this.assertMutable();
    this.#lists.clear();
  }

  /** Appends the values of `other` (Django's update() extends lists, it does not replace them). */
  update(other: MultiValueDict<V> | MultiValueInit<V>): void {
    this.assertMutable();
    if (other instanceof MultiValueDict) {
      for (const [key, values] of other.lists()) for (const value of values) this.#append(key, value);
    } else {
      for (const [key, value] of pairsOf(other)) this.#append(key, value);
    }
  }

  keys(): string[] {
    return [...this.#lists.keys()];
  }

  /** The last value of every key. */
  values(): V[] {
    return this.items().map(([, value]) => value);
  }

  /** `[key, last value]` for every key. */
  items(): [string, V][] {
    const items: [string, V][] = [];
    for (const [key, list] of this.#lists) if (list.length > 0) items.push([key, list[list.length - 1] as V]);
    return items;
  }

  /** `[key, values]` for every key (copies of the lists). */
  lists(): [string, V[]][] {
    return [...this.#lists].map(([key, list]) => [key, [...list]]);
  }

  entries(): IterableIterator<[string, V]> {
    return this.items()[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.entries();
  }

  /** A plain object of the last values (Django's dict()). */
  dict(): Record<string, V> {
    const out = Object.create(null) as Record<string, V>;
    for (const [key, value] of this.items()) out[key] = value;
    return out;
  }

  /** A mutable copy (the values themselves are shared). */
  copy(): MultiValueDict<V> {
    const copy = new MultiValueDict<V>();
    for (const [key, list] of this.#lists) copy.#lists.set(key, [...list]);
    return copy;
  }
}

function pairsOf<V>(init: MultiValueInit<V>): Iterable<readonly [string, V]> {
  return Symbol.iterator in init ? (init as Iterable<readonly [string, V]>) : Object.entries(init);
}

export interface QueryDictOptions {
  /** Immutable by default, as request.GET and request.POST are. */
  mutable?: boolean;
  /** The charset of percent-escaped bytes (default utf-8). */
  encoding?: string;
}

/**
 * The parsed query string or form body: every value a string. Immutable unless made `mutable`
 * (copy() gives a mutable one), so a view cannot change request.GET under other code's feet.
 */
export class QueryDict extends MultiValueDict<string> {
  #mutable = true;
  readonly encoding: string;

  /**
   * Parses `query`. Bytes are decoded with `encoding`, falling back to latin-1 when they are not valid in
   * it (Django's behaviour for browsers that send unescaped latin-1); more fields than
   * DATA_UPLOAD_MAX_NUMBER_FIELDS throw TooManyFieldsSent.
   */
  constructor(query?: string | Uint8Array | null, { mutable = false, encoding = 'utf-8' }: QueryDictOptions = {}) {
    super();
    this.encoding = encoding;
    let text: string;
    if (query === null || query === undefined || typeof query === 'string') {
      text = query ?? '';
    } else {
      try {
        text = decodeBytes(query, encoding, true);
      } catch {
        text = decodeBytes(query, 'latin1');
      }
    }
    for (const [key, value] of parseQueryString(text, encoding, maxNumberOfFields())) this.appendList(key, value);
    this.#mutable = mutable;
  }

  /** A QueryDict with every key in `keys` set to `value`. */
  static fromKeys(keys: Iterable<string>, value = '', options: QueryDictOptions = {}): QueryDict {
    const dict = new QueryDict(null, { ...options, mutable: true });
    for (const key of keys) dict.appendList(key, value);
    dict.#mutable = options.mutable ?? false;
    return dict;
  }

  /** A QueryDict holding these lists (immutable unless `mutable`). */
  static fromLists(lists: Iterable<readonly [string, readonly string[]]>, options: QueryDictOptions = {}): QueryDict {
    const dict = new QueryDict(null, { ...options, mutable: true });
    for (const [key, values] of lists) dict.setList(key, values);
    dict.#mutable = options.mutable ?? false;
    return dict;
  }

  get mutable(): boolean {
    return this.#mutable;
  }

  protected override assertMutable(): void {
    if (!this.#mutable) throw new TypeError('This QueryDict instance is immutable');
  }

  /** A mutable copy. */
  override copy(): QueryDict {
    const copy = new QueryDict(null, { mutable: true, encoding: this.encoding });
    for (const [key, values] of this.lists()) copy.setList(key, values);
    return copy;
  }

  /**
   * The query string, values in order (UTF-8). Without `safe`, as Python's urlencode (spaces as `+`);
   * with it, as quote(): `safe` characters stay and spaces are `%20`.
   */
  urlencode(safe = ''): string {
    const encode = safe ? (text: string) => quote(text, safe) : (text: string) => quotePlus(text);
    const out: string[] = [];
    for (const [key, values] of this.lists()) for (const value of values) out.push(`${encode(key)}=${encode(value)}`);
    return out.join('&');
  }
}
