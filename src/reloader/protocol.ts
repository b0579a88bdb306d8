// What the reloader's supervisor and its server processes say to each other over the IPC channel, and
// how long they wait for each other.
import type { RunserverOptions } from '../runserver/options.js';
import type { ModulesReport } from './loaded-modules.js';

/** The runserver options that cross the process boundary: a server process loads the project with them. */
const LOAD_OPTIONS = [
  'addrport',
  'useIpv6',
  'useThreading',
  'useStaticHandler',
  'useLiveReload',
  'envFiles',
  'shortcuts',
  'insecureServing',
  'skipChecks',
  'settings',
  'certFile',
  'keyFile',
  'noColor',
  'forceColor',
  'inspect',
] as const satisfies readonly (keyof RunserverOptions)[];

export type LoadOptions = Pick<RunserverOptions, (typeof LOAD_OPTIONS)[number]>;

/**
 * The options a server process loads the project with, of runserver's (--https's certificate is passed
 * on as the files the supervisor made or found).
 */
export function loadOptionsOf(options: RunserverOptions): LoadOptions {
  return Object.fromEntries(LOAD_OPTIONS.map((name) => [name, options[name]])) as LoadOptions;
}

/** A response the supervisor gives to every request while the project does not load. */
export interface FailurePage {
  status: number;
  headers: [string, string][];
  body: string;
}

/**
 * Supervisor → server process. A `connection` message carries a socket as its handle; the supervisor
 * keeps its own copy of it (never reading from it) until the process says the connection is closed or
 * hands it back, so that the process can let go of an idle keep-alive connection without closing it.
 */
export type SupervisorMessage =
  /**
   * Load the project and serve: `port` is the one the supervisor bound (argv may say 0); `token` names
   * this load's code to the pages it renders (live reload).
   */
  | { type: 'load'; options: LoadOptions; port: number; token: string; hold?: string[] }
  /**
   * A load that began at a burst's first change (`hold` in `load`: the files changed so far): more files
   * changed, whose reads wait too; then the burst is over (`quiet`), these changed in all, and the load
   * goes on, unless it read one of them before it was told to hold it (it says `stale` and exits).
   */
  | { type: 'hold'; files: string[] }
  | { type: 'quiet'; changed: string[] }
  | { type: 'connection'; id: number }
  /** Newer code is loading: reload the open pages, hand every connection back once it is idle, then exit. */
  | { type: 'retire' }
  /**
   * A load begins (--inspect): the serving process closes its inspector, and the loading one opens it on
   * the same address once it is free, so that the two never both listen.
   */
  | { type: 'close-inspector' }
  /** Static files changed: the open pages swap these stylesheets (URL paths), or reload (null). */
  | { type: 'static-changed'; stylesheets: string[] | null }
  /** A standby imports these packages (`file:` URLs) now, ahead of its load: the project will import them. */
  | { type: 'preload'; urls: string[] };

/** What a server process with live reload on tells the supervisor about the project it serves. */
export interface LiveReloadInfo {
  /** ALLOWED_HOSTS in effect (Django's default for DEBUG filled in): the supervisor's pages check it too. */
  allowedHosts: string[];
  /** STATIC_URL's path and the folders it is served from, when runserver serves static files. */
  assets: { url: string; dirs: string[] } | null;
}

/** Server process → supervisor. */
export type ServerProcessMessage =
  /**
   * Node is up, the loaders are registered and gwi is imported: waiting for `load`. `holds`: its reads of
   * the project's files can wait for a burst of saves to end (a load may begin at the burst's first change).
   */
  | { type: 'standby'; holds: boolean }
  /** A load that began before the quiet read a file that changed after: it is out of date, and exits. */
  | { type: 'stale' }
  /** A standby has imported the packages of a `preload` (or failed to: the load reports it). */
  | { type: 'preloaded' }
  /** The banner is out: connections can come. `debug` is settings.DEBUG; `liveReload` null when off. */
  | { type: 'ready'; debug: boolean; liveReload: LiveReloadInfo | null }
  /** Its first response went out (the supervisor starts the next standby then: see Supervisor). */
  | { type: 'served' }
  /** A page is open on its live reload (the first connected), or none is any more (the last left). */
  | { type: 'pages'; open: boolean }
  /** Files its imports resolved to since it last said (batched), and the packages the project imports. */
  | ({ type: 'modules' } & ModulesReport)
  /** A connection it served is closed: the supervisor closes its copy. */
  | { type: 'closed'; id: number }
  /**
   * A connection is handed back, idle: every byte the client sent since is still unread, in the socket,
   * for the process that serves next.
   */
  | { type: 'released'; id: number }
  /**
   * The project did not load; the process exits after sending this. `setup`: it cannot start as
   * configured (a SetupError), fatal at start-up. `report`: the error as the CLI prints it.
   */
  | ({ type: 'failed'; setup: boolean; report: string } & FailurePage);

/**
 * Set in a standby's environment: it warms up (see warm-up.ts) before its load; a process started for a
 * load at once (the first, or one after a standby was used up) would only be delayed by it.
 */
export const WARM_UP_VARIABLE = 'GWI_STANDBY_WARM_UP';

/** The most a Ctrl-C waits for the server processes before killing them. */
export const QUIT_GRACE_MS = 1000;

/** How long a server process asked to stop may take before its process group is killed (5 s). */
export const DEFAULT_GRACE_MS = 5000;

/** The grace period: GWI_RELOAD_GRACE_MS (milliseconds) when set to a number, else DEFAULT_GRACE_MS. */
export function graceMs(env: NodeJS.ProcessEnv = process.env): number {
  return milliseconds(env.GWI_RELOAD_GRACE_MS, 0, DEFAULT_GRACE_MS);
}

/**
 * How long a load may go on without an answer before it counts as stuck (an endless loop at import
 * blocks the process for good: it answers nothing, not even a signal's handler), 5 s.
 */
export const DEFAULT_LOAD_TIMEOUT_MS = 5000;

/** The load timeout: GWI_LOAD_TIMEOUT_MS when set to a number above 0 (0 would call every load stuck), else 5 s. */
export function loadTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return milliseconds(env.GWI_LOAD_TIMEOUT_MS, 1, DEFAULT_LOAD_TIMEOUT_MS);
}

function milliseconds(text: string | undefined, least: number, fallback: number): number {
  const value = text?.trim() ? Number(text) : Number.NaN;
  return Number.isFinite(value) && value >= least ? value : fallback;
}

/**
 * How long a connection may take to send its request before it counts as idle (a browser's
 * preconnect): one accepted a moment ago has its request on the way, and closing it would lose it.
 */
export const COMING_REQUEST_MS = 1000;
