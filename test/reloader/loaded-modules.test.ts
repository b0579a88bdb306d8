// What a server process tells the supervisor it loaded: each file once, with its modification time, the
// packages the project imports, none of gwi's own files, and in time (before a module is evaluated).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LoadedModules, type ModulesReport } from '../../src/reloader/loaded-modules.js';
import { GWI_ROOT } from '../../src/version.js';

let dir: string;
let reports: ModulesReport[];
let modules: LoadedModules;
const url = (file: string): string => pathToFileURL(file).href;

function touch(relative: string): string {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '');
  return file;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gwi-loaded-'));
  reports = [];
  modules = new LoadedModules((report) => reports.push(report), true);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('LoadedModules', () => {
  it('reports each file once, with its modification time, and the packages the project imports', async () => {
    const settings = touch('mysite/settings.ts');
    const views = touch('mysite/views.ts');
    const pkg = touch('node_modules/pkg/index.js');
    const inner = touch('node_modules/pkg/inner.js');
    modules.resolved(url(settings), undefined);
    modules.resolved(url(views), url(settings));
    modules.resolved(`${url(pkg)}?v=1`, url(views));
    modules.resolved(url(inner), url(pkg));
    modules.resolved(url(views), url(settings));
    await Promise.resolve();
    expect(reports).toEqual([
      {
        files: [settings, views, pkg, inner].map((file) => [file, statSync(file).mtimeMs]),
        dependencies: [`${url(pkg)}?v=1`],
      },
    ]);
  });

  it("leaves out gwi's own files and what is not a file", async () => {
    modules.resolved(url(path.join(GWI_ROOT, 'dist', 'index.js')), undefined);
    modules.resolved('node:fs', undefined);
    modules.resolved('data:text/javascript,0', undefined);
    modules.flush();
    await Promise.resolve();
    expect(reports).toEqual([]);
  });

  it('reports before the event loop turns, with in-thread hooks (evaluation may follow without one)', async () => {
    const views = touch('mysite/views.ts');
    modules.resolved(url(views), undefined);
    expect(reports).toEqual([]);
    await Promise.resolve();
    expect(reports).toEqual([{ files: [[views, statSync(views).mtimeMs]], dependencies: [] }]);
    modules.flush();
    expect(reports).toHaveLength(1);
  });

  it('batches a turn of the event loop when the loader thread tells (a message each)', async () => {
    modules = new LoadedModules((report) => reports.push(report), false);
    const files = [touch('mysite/settings.ts'), touch('mysite/views.ts')];
    modules.resolved(url(files[0] as string), undefined);
    await Promise.resolve();
    modules.resolved(url(files[1] as string), url(files[0] as string));
    await Promise.resolve();
    expect(reports).toEqual([]);
    await new Promise(setImmediate);
    expect(reports).toEqual([{ files: files.map((file) => [file, statSync(file).mtimeMs]), dependencies: [] }]);
  });

  it('reports what is pending at once when flushed, and not again', async () => {
    const views = touch('mysite/views.ts');
    modules.resolved(url(views), undefined);
    modules.flush();
    expect(reports).toHaveLength(1);
    await Promise.resolve();
    expect(reports).toHaveLength(1);
  });
});
