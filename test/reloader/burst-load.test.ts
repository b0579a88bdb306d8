// A save's load begins at the first change of its burst of saves, in a standby whose reads can wait (on
// Node 20's loader thread for the supervisor's word, in the importing thread on newer Node until the file
// is quiet): the project's other modules are imported while the saves go on, each file changed in the
// burst once it is over, and a load that read a file changed later in the burst is not served. A
// CommonJS project's reads cannot wait: its load begins after the burst. Black-box: the real CLI, real
// saves, the modules saying when they were imported.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEBOUNCE_MS } from '../../src/reloader/watch.js';
import { buildIfStale, type GwiProcess } from '../cli/gwi-process.js';
import { httpText } from '../helpers/http.js';
import { copyReloaderProject, killEverything, runserver, serverProcesses, waitUntil, type ProjectCopy } from './processes.js';

let project: ProjectCopy;

beforeAll(() => buildIfStale(), 120_000);

beforeEach(() => {
  project = copyReloaderProject();
  writeConfig('c0');
  // Each load imports the settings first (and the config with them): they say when, on stderr.
  project.write(
    'mysite/settings.ts',
    "import { defineSettings } from 'gwi';\nimport { NAME } from './config.js';\n\n" +
      'console.error(`SETTINGS ${Date.now()} ${NAME}`);\n\n' +
      "export default defineSettings({ DEBUG: true, SECRET_KEY: 'not-secret', ALLOWED_HOSTS: [], ROOT_URLCONF: 'mysite/urls' });\n",
  );
  writeView('v0');
});

afterEach(async () => {
  await killEverything();
  project.remove();
});

function writeConfig(name: string): void {
  project.write('mysite/config.ts', `export const NAME = '${name}';\n`);
}

/** views.ts answering its version and the config's name; it says when it was imported. */
function writeView(version: string): void {
  project.write(
    'mysite/views.ts',
    "import { HttpResponse } from 'gwi';\nimport { NAME } from './config.js';\n\n" +
      `export const VERSION = '${version}';\n` +
      'console.error(`VIEWS ${Date.now()} ${VERSION}`);\n\n' +
      'export function index(): HttpResponse {\n' +
      "  return new HttpResponse(`${VERSION} ${NAME}\\n`, { contentType: 'text/plain; charset=utf-8' });\n" +
      '}\n',
  );
}

/** The times (ms since the epoch) of the `kind` lines on stderr, from the `from`th on. */
function imports(gwi: GwiProcess, kind: 'SETTINGS' | 'VIEWS', from = 0): number[] {
  return [...gwi.stderr.matchAll(new RegExp(`^${kind} (\\d+) `, 'gm'))].slice(from).map((match) => Number(match[1]));
}

/** Started, serving, and a standby up beside it (warmed up). */
async function started(): Promise<{ gwi: GwiProcess; port: number }> {
  const gwi = runserver(project.dir, ['0']);
  const port = await gwi.started();
  expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);
  // A standby is up ~0.5 s after it starts on 2 cores (a save before that is loaded after its burst).
  await sleep(1500);
  return { gwi, port };
}

/**
 * Saves views.ts every 5 ms until `stop()` (and `during`, if given, once partway): a burst, as long as no
 * gap between two saves reaches the quiet time (false when one did: a busy machine held this process up).
 */
function burst(): { stop: () => Promise<{ last: string; lastSaved: number; whole: boolean }> } {
  let going = true;
  let version = '';
  let lastSaved = 0;
  let widestGap = 0;
  const saving = (async () => {
    for (let i = 1; going; i++) {
      version = `b${i}`;
      writeView(version);
      const now = Date.now();
      if (lastSaved > 0) widestGap = Math.max(widestGap, now - lastSaved);
      lastSaved = now;
      await sleep(5);
    }
  })();
  return {
    stop: async () => {
      going = false;
      await saving;
      return { last: version, lastSaved, whole: widestGap < DEBOUNCE_MS };
    },
  };
}

describe('gwi runserver: a load begun in a burst of saves', () => {
  it('imports what did not change while the saves go on, the saved file once they end, once', async () => {
    const { gwi, port } = await started();
    for (let attempt = 1; ; attempt++) {
      const [settingsBefore, viewsBefore] = [imports(gwi, 'SETTINGS').length, imports(gwi, 'VIEWS').length];
      const saves = burst();
      await sleep(300);
      const { last, lastSaved, whole } = await saves.stop();
      expect(await waitUntil(async () => (await httpText(port, '/')).body === `${last} c0\n`)).toBe(true);
      await sleep(300);
      if (!whole) {
        expect(attempt, 'saves meant 5 ms apart came a quiet time apart').toBeLessThan(4);
        // The next standby up again.
        await sleep(1500);
        continue;
      }
      // One load for the burst: its settings imported during it, its view after the last save.
      const settings = imports(gwi, 'SETTINGS', settingsBefore);
      const views = imports(gwi, 'VIEWS', viewsBefore);
      expect(settings).toHaveLength(1);
      expect(views).toHaveLength(1);
      expect(settings[0]).toBeLessThan(lastSaved);
      expect(views[0]).toBeGreaterThanOrEqual(lastSaved);
      break;
    }
  }, 40_000);

  it('a file it read before the burst changed it is loaded again: the new code is served, never the mix', async () => {
    const { gwi, port } = await started();
    for (let attempt = 1; ; attempt++) {
      const settingsBefore = imports(gwi, 'SETTINGS').length;
      const saves = burst();
      // The load under way has imported the settings, and the config with them...
      expect(await waitUntil(() => imports(gwi, 'SETTINGS', settingsBefore).length >= 1)).toBe(true);
      // ...and the config changes, in the same burst.
      const name = `c${attempt}`;
      writeConfig(name);
      await sleep(100);
      const { last, whole } = await saves.stop();
      expect(await waitUntil(async () => (await httpText(port, '/')).body === `${last} ${name}\n`)).toBe(true);
      // The stale load was not served: every answer since has the new config.
      for (let i = 0; i < 5; i++) expect((await httpText(port, '/')).body).toBe(`${last} ${name}\n`);
      if (!whole) {
        expect(attempt, 'saves meant 5 ms apart came a quiet time apart').toBeLessThan(4);
        await sleep(1500);
        continue;
      }
      // The load begun in the burst, then the one after it.
      expect(imports(gwi, 'SETTINGS', settingsBefore)).toHaveLength(2);
      break;
    }
  }, 40_000);

  it("in a CommonJS project, whose require() reads past the module hooks, begins after the burst", async () => {
    project.write('package.json', JSON.stringify({ name: 'commonjs-project', private: true, gwi: { settings: 'mysite/settings' } }));
    const { gwi, port } = await started();
    for (let attempt = 1; ; attempt++) {
      const settingsBefore = imports(gwi, 'SETTINGS').length;
      const saves = burst();
      await sleep(300);
      const { last, lastSaved, whole } = await saves.stop();
      expect(await waitUntil(async () => (await httpText(port, '/')).body === `${last} c0\n`)).toBe(true);
      if (!whole) {
        expect(attempt, 'saves meant 5 ms apart came a quiet time apart').toBeLessThan(4);
        await sleep(1500);
        continue;
      }
      const settings = imports(gwi, 'SETTINGS', settingsBefore);
      expect(settings).toHaveLength(1);
      expect(settings[0]).toBeGreaterThanOrEqual(lastSaved);
      break;
    }
  }, 40_000);
});
