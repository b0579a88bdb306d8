// What a served project's process loads, and how. gwi's module hooks: an installed package's JavaScript is
// loaded exactly as node loads it (tsx, which rewrites every dynamic import( and maps it, never sees it),
// while the project's own modules still go through tsx. Vite's import under tsx took 4× the time and 3×
// the memory. Node's built-in modules: an ES import of node:http builds its module facade, which reads
// every export, and on Node >= 22 one of them loads undici, ~35 ms of every start-up (nodejs/node#57649):
// gwi takes node:http through process.getBuiltinModule instead, and node:cluster and node:zlib (~5 ms) only
// where they are used (toNodeListener, compressed signed values).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readingSynchronously, type NextLoad } from '../../src/runserver/module-hooks.js';
import { buildIfStale } from '../cli/gwi-process.js';
import { httpText } from '../helpers/http.js';
import { copyReloaderProject, killEverything, runserver, type ProjectCopy } from '../reloader/processes.js';

let project: ProjectCopy;

beforeAll(() => buildIfStale(), 120_000);
beforeEach(() => {
  project = copyReloaderProject();
});
afterEach(async () => {
  await killEverything();
  project.remove();
});

describe("gwi's module hooks", () => {
  it("load a package's ES modules untouched, and the project's through tsx", async () => {
    project.write('node_modules/lazy-package/package.json', JSON.stringify({ name: 'lazy-package', type: 'module', exports: './index.js' }));
    project.write('node_modules/lazy-package/index.js', "export const later = () => import('./other.js');\n");
    project.write('node_modules/lazy-package/other.js', 'export const other = 1;\n');
    project.write(
      'mysite/views.ts',
      "import { JsonResponse } from 'gwi';\nimport { later } from 'lazy-package';\n" +
        "const own = () => import('./urls.js');\n" +
        'export const index = async () => new JsonResponse({ package: later.toString(), own: own.toString(), other: (await later()).other });\n',
    );
    const gwi = runserver(project.dir, ['0', '--noreload']);
    const port = await gwi.started();
    const answer = JSON.parse((await httpText(port, '/')).body) as { package: string; own: string; other: number };
    expect(answer).toMatchObject({ package: "() => import('./other.js')", other: 1 });
    // tsx's rewrite, still on the project's own modules (so the package's answer above says something).
    expect(answer.own).toMatch(/^\(\)=>import\("\.\/urls\.js"\)\.then\(/);
  }, 30_000);

  it('run tsx where node runs hooks: on the loader thread, esbuild is not loaded in the main thread, and stacks point into the TypeScript', async () => {
    project.write(
      'mysite/views.ts',
      "import { createRequire } from 'node:module';\nimport { JsonResponse } from 'gwi';\n" +
        'interface Shape {\n  a: number;\n  b: string;\n}\n' +
        'export const index = () => {\n' +
        "  const esbuild = Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/esbuild/lib/main.js'));\n" +
        "  return new JsonResponse({ esbuild, stack: new Error('here').stack });\n" +
        '};\n',
    );
    const gwi = runserver(project.dir, ['0', '--noreload']);
    const port = await gwi.started();
    const answer = JSON.parse((await httpText(port, '/')).body) as { esbuild: boolean; stack: string };
    // Where node has in-thread hooks, tsx transpiles in the main thread (and needs esbuild there).
    expect(answer.esbuild).toBe('registerHooks' in nodeModule);
    // Line 9 of the TypeScript: the interface's lines are gone from the JavaScript that runs.
    expect(answer.stack).toMatch(/\/mysite\/views\.ts:9:\d+\)/);
  }, 30_000);
});

describe("a server process's built-in modules", () => {
  it('leave out undici, node:cluster and node:zlib: a served request, its response and the reloader need none of them', async () => {
    project.write(
      'mysite/views.ts',
      "import { JsonResponse } from 'gwi';\n" +
        'const loaded = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;\n' +
        'export const index = () =>\n' +
        "  new JsonResponse({ left: loaded.filter((name) => /undici|NativeModule (cluster|zlib)$/.test(name)), http: loaded.includes('NativeModule http') });\n",
    );
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    const answer = JSON.parse((await httpText(port, '/')).body) as { left: string[]; http: boolean };
    // node:http itself is loaded (it serves), so the list says something.
    expect(answer).toEqual({ left: [], http: true });
  }, 30_000);
});

describe('readingSynchronously (the next load step on Node 20\'s loader thread)', () => {
  type Context = Parameters<NextLoad>[1];
  const asked: string[] = [];
  const next = readingSynchronously((url) => {
    asked.push(url);
    return { format: 'builtin', shortCircuit: true };
  });
  let dir: string;
  beforeEach(() => {
    asked.length = 0;
    dir = mkdtempSync(path.join(os.tmpdir(), 'gwi-read-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reads an ES module's file itself, its query and fragment left out", () => {
    const file = path.join(dir, 'views.ts');
    writeFileSync(file, 'export const é = 1;\n');
    const url = `${pathToFileURL(file).href}?v=2#top`;
    const loaded = next(url, { format: 'module', importAttributes: {}, conditions: [] } as Context) as nodeModule.LoadFnOutput;
    expect(loaded).toEqual({ format: 'module', source: Buffer.from('export const é = 1;\n'), shortCircuit: true });
    expect(asked).toEqual([]);
  });

  it('leaves to node a module imported with attributes, CommonJS, JSON, and what is not a file', () => {
    const file = pathToFileURL(path.join(dir, 'data.json')).href;
    next(file, { format: 'json', importAttributes: { type: 'json' }, conditions: [] } as Context);
    next(file, { format: 'module', importAttributes: { type: 'json' }, conditions: [] } as Context);
    next(pathToFileURL(path.join(dir, 'old.cjs')).href, { format: 'commonjs', importAttributes: {}, conditions: [] } as Context);
    next('data:text/javascript,export default 1', { format: 'module', importAttributes: {}, conditions: [] } as Context);
    expect(asked).toHaveLength(4);
  });

  it('fails as node does for a file that is gone', () => {
    const url = pathToFileURL(path.join(dir, 'gone.ts')).href;
    expect(() => next(url, { format: 'module', importAttributes: {}, conditions: [] } as Context)).toThrow(/ENOENT: no such file or directory, open '.*gone\.ts'/);
  });
});
