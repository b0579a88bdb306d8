// The next server process, started ahead of a save: Node up, the loaders registered, gwi imported and
// warmed up, and the packages the project imports imported (as the serving process resolved them), so that
// a load after a save imports the project's own modules only.
import type { ServerProcess } from './server-process.js';

/**
 * After a switch, the next standby starts after the new process's first response (or after
 * AFTER_SWITCH_MS without one): a start-up (~300 ms of CPU) beside that response slows it. When a page
 * was open on the code replaced, it starts AFTER_PAGE_MS later still: the tab reloads, and a start-up
 * beside the browser rendering the page and fetching its stylesheets and scripts slows it (save → new DOM
 * in Chromium: median 155–160 ms starting at once, 133–143 ms 150 ms later). Without a page, nothing is
 * rendered: the sooner the standby is ready, the fewer saves wait for it.
 */
const AFTER_PAGE_MS = 150;
const AFTER_SWITCH_MS = 200;

export class Standby {
  readonly #spawn: () => ServerProcess;
  #process: ServerProcess | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** How long after the new code's first response the next one starts (see AFTER_PAGE_MS). */
  #afterServedMs = AFTER_PAGE_MS;
  /** The packages the project imports (`file:` URLs). */
  readonly #dependencies = new Set<string>();

  /** `spawn` starts a server process meant to wait for its load. */
  constructor(spawn: () => ServerProcess) {
    this.#spawn = spawn;
  }

  /** The process waiting, if any. */
  get process(): ServerProcess | null {
    return this.#process;
  }

  /** The process started ahead for the first load (no warm-up: its load is due at once). */
  begin(process: ServerProcess): void {
    this.#process = process;
  }

  /** Takes the waiting process for a load (none is started meanwhile). */
  take(): ServerProcess | null {
    this.#cancel();
    const taken = this.#process;
    this.#process = null;
    return taken;
  }

  /**
   * After a switch: the next one starts now (nothing serves), or once the new code has answered.
   * `pages`: a page was open on the code replaced (or it is not known).
   */
  afterSwitch(serving: boolean, pages = true): void {
    this.#afterServedMs = pages ? AFTER_PAGE_MS : 0;
    if (!serving) this.startNow();
    else this.#timer ??= setTimeout(() => this.startNow(), AFTER_SWITCH_MS);
  }

  /** The serving process sent its first response. */
  served(): void {
    if (this.#timer === null) return;
    this.#cancel();
    if (this.#afterServedMs === 0) this.startNow();
    else this.#timer = setTimeout(() => this.startNow(), this.#afterServedMs);
  }

  startNow(): void {
    this.#cancel();
    if (this.#process !== null) return;
    this.#process = this.#spawn();
    if (this.#dependencies.size > 0) this.#process.preload([...this.#dependencies]);
  }

  /** Packages the project imports, as `from` resolved them: the waiting process imports the new ones. */
  addDependencies(urls: readonly string[], from: ServerProcess): void {
    const added = urls.filter((url) => !this.#dependencies.has(url));
    for (const url of added) this.#dependencies.add(url);
    if (added.length > 0 && this.#process !== null && this.#process !== from) this.#process.preload(added);
  }

  /** The packages changed (an install): forgotten, and the waiting process, which has the old ones, let go. */
  dropDependencies(): ServerProcess | null {
    this.#dependencies.clear();
    return this.take();
  }

  /** A process exited: if it was the one waiting, there is none now. */
  exited(process: ServerProcess): void {
    if (process === this.#process) this.#process = null;
  }

  /** No more standby (the supervisor stops). */
  stop(): void {
    this.#cancel();
  }

  #cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
