// gwi for require(): in a CommonJS project, tsx compiles the project's `import` statements to require()
// calls. They get the gwi this process runs, and where node has no in-thread hooks (before Node 22.15,
// whose hooks see imports only), what gwi's module hooks do for an import is done for a require():
// `gwi` and `gwi/...` resolve to this installation, and each file resolved is told (the reloader
// watches what was loaded).
import Module from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ResolvedListener } from './module-hooks.js';

type ResolveFilename = (request: string, parent: Module | undefined, ...rest: unknown[]) => string;

/** node's CommonJS resolver, which tsx's require() hooks replace too (there is no public hook for it). */
const loader = Module as unknown as { _resolveFilename: ResolveFilename };

/**
 * require() of the ES module at `url` (already imported: `namespace`) gets that module. tsx's require()
 * hooks would otherwise compile it into a CommonJS copy, with its own classes and its own settings.
 */
export function shareWithRequire(url: string, namespace: object): void {
  const file = fileURLToPath(url);
  const cached = new Module(file);
  cached.filename = file;
  cached.loaded = true;
  cached.exports = namespace;
  Module.createRequire(url).cache[file] = cached;
}

/**
 * Wraps the CommonJS resolver (after tsx's). `gwi` and `gwi/...` resolve as they do from this module,
 * which is inside the gwi package (its self-reference, through its package.json "exports").
 */
export function hookRequire(resolved: ResolvedListener): void {
  const next = loader._resolveFilename;
  loader._resolveFilename = function resolveFilename(request, parent, ...rest) {
    const isGwi = request === 'gwi' || request.startsWith('gwi/');
    const file = isGwi ? fileURLToPath(import.meta.resolve(request)) : next.call(this, request, parent, ...rest);
    // Built-in modules resolve to their names.
    if (path.isAbsolute(file)) resolved(pathToFileURL(file).href, parent?.filename ? pathToFileURL(parent.filename).href : undefined);
    return file;
  };
}
