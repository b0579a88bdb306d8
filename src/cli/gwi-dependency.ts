// The `gwi` dependency a new project's package.json gets: one that `npm install` in that project can
// fetch. A version range only where this gwi came from the registry; gwi run from a checkout, a linked
// folder or a packed tarball is named by where it is, or the new project's README would fail on a 404.
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { GWI_ROOT, VERSION } from '../version.js';

interface HiddenLockfile {
  packages?: Record<string, { resolved?: unknown } | undefined>;
}

/** The node_modules folder `dir` is installed in, or null when it is not inside one. */
function enclosingNodeModules(dir: string): string | null {
  for (let current = path.dirname(dir); current !== path.dirname(current); current = path.dirname(current)) {
    if (path.basename(current) === 'node_modules') return current;
  }
  return null;
}

/** What npm recorded as the source of the package installed at `dir` (its hidden lockfile), if anything. */
function resolvedFrom(modules: string, dir: string): string | null {
  let lockfile: HiddenLockfile;
  try {
    lockfile = JSON.parse(readFileSync(path.join(modules, '.package-lock.json'), 'utf8')) as HiddenLockfile;
  } catch {
    return null;
  }
  const key = path.relative(path.dirname(modules), dir).split(path.sep).join('/');
  const resolved = lockfile.packages?.[key]?.resolved;
  return typeof resolved === 'string' ? resolved : null;
}

/**
 * `file:<folder>` for a checkout or a folder npm linked (the real path, outside node_modules),
 * `file:<tarball>` for a package installed from a tarball, else `^<version>` (the registry; npm may leave
 * a registry package's source out of its lockfile, so an unknown source counts as the registry).
 */
export function gwiDependency(root: string = GWI_ROOT, version: string = VERSION): string {
  const real = realpathSync(root);
  const modules = enclosingNodeModules(real);
  if (modules === null) return `file:${real}`;
  const resolved = resolvedFrom(modules, real);
  if (resolved?.startsWith('file:')) return `file:${path.resolve(path.dirname(modules), resolved.slice('file:'.length))}`;
  return `^${version}`;
}
