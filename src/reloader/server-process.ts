// One server process as the supervisor sees it: spawned ahead as a standby, told to load, handed
// connections, stopped with its whole process group.
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { InspectTarget } from '../runserver/inspect.js';
import type { ModulesReport } from './loaded-modules.js';
import type { FailurePage, LiveReloadInfo, LoadOptions, ServerProcessMessage, SupervisorMessage } from './protocol.js';
import { serverProcessChild } from './spawn-server-process.js';
import type { OrphanWatchdog } from './watchdog.js';

type Phase = 'starting' | 'standby' | 'loading' | 'ready' | 'retiring' | 'failed' | 'stopping' | 'exited';

export interface ServerProcessEvents {
  /** Started ahead, it is up and waiting for its load, with the packages it was given imported. */
  up: (child: ServerProcess) => void;
  ready: (child: ServerProcess, debug: boolean, liveReload: LiveReloadInfo | null) => void;
  /** Its first response went out. */
  served: (child: ServerProcess) => void;
  /** A load begun at a burst's first change read a file that changed after: it exits. */
  stale: (child: ServerProcess) => void;
  /** `setup`: a SetupError (no settings module, ALLOWED_HOSTS), fatal at start-up. */
  failed: (child: ServerProcess, page: FailurePage, setup: boolean, report: string) => void;
  exited: (child: ServerProcess, code: number | null, signal: NodeJS.Signals | null) => void;
  /** The load has gone on for the whole load timeout without an answer (see `stuck`). */
  stuck: (child: ServerProcess) => void;
  /** Connections handed over that never reached the process: to be served elsewhere. */
  undelivered: (child: ServerProcess, sockets: Socket[]) => void;
  /** A connection it served is closed. */
  closed: (child: ServerProcess, id: number) => void;
  /** A connection is handed back idle (see `retire`). */
  released: (child: ServerProcess, id: number) => void;
  /** What its imports loaded. */
  modules: (child: ServerProcess, report: ModulesReport) => void;
}

/** A command that starts a server process: node runs `args` with RUN_MAIN=true added to `env`. */
export interface ServerCommand {
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** The terminal's stdin, or none. */
  stdin: 'inherit' | 'ignore';
  /** How long a load may take, counted from when the process (up and waiting) is told to load. */
  loadTimeoutMs: number;
  /** --inspect: the process opens the inspector when it loads, and closes it when told (see closeInspector). */
  inspect?: InspectTarget | undefined;
  /** Kills the process's group if the supervisor dies and the process does not exit by itself. */
  watchdog?: OrphanWatchdog | undefined;
}

/**
 * node's own "Debugger listening on ws://…" on stderr is left out: each reload would print it, with a new
 * id each time; the banner says where the debugger listens instead.
 */
const QUIET_INSPECTOR = ['--inspect-publish-uid=http'];

export class ServerProcess {
  readonly #child: ChildProcess;
  readonly #events: ServerProcessEvents;
  #phase: Phase = 'starting';
  /** The load asked for before the process was up. */
  #pendingLoad: SupervisorMessage | null = null;
  /** Packages to import ahead, asked for before the process was up. */
  readonly #pendingPreload: string[] = [];
  /** Preloads sent and not yet done. */
  #preloading = 0;
  #killTimer: NodeJS.Timeout | null = null;
  #killAt = Number.POSITIVE_INFINITY;
  readonly #loadTimeoutMs: number;
  readonly #inspect: InspectTarget | undefined;
  #loadTimer: NodeJS.Timeout | null = null;
  #stuck = false;
  /** Its reads of the project's files can wait for a burst of saves to end (it said so when up). */
  #holds = false;
  /** Its load began at a burst's first change, and has not been told the burst is over (see hold). */
  #burstUnder = false;
  /**
   * Connections handed over whose message is not written yet: Node sends one handle at a time and
   * queues the next ones until the process acknowledges, and drops the queue if it dies first.
   */
  readonly #unsent = new Set<Socket>();
  /** A hand-over failed: the process is on its way out, nothing more is sent to it. */
  #broken = false;
  /** Some page is open on its live reload (a browser tab that reloads when newer code loads). */
  #pagesOpen = false;
  /** Its group is stopped (SIGSTOP) while another process loads: see pause(). */
  #paused = false;
  readonly exited: Promise<void>;

  constructor({ args, env, stdin, loadTimeoutMs, inspect, watchdog }: ServerCommand, events: ServerProcessEvents) {
    this.#events = events;
    this.#loadTimeoutMs = loadTimeoutMs;
    this.#inspect = inspect;
    // The one spawned early (`gwi runserver`'s first) has maybe said something, or exited, already.
    const { child, messages, exit } = serverProcessChild({ args, env, stdin, nodeOptions: inspect ? QUIET_INSPECTOR : [] });
    this.#child = child;
    this.#child.on('message', (message: ServerProcessMessage) => this.#onMessage(message));
    const { pid } = this.#child;
    if (pid !== undefined) watchdog?.watch(pid);
    let onExit!: (code: number | null, signal: NodeJS.Signals | null) => void;
    this.exited = new Promise((resolve) => {
      const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (this.#phase === 'exited') return;
        this.#phase = 'exited';
        if (this.#killTimer !== null) clearTimeout(this.#killTimer);
        this.#endLoadTimer();
        // Whatever it started goes with it.
        this.#signalGroup('SIGKILL');
        if (pid !== undefined) watchdog?.forget(pid);
        resolve();
        // A write under way completes (and leaves the set) first: what is left was never sent, and goes
        // elsewhere before the exit is told (which closes what the process had).
        setImmediate(() => {
          const unsent = [...this.#unsent];
          this.#unsent.clear();
          if (unsent.length > 0) this.#events.undelivered(this, unsent);
          this.#events.exited(this, code, signal);
        });
      };
      this.#child.on('exit', exited);
      // A process that could not be spawned emits 'error' and no 'exit' (other errors are a failed
      // send to a process on its way out: its 'exit' follows).
      this.#child.on('error', () => {
        if (this.#child.pid === undefined) exited(null, null);
      });
      onExit = exited;
    });
    for (const message of messages) this.#onMessage(message as ServerProcessMessage);
    if (exit) onExit(...exit);
  }

  /**
   * Loads the project with `options`, serving on the supervisor's `port`, its code named `token`: at
   * once, or as soon as the process is up. `burst`: the load begins at the first change of a burst of
   * saves (the process is up, and its reads can wait: holdsReads); the reads of the files changed, these
   * so far and those told by hold(), wait until quiet() says the burst is over. The load timeout counts
   * from then.
   */
  load(options: LoadOptions, port: number, token: string, burst?: readonly string[]): void {
    const message: SupervisorMessage = { type: 'load', options, port, token };
    if (burst) {
      this.#burstUnder = true;
      message.hold = [...burst];
    }
    if (this.#phase === 'standby') this.#startLoading(message);
    else if (this.#phase === 'starting') this.#pendingLoad = message;
  }

  /** More files changed in the burst its load began in. */
  hold(files: readonly string[]): void {
    if (this.#burstUnder && this.#child.connected) this.#child.send({ type: 'hold', files: [...files] } satisfies SupervisorMessage, () => {});
  }

  /** The burst its load began in is over: `changed` changed in all (see load). */
  quiet(changed: readonly string[]): void {
    if (!this.#burstUnder) return;
    this.#burstUnder = false;
    if (this.#child.connected) this.#child.send({ type: 'quiet', changed: [...changed] } satisfies SupervisorMessage, () => {});
    if (this.#phase === 'loading') this.#armLoadTimer();
  }

  /** Its load began in a burst of saves that is not over yet. */
  get inBurst(): boolean {
    return this.#burstUnder;
  }

  /** Up and waiting, and its reads of the project's files can wait for a burst of saves to end. */
  get holdsReads(): boolean {
    return this.up && this.#holds;
  }

  /** Whether it is up and waiting for its load: warmed up, with the packages it was given imported. */
  get up(): boolean {
    return this.#phase === 'standby' && this.#preloading === 0;
  }

  /**
   * Its start-up (or its imports ahead) waits while another process loads: the load has the cores to
   * itself. Its group is stopped (SIGSTOP) until resume() or a stop. (Not on Windows: no signal is sent.)
   */
  pause(): void {
    if (this.#paused || this.#phase === 'exited' || this.#phase === 'stopping') return;
    this.#paused = true;
    this.#signalGroup('SIGSTOP');
  }

  /** Its start-up goes on (see pause). */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#signalGroup('SIGCONT');
  }

  /** Whether a page is open on its live reload. */
  get pagesOpen(): boolean {
    return this.#pagesOpen;
  }

  /**
   * Whether its load has gone on for the whole load timeout without an answer. Such a process may be
   * blocked for good (`while (true) {}` at import runs no handler, not even SIGTERM's), so it is not
   * waited for any longer: it may still answer, but the next change kills it.
   */
  get stuck(): boolean {
    return this.#stuck;
  }

  /**
   * Hands a connection over; false when the channel is gone (the process is exiting). The supervisor's
   * copy stays open (keepOpen), so the process closing its own copy sends the client nothing.
   */
  forward(socket: Socket, id: number): boolean {
    if (!this.#child.connected || this.#broken) return false;
    this.#unsent.add(socket);
    this.#child.send({ type: 'connection', id } satisfies SupervisorMessage, socket, { keepOpen: true }, (error) => {
      if (!this.#unsent.delete(socket) || !error) return;
      this.#broken = true;
      this.#events.undelivered(this, [socket]);
    });
    return true;
  }

  /** Imports these packages ahead of the load (a standby; before it is up, once it is). */
  preload(urls: readonly string[]): void {
    if (this.#phase === 'starting') this.#pendingPreload.push(...urls);
    else if (this.#phase === 'standby') {
      this.#preloading++;
      this.#child.send({ type: 'preload', urls: [...urls] } satisfies SupervisorMessage, () => {});
    }
  }

  /** A load begins: this process lets go of the inspector's address, for the loading process (--inspect). */
  closeInspector(): void {
    if (this.#inspect && this.#child.connected) this.#child.send({ type: 'close-inspector' } satisfies SupervisorMessage, () => {});
  }

  /** Static files changed: its open pages swap these stylesheets in place, or reload (null). */
  staticChanged(stylesheets: string[] | null): void {
    if (this.#phase === 'ready' && this.#child.connected) this.#child.send({ type: 'static-changed', stylesheets } satisfies SupervisorMessage, () => {});
  }

  /**
   * Newer code is loading (or serves): the process hands each connection back as soon as it is idle
   * (its busy ones finish first) and exits when it has none; its group is killed after `graceMs` in
   * any case.
   */
  retire(graceMs: number): Promise<void> {
    if (this.#phase !== 'ready' || !this.#child.connected || this.#broken) return this.stop(graceMs);
    this.#phase = 'retiring';
    this.#killAfter(graceMs);
    this.#child.send({ type: 'retire' } satisfies SupervisorMessage, () => {});
    return this.exited;
  }

  /**
   * Stops the process: the IPC channel is closed first (once every connection sent has arrived), which
   * makes it finish its requests and exit; then SIGTERM to its group, and SIGKILL to the group after
   * `graceMs`. Resolves when it has exited.
   */
  stop(graceMs: number): Promise<void> {
    if (this.#phase === 'exited') return this.exited;
    this.#endLoadTimer();
    this.#killAfter(graceMs);
    if (this.#phase === 'stopping') return this.exited;
    this.#phase = 'stopping';
    // A stopped group would not see the channel close, or SIGTERM, before the grace period ends.
    this.resume();
    const terminate = (): void => this.#signalGroup('SIGTERM');
    if (this.#child.connected) {
      this.#child.once('disconnect', terminate);
      this.#child.disconnect();
    } else {
      terminate();
    }
    return this.exited;
  }

  /** SIGKILL in `graceMs`, unless an earlier one is due (a Ctrl-C shortens a reload's grace). */
  #killAfter(graceMs: number): void {
    const at = Date.now() + graceMs;
    if (at >= this.#killAt) return;
    this.#killAt = at;
    if (this.#killTimer !== null) clearTimeout(this.#killTimer);
    this.#killTimer = setTimeout(() => this.kill(), graceMs);
  }

  /** SIGKILL to the whole group, now (also from a process 'exit' handler: synchronous). */
  kill(): void {
    this.#signalGroup('SIGKILL');
  }

  #signalGroup(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is gone already.
    }
  }

  #startLoading(message: SupervisorMessage): void {
    this.#phase = 'loading';
    // A process that died meanwhile says so with its 'exit'.
    this.#child.send(message, () => {});
    // Node's start-up is not the project's: the timeout counts the load alone.
    if (!this.#burstUnder) this.#armLoadTimer();
  }

  #armLoadTimer(): void {
    // A load that waits for a debugger, and is then stepped through, is not stuck (--inspect-brk).
    if (this.#inspect?.wait) return;
    this.#loadTimer = setTimeout(() => {
      this.#loadTimer = null;
      this.#stuck = true;
      this.#events.stuck(this);
    }, this.#loadTimeoutMs);
  }

  /** The load answered, or the process is stopping or gone. */
  #endLoadTimer(): void {
    if (this.#loadTimer !== null) clearTimeout(this.#loadTimer);
    this.#loadTimer = null;
    this.#stuck = false;
  }

  #onMessage(message: ServerProcessMessage): void {
    if (this.#phase === 'exited') return;
    // Whatever else it says, connections it lets go of are the supervisor's to close or pass on.
    if (message.type === 'closed') this.#events.closed(this, message.id);
    else if (message.type === 'modules') this.#events.modules(this, { files: message.files, dependencies: message.dependencies });
    else if (message.type === 'released') this.#events.released(this, message.id);
    else if (message.type === 'pages') this.#pagesOpen = message.open;
    if (this.#phase === 'stopping' || this.#phase === 'retiring') return;
    switch (message.type) {
      case 'standby':
        this.#phase = 'standby';
        this.#holds = message.holds;
        if (this.#pendingPreload.length > 0) this.preload(this.#pendingPreload.splice(0));
        if (this.#pendingLoad) this.#startLoading(this.#pendingLoad);
        else if (this.up) this.#events.up(this);
        this.#pendingLoad = null;
        break;
      case 'preloaded':
        this.#preloading--;
        if (this.up) this.#events.up(this);
        break;
      case 'ready':
        this.#endLoadTimer();
        this.#phase = 'ready';
        this.#events.ready(this, message.debug, message.liveReload);
        break;
      case 'served':
        this.#events.served(this);
        break;
      case 'stale':
        this.#endLoadTimer();
        this.#phase = 'failed';
        this.#events.stale(this);
        break;
      case 'failed': {
        this.#endLoadTimer();
        this.#phase = 'failed';
        const { status, headers, body, setup, report } = message;
        this.#events.failed(this, { status, headers, body }, setup, report);
        break;
      }
    }
  }
}
