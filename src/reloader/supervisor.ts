// The reloader's parent (Django's restart_with_reloader, re-cut): it binds the listening socket and
// owns it for the whole run, watches the project, and hands each connection to the server process
// that has the current code loaded. It never imports project code, so a broken project cannot stop it:
// while nothing loads, it answers every request itself with the failure page.
import type net from 'node:net';
import type { Socket } from 'node:net';
import { findProjectRoot } from '../framework/utils/module-loading.js';
import { ServerLog } from '../log/server-log.js';
import { colorStyle } from '../log/termcolors.js';
import { parseAddrport } from '../runserver/addrport.js';
import { envFilesOf } from '../runserver/env-files.js';
import { loadCertificate, type Certificate } from '../runserver/https.js';
import { checkColorFlags, type RunserverOptions } from '../runserver/options.js';
import { LoadTimeout, serverProcessPage, ServerProcessExited } from './failure-page.js';
import { failureLiveReload, FailureResponder } from './failure-responder.js';
import { HandedConnections } from './handed-connections.js';
import { bindListener } from './listener.js';
import { LoadTokens, staticChange } from './live-reload.js';
import type { ModulesReport } from './loaded-modules.js';
import { graceMs, loadOptionsOf, loadTimeoutMs, QUIT_GRACE_MS, type FailurePage, type LiveReloadInfo } from './protocol.js';
import type { ServerProcess } from './server-process.js';
import { ServerProcesses } from './server-processes.js';
import { Standby } from './standby.js';
import { OrphanWatchdog } from './watchdog.js';
import { WatchedFiles, type ChangeKind } from './watched-files.js';

export interface SupervisorOptions extends RunserverOptions {
  /**
   * The script a server process runs (Django hands its inner_run to the autoreloader the same way): it
   * answers the supervisor's messages as reloader/child.ts does.
   */
  serverProcess: string;
  /** How long a replaced server process may take to finish (default: GWI_RELOAD_GRACE_MS, else 5 s). */
  graceMs?: number;
  /** How long a load may go on before it counts as stuck (default: GWI_LOAD_TIMEOUT_MS, else 5 s). */
  loadTimeoutMs?: number;
}

/**
 * - starting: no server process has the current code loaded yet (the start, or a change since):
 *   connections wait, paused, for the load under way.
 * - ready: connections go to the serving process.
 * - failed: the project did not load (or its process died, or its load is stuck); the supervisor
 *   answers with the 500 page.
 * - stopping: Ctrl-C; connections are refused, every process group is stopped.
 */
export type SupervisorState = 'starting' | 'ready' | 'failed' | 'stopping';

export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #env: NodeJS.ProcessEnv;
  readonly #stderr: NonNullable<RunserverOptions['stderr']>;
  readonly #graceMs: number;
  readonly #loadTimeoutMs: number;
  #state: SupervisorState = 'starting';
  /** Counts the state transitions: a page rendered late is shown only if none came meanwhile. */
  #transitions = 0;
  #listener: net.Server | null = null;
  #port = 0;
  #certificate: Certificate | null = null;
  #watcher: WatchedFiles | null = null;
  #watchdog: OrphanWatchdog | undefined;
  /** Some server process said what it loaded (else a failed load has the whole folder watched). */
  #toldModules = false;
  /** The process connections go to (ready). */
  #serving: ServerProcess | null = null;
  /** The process told to load the current code, until it answers. */
  #loading: ServerProcess | null = null;
  /** The processes started ahead, waiting for the next load. */
  readonly #standby = new Standby(() => this.#processes.spawn(true), (child) => this.#retire(child, 0));
  /** Every server process, whatever it is doing. */
  readonly #processes: ServerProcesses;
  readonly #queue: Socket[] = [];
  /** The supervisor's copies of the connections the processes serve. */
  readonly #connections = new HandedConnections();
  #failure: FailureResponder | null = null;
  /** A change came while a process was loading: load again once it answers. */
  #reloadAgain = false;
  /** A page was open on the code the load under way replaces (or it is not known). */
  #pagesOnReplaced = true;
  /** settings.DEBUG of the last process that loaded: it decides whether changes are announced. */
  #debug = false;
  /** What the last process that loaded said about live reload (null: off). */
  #liveReloadInfo: LiveReloadInfo | null = null;
  readonly #tokens = new LoadTokens();
  /** Some process has served: from then on a failed load shows the page, never exits. */
  #everReady = false;
  #exitCode = 0;
  #stopping: Promise<void> | null = null;
  readonly #stopped: Promise<void>;
  #markStopped!: () => void;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#env = options.env ?? process.env;
    this.#stderr = options.stderr ?? process.stderr;
    this.#graceMs = options.graceMs ?? graceMs(this.#env);
    this.#loadTimeoutMs = options.loadTimeoutMs ?? loadTimeoutMs(this.#env);
    const { serverProcess, shortcuts = false, inspect } = options;
    this.#processes = new ServerProcesses({ serverProcess, env: this.#env, shortcuts, loadTimeoutMs: this.#loadTimeoutMs, inspect }, {
      up: () => this.#standby.up(),
      ready: (child, debug, liveReload) => this.#onReady(child, debug, liveReload),
      served: (child) => this.#onServed(child),
      failed: (child, page, setup, report) => this.#onFailed(child, page, setup, report),
      stale: (child) => this.#onStale(child),
      exited: (child, code, signal) => this.#onExited(child, code, signal),
      stuck: (child) => this.#onStuck(child),
      modules: (child, report) => this.#onModules(child, report),
      ...this.#connections.processEvents((socket) => this.#dispatch(socket)),
    });
    this.#stopped = new Promise((resolve) => {
      this.#markStopped = resolve;
    });
  }

  /** Reloads as a save would (the `r` shortcut). */
  reload(): void {
    this.#reload();
  }

  /** The bound port (the real one when 0 was asked for). */
  get port(): number {
    return this.#port;
  }

  /**
   * What Django's parent does before its loop (the colour flags, the address), then binds, starts the
   * first server process and the watcher. A CommandError or BindError here means nothing was started.
   */
  async start(): Promise<void> {
    const { noColor = false, forceColor = false, signal } = this.#options;
    checkColorFlags(noColor, forceColor, this.#env);
    const addrport = parseAddrport(this.#options.addrport, this.#options.useIpv6 ?? false);
    // A second past the grace period a server process has for its own stop.
    this.#watchdog = new OrphanWatchdog(this.#graceMs + 1000);
    this.#processes.watchWith(this.#watchdog);
    // The first server process starts now: Node's start-up and the loaders (a few hundred ms) go on
    // while this one finds its certificate (--https) and binds.
    const first = this.#processes.spawn(false);
    this.#standby.begin(first);
    let listener: net.Server;
    try {
      this.#certificate = await loadCertificate(this.#options, this.#options.stdout ?? process.stdout);
      listener = await bindListener(addrport);
    } catch (err) {
      first.kill();
      void this.#watchdog.close();
      throw err;
    }
    this.#listener = listener;
    this.#port = (listener.address() as net.AddressInfo).port;
    listener.on('connection', (socket: Socket) => {
      // A reset while the socket waits here must not take the supervisor down.
      socket.on('error', () => socket.destroy());
      this.#dispatch(socket);
    });
    // An accept() failure (EMFILE) drops one connection; the server goes on.
    listener.on('error', (err) => this.#stderr.write(`Error: ${err.message}\n`));
    process.on('exit', this.#processes.killAll);
    const root = findProjectRoot();
    this.#watcher = new WatchedFiles(root, {
      onChange: (kind, paths) => this.#changed(kind, paths),
      onChanging: (file, holdable) => this.#changing(file, holdable),
      // A burst whose changes came to nothing (a file saved unchanged): a load it began goes on.
      onQuiet: () => this.#loading?.quiet([]),
      envFiles: envFilesOf(this.#options.envFiles, root),
      stderr: this.#stderr,
      env: this.#env,
    });
    this.#reload();
    if (signal?.aborted) void this.stop();
    else signal?.addEventListener('abort', () => void this.stop(), { once: true });
  }

  /** 0, or 1 after a SetupError at start-up. */
  get exitCode(): number {
    return this.#exitCode;
  }

  /** Resolves once stop() has finished (Ctrl-C, or the options' signal). */
  stopped(): Promise<void> {
    return this.#stopped;
  }

  /** stopping: refuses connections, closes the socket and the watcher, stops every process group. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop().then(this.#markStopped);
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#state = 'stopping';
    this.#standby.stop();
    for (const socket of this.#queue.splice(0)) socket.destroy();
    // The port is free from here on; connections already handed over are the processes' to end (they
    // hold them: closing the supervisor's copies sends the clients nothing).
    this.#connections.closeAll();
    this.#listener?.close();
    this.#failure?.close();
    const grace = Math.min(this.#graceMs, QUIT_GRACE_MS);
    await Promise.all([this.#watcher?.close(), this.#processes.stopAll(grace)]);
    await this.#watchdog?.close();
    process.off('exit', this.#processes.killAll);
  }

  // The transitions.

  /** No process has the current code loaded: connections wait (paused) for one. */
  #toStarting(): void {
    this.#transitions++;
    this.#state = 'starting';
    this.#failure?.release();
  }

  /** `child` has the code loaded: it gets every connection, the waiting ones first. */
  #toReady(child: ServerProcess): void {
    this.#transitions++;
    this.#state = 'ready';
    this.#serving = child;
    this.#failure?.reloadPages();
    this.#failure?.release();
    for (const socket of this.#queue.splice(0)) this.#dispatch(socket);
  }

  /** Nothing serves: every request gets `page`. */
  #toFailed(page: FailurePage): void {
    this.#transitions++;
    this.#state = 'failed';
    const liveReload = failureLiveReload(this.#options.useLiveReload !== false, this.#everReady ? this.#liveReloadInfo : undefined, this.#tokens.failed);
    if (this.#failure) this.#failure.show(page, liveReload);
    else {
      // The request log as the server processes have it (GWI_COLORS is set by now).
      const style = colorStyle({ stream: this.#stderr, env: this.#env, forceColor: this.#options.forceColor ?? false });
      this.#failure = new FailureResponder(new ServerLog({ stream: this.#stderr, style }), page, liveReload, this.#certificate);
    }
    for (const socket of this.#queue.splice(0)) this.#dispatch(socket);
  }

  // The events.

  #dispatch(socket: Socket): void {
    switch (this.#state) {
      case 'starting':
        this.#queue.push(socket);
        break;
      case 'ready':
        // A process on its way out (its exit is about to say so) leaves the socket waiting.
        if (!this.#serving || !this.#connections.handTo(this.#serving, socket)) this.#queue.push(socket);
        break;
      case 'failed':
        this.#connections.forget(socket);
        this.#failure?.accept(socket);
        break;
      case 'stopping':
        this.#connections.forget(socket);
        socket.destroy();
        break;
    }
  }

  #changed(kind: ChangeKind, paths: string[]): void {
    if (this.#state === 'stopping') return;
    if (kind === 'static') {
      // Static files are read from disk: their pages are told, no process restarts.
      const assets = this.#state === 'ready' ? this.#liveReloadInfo?.assets : null;
      const stylesheets = assets ? staticChange(paths, assets) : undefined;
      if (stylesheets !== undefined) this.#serving?.staticChanged(stylesheets);
      return;
    }
    if (kind === 'dependencies') {
      // The standby's packages may be the old ones: the new code loads in a fresh process.
      for (const stale of this.#standby.dropDependencies()) this.#retire(stale, 0);
      this.#dropBurstLoad();
    }
    // A load begun at the burst's first change goes on with what changed in all (announced then).
    if (this.#loading?.inBurst) this.#loading.quiet(paths);
    else this.#reload(paths[0] as string);
  }

  /** A change as seen, before the quiet: the first of a burst starts the load (see held-reads.ts). */
  #changing(file: string, holdable: boolean): void {
    if (this.#loading?.inBurst) {
      if (holdable) this.#loading.hold([file]);
      // A package, an env or config file changed: the load may have read it already, and starts again.
      else this.#dropBurstLoad();
    } else if (holdable && !this.#loading && (this.#state === 'ready' || this.#state === 'failed') && this.#standby.holdsReads) {
      this.#reload(file, [file]);
    }
  }

  /** A load begun in a burst is not kept: the quiet loads afresh. */
  #dropBurstLoad(): void {
    if (!this.#loading?.inBurst) return;
    this.#retire(this.#loading, 0);
    this.#loading = null;
  }

  /** What a server process loaded: its files are watched, and the packages the project imports go to each standby. */
  #onModules(child: ServerProcess, { files, dependencies }: ModulesReport): void {
    this.#toldModules = true;
    this.#watcher?.add(files);
    this.#standby.addDependencies(dependencies, child);
  }

  /**
   * Tells the standby (or a new process) to load the code, and holds requests for it. A load under way
   * finishes first (it is most likely almost done), unless it is stuck. `changed`: the file a change
   * reloads for (announced); `burst`: the burst of saves is not over, these files changed so far.
   */
  #reload(changed?: string, burst?: string[]): void {
    if (this.#state === 'stopping') return;
    // Django's "<file> changed, reloading.", only while DEBUG (or failing: it is being debugged)...
    const announce = changed !== undefined && (this.#debug || this.#state === 'failed');
    if (this.#loading?.stuck) {
      // It has had its time already: its group is killed now, not after a grace period.
      this.#retire(this.#loading, 0);
      this.#loading = null;
    }
    if (this.#loading) {
      this.#reloadAgain = true;
    } else {
      // Without a standby, one starts now (and none later, until this load is over).
      const next = this.#standby.take() ?? this.#processes.spawn(false);
      this.#serving?.closeInspector();
      this.#loading = next;
      next.load(loadOptionsOf({ ...this.#options, ...this.#certificate }), this.#port, this.#tokens.next(), burst);
      this.#holdForNewCode();
    }
    // ...once the serving process has been told: a connection made on reading it gets the new code.
    if (announce) this.#stderr.write(`${changed} changed, reloading.\n`);
  }

  /**
   * From a change on, requests wait for the code it made: the serving process retires now (its pages
   * reload at once) and new connections, its own as they fall idle, wait here.
   */
  #holdForNewCode(): void {
    const previous = this.#serving;
    this.#pagesOnReplaced = previous?.pagesOpen ?? true;
    this.#serving = null;
    if (previous) this.#retire(previous);
    // The failure page's tabs reload as well: they get the new code's answer, or its failure.
    if (this.#state === 'failed') this.#failure?.reloadPages();
    if (this.#state !== 'starting') this.#toStarting();
  }

  #onReady(child: ServerProcess, debug: boolean, liveReload: LiveReloadInfo | null): void {
    if (child !== this.#loading) return;
    this.#loading = null;
    this.#everReady = true;
    this.#debug = debug;
    this.#liveReloadInfo = liveReload;
    this.#watcher?.setStaticDirs(liveReload?.assets?.dirs ?? []);
    this.#toReady(child);
    // No page open on the old code: no tab reloads, the next standby need not wait for one.
    this.#afterSwitch(this.#pagesOnReplaced);
  }

  #onFailed(child: ServerProcess, page: FailurePage, setup: boolean, report: string): void {
    if (child !== this.#loading) return;
    this.#loading = null;
    this.#retire(child);
    // Code a newer save has replaced already (a file read half-written, most likely): its failure is
    // never shown; requests go on waiting for the newer code.
    if (this.#reloadAgain || this.#watcher?.pending) {
      this.#afterSwitch();
      return;
    }
    this.#stderr.write(report);
    // As Django's runserver at start-up: no settings module, or DEBUG off without ALLOWED_HOSTS, is
    // an exit (the process said why). Broken code, or a later save, gets the page instead.
    if (setup && !this.#everReady) {
      this.#exitCode = 1;
      void this.stop();
      return;
    }
    this.#fail(page);
  }

  /** A load begun in a burst read a file that changed after: the code loads again, as the burst left it. */
  #onStale(child: ServerProcess): void {
    if (child !== this.#loading) return;
    this.#loading = null;
    this.#retire(child, 0);
    this.#reload();
  }

  #onExited(child: ServerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.#connections.exited(child);
    this.#standby.exited(child);
    if (this.#state === 'stopping' || (child !== this.#loading && child !== this.#serving)) return;
    if (child === this.#loading) this.#loading = null;
    if (child === this.#serving) this.#serving = null;
    this.#failWith(new ServerProcessExited(code, signal));
  }

  /**
   * The load has not answered in time. With a change waiting, the newer code is loaded instead; else
   * the user is told, and requests get the page, as when a load fails.
   */
  #onStuck(child: ServerProcess): void {
    if (child !== this.#loading) return;
    if (this.#reloadAgain) {
      this.#reloadAgain = false;
      this.#reload();
      return;
    }
    this.#failWith(new LoadTimeout(this.#loadTimeoutMs), () => this.#loading === child);
  }

  /**
   * Tells the user what went wrong with a server process, and shows its page once rendered, unless
   * something happened meanwhile (a reload began, or the stuck process was replaced): connections that
   * come in between wait.
   */
  #failWith(error: ServerProcessExited | LoadTimeout, stillSo: () => boolean = () => true): void {
    const transitions = this.#transitions;
    void serverProcessPage(error).then((page) => {
      if (this.#state === 'stopping') return;
      // Said as the page is shown: a request right after the message gets it.
      this.#stderr.write(`${error.message} gwi reloads on the next change.\n`);
      if (this.#transitions === transitions && stillSo()) this.#fail(page);
    });
  }

  #fail(page: FailurePage): void {
    // No process said what it loaded (it looped, or died, before that): the next save is still seen.
    if (!this.#toldModules) this.#watcher?.watchFolder();
    this.#toFailed(page);
    this.#afterSwitch();
  }

  /** After each switch: the next standby is due, and a change seen during the load is loaded. */
  #afterSwitch(pages = true): void {
    this.#standby.afterSwitch(this.#serving !== null, pages);
    if (this.#reloadAgain) {
      this.#reloadAgain = false;
      this.#reload();
    }
  }

  #onServed(child: ServerProcess): void {
    if (child === this.#serving) this.#standby.served();
  }

  /** Newer code is loading, or none serves: `child` hands its connections back as they fall idle, then exits. */
  #retire(child: ServerProcess, grace = this.#graceMs): void {
    void child.retire(grace);
  }
}
