// What the supervisor watches, and what a change means. Not the whole project folder (20,000 images or
// fixtures would cost the supervisor its memory and the first response its time): the files the server
// processes loaded (through the folders they are in: a folder deleted and made again is seen), the
// static folders, and the files that decide how the project loads (package.json, the lockfiles,
// tsconfig.json, .env). Other files in those folders change nothing. Until a process has said what it
// loaded, the folder is watched whole.
import { statSync } from 'node:fs';
import path from 'node:path';
import { isDependencyFile } from '../runserver/module-hooks.js';
import type { ModulesReport } from './loaded-modules.js';
import type { ProjectWatcher, WatchOptions } from './watch.js';

/** A change to these (in the project's root) means new dependencies: no standby's imports can be kept. */
const DEPENDENCY_FILES = ['package.json', 'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb'];
/** npm rewrites this on every install, whatever changed under node_modules. */
const INSTALLED = path.join('node_modules', '.package-lock.json');
/** How long after files are added their modification times are looked at again (see #lookForMissedSaves). */
const LOOK_AFTER_MS = 200;

/** A change to these reloads, as a change to a module does (and to the env files). */
const CONFIG_FILES = ['tsconfig.json'];

/**
 * - code: a module (or a file deciding how they load) changed: reload.
 * - dependencies: a package changed (an install, a lockfile, a file under node_modules): reload with no
 *   package imported ahead.
 * - static: only files under the static folders changed (read from disk: no reload).
 */
export type ChangeKind = 'code' | 'dependencies' | 'static';

export interface WatchedFilesOptions extends Omit<WatchOptions, 'onChange' | 'onChanging'> {
  onChange: (kind: ChangeKind, paths: string[]) => void;
  /**
   * A change that will reload, as it is seen (before the quiet time; onQuiet follows the burst).
   * `holdable`: a file the server processes loaded, which a load under way can wait for (see
   * held-reads.ts); not so a package, an env or config file, or a folder.
   */
  onChanging?: (file: string, holdable: boolean) => void;
  /** The env files a load reads (the project's `.env`, or those --env-file names): a change reloads. */
  envFiles: readonly string[];
}

export class WatchedFiles {
  readonly #root: string;
  readonly #options: WatchedFilesOptions;
  /** The loaded files, and their modification times when loaded (updated as their changes are told). */
  readonly #files = new Map<string, number>();
  /** A look at the modification times is due (see #lookForMissedSaves). */
  #looking: NodeJS.Timeout | null = null;
  #staticDirs: readonly string[] = [];
  /** The whole folder is watched: every change counts. */
  #wholeFolder = false;
  #watcher: ProjectWatcher | null = null;
  #starting: Promise<void> | null = null;
  #closed = false;

  constructor(root: string, options: WatchedFilesOptions) {
    this.#root = root;
    this.#options = options;
  }

  /** Files a server process loaded, with their modification times then: watched from now on (the watcher starts with the first ones). */
  add(files: ModulesReport['files']): void {
    const added = files.filter(([file]) => !this.#files.has(file)).map(([file, mtimeMs]) => {
      this.#files.set(file, mtimeMs);
      return file;
    });
    if (added.length === 0) return;
    // A package's files are watched as they are (an install also rewrites the lockfiles); the project's
    // through their folders' own entries.
    const [dependencies, project] = [added.filter(isDependencyFile), added.filter((file) => !isDependencyFile(file))];
    if (dependencies.length > 0) void this.#watch(dependencies);
    if (project.length > 0) void this.#watch([...new Set(project.map((file) => path.dirname(file)))], true);
    this.#lookForMissedSaves();
  }

  /**
   * A file's watch begins a little after it was loaded (the watcher starts after the first load, and
   * adds a folder in a few ms): a save made in between is found by its modification time, once the
   * watch is surely on.
   */
  #lookForMissedSaves(): void {
    if (this.#looking !== null || this.#closed) return;
    this.#looking = setTimeout(() => {
      void (async () => {
        await this.#starting;
        await this.#watcher?.ready();
        this.#looking = null;
        const saved: string[] = [];
        for (const [file, mtimeMs] of this.#files) {
          const now = statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
          if (now === mtimeMs) continue;
          this.#files.set(file, now);
          saved.push(file);
        }
        // Through the watcher, which may be telling the same save: one reload.
        if (saved.length > 0 && !this.#closed) this.#watcher?.changed(saved);
      })();
    }, LOOK_AFTER_MS);
    this.#looking.unref();
  }

  /** The static folders the serving process serves (watched whole: a new file there is served at once). */
  setStaticDirs(dirs: readonly string[]): void {
    const added = dirs.filter((dir) => !this.#staticDirs.includes(dir));
    this.#staticDirs = dirs;
    if (added.length > 0) void this.#watch(added);
  }

  /** Nothing was said about what a load loaded (it looped forever, or crashed first): the whole folder. */
  watchFolder(): void {
    this.#wholeFolder = true;
    void this.#watch([this.#root]);
  }

  /** Changes are coming in that have not been reported yet (a burst of saves is under way). */
  get pending(): boolean {
    return this.#watcher?.pending ?? false;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#looking !== null) clearTimeout(this.#looking);
    await this.#starting;
    await this.#watcher?.close();
  }

  /** What the changed paths mean, the most a change must do winning. */
  kindOf(paths: readonly string[]): ChangeKind {
    const relative = (file: string): string => path.relative(this.#root, file);
    if (paths.some((file) => isDependencyFile(file) || DEPENDENCY_FILES.includes(relative(file)) || relative(file) === INSTALLED)) {
      return 'dependencies';
    }
    const inStatic = (file: string): boolean => this.#staticDirs.some((dir) => file.startsWith(dir + path.sep));
    return paths.every(inStatic) ? 'static' : 'code';
  }

  #configFiles(): string[] {
    return [...CONFIG_FILES.map((name) => path.join(this.#root, name)), ...this.#options.envFiles];
  }

  /** Whether a changed path matters: a loaded file, a static or configuration file, or a folder holding loaded files. */
  #matters(file: string): boolean {
    if (this.#wholeFolder || this.#files.has(file) || this.kindOf([file]) !== 'code') return true;
    if (this.#configFiles().includes(file)) return true;
    const folder = file + path.sep;
    return [...this.#files.keys()].some((loaded) => loaded.startsWith(folder));
  }

  /** The watcher, made (chokidar imported) when there is first something to watch: never before a first load. */
  async #watch(paths: readonly string[], shallow = false): Promise<void> {
    if (this.#closed) return;
    if (this.#watcher === null) {
      this.#starting ??= this.#start();
      await this.#starting;
    }
    this.#watcher?.add(paths, { shallow });
  }

  async #start(): Promise<void> {
    const { ProjectWatcher } = await import('./watch.js');
    if (this.#closed) return;
    const always = [...[...DEPENDENCY_FILES, INSTALLED].map((name) => path.join(this.#root, name)), ...this.#configFiles()];
    this.#watcher = new ProjectWatcher(this.#root, always, {
      ...this.#options,
      onChanging: (file) => {
        if (!this.#matters(file)) return;
        const kind = this.kindOf([file]);
        if (kind !== 'static') this.#options.onChanging?.(file, kind === 'code' && this.#files.has(file));
      },
      onChange: (changed) => {
        const paths = changed.filter((file) => this.#matters(file));
        // What the watch tells is up to date: no later look takes it for a missed save.
        for (const file of paths) if (this.#files.has(file)) this.#files.set(file, statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0);
        if (paths.length > 0) this.#options.onChange(this.kindOf(paths), paths);
      },
    });
  }
}
