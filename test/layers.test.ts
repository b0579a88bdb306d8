// The structure of src/ as DESIGN.md draws it, read from the code itself: every import (value, type or
// dynamic) points down the layers gateway < log < server | framework < runserver < reloader < cli, server
// and framework never import each other, no module takes part in an import cycle, and no file is over
// 450 lines.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Each top-level folder's rank; the files at the top of src/ (version.ts) rank with the gateway. */
const RANK: Readonly<Record<string, number>> = {
  gateway: 0,
  log: 1,
  server: 2,
  framework: 2,
  runserver: 3,
  reloader: 4,
  cli: 5,
};
/** The public entries (the package's index and gwi/test) re-export every layer. */
const ANY_LAYER = new Set(['index.ts', 'test.ts']);
const MAX_LINES = 450;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return entry.name.endsWith('.ts') ? [path.relative(SRC, file)] : [];
  });
}

// `import … from`, `export … from`, `import type … from`, a bare `import '…'` and `import('…')`.
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The modules of src/ a file imports, as paths relative to src/. */
function importsOf(file: string, text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (!specifier?.startsWith('.')) continue;
    found.add(path.relative(SRC, path.resolve(SRC, path.dirname(file), specifier)).replace(/\.js$/, '.ts'));
  }
  return [...found];
}

function layerOf(file: string): string {
  return file.includes(path.sep) ? (file.split(path.sep)[0] as string) : 'gateway';
}

const files = sourceFiles(SRC);
const texts = new Map(files.map((file) => [file, readFileSync(path.join(SRC, file), 'utf8')]));
const graph = new Map(files.map((file) => [file, importsOf(file, texts.get(file) as string)]));

/** Strongly connected components of more than one module, or a module importing itself (Tarjan). */
function cycles(): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file) as number, index.get(next) as number));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)?.includes(file)) found.push(component.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return found;
}

describe('the layers of src/', () => {
  it('finds the modules and their imports', () => {
    // The reader works: a known import is seen (else every rule below would pass on nothing).
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get(path.join('server', 'run.ts'))).toContain(path.join('server', 'gwi-server.ts'));
    expect(importsOf(path.join('cli', 'x.ts'), "import type { A } from '../runserver/options.js';\nconst m = import('./y.js');")).toEqual([
      path.join('runserver', 'options.ts'),
      path.join('cli', 'y.ts'),
    ]);
  });

  it('has every folder of src/ in the layer order', () => {
    const folders = new Set(files.filter((file) => file.includes(path.sep)).map(layerOf));
    expect([...folders].filter((folder) => !(folder in RANK))).toEqual([]);
  });

  it('imports only down the layers, and server and framework never import each other', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      if (ANY_LAYER.has(file)) continue;
      const from = layerOf(file);
      for (const target of imports) {
        const to = layerOf(target);
        const sideways = from !== to && RANK[from] === RANK[to];
        if ((RANK[to] as number) > (RANK[from] as number) || sideways) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import cycle (value, type or dynamic imports)', () => {
    expect(cycles()).toEqual([]);
  });

  it(`has no file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((file) => [file, (texts.get(file) as string).split('\n').length - 1] as const)
      .filter(([, lines]) => lines > MAX_LINES)
      .map(([file, lines]) => `${file}: ${lines}`);
    expect(long).toEqual([]);
  });
});
