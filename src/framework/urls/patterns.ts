// URL patterns (the pattern classes of Django's django/urls/resolvers.py): RoutePattern for path(),
// RegexPattern for rePath(), the route → regex translation, and their system check (urls.W002).
//
// Regular expressions are shown the way Django shows them ('articles/(?P<year>[0-9]+)/\Z'), so pages and
// messages read like Django's; they are translated to JavaScript syntax only to be compiled.
import { pyRepr } from '../../gateway/py-repr.js';
import { Warning, type CheckMessage } from '../checks/messages.js';
import { settings } from '../conf/settings.js';
import { ImproperlyConfigured } from '../exceptions.js';
import { getConverter, isNoMatch, type Converter } from './converters.js';

// Regular expressions ---------------------------------------------------------------------------------------

const PY_SPECIAL = new Set('()[]{}?*+-|^$\\.&~# \t\n\r\v\f');

/** Python's re.escape: the route text as it appears in Django's regexes and messages. */
export function pyEscape(text: string): string {
  let out = '';
  for (const ch of text) out += PY_SPECIAL.has(ch) ? `\\${ch}` : ch;
  return out;
}

/** Python regex syntax → JavaScript: (?P<n>…) → (?<n>…), (?P=n) → \k<n>, \Z → $, \A → ^. */
export function toJsSource(source: string): string {
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

export function compile(shown: string, jsSource: string, flags = ''): RegExp {
  try {
    return new RegExp(jsSource, flags);
  } catch (error) {
    throw new ImproperlyConfigured(`"${shown}" is not a valid regular expression: ${(error as Error).message}`);
  }
}

// Patterns --------------------------------------------------------------------------------------------------

export interface PatternMatch {
  rest: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

/** What matchRest() found, as match() gives it: a rest alone gets its own empty args and kwargs. */
function withCaptures(match: string | PatternMatch | null): PatternMatch | null {
  return typeof match === 'string' ? { rest: match, args: [], kwargs: {} } : match;
}

export interface PatternOptions {
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

// gwi's own methods, to tell a subclass's from them (reading `.prototype` on each request costs a call).
const ROUTE_MATCH = RoutePattern.prototype.match;
const REGEX_MATCH = RegexPattern.prototype.match;

/** The pattern's matchRest(), or its match() where a subclass overrides that (Django calls match()). */
export function matchPattern(pattern: RoutePattern | RegexPattern, path: string): string | PatternMatch | null {
  const own = pattern.match === ROUTE_MATCH || pattern.match === REGEX_MATCH;
  return own ? pattern.matchRest(path) : pattern.match(path);
}
