// The reloader's eyes: chokidar on the paths it is given (files, and folders watched whole minus
// dependencies, VCS and build output), with one global debounce so that a burst of saves (an editor's
// atomic write, a formatter touching several files) asks for exactly one reload.
import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { QUIET_MS } from '../runserver/held-reads.js';

/** Folders never watched, at any depth (besides every dot-folder). */
export const IGNORED_FOLDERS: ReadonlySet<string> = new Set(['node_modules', 'dist', 'build', 'coverage', 'out']);

/**
 * Files the running project itself writes: logs (`gwi runserver 2> dev.log` in the project folder) and
 * SQLite databases with their journals. A change to one must not reload, or the server reloads forever.
 */
const WRITTEN_BY_THE_PROJECT = /\.(?:log|sqlite3?|db)(?:-journal|-wal|-shm)?$/;

/**
 * Quiet time after the last write before a reload. chokidar reports a file's changes at most once
 * per 50 ms and drops the others, so the quiet time is measured on its raw events, which it does
 * not throttle: a burst of saves a few ms apart, however long, is one reload.
 */
export const DEBOUNCE_MS = QUIET_MS;

/** How often a watched folder that was deleted is looked for (see ProjectWatcher). */
const MISSING_POLL_MS = 250;

export interface WatchOptions {
  /** Called once per burst with the paths that changed, first change first. */
  onChange: (paths: string[]) => void;
  /** Called with each change as it is seen, before the quiet time (the same file may come again). */
  onChanging?: (file: string) => void;
  /** Called at the end of each burst, after onChange (if anything changed). */
  onQuiet?: () => void;
  /** Where the watcher's own problems are told (once per kind). */
  stderr?: { write(text: string): unknown };
  /** CHOKIDAR_USEPOLLING=1 or true: stat files instead of inotify (network file systems, Docker, WSL2). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Whether a path under `root` is left alone: a path through node_modules, dist, build, coverage, out
 * or a dot-folder (.git, .cache, ...), or a log or database file. A dot-file (.env) is watched. Only
 * the part below `root` counts, so a project may itself live in a folder called build.
 */
export function isIgnored(root: string, file: string, stats?: Stats): boolean {
  const relative = path.relative(root, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return false;
  if (WRITTEN_BY_THE_PROJECT.test(relative) && stats?.isDirectory() !== true) return true;
  const parts = relative.split(path.sep);
  const last = parts.length - 1;
  return parts.some((part, index) => {
    if (IGNORED_FOLDERS.has(part)) return true;
    // The last part is a folder only if stats say so (chokidar asks once without, once with them).
    return part.startsWith('.') && (index < last || stats?.isDirectory() === true);
  });
}

/** What to tell the user about a watcher error: the fix for the system limits, else the error itself. */
export function watchErrorMessage(error: NodeJS.ErrnoException, root: string): string {
  const unseen = `gwi will not see some changes in ${root}`;
  if (error.code === 'ENOSPC') {
    return (
      `Error: the system limit for file watchers was reached (ENOSPC): ${unseen}.\n` +
      'Raise it with `sudo sysctl fs.inotify.max_user_watches=524288` (add the setting to /etc/sysctl.conf ' +
      'to keep it), or set CHOKIDAR_USEPOLLING=1.\n'
    );
  }
  if (error.code === 'EMFILE') {
    return `Error: too many open files (EMFILE): ${unseen}.\nRaise the limit with \`ulimit -n\`, or set CHOKIDAR_USEPOLLING=1.\n`;
  }
  return `Error while watching ${root} for changes: ${error.message}\n`;
}

/** The path of a raw event: fs.watch names an entry of the watched folder, or the watched file itself; polling names the path. */
function rawEventPath(name: string | null | undefined, details: unknown): string | null {
  const watched = (details as { watchedPath?: unknown } | null)?.watchedPath;
  if (typeof watched !== 'string') return name ?? null;
  return !name || path.basename(watched) === name ? watched : path.join(watched, name);
}

function pollingAsked(env: NodeJS.ProcessEnv): boolean {
  const value = env.CHOKIDAR_USEPOLLING?.toLowerCase();
  return value === '1' || value === 'true';
}

/** Whether a path is a folder now. */
function isFolder(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** A file as a change would leave it (inode, size, modification time); null for a folder or nothing. */
function fileState(file: string): string | null {
  const stats = statSync(file, { throwIfNoEntry: false });
  return stats?.isFile() ? `${stats.ino}:${stats.size}:${stats.mtimeMs}` : null;
}

/** A running watch of paths of one project. */
export class ProjectWatcher {
  readonly #root: string;
  /** What is watched: files, and folders with what is under them. */
  readonly #paths = new Set<string>();
  /** Folders watched for their own entries only (not their subfolders'). */
  readonly #shallow = new Set<string>();
  readonly #usePolling: boolean;
  readonly #stderr: { write(text: string): unknown };
  #watcher: FSWatcher;
  #ready!: Promise<void>;
  readonly #onChange: (paths: string[]) => void;
  readonly #onChanging: (file: string) => void;
  readonly #onQuiet: () => void;
  readonly #changed = new Set<string>();
  /**
   * Each file as it was when its change was last reported. chokidar tells a change again when its watch
   * sees any event on the file (a chmod), and a save can be told twice: by the watcher, and by the look
   * for saves made before its watch began (WatchedFiles), which on a busy machine came more than the
   * quiet time apart and reloaded twice. A file as it was last reported has not changed (as for Django,
   * which compares modification times).
   */
  readonly #reported = new Map<string, string | null>();
  /** Watched entries whose own watch said they were deleted or moved away (their watch ended with them). */
  readonly #gone = new Set<string>();
  /** Watched folders deleted and not made again yet, and the look for them. */
  readonly #missing = new Set<string>();
  #polling: NodeJS.Timeout | null = null;
  /** The quiet time under way, then (`#settling`) one more turn of the event loop before the burst is over. */
  #timer: NodeJS.Timeout | null = null;
  #settling: NodeJS.Immediate | null = null;
  #closed = false;
  readonly #told = new Set<string>();

  /** Watches `paths` (files or folders) of the project in `root`. */
  constructor(root: string, paths: readonly string[], { onChange, onChanging = () => {}, onQuiet = () => {}, stderr = process.stderr, env = process.env }: WatchOptions) {
    this.#root = root;
    for (const file of paths) this.#paths.add(file);
    this.#usePolling = pollingAsked(env);
    this.#stderr = stderr;
    this.#onChange = onChange;
    this.#onChanging = onChanging;
    this.#onQuiet = onQuiet;
    this.#watcher = this.#watch();
  }

  /** Watches these too; `shallow` folders for their own entries only. */
  add(paths: readonly string[], { shallow = false } = {}): void {
    const added = paths.filter((file) => !this.#paths.has(file));
    for (const file of added) {
      this.#paths.add(file);
      if (shallow) this.#shallow.add(file);
    }
    if (added.length > 0) this.#watcher.add(added);
  }

  /**
   * Changes found otherwise (a save made before the watch began): reported with the watcher's own, once
   * quiet, so that the watcher telling the same save too reloads once.
   */
  changed(paths: readonly string[]): void {
    for (const file of paths) this.#record(file);
  }

  /** Resolves once the watcher has looked at what it was given first (chokidar's 'ready'). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** Changes are coming in that have not been reported yet (a burst of saves is under way). */
  get pending(): boolean {
    return this.#timer !== null || this.#settling !== null || this.#changed.size > 0;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopWaiting();
    this.#stopLooking();
    await this.#watcher.close();
  }

  #watch(): FSWatcher {
    const root = this.#root;
    const paths = this.#paths;
    const shallow = this.#shallow;
    // What is listed is watched, also under node_modules; what is found in a listed folder may be left
    // alone, and a shallow folder's subfolders are.
    const ignored = (file: string, stats?: Stats): boolean => {
      if (paths.has(file)) return false;
      if (stats?.isDirectory() && shallow.has(path.dirname(file))) return true;
      return isIgnored(root, file, stats);
    };
    const watcher = watch([...paths], {
      ignoreInitial: true,
      ignored,
      usePolling: this.#usePolling,
    });
    this.#ready = new Promise((resolve) => watcher.once('ready', () => resolve()));
    watcher.on('all', (event, file) => {
      if (event === 'add' || event === 'change' || event === 'unlink') this.#record(file);
      // A watched folder whose own deletion fs.watch did not tell (its watch was already on a folder that
      // replaced it: rm -rf then a copy while this process was held up) is gone all the same.
      else if (event === 'unlinkDir' && paths.has(file)) this.#goneAway(file);
    });
    watcher.on('raw', (event, name, details) => {
      const file = rawEventPath(name, details);
      if (file === null || (!paths.has(file) && isIgnored(root, file))) return;
      // fs.watch names the watched entry itself when it is deleted or moved away.
      const itself = file === (details as { watchedPath?: unknown } | null)?.watchedPath;
      if (event === 'rename' && itself) {
        this.#goneAway(file);
      } else if (this.#timer !== null || this.#settling !== null) {
        this.#waitForQuiet();
      }
    });
    // ENOSPC and friends come as events; the server keeps running, with the user told once how to fix it.
    watcher.on('error', (error: unknown) => {
      const err = error as NodeJS.ErrnoException;
      const kind = err.code ?? err.message;
      if (this.#told.has(kind)) return;
      this.#told.add(kind);
      this.#stderr.write(watchErrorMessage(err, root));
    });
    return watcher;
  }

  #goneAway(file: string): void {
    this.#gone.add(file);
    this.#waitForQuiet();
  }

  #record(file: string): void {
    this.#changed.add(file);
    this.#waitForQuiet();
    // A save told a second time (by the look for saves missed) is not a change: see #reported.
    if (fileState(file) !== this.#reported.get(file)) this.#onChanging(file);
  }

  /** (Re)starts the quiet time: the changes so far are reported when it ends. */
  #waitForQuiet(): void {
    this.#stopWaiting();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      // Timers run before the poll phase reads file events: when this process was held up (a busy
      // machine), saves made meanwhile are still queued. One more turn lets them extend the burst.
      this.#settling = setImmediate(() => {
        this.#settling = null;
        void this.#quiet().then(() => {
          if (!this.#closed && !this.pending) this.#onQuiet();
        });
      });
    }, DEBOUNCE_MS);
  }

  #stopWaiting(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#settling !== null) clearImmediate(this.#settling);
    this.#timer = null;
    this.#settling = null;
  }

  async #quiet(): Promise<void> {
    const replaced = [...this.#gone].filter(isFolder);
    // A watched folder that is gone is looked for until it is back: nothing watches its parent.
    for (const file of this.#gone) if (!replaced.includes(file) && this.#paths.has(file)) this.#missing.add(file);
    this.#gone.clear();
    this.#lookForMissing();
    if (replaced.length > 0) {
      await this.#watchAgain();
      for (const folder of replaced) this.#changed.add(folder);
    }
    if (this.#closed || this.#changed.size === 0) return;
    const paths = [...this.#changed].filter((file) => {
      const state = fileState(file);
      const changed = state === null || this.#reported.get(file) !== state;
      this.#reported.set(file, state);
      return changed;
    });
    this.#changed.clear();
    if (paths.length > 0) this.#onChange(paths);
  }

  /** While a watched folder is missing, every MISSING_POLL_MS: once it is back, it is watched again and counts as changed. */
  #lookForMissing(): void {
    if (this.#missing.size === 0 || this.#polling !== null || this.#closed) return;
    this.#polling = setInterval(() => {
      const back = [...this.#missing].filter(isFolder);
      if (back.length === 0) return;
      for (const folder of back) this.#missing.delete(folder);
      if (this.#missing.size === 0) this.#stopLooking();
      void this.#watchAgain().then(() => {
        for (const folder of back) this.#changed.add(folder);
        this.#waitForQuiet();
      });
    }, MISSING_POLL_MS);
    this.#polling.unref();
  }

  #stopLooking(): void {
    if (this.#polling !== null) clearInterval(this.#polling);
    this.#polling = null;
  }

  /**
   * A folder was deleted and a new one stands in its place: when that happens within a few ms (rm -rf
   * then a copy, a git checkout), chokidar still takes the folder for the one it watched and never
   * watches the new one, so saves in it go unseen (chokidar#1042, #1059). A new watcher sees them again;
   * the changes are reported once it is ready, so a save made meanwhile is loaded too.
   */
  async #watchAgain(): Promise<void> {
    // The old watcher goes first: chokidar shares fs.watch handles by path, and would give the new
    // watcher the dead ones.
    await this.#watcher.close();
    if (this.#closed) return;
    this.#watcher = this.#watch();
    await new Promise<void>((resolve) => this.#watcher.once('ready', () => resolve()));
  }
}
