// Every server process of one `gwi runserver`: started with the run's command, and stopped or killed
// together, whatever each is doing (serving, loading, waiting as a standby, retiring).
import type { InspectTarget } from '../runserver/inspect.js';
import { WARM_UP_VARIABLE } from './protocol.js';
import { ServerProcess, type ServerProcessEvents } from './server-process.js';
import type { OrphanWatchdog } from './watchdog.js';

export interface ServerProcessesOptions {
  /** The script a server process runs (reloader/child.ts's entry). */
  serverProcess: string;
  env: NodeJS.ProcessEnv;
  /** The CLI reads shortcuts from the terminal: the processes get no stdin. */
  shortcuts: boolean;
  loadTimeoutMs: number;
  inspect?: InspectTarget | undefined;
}

export class ServerProcesses {
  readonly #options: ServerProcessesOptions;
  readonly #events: ServerProcessEvents;
  /** The processes not yet exited. */
  readonly #live = new Set<ServerProcess>();
  #watchdog: OrphanWatchdog | undefined;

  constructor(options: ServerProcessesOptions, events: ServerProcessEvents) {
    this.#options = options;
    this.#events = {
      ...events,
      exited: (child, code, signal) => {
        this.#live.delete(child);
        events.exited(child, code, signal);
      },
    };
  }

  /** From now on each process is watched by `watchdog` (killed if the supervisor dies). */
  watchWith(watchdog: OrphanWatchdog): void {
    this.#watchdog = watchdog;
  }

  /** A server process; `ahead`: a standby, which has time to warm up before its load. */
  spawn(ahead: boolean): ServerProcess {
    const { serverProcess, env, shortcuts, loadTimeoutMs, inspect } = this.#options;
    const child = new ServerProcess(
      {
        args: [serverProcess],
        env: ahead ? { ...env, [WARM_UP_VARIABLE]: '1' } : env,
        stdin: shortcuts ? 'ignore' : 'inherit',
        loadTimeoutMs,
        inspect,
        watchdog: this.#watchdog,
      },
      this.#events,
    );
    this.#live.add(child);
    return child;
  }

  /** Stops them all (see ServerProcess.stop); resolves when every one has exited. */
  async stopAll(graceMs: number): Promise<void> {
    await Promise.all([...this.#live].map((child) => child.stop(graceMs)));
  }

  /** SIGKILL to every group, now (from a process 'exit' handler too: synchronous). */
  readonly killAll = (): void => {
    for (const child of this.#live) child.kill();
  };
}
