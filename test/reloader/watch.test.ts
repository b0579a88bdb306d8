// The reloader's watcher: what it leaves alone, what it says about the system's limits, and one
// reload per burst of saves (in-process, on a temporary folder).
import { chmodSync, cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_GRACE_MS, DEFAULT_LOAD_TIMEOUT_MS, graceMs, loadTimeoutMs } from '../../src/reloader/protocol.js';
import { DEBOUNCE_MS, isIgnored, ProjectWatcher, watchErrorMessage } from '../../src/reloader/watch.js';

const ROOT = '/home/ada/build/mysite';
const DIRECTORY = { isDirectory: () => true } as Stats;
const FILE = { isDirectory: () => false } as Stats;

describe('isIgnored', () => {
  it.each([
    ['node_modules/pkg/index.js', undefined, true],
    ['mysite/node_modules', undefined, true],
    ['dist/index.js', undefined, true],
    ['build', DIRECTORY, true],
    ['coverage/lcov.info', undefined, true],
    ['out/x.js', undefined, true],
    ['.git/HEAD', undefined, true],
    ['.git', DIRECTORY, true],
    ['.cache/tsx/x', undefined, true],
    ['mysite/.vscode', DIRECTORY, true],
    ['server.log', FILE, true],
    ['db.sqlite3', undefined, true],
    ['db.sqlite3-journal', undefined, true],
    ['mysite/views.ts', FILE, false],
    ['mysite', DIRECTORY, false],
    ['.env', undefined, false],
    ['.env', FILE, false],
    ['mysite/templates/index.html', FILE, false],
    ['package.json', FILE, false],
  ])('%s (%o) → %s', (relative, stats, ignored) => {
    expect(isIgnored(ROOT, path.join(ROOT, relative), stats)).toBe(ignored);
  });

  it('looks only below the project root (which may be in a folder called build)', () => {
    expect(isIgnored(ROOT, ROOT, DIRECTORY)).toBe(false);
    expect(isIgnored(ROOT, path.join(ROOT, 'mysite', 'urls.ts'))).toBe(false);
  });
});

describe('watchErrorMessage', () => {
  const error = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: oops`), { code });

  it('ENOSPC: the inotify limit and how to raise it', () => {
    const message = watchErrorMessage(error('ENOSPC'), ROOT);
    expect(message).toContain('the system limit for file watchers was reached (ENOSPC)');
    expect(message).toContain('sudo sysctl fs.inotify.max_user_watches=524288');
    expect(message).toContain('CHOKIDAR_USEPOLLING=1');
  });

  it('EMFILE: the open files limit', () => {
    expect(watchErrorMessage(error('EMFILE'), ROOT)).toContain('ulimit -n');
  });

  it('anything else: the error itself', () => {
    expect(watchErrorMessage(error('EACCES'), ROOT)).toBe(`Error while watching ${ROOT} for changes: EACCES: oops\n`);
  });
});

describe('graceMs', () => {
  it.each([
    [undefined, DEFAULT_GRACE_MS],
    ['', DEFAULT_GRACE_MS],
    ['300', 300],
    ['0', 0],
    ['-1', DEFAULT_GRACE_MS],
    ['soon', DEFAULT_GRACE_MS],
  ])('GWI_RELOAD_GRACE_MS=%s → %i', (value, expected) => {
    expect(graceMs(value === undefined ? {} : { GWI_RELOAD_GRACE_MS: value })).toBe(expected);
  });
});

describe('loadTimeoutMs', () => {
  it.each([
    [undefined, DEFAULT_LOAD_TIMEOUT_MS],
    ['2000', 2000],
    ['0', DEFAULT_LOAD_TIMEOUT_MS],
    ['soon', DEFAULT_LOAD_TIMEOUT_MS],
  ])('GWI_LOAD_TIMEOUT_MS=%s → %i', (value, expected) => {
    expect(loadTimeoutMs(value === undefined ? {} : { GWI_LOAD_TIMEOUT_MS: value })).toBe(expected);
  });
});

describe('ProjectWatcher', () => {
  let root: string;
  let watcher: ProjectWatcher | null;
  const batches: string[][] = [];

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'gwi-watch-'));
    for (const dir of ['mysite', 'node_modules/pkg', '.git']) mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, 'mysite', 'views.ts'), 'v0');
    batches.length = 0;
  });

  afterEach(async () => {
    await watcher?.close();
    watcher = null;
    rmSync(root, { recursive: true, force: true });
  });

  async function watching(): Promise<ProjectWatcher> {
    const started = new ProjectWatcher(root, [root], { onChange: (paths) => batches.push(paths), env: {} });
    // The initial scan of a folder this small is done well within this.
    await sleep(150);
    return started;
  }

  it('reports a burst of saves 15 ms apart, across files, once', async () => {
    watcher = await watching();
    for (let i = 1; i <= 5; i++) {
      writeFileSync(path.join(root, 'mysite', 'views.ts'), `v${i}`);
      if (i === 3) writeFileSync(path.join(root, 'mysite', 'urls.ts'), 'urls');
      await sleep(15);
    }
    await sleep(300);
    expect(batches).toEqual([[path.join(root, 'mysite', 'views.ts'), path.join(root, 'mysite', 'urls.ts')]]);
  });

  it('reports a save once: another event on the file, as it was reported, is no change (a chmod neither)', async () => {
    watcher = await watching();
    const views = path.join(root, 'mysite', 'views.ts');
    writeFileSync(`${views}.tmp`, 'v1');
    renameSync(`${views}.tmp`, views);
    await sleep(300);
    // chokidar tells a change for any event its watch of the file sees, as it does for a save told twice.
    chmodSync(views, 0o600);
    await sleep(300);
    writeFileSync(views, 'v2');
    await sleep(300);
    expect(batches).toEqual([[views], [views]]);
  });

  it('reports a save told both by the watch and by changed() (the look for saves made before the watch began) once', async () => {
    watcher = await watching();
    const views = path.join(root, 'mysite', 'views.ts');
    writeFileSync(views, 'v1');
    await sleep(300);
    // The same save, told again after its report.
    watcher.changed([views]);
    await sleep(300);
    // A new save, told by both at once.
    writeFileSync(views, 'v2');
    watcher.changed([views]);
    await sleep(300);
    expect(batches).toEqual([[views], [views]]);
  });

  it('tells each change as it is seen, before the quiet time, and the end of every burst after its report', async () => {
    const told: string[] = [];
    watcher = new ProjectWatcher(root, [root], {
      onChange: (paths) => told.push(`changed ${paths.map((file) => path.basename(file)).join(' ')}`),
      onChanging: (file) => told.push(`changing ${path.basename(file)}`),
      onQuiet: () => told.push('quiet'),
      env: {},
    });
    await sleep(150);
    const views = path.join(root, 'mysite', 'views.ts');
    writeFileSync(views, 'v1');
    await sleep(10);
    // Seen within a few ms, while the quiet time runs.
    expect(told).toEqual(['changing views.ts']);
    await sleep(300);
    expect(told).toEqual(['changing views.ts', 'changed views.ts', 'quiet']);
    // The same save told again: no change is seen, and the burst it makes ends with nothing reported.
    told.length = 0;
    watcher.changed([views]);
    await sleep(300);
    expect(told).toEqual(['quiet']);
  });

  it('keeps a burst whole when this process is held up past the quiet time between two saves', async () => {
    watcher = await watching();
    writeFileSync(path.join(root, 'mysite', 'views.ts'), 'v1');
    // The first save is recorded and its quiet time runs...
    await sleep(10);
    // ...then the process is busy for longer than the quiet time, and a second save lands meanwhile.
    const until = performance.now() + DEBOUNCE_MS + 20;
    while (performance.now() < until);
    writeFileSync(path.join(root, 'mysite', 'urls.ts'), 'urls');
    await sleep(300);
    expect(batches).toEqual([[path.join(root, 'mysite', 'views.ts'), path.join(root, 'mysite', 'urls.ts')]]);
  });

  it('ignores dependencies, VCS and logs, and sees .env', async () => {
    watcher = await watching();
    writeFileSync(path.join(root, 'node_modules', 'pkg', 'index.js'), 'x');
    writeFileSync(path.join(root, '.git', 'HEAD'), 'x');
    writeFileSync(path.join(root, 'server.log'), 'x');
    await sleep(300);
    expect(batches).toEqual([]);
    writeFileSync(path.join(root, '.env'), 'DEBUG=1');
    await sleep(300);
    expect(batches).toEqual([[path.join(root, '.env')]]);
  });

  it('keeps watching a folder removed and re-created at once (rm -rf, then a copy): saves in it are seen', async () => {
    mkdirSync(path.join(root, 'mysite', 'pages'));
    writeFileSync(path.join(root, 'mysite', 'pages', 'page.ts'), 'p0');
    // In a dot-folder: not watched, and removed with the rest.
    const copy = path.join(root, '.pristine');
    cpSync(path.join(root, 'mysite'), copy, { recursive: true });
    watcher = await watching();
    const views = path.join(root, 'mysite', 'views.ts');
    const page = path.join(root, 'mysite', 'pages', 'page.ts');
    for (let round = 1; round <= 3; round++) {
      // chokidar alone loses the new folder every time when nothing runs between the two.
      rmSync(path.join(root, 'mysite'), { recursive: true });
      cpSync(copy, path.join(root, 'mysite'), { recursive: true });
      await sleep(300);
      // The new folder is new code: one reload (or more).
      expect(batches.length).toBeGreaterThan(0);
      batches.length = 0;
      writeFileSync(views, `v${round}`);
      writeFileSync(page, `p${round}`);
      await sleep(300);
      // One batch with both saves; two folders are two fs.watch handles, whose events may come in either order.
      expect(batches.map((batch) => [...batch].sort())).toEqual([[page, views].sort()]);
    }
  });
});
