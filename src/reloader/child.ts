// The reloader's server process (Django's RUN_MAIN child): started ahead as a standby (Node up, tsx
// registered, gwi imported), it loads the project when the supervisor says so, then serves the
// connections the supervisor hands over, or reports why the project did not load and exits.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { SetupError } from '../runserver/errors.js';
import { closeInspector, openInspector } from '../runserver/inspect.js';
import { onResolved, projectReadHolder, startTranspiler, stopTranspilerWhenIdle } from '../runserver/loader.js';
import { innerRun, prepareRunserver, type ServeHooks } from '../runserver/inner-run.js';
import type { Output } from '../runserver/options.js';
import { settings } from '../framework/conf/settings.js';
import { isAllowedHost } from '../framework/http/host-validation.js';
import { allowedHosts } from '../framework/http/hosts.js';
import type { StaticFilesApplication } from '../framework/staticfiles/handlers.js';
import { loadMimeTypes } from '../framework/http/file-response.js';
import { loadFailureResponse, type ErrorWhere } from '../framework/debug/load-failure.js';
import { errorLocation } from '../framework/utils/module-loading.js';
import { serverNameOf } from '../server/address.js';
import type { GwiServer } from '../server/gwi-server.js';
import { pageOf } from './failure-page.js';
import { graceMs, WARM_UP_VARIABLE, type LiveReloadInfo, type LoadOptions, type ServerProcessMessage, type SupervisorMessage } from './protocol.js';
import { LIVE_RELOAD_PREFIX, LiveReloadEvents, withLiveReload } from './live-reload.js';
import { registerReservedPrefixCheck } from './reserved-prefix-check.js';
import { LoadedModules } from './loaded-modules.js';
import { ServedConnections } from './served-connections.js';
import { warmUp } from './warm-up.js';

/** Where a load failure points into the user's code: the first error of the cause chain that says. */
export function failureWhere(error: unknown): ErrorWhere {
  for (let current = error, depth = 0; current !== undefined && depth < 10; depth++) {
    const location = errorLocation(current) ?? '';
    const match = /^(.+):(\d+):\d+$/.exec(location) ?? /^(.+):(\d+)$/.exec(location);
    if (match) return { file: match[1] as string, line: Number(match[2]) };
    current = current instanceof Error ? current.cause : undefined;
  }
  return {};
}

type Phase = 'standby' | 'loading' | 'serving' | 'retiring' | 'stopping';

/**
 * A retired process exits this long after its last connection went back: it retires as a save is seen,
 * and its exit (tearing a process down takes CPU) beside the new code's load and first answer slows them
 * (Node 24, Chromium, save → new page's response: a median 72 ms exiting at once, 64.5 ms 400 ms later).
 */
const EXIT_AFTER_RETIRED_MS = 400;

class ReloaderChild {
  readonly #reportError: ReportError;
  readonly #stop = new AbortController();
  #phase: Phase = 'standby';
  #connections: ServedConnections | null = null;
  /** The open pages' event streams, with live reload on. */
  #events: LiveReloadEvents | null = null;
  #liveReloadInfo: LiveReloadInfo | null = null;
  /** The last message sent is written (messages go out in order). */
  #sent: Promise<void> = Promise.resolve();
  /** A load that began at a burst's first change has not heard that the burst is over (see `hold`). */
  #burstUnder = false;
  /** What the load has to say (ready, or failed), kept until the burst is over. */
  #afterBurst: (() => void) | null = null;
  /** What this process's imports load, told to the supervisor (which watches it). */
  readonly #modules = new LoadedModules((report) => this.#send({ type: 'modules', ...report }));

  constructor(reportError: ReportError) {
    this.#reportError = reportError;
    onResolved((url, parentURL) => this.#modules.resolved(url, parentURL));
    process.on('message', (message: SupervisorMessage, handle?: Socket) => this.#onMessage(message, handle));
    // The supervisor closes the channel to stop this process, or is gone: either way, finish and exit.
    process.on('disconnect', () => void this.stop());
    process.on('SIGTERM', () => void this.stop());
  }

  standby(): void {
    this.#send({ type: 'standby', holds: projectReadHolder() !== null });
  }

  /** Closes idle connections, lets the busy ones finish (at most the grace period), exits 0. */
  async stop(): Promise<void> {
    if (this.#phase === 'stopping') return;
    const serving = this.#phase === 'serving' || this.#phase === 'retiring';
    this.#phase = 'stopping';
    this.#events?.endAll();
    if (!serving || !this.#connections) process.exit(0);
    setTimeout(() => process.exit(0), graceMs()).unref();
    await this.#connections.drain();
    // run() returns, and #load() exits.
    this.#stop.abort();
  }

  /**
   * Newer code is loading (or serves): each connection goes back to the supervisor once idle (the busy
   * ones finish first, kept alive), then the process exits (the supervisor kills it after the grace
   * period anyway).
   */
  async #retire(): Promise<void> {
    if (this.#phase !== 'serving' || !this.#connections) return;
    this.#phase = 'retiring';
    // The open pages reload now, and their event streams end: the supervisor holds their requests
    // until the new code answers, so the browser's navigation overlaps the load.
    this.#events?.reload();
    this.#events?.endAll();
    await this.#connections.retire();
    // Every connection handed back has been said so before the process goes.
    await this.#sent;
    await new Promise((resolve) => setTimeout(resolve, EXIT_AFTER_RETIRED_MS));
    if (this.#phase === 'retiring') this.#stop.abort();
  }

  #onMessage(message: SupervisorMessage, handle: Socket | undefined): void {
    if (message.type === 'load' && this.#phase === 'standby') {
      this.#phase = 'loading';
      void this.#hold(message.hold).then(() => this.#load(message.options, message.port, message.token));
    } else if (message.type === 'hold') {
      void this.#hold(message.files);
    } else if (message.type === 'quiet') {
      void this.#quiet(message.changed);
    } else if (message.type === 'connection' && handle) {
      if (this.#connections) this.#connections.accept(handle, message.id);
      else handle.destroy();
    } else if (message.type === 'retire') {
      void this.#retire();
    } else if (message.type === 'close-inspector') {
      closeInspector();
    } else if (message.type === 'preload') {
      void this.#preload(message.urls).then(() => {
        if (this.#phase === 'standby') this.#send({ type: 'preloaded' });
      });
    } else if (message.type === 'static-changed') {
      if (message.stylesheets) this.#events?.swapStylesheets(message.stylesheets);
      else this.#events?.reload();
    }
  }

  async #load(options: LoadOptions, port: number, token: string): Promise<void> {
    const runOptions = { ...options, signal: this.#stop.signal };
    try {
      // Before the project's code: with --inspect-brk, a debugger steps into it.
      if (options.inspect) await openInspector(options.inspect);
      const addrport = await prepareRunserver(runOptions);
      // Looked up while the project loads, not when it binds.
      void serverNameOf(addrport.addr);
      // As Django's autoreloader logs it, before the checks.
      if (settings.DEBUG) process.stderr.write('Watching for file changes with chokidar\n');
      const liveReload = settings.DEBUG && options.useLiveReload !== false;
      if (liveReload) registerReservedPrefixCheck();
      // The supervisor's real port: the banner and SERVER_PORT must not say 0.
      await innerRun({ ...addrport, port }, runOptions, {
        listen: false,
        onBind: (_port, server) => this.#serve(server),
        ...(liveReload ? this.#liveReload(token) : {}),
      });
    } catch (error) {
      this.#fail(error);
      return;
    }
    process.exit(0);
  }

  #serve(server: GwiServer): void {
    if (this.#phase !== 'loading') return;
    this.#phase = 'serving';
    this.#connections = new ServedConnections(server, (message) => this.#send(message));
    server.httpServer.once('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.once('close', () => {
        // Nothing to say once the supervisor is gone (a stop under way).
        if (process.connected) this.#send({ type: 'served' });
        // Static files need them; the first process (its load due at once) gets them after its first answer.
        setImmediate(loadMimeTypes);
      });
    });
    this.#modules.flush();
    this.#afterTheBurst(() => this.#send({ type: 'ready', debug: settings.DEBUG, liveReload: this.#liveReloadInfo }));
    // Loaded: the transpiler is needed again only for a module never transpiled before.
    stopTranspilerWhenIdle();
  }

  /** What the run adds for live reload: the wrapped application, and its own requests kept out of the log. */
  #liveReload(token: string): ServeHooks {
    const events = new LiveReloadEvents(token, (open) => this.#send({ type: 'pages', open }));
    this.#events = events;
    const hosts = allowedHosts();
    return {
      wrap: (application) => {
        const served = application as Partial<StaticFilesApplication>;
        const assets = served.baseUrl && served.roots ? { url: served.baseUrl, dirs: [...served.roots] } : null;
        this.#liveReloadInfo = { allowedHosts: [...hosts], assets };
        return withLiveReload(application, { events, allowed: (host) => isAllowedHost(host, hosts) });
      },
      skipAccess: (req, code) => code < 300 && req.url?.startsWith(LIVE_RELOAD_PREFIX) === true,
    };
  }

  /**
   * After a start, tells the error on stderr and exits; a load that failed sends the supervisor the
   * error as the CLI words it and the page to answer with (the supervisor shows neither when newer code
   * is already on its way), and exits.
   */
  #fail(error: unknown): void {
    if (this.#phase === 'serving') {
      this.#reportError(error, process.stderr);
      process.exit(1);
    }
    let report = '';
    this.#reportError(error, { write: (text: string) => (report += text), isTTY: process.stderr.isTTY });
    this.#modules.flush();
    const page = pageOf(loadFailureResponse(error, failureWhere(error)));
    this.#afterTheBurst(() => this.#send({ type: 'failed', setup: error instanceof SetupError, report, ...page }, () => process.exit(1)));
  }

  /**
   * A load that begins while saves are still coming: the files changed so far are read once the burst
   * is over (the supervisor says `quiet`), the others at once.
   */
  async #hold(files: readonly string[] | undefined): Promise<void> {
    const holder = projectReadHolder();
    if (!files || !holder) return;
    this.#burstUnder = true;
    await holder.hold(files);
  }

  /** The burst is over, `changed` changed: the held reads go on, or the load is stale and the process exits. */
  async #quiet(changed: readonly string[]): Promise<void> {
    if (!this.#burstUnder) return;
    if (await projectReadHolder()?.settle(changed)) {
      this.#phase = 'stopping';
      this.#send({ type: 'stale' }, () => process.exit(0));
      return;
    }
    this.#burstUnder = false;
    const then = this.#afterBurst;
    this.#afterBurst = null;
    then?.();
  }

  /** What a load says goes out once the burst it began in is over: its outcome may be stale. */
  #afterTheBurst(then: () => void): void {
    if (this.#burstUnder) this.#afterBurst = then;
    else then();
  }

  /**
   * A standby imports the packages the project imports, as the last serving process resolved them: they
   * do not change when the project's files do, and a heavy one (vite, an ORM) then costs nothing after a
   * save. Project modules are never imported ahead. One that fails is left to the load to report.
   */
  async #preload(urls: readonly string[]): Promise<void> {
    for (const url of urls) {
      if (this.#phase !== 'standby' && this.#phase !== 'loading') return;
      try {
        await import(url);
      } catch {
        // The project's own import says what is wrong, with its file:line.
      }
    }
  }

  #send(message: ServerProcessMessage, then?: () => void): void {
    if (!process.connected) {
      // A stopping process lets go of its connections with nobody left to tell.
      if (this.#phase !== 'stopping') process.exit(0);
      return;
    }
    this.#sent = new Promise((resolve) => {
      (process.send as NonNullable<typeof process.send>)(message, undefined, undefined, () => {
        then?.();
        resolve();
      });
    });
  }
}

/** Writes an error to `stream` as the CLI does. */
export type ReportError = (error: unknown, stream: Output) => void;

/**
 * Runs this process as a server process: imports gwi, registers the loaders, and waits for the
 * supervisor's `load`.
 */
export async function runReloaderChild(reportError: ReportError): Promise<void> {
  // What the project imports as `gwi`: loaded now, so that a reload only imports the project itself,
  // and before the loaders, so that none of its modules goes through them (on Node 20, a round trip to
  // the loader thread each).
  await import(import.meta.resolve('gwi'));
  const ahead = process.env[WARM_UP_VARIABLE] === '1';
  await startTranspiler(ahead);
  if (ahead) await warmUp();
  new ReloaderChild(reportError).standby();
  // Started ahead of a save: the MIME tables a page's stylesheets need are loaded while it waits.
  if (ahead) setImmediate(loadMimeTypes);
}
