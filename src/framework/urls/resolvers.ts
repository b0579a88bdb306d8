// URL resolving (Django's django/urls/resolvers.py): a URLconf is a tree of URLPattern (a pattern and its
// view) and URLResolver (a pattern leading to more patterns); resolve() on the root gives a ResolverMatch,
// and each resolver keeps the tables reverse() builds URLs from. getResolver() loads and caches the root.
import { pyRepr } from '../../gateway/py-repr.js';
import type { CheckMessage } from '../checks/messages.js';
import { settings } from '../conf/settings.js';
import { ImproperlyConfigured } from '../exceptions.js';
import { importModule } from '../utils/module-loading.js';
import { normalize } from '../utils/regex-helper.js';
import type { View } from '../views/generic.js';
import { Resolver404, type TriedPattern } from './exceptions.js';
import { matchPattern, RegexPattern, type PatternMatch, type RoutePattern } from './patterns.js';
import { foundOf, resolverMatch, type Found, type ResolverMatch } from './resolver-match.js';
import { reverseFromPossibilities, type Possibility } from './reverse.js';

export type UrlPatternEntry = URLPattern | URLResolver;

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

interface ResolverOptions {
  defaultKwargs?: Record<string, unknown>;
  namespace?: string | null;
  /** Made by include(): the module's app_name names the application namespace. */
  included?: boolean;
}

interface Miss {
  path: string;
  /** null: this resolver's own pattern did not match. */
  tried: TriedPattern[][] | null;
}

/**
 * The names of a match below every resolver without one; never handed out (ResolverMatch copies). Not
 * frozen: iterating a frozen array is a slower path in V8.
 */
const NO_NAMES: readonly string[] = [];

// gwi's own method, to tell a subclass's from it (reading `.prototype` on each request costs a call).
const PATTERN_RESOLVE = URLPattern.prototype.resolve;

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
    let tried: TriedPattern[][] | null = null;
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
    return reverseFromPossibilities(this.reverseDict.get(lookup) ?? [], lookup, prefix, args, kwargs);
  }
}

/** `tried` (null: none yet) with the paths through `entry` added. */
function extendTried(tried: TriedPattern[][] | null, entry: UrlPatternEntry, subTried: TriedPattern[][] | null): TriedPattern[][] {
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

// The root resolver -----------------------------------------------------------------------------------------

const resolvers = new Map<UrlConf, URLResolver>();

/** The root resolver of a URLconf, made once; loaded or not. */
export function rootResolver(urlconf: UrlConf): URLResolver {
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

/** Forgets the root resolvers (clearUrlCaches()). */
export function clearResolverCache(): void {
  resolvers.clear();
}
