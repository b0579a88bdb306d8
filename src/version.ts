// Where this gwi is installed and which version it is: the nearest package.json named gwi above this
// module (src/, dist/ or a chunk of it), read once.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function findPackage(): { root: string; version: string } {
  let dir = new URL('./', import.meta.url);
  for (;;) {
    const manifest = new URL('package.json', dir);
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'gwi' && parsed.version) return { root: fileURLToPath(dir).replace(/[\\/]$/, ''), version: parsed.version };
    }
    const parent = new URL('../', dir);
    if (parent.href === dir.href) throw new Error('gwi: cannot find its own package.json');
    dir = parent;
  }
}

const found = findPackage();

export const VERSION: string = found.version;

/** The folder of gwi's own package.json: its bin/, templates/, src/ or dist/ are found from here. */
export const GWI_ROOT: string = found.root;
