// gwi's own version, read once from the nearest package.json above this module (src/, dist/ or a chunk of it).
import { existsSync, readFileSync } from 'node:fs';

function readVersion(): string {
  let dir = new URL('./', import.meta.url);
  for (;;) {
    const manifest = new URL('package.json', dir);
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (parsed.name === 'gwi' && parsed.version) return parsed.version;
    }
    const parent = new URL('../', dir);
    if (parent.href === dir.href) throw new Error('gwi: cannot find its own package.json');
    dir = parent;
  }
}

export const VERSION: string = readVersion();
