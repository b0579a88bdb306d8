// Finding a static file (Django's staticfiles finders): the request path checked segment by segment,
// then looked up in each of STATICFILES_DIRS, never leaving them.
import { realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';

/**
 * The path segments of a URL path below STATIC_URL, or null when it must not be served: `..`
 * (also sent as %2e%2e), a NUL byte, a backslash (a separator on Windows), or an absolute path
 * (a second leading slash, or a drive). Empty and `.` segments are dropped, as normpath does.
 */
export function safeSegments(relative: string): string[] | null {
  if (relative.includes('\0') || relative.includes('\\')) return null;
  if (relative.startsWith('/') || path.isAbsolute(relative)) return null;
  const segments = relative.split('/').filter((segment) => segment !== '' && segment !== '.');
  return segments.includes('..') ? null : segments;
}

function inside(root: string, target: string): boolean {
  return target === root || target.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** A file found under one of the roots. */
export interface StaticFile {
  /** The file itself, symbolic links resolved: what is opened, so it is the file that was checked. */
  path: string;
  /** The name as requested: it gives the Content-Type and the Content-Disposition file name. */
  name: string;
  stats: Stats;
}

/**
 * Finds `relative` in the first root that has it (Django's FileSystemFinder). Symbolic links are
 * followed only while they stay inside their root. 'directory' when it names a folder.
 */
export async function findStaticFile(relative: string, roots: readonly string[]): Promise<StaticFile | 'directory' | null> {
  const segments = safeSegments(relative);
  if (segments === null) return null;
  for (const root of roots) {
    const candidate = path.join(root, ...segments);
    let real: string;
    let stats: Stats;
    try {
      real = await realpath(candidate);
      if (!inside(await realpath(root), real)) continue;
      stats = await stat(real);
    } catch {
      // Missing here (or gone since): the next root may have it.
      continue;
    }
    if (stats.isDirectory()) return 'directory';
    if (stats.isFile()) return { path: real, name: path.basename(candidate), stats };
  }
  return null;
}
