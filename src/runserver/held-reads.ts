// Reads of a project's files that wait for a burst of saves to end. The reloader starts a save's load at
// the burst's first change, not once the quiet time after it is over (~25 ms later): the load imports
// what did not change meanwhile, and each file that changed waits for the quiet before it is read. At the
// quiet the load learns what changed in all: one of those it read before it was told to hold it may be
// out of date, and such a load is stale (the supervisor starts another). Node 20's loader thread only:
// its hooks are asynchronous, so a read can wait there while the main thread goes on receiving messages.
import { sep } from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { isDependencyFile, moduleFile } from './module-hooks.js';

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

/** The loader thread's side: what the load hook asks before each read, and the orders from `port`. */
export class HeldReads {
  readonly #held = new Set<string>();
  /** Project files read while not held: a burst that changed one of them leaves the load stale. */
  readonly #readUnheld = new Set<string>();
  #quiet: Promise<void> | null = null;
  #release: (() => void) | null = null;

  constructor(port: MessagePort) {
    port.on('message', (order: HoldOrder) => {
      if (order[0] === 'hold') {
        for (const file of order[1]) this.#held.add(file);
        this.#quiet ??= new Promise((resolve) => (this.#release = resolve));
        // Node's loader thread lets its event loop run dry while a hook awaits (its own port is off):
        // a read waiting here must keep it turning until the quiet comes.
        port.ref();
        port.postMessage(['held'] satisfies HoldAnswer);
      } else {
        const stale = order[1].some((changed) => [...this.#readUnheld].some((file) => touches(changed, file)));
        this.#held.clear();
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
    if (file === null) return undefined;
    if (this.#quiet !== null && [...this.#held].some((changed) => touches(changed, file))) return this.#quiet;
    this.#readUnheld.add(file);
    return undefined;
  }
}

/** The main thread's side: orders to the loader thread, each answered in turn. */
export class ReadHolder {
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
