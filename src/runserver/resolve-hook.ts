// A node:module resolve hook: the bare specifier `gwi`, and `gwi/...`, in a project's code resolve to
// the gwi installation that runs it. A project then runs without node_modules, and shares this gwi's
// modules (its `settings` above all) instead of loading a copy. Node 20 runs it on the loader thread
// (this file is its own build entry); newer Node runs it in-thread (see loader.ts).
import type { InitializeHook, ResolveHook } from 'node:module';

export interface ResolveHookData {
  /** What `gwi` resolves to from inside this package (its self-reference): dist/index.js. */
  gwiUrl: string;
}

/** The resolve step for a gwi at `gwiUrl`; it works in a synchronous chain and in an asynchronous one. */
export function gwiResolver(gwiUrl: string): ResolveHook {
  return (specifier, context, nextResolve) => {
    // Short-circuit: the project's tsconfig "paths" must not send `gwi` to another copy.
    if (specifier === 'gwi') return { url: gwiUrl, format: 'module', shortCircuit: true };
    // Resolved from inside the package, so through its package.json "exports": an unexported subpath
    // fails with node's own ERR_PACKAGE_PATH_NOT_EXPORTED.
    if (specifier.startsWith('gwi/')) return nextResolve(specifier, { ...context, parentURL: gwiUrl });
    return nextResolve(specifier, context);
  };
}

let resolver: ResolveHook | null = null;

export const initialize: InitializeHook<ResolveHookData> = (data) => {
  resolver = gwiResolver(data.gwiUrl);
};

export const resolve: ResolveHook = (specifier, context, nextResolve) =>
  resolver === null ? nextResolve(specifier, context) : resolver(specifier, context, nextResolve);
