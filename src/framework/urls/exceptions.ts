// The exceptions of URL resolving (Django's django.urls.exceptions): Resolver404 when no pattern matches a
// path, NoReverseMatch when reverse() can build no URL.
import { pyRepr } from '../../gateway/py-repr.js';
import { Http404 } from '../exceptions.js';
import type { RegexPattern, RoutePattern } from './patterns.js';

/** An entry of a tried list: a URLPattern or a URLResolver, typed by its pattern (resolvers.ts imports this module). */
export interface TriedPattern {
  readonly pattern: RoutePattern | RegexPattern;
}

/** Each entry: the patterns from the root to the leaf, as Django's technical 404 page lists them. */
export function triedStrings(tried: readonly (readonly TriedPattern[])[] | null): string[][] {
  return (tried ?? []).map((entry) => entry.map((pattern) => String(pattern.pattern)));
}

/** No URL pattern matched (a 404). */
export class Resolver404 extends Http404 {
  override name = 'Resolver404';
  /** The path left to match at the root (without its leading '/'). */
  readonly path: string;
  /** The patterns tried, root to leaf; Django's technical 404 page shows `tried` and the leaf's name. */
  readonly triedPatterns: TriedPattern[][];

  constructor(path: string, tried: TriedPattern[][] = []) {
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
