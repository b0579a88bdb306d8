// Building URLconfs (Django's django.urls.conf): path() and rePath() make a URLPattern for a view, or a
// URLResolver for what include() returns.
import type { View } from '../views/generic.js';
import { RegexPattern, RoutePattern, type PatternOptions } from './patterns.js';
import { URLPattern, URLResolver, type UrlConfModule, type UrlPatternEntry } from './resolvers.js';

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
