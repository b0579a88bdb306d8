// What a server process has loaded, as the reloader needs to know it: every file its imports resolved to
// (the project's modules and the packages' files, which the supervisor watches), and the packages the
// project imports itself (the next standby imports those ahead of a save). gwi's own files are neither.
import { statSync } from 'node:fs';
import path from 'node:path';
import { resolvesInThread } from '../runserver/loader.js';
import { isDependencyFile, moduleFile } from '../runserver/module-hooks.js';
import { GWI_ROOT } from '../version.js';

const GWI_CODE = ['src', 'dist'].map((dir) => path.join(GWI_ROOT, dir) + path.sep);

/** What is new since the last report. */
export interface ModulesReport {
  /**
   * The files, each with its modification time when its import resolved (just before it was read): the
   * supervisor, whose watch of a file may begin later, sees from it a save made meanwhile.
   */
  files: [file: string, mtimeMs: number][];
  /** `file:` URLs of packages imported by the project's own modules. */
  dependencies: string[];
}

const isGwi = (file: string): boolean => GWI_CODE.some((dir) => file.startsWith(dir));

export class LoadedModules {
  readonly #report: (report: ModulesReport) => void;
  readonly #known = new Set<string>();
  #pending: ModulesReport = { files: [], dependencies: [] };
  readonly #inThread: boolean;
  #scheduled = false;

  /**
   * `report` gets what is new, in batches: a turn of the event loop each when the loader thread tells
   * (each of its messages is a turn), else each run of the microtask queue, since a module stuck in an
   * endless loop at import, or exiting, must have been reported before it is evaluated.
   */
  constructor(report: (report: ModulesReport) => void, inThread = resolvesInThread) {
    this.#report = report;
    this.#inThread = inThread;
  }

  /** An import of `parentURL` resolved to `url`. */
  resolved(url: string, parentURL: string | undefined): void {
    const file = moduleFile(url);
    if (file === null || isGwi(file)) return;
    const parent = parentURL === undefined ? null : moduleFile(parentURL);
    const fromProject = parent !== null && !isGwi(parent) && !isDependencyFile(parent);
    if (isDependencyFile(file) && fromProject && !this.#known.has(url)) {
      this.#known.add(url);
      this.#pending.dependencies.push(url);
      this.#schedule();
    }
    if (!this.#known.has(file)) {
      this.#known.add(file);
      this.#pending.files.push([file, statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0]);
      this.#schedule();
    }
  }

  /** Reports what is pending now (before the process says it is ready, or failed). */
  flush(): void {
    this.#scheduled = false;
    const report = this.#pending;
    if (report.files.length === 0 && report.dependencies.length === 0) return;
    this.#pending = { files: [], dependencies: [] };
    this.#report(report);
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // After an explicit flush() meanwhile, this one finds nothing pending (or reports the newer files sooner).
    const flush = (): void => this.flush();
    if (this.#inThread) queueMicrotask(flush);
    else setImmediate(flush);
  }
}
