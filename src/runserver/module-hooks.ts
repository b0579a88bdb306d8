// gwi's node:module hooks, which run before tsx's. The resolve hook: the bare specifier `gwi`, and
// `gwi/...`, in a project's code resolve to the gwi installation that runs it. A project then runs
// without node_modules, and shares this gwi's modules (its `settings` above all) instead of loading a
// copy. It also tells which file each import resolved to (the reloader watches what was loaded). The load
// hook keeps tsx away from the JavaScript of installed packages. Node 20 runs them on the loader thread
// (loader-thread.ts), with a port to tell the main thread; newer Node runs them in-thread (see loader.ts).
import { readFileSync } from 'node:fs';
import type { LoadHook, ResolveHook } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

/** A file of an installed package (under node_modules), not the project's own. */
export const isDependencyFile = (file: string): boolean => file.includes(NODE_MODULES);

/** The file a module's URL names (its query and fragment left out), or null: `node:`, `data:` and the like. */
export function moduleFile(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  try {
    return fileURLToPath(url.split(/[?#]/, 1)[0] as string);
  } catch {
    return null;
  }
}

/** Told the file an import resolved to, and the module that imported it (undefined for an entry point). */
export type ResolvedListener = (url: string, parentURL: string | undefined) => void;

/**
 * The resolve step for a gwi at `gwiUrl`, telling `resolved` each `file:` URL found; it works in a
 * synchronous chain and in an asynchronous one.
 */
export function gwiResolver(gwiUrl: string, resolved: ResolvedListener): ResolveHook {
  return (specifier, context, nextResolve) => {
    // Short-circuit: the project's tsconfig "paths" must not send `gwi` to another copy.
    if (specifier === 'gwi') return { url: gwiUrl, format: 'module', shortCircuit: true };
    // Resolved from inside the package, so through its package.json "exports": an unexported subpath
    // fails with node's own ERR_PACKAGE_PATH_NOT_EXPORTED.
    const result = specifier.startsWith('gwi/') ? nextResolve(specifier, { ...context, parentURL: gwiUrl }) : nextResolve(specifier, context);
    const tell = (found: { url: string }): void => {
      if (found.url.startsWith('file:')) resolved(found.url, context.parentURL);
    };
    if (result instanceof Promise) return result.then((found) => (tell(found), found));
    tell(result);
    return result;
  };
}

const PACKAGE_JAVASCRIPT = /\/node_modules\/.*\.m?js$/;

/** The next load step a hook is given. */
export type NextLoad = Parameters<LoadHook>[2];

/** An ES module file as node's own load step gives it, read at once. */
const esModule = (file: string): ReturnType<NextLoad> => ({ format: 'module', source: readFileSync(file), shortCircuit: true });

/**
 * `nextLoad` with the ES module files it would read (a project's TypeScript among them, which tsx then
 * transpiles) read synchronously instead. Node 20's own load step reads through fs/promises: an open, an
 * fstat, a read and a close, each a trip to libuv's thread pool and back to the loader thread, which has
 * nothing else to do meanwhile. A reload of 1,000 modules took 1,150 ms that way, 970 ms this way (Node
 * 20, 2 cores). A module imported with attributes (`with { type: 'json' }`), CommonJS and anything not a
 * file go on to `nextLoad`, which checks and reads them as node does.
 */
export function readingSynchronously(nextLoad: NextLoad): NextLoad {
  return (url, context) => {
    const plain = context?.format === 'module' && Object.keys(context.importAttributes ?? {}).length === 0;
    const file = plain ? moduleFile(url) : null;
    return file === null ? nextLoad(url, context) : esModule(file);
  };
}

/**
 * Loads an ES module of an installed package as node would, without tsx: tsx rewrites each module with a
 * dynamic `import(` and makes a source map of it (a fix for TypeScript compiled to CommonJS, which
 * packages already have), and that took Vite's import from 0.13 s to 0.58 s and 73 to 245 MiB. Everything
 * else (the project's files, TypeScript anywhere, JSON, CommonJS) goes on to tsx.
 */
export const load: LoadHook = (url, context, nextLoad) => {
  const file = context.format === 'module' && PACKAGE_JAVASCRIPT.test(url) ? moduleFile(url) : null;
  return file === null ? nextLoad(url, context) : esModule(file);
};
