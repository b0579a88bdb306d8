// A CommonJS project: its package.json does not say "type": "module" (node's default). tsx compiles its
// TypeScript to require() calls, as the tsx command does; `gwi` is the gwi that runs it (one copy, its
// classes and settings), its default exports are read through module.exports, and a file that only a
// require() loaded is watched.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale } from '../cli/gwi-process.js';
import { httpText } from '../helpers/http.js';
import { copyReloaderProject, killEverything, runserver, waitUntil, type ProjectCopy } from './processes.js';

let project: ProjectCopy;

beforeAll(() => buildIfStale(), 120_000);

beforeEach(() => {
  project = copyReloaderProject();
  project.write('package.json', JSON.stringify({ name: 'commonjs-project', private: true, gwi: { settings: 'mysite/settings' } }));
  project.write(
    'mysite/views.ts',
    "import { HttpResponse } from 'gwi';\nimport { word } from './helper';\n\n" +
      'export function index(): HttpResponse {\n' +
      "  return new HttpResponse(`${word} ${typeof require} ${typeof module}\\n`, { contentType: 'text/plain; charset=utf-8' });\n" +
      '}\n',
  );
  writeHelper('one');
});

afterEach(async () => {
  await killEverything();
  project.remove();
});

function writeHelper(word: string): void {
  project.write('mysite/helper.ts', `export const word: string = '${word}';\n`);
}

describe('a CommonJS project', () => {
  it('is served as CommonJS, with the settings of its default export and the URL patterns of its gwi', async () => {
    const gwi = runserver(project.dir, ['0', '--noreload']);
    const port = await gwi.started();
    // require and module: the views module is CommonJS. The settings' ROOT_URLCONF routed the request,
    // through path() objects that the serving gwi recognises as its own.
    expect(await httpText(port, '/')).toMatchObject({ status: 200, body: 'one function object\n' });
  }, 30_000);

  it('reloads when a file that only a require() loaded is saved', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    expect((await httpText(port, '/')).body).toBe('one function object\n');
    writeHelper('two');
    expect(await waitUntil(async () => (await httpText(port, '/')).body === 'two function object\n', 10_000)).toBe(true);
    expect(gwi.stderr).toMatch(/helper\.ts changed, reloading./);
  }, 30_000);
});
