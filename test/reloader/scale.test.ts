// The reloader at scale, black-box: the packages a project imports are imported ahead by the standby (the
// project's own modules never are), a change to the packages loads them anew, a file is watched once a
// module imports it, and the files the project never loads (20,000 of them) are not watched at all.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale, type GwiProcess } from '../cli/gwi-process.js';
import { httpText } from '../helpers/http.js';
import { copyReloaderProject, isRunning, killEverything, runserver, serverProcesses, waitUntil, type ProjectCopy } from './processes.js';

let project: ProjectCopy;

beforeAll(() => buildIfStale(), 120_000);

beforeEach(() => {
  project = copyReloaderProject();
  // A package that takes a while to import, and says when it was imported, and by which process.
  project.write('node_modules/slow-package/package.json', JSON.stringify({ name: 'slow-package', type: 'module', exports: './index.js' }));
  writeSlowPackage('one');
  writeView('v0');
});

afterEach(async () => {
  await killEverything();
  project.remove();
});


function writeSlowPackage(flavour: string, importMs = 300): void {
  project.write(
    'node_modules/slow-package/index.js',
    `await new Promise((resolve) => setTimeout(resolve, ${importMs}));\nexport const importedAt = Date.now();\nexport const flavour = '${flavour}';\n`,
  );
}

/** views.ts answering JSON: its own version, and what the package says. */
function writeView(version: string, extraImport = ''): void {
  project.write(
    'mysite/views.ts',
    "import { JsonResponse } from 'gwi';\nimport { flavour, importedAt } from 'slow-package';\n" +
      extraImport +
      `\nexport const index = () => new JsonResponse({ version: ${extraImport ? 'EXTRA' : `'${version}'`}, importedAt, flavour, pid: process.pid });\n`,
  );
}

interface Answer {
  version: string;
  importedAt: number;
  flavour: string;
  pid: number;
}

async function answer(port: number): Promise<Answer> {
  return JSON.parse((await httpText(port, '/')).body) as Answer;
}

/** The answer once its version is `version` (a reload done). */
async function served(port: number, version: string): Promise<Answer> {
  let last: Answer | null = null;
  expect(await waitUntil(async () => (last = await answer(port)).version === version, 10_000)).toBe(true);
  return last as unknown as Answer;
}

const BANNER = /Starting development server/g;
const banners = (gwi: GwiProcess): number => gwi.stdout.match(BANNER)?.length ?? 0;

/** The inotify watches a process holds (one per watched file or folder), from /proc. */
function inotifyWatches(pid: number): number {
  let count = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target = '';
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (target !== 'anon_inode:inotify') continue;
    count += readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').filter((line) => line.startsWith('inotify wd:')).length;
  }
  return count;
}

/** Once the standby is up, it has time to import the project's packages. */
async function standbyReady(gwi: GwiProcess): Promise<void> {
  expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);
  await sleep(1500);
}

describe('gwi runserver at scale', () => {
  it("a package the project imports is imported ahead by the standby; the project's own modules are fresh", async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    const first = await answer(port);
    await standbyReady(gwi);
    const saved = Date.now();
    writeView('v1');
    const next = await served(port, 'v1');
    // Another process, whose package was imported before the save; the view is the new one.
    expect(next.pid).not.toBe(first.pid);
    expect(next.importedAt).toBeLessThan(saved);
  }, 30_000);

  it('a change to package.json or to a package loads the packages anew, in a fresh process', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    await standbyReady(gwi);
    let saved = Date.now();
    project.write('package.json', `${readFileSync(path.join(project.dir, 'package.json'), 'utf8')}\n`);
    writeView('v1');
    expect((await served(port, 'v1')).importedAt).toBeGreaterThan(saved);

    await standbyReady(gwi);
    saved = Date.now();
    writeSlowPackage('two');
    expect(await waitUntil(async () => (await answer(port)).flavour === 'two', 10_000)).toBe(true);
    expect((await answer(port)).importedAt).toBeGreaterThan(saved);
  }, 40_000);

  it('a standby is ready once it has imported the packages: a save made before counts as a quick one, and two standbys follow', async () => {
    writeSlowPackage('one', 3000);
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    await served(port, 'v0');
    // The standby is up (warmed up) well before this, and still importing the package.
    expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);
    const [first] = serverProcesses(gwi) as [number];
    await sleep(1500);
    writeView('v1');
    await served(port, 'v1');
    // The save had to wait for the standby: saves come faster than one gets ready, so two wait now
    // beside the serving process (once the one that served v0 is gone).
    expect(await waitUntil(() => !isRunning(first))).toBe(true);
    expect(await waitUntil(() => serverProcesses(gwi).length === 3, 15_000)).toBe(true);
  }, 40_000);

  it('a save made after the load read the file but before the watch is on is still seen', async () => {
    const gwi = runserver(project.dir, ['0']);
    // The supervisor, held as soon as its first server process begins to load (it says so before it
    // imports the project's modules): that process goes on, and its banner comes out (the same stdout),
    // while the supervisor has not yet heard what it loaded, nor started to watch anything.
    await gwi.waitFor(/Watching for file changes/, 'stderr');
    gwi.child.kill('SIGSTOP');
    try {
      expect(await waitUntil(() => banners(gwi) === 1, 10_000)).toBe(true);
      writeView('v1');
    } finally {
      gwi.child.kill('SIGCONT');
    }
    const port = await gwi.started();
    await served(port, 'v1');
  }, 30_000);

  it('a file is watched once a module imports it, not before', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    await served(port, 'v0');
    project.write('mysite/extra.ts', "export const EXTRA = 'extra 1';\n");
    await sleep(800);
    expect(banners(gwi)).toBe(1);
    writeView('', "import { EXTRA } from './extra.js';\n");
    await served(port, 'extra 1');
    project.write('mysite/extra.ts', "export const EXTRA = 'extra 2';\n");
    await served(port, 'extra 2');
  }, 30_000);

  it('20,000 files the project never loads are not watched, and a change to one reloads nothing', async () => {
    for (let folder = 0; folder < 20; folder++) {
      for (let file = 0; file < 1000; file++) project.write(`data/${folder}/${file}.json`, '{}');
    }
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    await served(port, 'v0');
    // Its files' folders, the package's files, the project's configuration files: not 20,000.
    expect(await waitUntil(() => inotifyWatches(gwi.child.pid as number) > 0)).toBe(true);
    expect(inotifyWatches(gwi.child.pid as number)).toBeLessThan(40);
    project.write('data/3/7.json', '{ "changed": true }');
    await sleep(800);
    expect(banners(gwi)).toBe(1);
    writeView('v1');
    await served(port, 'v1');
  }, 60_000);
});
