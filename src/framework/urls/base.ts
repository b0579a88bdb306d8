// The URL functions views and middleware call (Django's django.urls.base): resolve(), reverse() with
// namespaces, the script prefix, isValidPath() and clearUrlCaches().
import { pyRepr } from '../../gateway/py-repr.js';
import { settings } from '../conf/settings.js';
import type { View } from '../views/generic.js';
import type { Converter } from './converters.js';
import { NoReverseMatch, Resolver404 } from './exceptions.js';
import { RegexPattern } from './patterns.js';
import { clearResolverCache, getResolver, rootResolver, URLResolver, type UrlConf } from './resolvers.js';
import type { ResolverMatch } from './resolver-match.js';

/** Forgets the cached resolvers (tests; a changed URLconf). */
export function clearUrlCaches(): void {
  clearResolverCache();
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

const nsResolvers = new WeakMap<URLResolver, Map<string, URLResolver>>();

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
