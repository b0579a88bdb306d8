// URL routing (Django's django.urls): path()/rePath()/include() build a tree of URLPattern and URLResolver;
// resolve() walks it for a request path, reverse() builds a path back from a view name and arguments.
//
// Regular expressions are shown the way Django shows them ('articles/(?P<year>[0-9]+)/\Z'), so pages and
// messages read like Django's; they are translated to JavaScript syntax only to be compiled.
import { pyRepr } from '../../gateway/py-repr.js';
import { Warning, type CheckMessage } from '../checks/messages.js';
import { settings } from '../conf/settings.js';
import { Http404, ImproperlyConfigured } from '../exceptions.js';
import { importModule } from '../utils/module-loading.js';
import { quote } from '../http/query-dict.js';
import { normalize, type NormalForm } from '../utils/regex-helper.js';
import type { View } from '../views/generic.js';

// Converters ------------------------------------------------------------------------------------------------

/** Turns one `<type:name>` route parameter into a value and back (Django's path converters). */
export interface Converter {
  /** What the parameter matches (no anchors, no capturing groups needed). */
  readonly regex: string;
  /** URL text → the view's argument; throwing RangeError or TypeError means "no match, try the next pattern". */
  toValue(value: string): unknown;
  /** The argument given to reverse() → URL text; RangeError or TypeError means "this pattern cannot build it". */
  toUrl(value: unknown): string;
}

const stringConverter = (regex: string): Converter => ({ regex, toValue: (value) => value, toUrl: (value) => String(value) });

const DEFAULT_CONVERTERS: Readonly<Record<string, Converter>> = Object.freeze({
  int: {
    regex: '[0-9]+',
    toValue(value: string): number {
      const number = Number(value);
      // Python's int has no limit; a number that would lose digits is no match rather than a wrong id.
      if (!Number.isSafeInteger(number)) throw new RangeError(`${value} is too large for the int converter.`);
      return number;
    },
    toUrl: (value: unknown) => String(value),
  },
  path: stringConverter('.+'),
  slug: stringConverter('[-a-zA-Z0-9_]+'),
  str: stringConverter('[^/]+'),
  uuid: stringConverter('[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'),
});

const registeredConverters = new Map<string, Converter>();

/** Makes `<typeName:param>` available to routes defined from now on. */
export function registerConverter(converter: Converter, typeName: string): void {
  if (registeredConverters.has(typeName) || Object.hasOwn(DEFAULT_CONVERTERS, typeName)) {
    throw new TypeError(`Converter ${pyRepr(typeName)} is already registered.`);
  }
  registeredConverters.set(typeName, converter);
}

function getConverter(typeName: string): Converter | undefined {
  return Object.hasOwn(DEFAULT_CONVERTERS, typeName) ? DEFAULT_CONVERTERS[typeName] : registeredConverters.get(typeName);
}

/** RangeError/TypeError stand for Python's ValueError: the value does not fit, try the next pattern. */
function isNoMatch(error: unknown): boolean {
  return error instanceof RangeError || error instanceof TypeError;
}

// Regular expressions ---------------------------------------------------------------------------------------

const PY_SPECIAL = new Set('()[]{}?*+-|^$\\.&~# \t\n\r\v\f');

/** Python's re.escape: the route text as it appears in Django's regexes and messages. */
function pyEscape(text: string): string {
  let out = '';
  for (const ch of text) out += PY_SPECIAL.has(ch) ? `\\${ch}` : ch;
  return out;
}

/** Python regex syntax → JavaScript: (?P<n>…) → (?<n>…), (?P=n) → \k<n>, \Z → $, \A → ^. */
function toJsSource(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === '\\') {
      const next = source[++i] ?? '';
      out += !inClass && next === 'Z' ? '$' : !inClass && next === 'A' ? '^' : `\\${next}`;
    } else if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
      if (source[i + 1] === '^') out += source[++i];
      // In Python a ']' first in a class is a literal; in JavaScript it would close an empty class.
      if (source[i + 1] === ']') {
        out += '\\]';
        i++;
      }
    } else if (source.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (source.startsWith('(?P=', i) && source.indexOf(')', i) > 0) {
      const end = source.indexOf(')', i);
      out += `\\k<${source.slice(i + 4, end)}>`;
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}

function compile(shown: string, jsSource: string, flags = ''): RegExp {
  try {
    return new RegExp(jsSource, flags);
  } catch (error) {
    throw new ImproperlyConfigured(`"${shown}" is not a valid regular expression: ${(error as Error).message}`);
  }
}

const candidateRegexes = new Map<string, RegExp>();

/** The regex reverse() checks a built URL against, compiled once per pattern. */
function candidateRegex(source: string): RegExp {
  let regex = candidateRegexes.get(source);
  if (!regex) {
    regex = compile(source, toJsSource(source));
    candidateRegexes.set(source, regex);
  }
  return regex;
}

// Patterns --------------------------------------------------------------------------------------------------

interface PatternMatch {
  rest: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** What matchRest() found, as match() gives it: a rest alone gets its own empty args and kwargs. */
function withCaptures(match: string | PatternMatch | null): PatternMatch | null {
  return typeof match === 'string' ? { rest: match, args: [], kwargs: {} } : match;
}

interface PatternOptions {
  name?: string | null;
  isEndpoint?: boolean;
}

/** Django's CheckURLMixin._check_pattern_startswith_slash. */
function checkStartsWithSlash(pattern: RoutePattern | RegexPattern): CheckMessage[] {
  // With APPEND_SLASH off a leading slash can be deliberate.
  if (!settings.APPEND_SLASH) return [];
  const regex = pattern.regexSource;
  if (!['/', '^/', '^\\/'].some((start) => regex.startsWith(start)) || regex.endsWith('/')) return [];
  return [
    new Warning(
      `Your URL pattern ${pattern.describe()} has a route beginning with a '/'. Remove this slash as it is ` +
        "unnecessary. If this pattern is targeted in an include(), ensure the include() pattern has a trailing '/'.",
      { id: 'urls.W002' },
    ),
  ];
}

// '^' then characters that stand for themselves: a prefix match.
const LITERAL_PREFIX = /^\^[^\\.^$|?*+()[\]{}]*$/;

/** A regular-expression pattern (rePath()); shown as written. */
export class RegexPattern {
  readonly name: string | null;
  /** Converters of the enclosing routes; reverse() of a namespaced name adds them here, as Django does. */
  converters: Record<string, Converter> = {};
  /** The regex as written (a RegExp's source). */
  readonly regexSource: string;
  readonly regex: RegExp;
  /** Django full-matches an endpoint regex ending in '$', so 'a/$' does not match 'xa/'. */
  readonly #fullRegex: RegExp | null;
  /** The text a regex made of '^' and literal characters matches, else null. */
  readonly #literalPrefix: string | null;

  constructor(regex: string | RegExp, { name = null, isEndpoint = false }: PatternOptions = {}) {
    this.name = name;
    this.regexSource = typeof regex === 'string' ? regex : regex.source;
    const flags = typeof regex === 'string' ? '' : regex.flags.replace(/[gy]/g, '');
    const js = toJsSource(this.regexSource);
    this.regex = compile(this.regexSource, js, flags);
    this.#fullRegex = isEndpoint && this.regexSource.endsWith('$') ? compile(this.regexSource, `^(?:${js})$`, flags) : null;
    this.#literalPrefix = this.#fullRegex === null && flags === '' && LITERAL_PREFIX.test(this.regexSource) ? this.regexSource.slice(1) : null;
  }

  match(path: string): PatternMatch | null {
    return withCaptures(this.matchRest(path));
  }

  /** As match(), but the rest of the path alone when the regex has no group: resolving makes no objects then. */
  matchRest(path: string): string | PatternMatch | null {
    // The root resolver's '^/' is matched on every request: a string comparison does.
    if (this.#literalPrefix !== null) return path.startsWith(this.#literalPrefix) ? path.slice(this.#literalPrefix.length) : null;
    const match = (this.#fullRegex ?? this.regex).exec(path);
    if (!match) return null;
    const rest = path.slice(match.index + match[0].length);
    if (match.length === 1) return rest;
    // Named groups become kwargs and the unnamed ones are dropped; without names, all groups are args.
    const kwargs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(match.groups ?? {})) if (value !== undefined) kwargs[key] = value;
    return { rest, args: match.groups ? [] : match.slice(1), kwargs };
  }

  check(): CheckMessage[] {
    return checkStartsWithSlash(this);
  }

  describe(): string {
    return `'${this}'${this.name ? ` [name='${this.name}']` : ''}`;
  }

  toString(): string {
    return this.regexSource;
  }
}

const PARAMETER = /<(?:([^>:]+):)?([^>]+)>/g;
const IDENTIFIER = /^[\p{L}\p{Nl}_$][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$]*$/u;

/** 'articles/<int:year>/' → '^articles/(?P<year>[0-9]+)/\Z' and its converters (Django's _route_to_regex). */
function routeToRegex(route: string, isEndpoint: boolean): [string, Record<string, Converter>] {
  const parts = ['^'];
  const converters: Record<string, Converter> = {};
  let previousEnd = 0;
  for (const match of route.matchAll(PARAMETER)) {
    if (/\s/.test(match[0])) {
      throw new ImproperlyConfigured(`URL route ${pyRepr(route)} cannot contain whitespace in angle brackets <…>.`);
    }
    const [, typeName = 'str', parameter = ''] = match;
    if (!IDENTIFIER.test(parameter)) {
      throw new ImproperlyConfigured(`URL route ${pyRepr(route)} uses parameter name ${pyRepr(parameter)} which isn't a valid identifier.`);
    }
    const converter = getConverter(typeName);
    if (!converter) throw new ImproperlyConfigured(`URL route ${pyRepr(route)} uses invalid converter ${pyRepr(typeName)}.`);
    converters[parameter] = converter;
    parts.push(pyEscape(route.slice(previousEnd, match.index)), `(?P<${parameter}>${converter.regex})`);
    previousEnd = match.index + match[0].length;
  }
  parts.push(pyEscape(route.slice(previousEnd)));
  if (isEndpoint) parts.push('\\Z');
  return [parts.join(''), converters];
}

/** A route pattern (path()): `<int:year>` parameters, shown as the route. */
export class RoutePattern {
  readonly name: string | null;
  readonly route: string;
  converters: Record<string, Converter>;
  /** The regex Django derives from the route. */
  readonly regexSource: string;
  readonly regex: RegExp;
  readonly #isEndpoint: boolean;
  readonly #hasConverters: boolean;

  constructor(route: string, { name = null, isEndpoint = false }: PatternOptions = {}) {
    this.name = name;
    this.route = route;
    this.#isEndpoint = isEndpoint;
    [this.regexSource, this.converters] = routeToRegex(route, isEndpoint);
    this.#hasConverters = Object.keys(this.converters).length > 0;
    this.regex = compile(this.regexSource, toJsSource(this.regexSource));
  }

  match(path: string): PatternMatch | null {
    return withCaptures(this.matchRest(path));
  }

  /** As match(), but the rest of the path alone when the route has no parameter: resolving makes no objects then. */
  matchRest(path: string): string | PatternMatch | null {
    if (this.#hasConverters) {
      const match = this.regex.exec(path);
      if (!match) return null;
      const kwargs: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(match.groups ?? {})) {
        try {
          kwargs[key] = (this.converters[key] as Converter).toValue(value as string);
        } catch (error) {
          if (isNoMatch(error)) return null;
          throw error;
        }
      }
      return { rest: path.slice(match[0].length), args: [], kwargs };
    }
    // Without parameters a string comparison does: the whole path for an endpoint, a prefix for include().
    if (this.#isEndpoint) return this.route === path ? '' : null;
    return path.startsWith(this.route) ? path.slice(this.route.length) : null;
  }

  check(): CheckMessage[] {
    return checkStartsWithSlash(this);
  }

  describe(): string {
    return `'${this}'${this.name ? ` [name='${this.name}']` : ''}`;
  }

  toString(): string {
    return this.route;
  }
}

// Resolver results --------------------------------------------------------------------------------------------

export type UrlPatternEntry = URLPattern | URLResolver;

/** Each entry: the patterns from the root to the leaf, as Django's technical 404 page lists them. */
function triedStrings(tried: readonly (readonly UrlPatternEntry[])[] | null): string[][] {
  return (tried ?? []).map((entry) => entry.map((pattern) => String(pattern.pattern)));
}

export interface ResolverMatchOptions {
  urlName?: string | null;
  appNames?: readonly (string | null)[];
  namespaces?: readonly (string | null)[];
  route?: string;
  tried?: UrlPatternEntry[][] | null;
  capturedKwargs?: Record<string, unknown>;
  extraKwargs?: Record<string, unknown>;
}

/** The names that are set ('' and null are no name), in a new array. A loop: two are made per request. */
function namesGiven(names: readonly (string | null)[] | undefined): string[] {
  const given: string[] = [];
  if (names) for (const name of names) if (name) given.push(name);
  return given;
}

/** What resolve() found: the view, its arguments and where it sits in the URLconf. */
export class ResolverMatch {
  readonly func: View;
  readonly args: unknown[];
  readonly kwargs: Record<string, unknown>;
  readonly urlName: string | null;
  readonly appNames: string[];
  readonly namespaces: string[];
  /** The routes joined, e.g. 'blog/<int:pk>/'. */
  readonly route: string;
  /** The patterns tried up to (and including) the match, root to leaf. */
  readonly triedPatterns: UrlPatternEntry[][] | null;
  readonly capturedKwargs: Record<string, unknown>;
  readonly extraKwargs: Record<string, unknown>;

  constructor(func: View, args: unknown[], kwargs: Record<string, unknown>, options: ResolverMatchOptions = {}) {
    this.func = func;
    this.args = args;
    this.kwargs = kwargs;
    this.urlName = options.urlName ?? null;
    this.appNames = namesGiven(options.appNames);
    this.namespaces = namesGiven(options.namespaces);
    this.route = options.route ?? '';
    this.triedPatterns = options.tried ?? null;
    this.capturedKwargs = options.capturedKwargs ?? {};
    this.extraKwargs = options.extraKwargs ?? {};
  }

  // The joined names are made when asked for: most requests never read them.
  get appName(): string {
    return this.appNames.join(':');
  }

  get namespace(): string {
    return this.namespaces.join(':');
  }

  /** 'blog:post-detail', or the function's name when the pattern has none. */
  get viewName(): string {
    return [...this.namespaces, this.urlName || viewFunctionName(this.func)].join(':');
  }

  get tried(): string[][] {
    return triedStrings(this.triedPatterns);
  }
}

/** A view's name for messages: the class of an asView() function, else the function's own name. */
function viewFunctionName(view: unknown): string {
  const viewClass = (view as { viewClass?: { name?: string } }).viewClass;
  return viewClass?.name || (view as { name?: string }).name || 'anonymous';
}

/** No URL pattern matched (a 404). */
export class Resolver404 extends Http404 {
  override name = 'Resolver404';
  /** The path left to match at the root (without its leading '/'). */
  readonly path: string;
  /** The patterns tried, root to leaf; Django's technical 404 page shows `tried` and the leaf's name. */
  readonly triedPatterns: UrlPatternEntry[][];

  constructor(path: string, tried: UrlPatternEntry[][] = []) {
    super(`No URL pattern matches ${pyRepr(path)}.`);
    this.path = path;
    this.triedPatterns = tried;
  }

  /** Each entry the pattern strings from the root to the leaf: the route for path(), the regex for rePath(). */
  get tried(): string[][] {
    return triedStrings(this.triedPatterns);
  }
}

/** reverse() found no pattern for the name and arguments. */
export class NoReverseMatch extends Error {
  override name = 'NoReverseMatch';
}

// URLPattern and URLResolver --------------------------------------------------------------------------------

/** An endpoint: a pattern and its view. */
export class URLPattern {
  constructor(
    readonly pattern: RoutePattern | RegexPattern,
    readonly callback: View,
    readonly defaultArgs: Record<string, unknown> = {},
    readonly name: string | null = null,
  ) {}

  resolve(path: string): ResolverMatch | null {
    const found = patternFound(this, path);
    return found && resolverMatch(found);
  }

  check(): CheckMessage[] {
    return this.pattern.check();
  }

  toString(): string {
    return `<URLPattern ${this.pattern.describe()}>`;
  }
}

/** A URLconf module: `urlpatterns`, optionally `app_name` and the error views handler400/403/404/500. */
export interface UrlConfModule {
  readonly urlpatterns: readonly unknown[];
  readonly app_name?: string;
  readonly handler400?: View;
  readonly handler403?: View;
  readonly handler404?: View;
  readonly handler500?: View;
}

/** A URLconf once imported: the module's exports, or the patterns themselves. */
type LoadedUrlConf = Readonly<Record<string, unknown>> | readonly unknown[];

/** A module name ('mysite/urls', imported lazily from BASE_DIR), a module, the patterns themselves, or null (empty). */
export type UrlConf = string | UrlConfModule | readonly unknown[] | null;

/** One way reverse() can build a URL: its templates, the regex to check against, defaults and converters. */
export interface Possibility {
  forms: NormalForm[];
  pattern: string;
  defaults: Record<string, unknown>;
  converters: Record<string, Converter>;
}

interface ResolverOptions {
  defaultKwargs?: Record<string, unknown>;
  namespace?: string | null;
  /** Made by include(): the module's app_name names the application namespace. */
  included?: boolean;
}

interface Miss {
  path: string;
  /** null: this resolver's own pattern did not match. */
  tried: UrlPatternEntry[][] | null;
}

/**
 * A match on its way up to resolve(), each resolver adding its part (the fields are ResolverMatch's). Its
 * objects are made for this request, so a resolver takes them over rather than copying them — except
 * `extraKwargs`, the pattern's own object until a resolver copies it, and the names, which ResolverMatch copies.
 */
interface Found {
  func: View;
  args: unknown[];
  kwargs: Record<string, unknown>;
  urlName: string | null;
  appNames: readonly string[];
  namespaces: readonly string[];
  route: string;
  tried: UrlPatternEntry[][] | null;
  capturedKwargs: Record<string, unknown>;
  extraKwargs: Record<string, unknown>;
}

/**
 * The names of a match below every resolver without one; never handed out (ResolverMatch copies). Not
 * frozen: iterating a frozen array is a slower path in V8.
 */
const NO_NAMES: readonly string[] = [];

// gwi's own methods, to tell a subclass's from them (reading `.prototype` on each request costs a call).
const ROUTE_MATCH = RoutePattern.prototype.match;
const REGEX_MATCH = RegexPattern.prototype.match;
const PATTERN_RESOLVE = URLPattern.prototype.resolve;

/** The pattern's matchRest(), or its match() where a subclass overrides that (Django calls match()). */
function matchPattern(pattern: RoutePattern | RegexPattern, path: string): string | PatternMatch | null {
  const own = pattern.match === ROUTE_MATCH || pattern.match === REGEX_MATCH;
  return own ? pattern.matchRest(path) : pattern.match(path);
}

function patternFound(entry: URLPattern, path: string): Found | null {
  const match = matchPattern(entry.pattern, path);
  if (match === null) return null;
  const captured = typeof match === 'string' ? {} : match.kwargs;
  return {
    func: entry.callback,
    args: typeof match === 'string' ? [] : match.args,
    kwargs: { ...captured, ...entry.defaultArgs },
    urlName: entry.pattern.name,
    appNames: NO_NAMES,
    namespaces: NO_NAMES,
    route: entry.pattern.toString(),
    tried: null,
    capturedKwargs: captured,
    extraKwargs: entry.defaultArgs,
  };
}

/** A match made by a resolve() that a subclass overrides, taken up as the resolvers' own record. */
function foundOf(match: ResolverMatch): Found {
  return {
    func: match.func,
    args: [...match.args],
    kwargs: { ...match.kwargs },
    urlName: match.urlName,
    appNames: match.appNames,
    namespaces: match.namespaces,
    route: match.route,
    tried: match.triedPatterns,
    capturedKwargs: match.capturedKwargs,
    extraKwargs: match.extraKwargs,
  };
}

function resolverMatch(found: Found): ResolverMatch {
  // The fields have the options' names: the match is its own options object.
  return new ResolverMatch(found.func, found.args, found.kwargs, found);
}

/** Whether the object has an own enumerable string key: Object.keys(object).length > 0 without the array. */
function hasKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

/**
 * A pattern leading to more patterns: the root URLconf, or an include(). A URLconf given by module name is
 * imported by `load()` (which also loads every include() below it); `getResolver()` does that once and
 * caches the result, after which resolve() and reverse() are synchronous.
 */
export class URLResolver {
  readonly pattern: RoutePattern | RegexPattern;
  readonly urlconfName: UrlConf;
  readonly defaultKwargs: Record<string, unknown>;
  appName: string | null;
  namespace: string | null;
  readonly #included: boolean;
  /** The module or patterns; undefined until a module name is imported. */
  #module: LoadedUrlConf | undefined;
  #patterns: readonly UrlPatternEntry[] | null = null;
  #loading: Promise<this> | null = null;
  #loaded = false;
  #reverseDict: Map<string | View, Possibility[]> | null = null;
  #namespaceDict = new Map<string, [string, URLResolver]>();
  #appDict = new Map<string, string[]>();
  #populating = false;

  constructor(pattern: RoutePattern | RegexPattern, urlconf: UrlConf, options: ResolverOptions = {}) {
    this.pattern = pattern;
    this.urlconfName = urlconf;
    this.defaultKwargs = options.defaultKwargs ?? {};
    this.appName = null;
    this.namespace = options.namespace ?? null;
    this.#included = options.included ?? false;
    if (typeof urlconf !== 'string') this.#adopt((urlconf ?? []) as LoadedUrlConf);
  }

  #adopt(module: LoadedUrlConf): void {
    this.#module = module;
    if (this.#included) {
      // Django requires app_name with a namespace; here the namespace doubles as the app name.
      const appName = Array.isArray(module) ? undefined : (module as Record<string, unknown>).app_name;
      this.appName ??= typeof appName === 'string' ? appName : this.namespace;
      this.namespace ??= this.appName;
    }
  }

  /** Imports the URLconf module if it was named, then loads the include()s below; idempotent. */
  load(): Promise<this> {
    this.#loading ??= (async () => {
      if (this.#module === undefined) this.#adopt(await importModule(this.urlconfName as string, settings.BASE_DIR));
      await Promise.all(this.urlPatterns.filter((entry) => entry instanceof URLResolver).map((resolver) => resolver.load()));
      this.#loaded = true;
      return this;
    })().catch((error: unknown) => {
      // Let a later call retry: the module may be fixed by then.
      this.#loading = null;
      throw error;
    });
    return this.#loading;
  }

  /** This resolver once load() finished, else load()'s promise. */
  loaded(): this | Promise<this> {
    return this.#loaded ? this : this.load();
  }

  get urlconfModule(): LoadedUrlConf {
    if (this.#module === undefined) {
      throw new ImproperlyConfigured(
        `The URLconf '${String(this.urlconfName)}' is not loaded yet: await getResolver() (or resolver.load()) before resolving or reversing.`,
      );
    }
    return this.#module;
  }

  get urlPatterns(): readonly UrlPatternEntry[] {
    if (this.#patterns) return this.#patterns;
    const module = this.urlconfModule;
    const patterns = Array.isArray(module) ? module : (module as Record<string, unknown>).urlpatterns;
    if (!Array.isArray(patterns)) {
      throw new ImproperlyConfigured(
        `The included URLconf '${this.#label()}' does not appear to have any patterns in it. If you see the ` +
          "'urlpatterns' variable with valid patterns in the file then the issue is probably caused by a circular import.",
      );
    }
    for (const entry of patterns) {
      if (!(entry instanceof URLPattern || entry instanceof URLResolver)) {
        throw new ImproperlyConfigured(
          `Your URL pattern ${typeof entry === 'string' ? pyRepr(entry) : String(entry)} is invalid. Ensure that ` +
            'urlpatterns is a list of path() and/or rePath() instances.',
        );
      }
    }
    this.#patterns = patterns as UrlPatternEntry[];
    return this.#patterns;
  }

  #label(): string {
    return typeof this.urlconfName === 'string' ? this.urlconfName : Array.isArray(this.urlconfName) ? '<URLPattern list>' : '<module>';
  }

  /** The view for a path, or Resolver404 with every pattern tried. */
  resolve(path: string): ResolverMatch {
    const result = this.#find(path);
    if ('func' in result) return resolverMatch(result);
    throw new Resolver404(result.path, result.tried ?? []);
  }

  // Django raises Resolver404 at every level; a miss is returned instead, as most requests miss some includes.
  #find(path: string): Found | Miss {
    const match = matchPattern(this.pattern, path);
    if (match === null) return { path, tried: null };
    const rest = typeof match === 'string' ? match : match.rest;
    // Made on the first miss: a request that matches the first pattern at each level gets its list at its size.
    let tried: UrlPatternEntry[][] | null = null;
    // The getter checks the patterns once; once it has, the field is read without a call.
    for (const entry of this.#patterns ?? this.urlPatterns) {
      const sub = URLResolver.#found(entry, rest);
      if (sub === null || !('func' in sub)) {
        tried = extendTried(tried, entry, sub?.tried ?? null);
        continue;
      }
      sub.tried = extendTried(tried, entry, sub.tried);
      this.#addLevel(sub, match, entry);
      return sub;
    }
    return { path: rest, tried: tried ?? [] };
  }

  static readonly #ownResolve = URLResolver.prototype.resolve;

  /**
   * What an entry finds. gwi's own classes pass one record up without making a ResolverMatch or a
   * Resolver404 per level; a subclass's resolve() is called, as Django calls it.
   */
  static #found(entry: UrlPatternEntry, path: string): Found | Miss | null {
    if (entry instanceof URLPattern) {
      if (entry.resolve === PATTERN_RESOLVE) return patternFound(entry, path);
      const match = entry.resolve(path);
      return match && foundOf(match);
    }
    if (entry.resolve === URLResolver.#ownResolve) return entry.#find(path);
    try {
      return foundOf(entry.resolve(path));
    } catch (err) {
      if (!(err instanceof Resolver404)) throw err;
      // A Resolver404 does not tell a resolver whose own pattern did not match (Django's tried None)
      // from one with nothing below it: an empty list is taken for the first.
      return { path: err.path, tried: err.triedPatterns.length > 0 ? err.triedPatterns : null };
    }
  }

  /** Adds this resolver's captures, default kwargs, names and route to a match found through `entry`. */
  #addLevel(found: Found, match: string | PatternMatch, entry: UrlPatternEntry): void {
    // The kwargs are copied even when nothing is added here: telling that an object spread would copy
    // nothing (symbol keys included) costs more than the spread.
    if (typeof match === 'string') {
      // Nothing captured here: the args below are the args.
      found.kwargs = { ...this.defaultKwargs, ...found.kwargs };
    } else {
      found.kwargs = { ...match.kwargs, ...this.defaultKwargs, ...found.kwargs };
      // With any keyword argument, positional ones are dropped (Django never mixes them).
      if (!hasKeys(found.kwargs)) found.args = [...match.args, ...found.args];
    }
    // ResolverMatch keeps only the names given.
    if (this.appName) found.appNames = [this.appName, ...found.appNames];
    if (this.namespace) found.namespaces = [this.namespace, ...found.namespaces];
    if (!(entry instanceof URLPattern)) found.route = joinRoute(entry.pattern.toString(), found.route);
    found.extraKwargs = { ...this.defaultKwargs, ...found.extraKwargs };
  }

  /** The URLconf's handler400/403/404/500, or null for the default page. */
  resolveErrorHandler(statusCode: 400 | 403 | 404 | 500): View | null {
    const module = this.urlconfModule;
    const handler = Array.isArray(module) ? undefined : (module as Record<string, unknown>)[`handler${statusCode}`];
    if (handler === undefined || handler === null) return null;
    if (typeof handler !== 'function') {
      throw new ImproperlyConfigured(`The custom handler${statusCode} view in '${this.#label()}' is not a function.`);
    }
    return handler as View;
  }

  /** urls.W002 for the patterns below; this resolver's own pattern only when they are all fine (as Django). */
  check(): CheckMessage[] {
    const messages = this.urlPatterns.flatMap((entry) => entry.check());
    return messages.length > 0 ? messages : this.pattern.check();
  }

  /** Name or view → the ways to build a URL for it (Django's reverse_dict). */
  get reverseDict(): ReadonlyMap<string | View, readonly Possibility[]> {
    this.#populate();
    return this.#reverseDict ?? new Map();
  }

  /** Instance namespace → [regex prefix, resolver]. */
  get namespaceDict(): ReadonlyMap<string, [string, URLResolver]> {
    this.#populate();
    return this.#namespaceDict;
  }

  /** Application namespace → its instance namespaces. */
  get appDict(): ReadonlyMap<string, readonly string[]> {
    this.#populate();
    return this.#appDict;
  }

  // Django's _populate: walks the patterns last to first, so later definitions of a name are tried first.
  #populate(): void {
    // A URLconf that includes itself would recurse forever.
    if (this.#reverseDict || this.#populating) return;
    this.#populating = true;
    try {
      const lookups = new Map<string | View, Possibility[]>();
      const namespaces = new Map<string, [string, URLResolver]>();
      const apps = new Map<string, string[]>();
      const append = <K, V>(map: Map<K, V[]>, key: K, ...values: V[]): void => {
        const list = map.get(key);
        if (list) list.push(...values);
        else map.set(key, values);
      };
      for (const entry of [...this.urlPatterns].reverse()) {
        const pPattern = entry.pattern.regexSource.replace(/^\^/, '');
        if (entry instanceof URLPattern) {
          const possibility = {
            forms: normalize(entry.pattern.regexSource),
            pattern: pPattern,
            defaults: entry.defaultArgs,
            converters: entry.pattern.converters,
          };
          append(lookups, entry.callback, possibility);
          if (entry.name !== null) append(lookups, entry.name, possibility);
        } else if (entry.appName) {
          append(apps, entry.appName, entry.namespace as string);
          namespaces.set(entry.namespace as string, [pPattern, entry]);
        } else {
          for (const [name, possibilities] of entry.reverseDict) {
            for (const p of possibilities) {
              append(lookups, name, {
                forms: normalize(pPattern + p.pattern),
                pattern: pPattern + p.pattern,
                defaults: { ...p.defaults, ...entry.defaultKwargs },
                converters: { ...this.pattern.converters, ...entry.pattern.converters, ...p.converters },
              });
            }
          }
          for (const [namespace, [prefix, sub]] of entry.namespaceDict) {
            Object.assign(sub.pattern.converters, entry.pattern.converters);
            namespaces.set(namespace, [pPattern + prefix, sub]);
          }
          for (const [appName, list] of entry.appDict) append(apps, appName, ...list);
        }
      }
      this.#namespaceDict = namespaces;
      this.#appDict = apps;
      this.#reverseDict = lookups;
    } finally {
      this.#populating = false;
    }
  }

  /** Builds `prefix + path` for a name or view (Django's _reverse_with_prefix). */
  reverseWithPrefix(lookup: string | View, prefix: string, args: readonly unknown[], kwargs: Record<string, unknown>): string {
    const kwargNames = Object.keys(kwargs);
    if (args.length > 0 && kwargNames.length > 0) throw new TypeError("Don't mix *args and **kwargs in call to reverse()!");
    const possibilities = this.reverseDict.get(lookup) ?? [];
    for (const { forms, pattern, defaults, converters } of possibilities) {
      for (const { tokens, params } of forms) {
        let subs: Record<string, unknown>;
        if (args.length > 0) {
          if (args.length !== params.length) continue;
          subs = Object.fromEntries(params.map((param, i) => [param, args[i]]));
        } else {
          // The kwargs must be the parameters exactly, give or take the pattern's default kwargs, and
          // a default kwarg given must have the default's value.
          const mismatch = [...kwargNames.filter((k) => !params.includes(k)), ...params.filter((p) => !kwargNames.includes(p))];
          if (mismatch.some((name) => !Object.hasOwn(defaults, name))) continue;
          const sameDefaults = Object.entries(defaults).every(
            ([k, v]) => params.includes(k) || (Object.hasOwn(kwargs, k) ? kwargs[k] : v) === v,
          );
          if (!sameDefaults) continue;
          subs = kwargs;
        }
        const text = textSubstitutions(subs, converters);
        if (text === null) continue;
        let candidate = prefix;
        for (const token of tokens) candidate += typeof token === 'string' ? token : text[token.param] ?? '';
        // The URL is built decoded, checked against the pattern, and only then quoted.
        if (candidateRegex(`^${pyEscape(prefix)}${pattern}`).test(candidate)) return escapeLeadingSlashes(quoteUrl(candidate));
      }
    }
    throw new NoReverseMatch(noReverseMatchMessage(lookup, args, kwargs, possibilities.map((p) => p.pattern)));
  }
}

/** `tried` (null: none yet) with the paths through `entry` added. */
function extendTried(tried: UrlPatternEntry[][] | null, entry: UrlPatternEntry, subTried: UrlPatternEntry[][] | null): UrlPatternEntry[][] {
  if (subTried === null) {
    if (tried === null) return [[entry]];
    tried.push([entry]);
    return tried;
  }
  const list = tried ?? [];
  for (const t of subTried) list.push([entry, ...t]);
  return list;
}

function joinRoute(route1: string, route2: string): string {
  return route1 ? route1 + (route2.startsWith('^') ? route2.slice(1) : route2) : route2;
}

/** The reverse() arguments as URL text, or null when a converter refuses one. */
function textSubstitutions(subs: Record<string, unknown>, converters: Record<string, Converter>): Record<string, string> | null {
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(subs)) {
    const converter = Object.hasOwn(converters, key) ? converters[key] : undefined;
    if (!converter) {
      text[key] = String(value);
      continue;
    }
    try {
      text[key] = converter.toUrl(value);
    } catch (error) {
      if (isNoMatch(error)) return null;
      throw error;
    }
  }
  return text;
}

/** Python's quote(url, safe=RFC3986_SUBDELIMS + "/~:@"), as Django's reverse() quotes. */
function quoteUrl(text: string): string {
  return quote(text, "!$&'()*+,;=/:@~");
}

/** '//evil.example' would be read as another host: Django keeps it a path. */
function escapeLeadingSlashes(url: string): string {
  return url.startsWith('//') ? `/%2F${url.slice(2)}` : url;
}

/** A value as Python's repr() prints it, for Django's NoReverseMatch messages. */
function pyValue(value: unknown): string {
  if (typeof value === 'string') return pyRepr(value);
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (Array.isArray(value)) return `[${value.map(pyValue).join(', ')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyValue(v)}`).join(', ')}}`;
  }
  return String(value);
}

function noReverseMatchMessage(lookup: string | View, args: readonly unknown[], kwargs: Record<string, unknown>, patterns: string[]): string {
  const view = typeof lookup === 'string' ? lookup : viewFunctionName(lookup);
  if (patterns.length === 0) return `Reverse for '${view}' not found. '${view}' is not a valid view function or pattern name.`;
  const tuple = args.length === 1 ? `(${pyValue(args[0])},)` : `(${args.map(pyValue).join(', ')})`;
  const argMsg = args.length > 0 ? `arguments '${tuple}'` : Object.keys(kwargs).length > 0 ? `keyword arguments '${pyValue(kwargs)}'` : 'no arguments';
  return `Reverse for '${view}' with ${argMsg} not found. ${patterns.length} pattern(s) tried: ${pyValue(patterns)}`;
}

// Building URLconfs ---------------------------------------------------------------------------------------------

/** What include() returns: path()/rePath() turn it into a URLResolver. */
export class Include {
  constructor(
    readonly urlconf: string | UrlConfModule | readonly unknown[],
    readonly namespace: string | null,
  ) {}
}

/**
 * Includes another URLconf under a route: a module name ('blog/urls', imported by getResolver()), a module
 * (its `app_name` names the application namespace) or an array of patterns. `namespace` lets reverse() use
 * 'namespace:name'; without an app_name it is the application namespace too.
 */
export function include(urlconf: string | UrlConfModule | readonly UrlPatternEntry[], namespace?: string): Include {
  return new Include(urlconf, namespace ?? null);
}

export interface PathOptions {
  /** The name reverse() knows the pattern by. */
  name?: string;
  /** Extra keyword arguments for the view; they win over the captured ones. */
  kwargs?: Record<string, unknown>;
}

function makePattern(
  Pattern: typeof RoutePattern | typeof RegexPattern,
  route: string | RegExp,
  view: View | Include,
  { name, kwargs }: PathOptions,
): UrlPatternEntry {
  if (kwargs !== undefined && (kwargs === null || typeof kwargs !== 'object' || Array.isArray(kwargs))) {
    throw new TypeError(`kwargs argument must be an object, but got ${Array.isArray(kwargs) ? 'an array' : String(kwargs)}.`);
  }
  const build = (options: PatternOptions): RoutePattern | RegexPattern =>
    Pattern === RoutePattern ? new RoutePattern(route as string, options) : new RegexPattern(route, options);
  if (view instanceof Include) {
    return new URLResolver(build({ isEndpoint: false }), view.urlconf, { defaultKwargs: kwargs, namespace: view.namespace, included: true });
  }
  if (typeof view === 'function') {
    if (Function.prototype.toString.call(view).startsWith('class')) {
      throw new TypeError(`view must be a function, pass ${view.name}.asView(), not ${view.name}.`);
    }
    return new URLPattern(build({ name: name ?? null, isEndpoint: true }), view, kwargs, name ?? null);
  }
  throw new TypeError('view must be a function or the result of include().');
}

/** A route with `<converter:name>` parameters: `path('articles/<int:year>/', view, { name: 'year-archive' })`. */
export function path(route: string, view: View | Include, options: PathOptions = {}): UrlPatternEntry {
  return makePattern(RoutePattern, route, view, options);
}

/** A regular expression; named groups become kwargs, unnamed ones args. Python's (?P<name>…) and \Z are understood. */
export function rePath(regex: string | RegExp, view: View | Include, options: PathOptions = {}): UrlPatternEntry {
  return makePattern(RegexPattern, regex, view, options);
}

// The root resolver, resolve() and reverse() -------------------------------------------------------------------

const resolvers = new Map<UrlConf, URLResolver>();
const nsResolvers = new WeakMap<URLResolver, Map<string, URLResolver>>();

function rootResolver(urlconf: UrlConf): URLResolver {
  let resolver = resolvers.get(urlconf);
  if (!resolver) {
    resolver = new URLResolver(new RegexPattern('^/'), urlconf);
    resolvers.set(urlconf, resolver);
  }
  return resolver;
}

/**
 * The resolver for a URLconf (default: ROOT_URLCONF), loaded and cached. Await it once — the handler does on
 * each request — and resolve()/reverse() can then work synchronously on the same URLconf.
 */
export function getResolver(urlconf: UrlConf = settings.ROOT_URLCONF): Promise<URLResolver> {
  return rootResolver(urlconf).load();
}

/** As getResolver(), without a promise once the URLconf is loaded: the handler's per-request lookup. */
export function loadedResolver(urlconf: UrlConf): URLResolver | Promise<URLResolver> {
  return rootResolver(urlconf).loaded();
}

/** Forgets the cached resolvers (tests; a changed URLconf). */
export function clearUrlCaches(): void {
  resolvers.clear();
}

/** The path → view lookup; the URLconf must be loaded (see getResolver()). Throws Resolver404. */
export function resolve(path: string, urlconf: UrlConf = settings.ROOT_URLCONF): ResolverMatch {
  return rootResolver(urlconf).resolve(path);
}

/** Django's is_valid_path, for APPEND_SLASH: the match, or false. */
export async function isValidPath(path: string, urlconf: UrlConf = settings.ROOT_URLCONF): Promise<ResolverMatch | false> {
  try {
    return (await getResolver(urlconf)).resolve(path);
  } catch (error) {
    if (error instanceof Resolver404) return false;
    throw error;
  }
}

let scriptPrefix = '/';

/** The prefix reverse() puts before paths: SCRIPT_NAME with a trailing '/' (the handler sets it). */
export function setScriptPrefix(prefix: string): void {
  scriptPrefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
}

export function getScriptPrefix(): string {
  return scriptPrefix;
}

export interface ReverseOptions {
  args?: readonly unknown[];
  kwargs?: Record<string, unknown>;
  urlconf?: UrlConf;
  /** The instance namespace to prefer for an application namespace. */
  currentApp?: string;
}

/** A resolver for the patterns under a namespace, with the namespace's prefix in front (get_ns_resolver). */
function nsResolver(nsPattern: string, resolver: URLResolver, converters: Record<string, Converter>): URLResolver {
  let cache = nsResolvers.get(resolver);
  if (!cache) nsResolvers.set(resolver, (cache = new Map()));
  let root = cache.get(nsPattern);
  if (!root) {
    const pattern = new RegexPattern(nsPattern);
    pattern.converters = { ...converters };
    root = new URLResolver(new RegexPattern('^/'), [new URLResolver(pattern, resolver.urlPatterns)]);
    cache.set(nsPattern, root);
  }
  return root;
}

/**
 * The URL for a pattern name ('blog:post-detail') or view, with `args` or `kwargs` (never both), quoted
 * and prefixed with the script prefix. The URLconf must be loaded (see getResolver()).
 */
export function reverse(viewName: string | View, { args = [], kwargs = {}, urlconf = settings.ROOT_URLCONF, currentApp }: ReverseOptions = {}): string {
  let resolver = rootResolver(urlconf);
  let view: string | View = viewName;
  if (typeof viewName === 'string') {
    const namespacePath = viewName.split(':');
    view = namespacePath.pop() as string;
    let currentPath = currentApp ? currentApp.split(':').reverse() : null;
    const resolvedPath: string[] = [];
    let nsPattern = '';
    const nsConverters: Record<string, Converter> = {};
    for (let ns of namespacePath) {
      const currentNs = currentPath?.length ? (currentPath.pop() as string) : null;
      // An application namespace picks the current instance, else the one named like the app, else the first.
      const appList = resolver.appDict.get(ns);
      if (appList) {
        if (currentNs && appList.includes(currentNs)) ns = currentNs;
        else if (!appList.includes(ns)) ns = appList[0] as string;
      }
      if (ns !== currentNs) currentPath = null;
      const entry = resolver.namespaceDict.get(ns);
      if (!entry) {
        if (resolvedPath.length > 0) {
          throw new NoReverseMatch(`${pyRepr(ns)} is not a registered namespace inside '${resolvedPath.join(':')}'`);
        }
        throw new NoReverseMatch(`${pyRepr(ns)} is not a registered namespace`);
      }
      const [extra, sub] = entry;
      resolvedPath.push(ns);
      nsPattern += extra;
      Object.assign(nsConverters, sub.pattern.converters);
      resolver = sub;
    }
    if (nsPattern) resolver = nsResolver(nsPattern, resolver, nsConverters);
  }
  return resolver.reverseWithPrefix(view, scriptPrefix, args, kwargs);
}
