// What resolve() finds (Django's ResolverMatch): the view, its arguments and where it sits in the URLconf;
// and the lighter record a match is carried in on its way up the resolvers, until resolve() returns it.
import type { View } from '../views/generic.js';
import { triedStrings, type TriedPattern } from './exceptions.js';

export interface ResolverMatchOptions {
  urlName?: string | null;
  appNames?: readonly (string | null)[];
  namespaces?: readonly (string | null)[];
  route?: string;
  tried?: TriedPattern[][] | null;
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
  readonly triedPatterns: TriedPattern[][] | null;
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
export function viewFunctionName(view: unknown): string {
  const viewClass = (view as { viewClass?: { name?: string } }).viewClass;
  return viewClass?.name || (view as { name?: string }).name || 'anonymous';
}

/**
 * A match on its way up to resolve(), each resolver adding its part (the fields are ResolverMatch's). Its
 * objects are made for this request, so a resolver takes them over rather than copying them — except
 * `extraKwargs`, the pattern's own object until a resolver copies it, and the names, which ResolverMatch copies.
 */
export interface Found {
  func: View;
  args: unknown[];
  kwargs: Record<string, unknown>;
  urlName: string | null;
  appNames: readonly string[];
  namespaces: readonly string[];
  route: string;
  tried: TriedPattern[][] | null;
  capturedKwargs: Record<string, unknown>;
  extraKwargs: Record<string, unknown>;
}

/** A match made by a resolve() that a subclass overrides, taken up as the resolvers' own record. */
export function foundOf(match: ResolverMatch): Found {
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

export function resolverMatch(found: Found): ResolverMatch {
  // The fields have the options' names: the match is its own options object.
  return new ResolverMatch(found.func, found.args, found.kwargs, found);
}
