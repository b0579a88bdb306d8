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
/**
 * A standby is up ~0.5 s after it starts (Node 20, this 2-core machine), so a save that comes sooner after
 * the previous reload waits for it: in bench:reload, saves 125–475 ms after the previous version had a
 * median of 240 ms, against 87 for later ones. Once a save has found none up, two are kept until no save
 * has come for BURST_MS: the second is there for the next quick save (those saves: a median of 126 ms,
 * the later ones unchanged). They start one after the other: two start-ups side by side each take longer
 * (a save 150 ms after such a switch waited 485–557 ms). A save that lands while the second one starts
 * pauses it (see take). Saves seconds apart never start a second one. At rest there is one (a standby is
 * ~75 MiB RSS).
 */
export const BURST_MS = 10_000;

export class Standby {
  readonly #spawn: () => ServerProcess;
  readonly #retire: (process: ServerProcess) => void;
  /** The processes waiting, oldest first. */
  readonly #processes: ServerProcess[] = [];
  /** How many are kept: 1, or 2 while saves come fast. */
  #wanted = 1;
  #burst: NodeJS.Timeout | null = null;
  /** The launch's load has been taken: from then on, each load is a save's. */
  #launched = false;
  /** The waiting ones were let go for new packages: the next load finds none, which says nothing of the saves. */
  #dropped = false;
  /** From a load's start to its switch, none starts (and those waiting are paused: see take). */
  #held = false;
  #timer: NodeJS.Timeout | null = null;
  /** How long after the new code's first response the next one starts (see AFTER_PAGE_MS). */
  #afterServedMs = AFTER_PAGE_MS;
  /** The packages the project imports (`file:` URLs). */
  readonly #dependencies = new Set<string>();

  /** `spawn` starts a server process meant to wait for its load; `retire` stops one no longer needed. */
  constructor(spawn: () => ServerProcess, retire: (process: ServerProcess) => void) {
    this.#spawn = spawn;
    this.#retire = retire;
  }

  /** The processes waiting. */
  get processes(): readonly ServerProcess[] {
    return this.#processes;
  }

  /** One is up whose reads can wait for a burst of saves to end: take() hands it over. */
  get holdsReads(): boolean {
    return this.#processes.some((process) => process.holdsReads);
  }

  /** The process started ahead for the first load (no warm-up: its load is due at once). */
  begin(process: ServerProcess): void {
    this.#processes.push(process);
  }

  /**
   * Takes a waiting process for a load, one that is up if any. The others are paused, a start-up or an
   * import ahead under way included, until the next one would start (after the new code's first response,
   * later with a page open: see afterSwitch): the load and that response have the cores to themselves.
   * Paired runs, 30 saves each 150–1050 ms after the previous version (Node 20, 2 cores), median save →
   * new code with vite imported: 103–118 ms against 108–247 (a second standby importing vite beside the
   * load); on the template, where start-ups are short, 80–107 against 84–103.
   */
  take(): ServerProcess | null {
    this.#cancel();
    const up = this.#processes.findIndex((process) => process.up);
    const taken = (up >= 0 ? this.#processes.splice(up, 1)[0] : this.#processes.shift()) ?? null;
    if (this.#launched && !this.#dropped && !taken?.up) this.#wanted = 2;
    if (this.#wanted === 2) this.#extendBurst();
    this.#launched = true;
    this.#dropped = false;
    this.#held = true;
    for (const process of this.#processes) process.pause();
    // Paused for a load that never switched (it was stuck), and taken for the next.
    taken?.resume();
    return taken;
  }

  /**
   * After a switch: the next ones start now (nothing serves), or once the new code has answered.
   * `pages`: a page was open on the code replaced (or it is not known).
   */
  afterSwitch(serving: boolean, pages = true): void {
    this.#afterServedMs = pages ? AFTER_PAGE_MS : 0;
    this.#held = false;
    if (!serving) this.#start();
    else this.#timer ??= setTimeout(() => this.#start(), AFTER_SWITCH_MS);
  }

  /** The serving process sent its first response. */
  served(): void {
    if (this.#timer === null) return;
    this.#cancel();
    if (this.#afterServedMs === 0) this.#start();
    else this.#timer = setTimeout(() => this.#start(), this.#afterServedMs);
  }

  /** A waiting process is up: the next one starts, if another is wanted and nothing holds it. */
  up(): void {
    if (!this.#held && this.#timer === null) this.#start();
  }

  /** The waiting ones go on, and one starts, unless enough are waiting or one is starting still. */
  #start(): void {
    this.#cancel();
    for (const process of this.#processes) process.resume();
    if (this.#processes.length >= this.#wanted || !this.#processes.every((process) => process.up)) return;
    const process = this.#spawn();
    if (this.#dependencies.size > 0) process.preload([...this.#dependencies]);
    this.#processes.push(process);
  }

  /** Packages the project imports, as `from` resolved them: the waiting processes import the new ones. */
  addDependencies(urls: readonly string[], from: ServerProcess): void {
    const added = urls.filter((url) => !this.#dependencies.has(url));
    for (const url of added) this.#dependencies.add(url);
    if (added.length === 0) return;
    for (const process of this.#processes) if (process !== from) process.preload(added);
  }

  /** The packages changed (an install): forgotten, and the waiting processes, which have the old ones, let go. */
  dropDependencies(): ServerProcess[] {
    this.#dependencies.clear();
    this.#cancel();
    this.#dropped = true;
    return this.#processes.splice(0);
  }

  /** A process exited: if it was waiting, it is gone from the pool. */
  exited(process: ServerProcess): void {
    const index = this.#processes.indexOf(process);
    if (index >= 0) this.#processes.splice(index, 1);
  }

  /** No more standbys (the supervisor stops). */
  stop(): void {
    this.#cancel();
    if (this.#burst !== null) clearTimeout(this.#burst);
    this.#burst = null;
  }

  /** Saves come fast: two are kept until none comes for BURST_MS, then the newest is let go. */
  #extendBurst(): void {
    if (this.#burst !== null) clearTimeout(this.#burst);
    this.#burst = setTimeout(() => {
      this.#burst = null;
      this.#wanted = 1;
      while (this.#processes.length > 1) this.#retire(this.#processes.pop()!);
    }, BURST_MS);
    this.#burst.unref();
  }

  #cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
