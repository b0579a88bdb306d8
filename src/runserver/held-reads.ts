// Reads of a project's files that wait for a burst of saves to end. The reloader starts a save's load at
// the burst's first change, not once the quiet time after it is over (~25 ms later): the load imports
// what did not change meanwhile, and each file that changed waits for the quiet before it is read. At the
// quiet the load learns what changed in all: one of those it read before it was told to hold it may be
// out of date, and such a load is stale (the supervisor starts another). On Node 20's loader thread a
// read waits asynchronously, for the main thread's word; where the hooks run in the importing thread
// (Node >= 22.15) it blocks until the file itself has been quiet (BlockingHeldReads).
import { statSync } from 'node:fs';
import { sep } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { isDependencyFile, moduleFile } from './module-hooks.js';

/**
 * How long after its last write a saved file is taken as saved in full: the watcher's quiet time, after
 * which it tells the burst of saves is over.
 */
export const QUIET_MS = 25;

/** What a server process does with a load that begins in a burst of saves. */
export interface ReadHolding {
  /** Reads of these files (or of files under these folders) wait for the burst to end. */
  hold(files: readonly string[]): Promise<void>;
  /** The burst is over and `changed` changed: held reads go on; true when the load read one of them out of date. */
  settle(changed: readonly string[]): Promise<boolean>;
}

/** Main thread → loader thread: hold these files' reads; the burst is over (these changed). */
export type HoldOrder = ['hold', string[]] | ['quiet', string[]];
/** Loader thread → main thread, one answer per order, in order: held; the burst's verdict. */
export type HoldAnswer = ['held'] | ['settled', { stale: boolean }];

/** Whether a change to `changed` (a file, or a folder made again: everything under it) may touch `file`. */
function touches(changed: string, file: string): boolean {
  return file === changed || file.startsWith(changed.endsWith(sep) ? changed : changed + sep);
}

/** The project file (not a package's) that a module URL names, or null. */
function projectFile(url: string): string | null {
  const file = moduleFile(url);
  return file === null || isDependencyFile(file) ? null : file;
}

/**
 * What both kinds of held reads keep for a load: the files it holds, and the project files it read while
 * not holding them. A burst that changed one of those leaves the load stale.
 */
class BurstReads {
  readonly #held = new Set<string>();
  readonly #readUnheld = new Set<string>();

  hold(files: readonly string[]): void {
    for (const file of files) this.#held.add(file);
  }

  /** Whether `file`'s read is held; if not, the read is noted. */
  holds(file: string): boolean {
    if ([...this.#held].some((changed) => touches(changed, file))) return true;
    this.#readUnheld.add(file);
    return false;
  }

  /** The burst is over: whether it changed a file read unheld. Nothing is held from then on. */
  settle(changed: readonly string[]): boolean {
    this.#held.clear();
    return changed.some((path) => [...this.#readUnheld].some((file) => touches(path, file)));
  }
}

/** The loader thread's side: what the load hook asks before each read, and the orders from `port`. */
export class HeldReads {
  readonly #reads = new BurstReads();
  #quiet: Promise<void> | null = null;
  #release: (() => void) | null = null;

  constructor(port: MessagePort) {
    port.on('message', (order: HoldOrder) => {
      if (order[0] === 'hold') {
        this.#reads.hold(order[1]);
        this.#quiet ??= new Promise((resolve) => (this.#release = resolve));
        // Node's loader thread lets its event loop run dry while a hook awaits (its own port is off):
        // a read waiting here must keep it turning until the quiet comes.
        port.ref();
        port.postMessage(['held'] satisfies HoldAnswer);
      } else {
        const stale = this.#reads.settle(order[1]);
        this.#release?.();
        this.#quiet = this.#release = null;
        port.postMessage(['settled', { stale }] satisfies HoldAnswer);
        port.unref();
      }
    });
    port.unref();
  }

  /** Before `url` is read: a promise to wait for when its file is held, else nothing (the read is noted). */
  beforeRead(url: string): Promise<void> | undefined {
    const file = projectFile(url);
    if (file === null || !this.#reads.holds(file)) return undefined;
    return this.#quiet ?? undefined;
  }
}

/** The main thread's side: orders to the loader thread, each answered in turn. */
export class ReadHolder implements ReadHolding {
  readonly #port: MessagePort;
  readonly #waiting: ((answer: HoldAnswer) => void)[] = [];

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (answer: HoldAnswer) => this.#waiting.shift()?.(answer));
    port.unref();
  }

  /** Reads of these files wait until settle(); resolves once the loader thread has them. */
  async hold(files: readonly string[]): Promise<void> {
    await this.#ask(['hold', [...files]]);
  }

  /** The burst is over and `changed` changed: held reads go on; true when the load read one of them before. */
  async settle(changed: readonly string[]): Promise<boolean> {
    const answer = await this.#ask(['quiet', [...changed]]);
    return answer[0] === 'settled' && answer[1].stale;
  }

  #ask(order: HoldOrder): Promise<HoldAnswer> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#port.postMessage(order);
    });
  }
}

/** A file's modification time, or null when there is no such file. */
const modifiedAt = (file: string): number | null => statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? null;

/** Sleeps on nothing: a blocking wait without a busy loop. */
const SLEEP = new Int32Array(new SharedArrayBuffer(4));
/** A file written again and again (or dated in the future) is read after this long anyway: settle() judges it. */
const LONGEST_WAIT_MS = 2000;

/**
 * Blocks until `file` has not been written for QUIET_MS, and gives its modification time then (null: it
 * is gone, and its read fails as node's does).
 */
function waitUntilQuiet(file: string): number | null {
  const giveUp = Date.now() + LONGEST_WAIT_MS;
  for (;;) {
    const modified = modifiedAt(file);
    const left = modified === null ? 0 : modified + QUIET_MS - Date.now();
    if (left <= 0 || Date.now() >= giveUp) return modified;
    Atomics.wait(SLEEP, 0, 0, Math.min(left, 5));
  }
}

/**
 * Held reads where the module hooks run in the thread that imports (Node >= 22.15, an ES module project):
 * that thread is the one that would hear the burst is over, so a held file's read blocks instead, until
 * the file has been quiet for as long as the watcher waits. A write after that read dates the file at
 * least QUIET_MS later than the read saw (timestamps are coarse by a few ms at most): settle() compares.
 */
export class BlockingHeldReads implements ReadHolding {
  readonly #reads = new BurstReads();
  /** Held files read, with their modification times then. */
  readonly #readHeld = new Map<string, number | null>();

  async hold(files: readonly string[]): Promise<void> {
    this.#reads.hold(files);
  }

  /** Before `url` is read (the load hook): returns once it may be. */
  beforeRead(url: string): void {
    const file = projectFile(url);
    if (file !== null && this.#reads.holds(file)) this.#readHeld.set(file, waitUntilQuiet(file));
  }

  async settle(changed: readonly string[]): Promise<boolean> {
    const rewritten = [...this.#readHeld].some(([file, modified]) => changed.some((path) => touches(path, file)) && modifiedAt(file) !== modified);
    this.#readHeld.clear();
    return this.#reads.settle(changed) || rewritten;
  }
}
