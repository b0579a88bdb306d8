// runserver's options, named as in Django's `options` dict, and the two decisions made from them before
// anything else: whether the colour flags agree, and the style the command's own output gets.
import { colorStyle, type Style } from '../log/termcolors.js';
import { CommandError } from './errors.js';
import type { InspectTarget } from './inspect.js';

/** A stream the command writes whole lines to (process.stdout, process.stderr, or a test's buffer). */
export interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** The runserver options, named as in Django's `options` dict. */
export interface RunserverOptions {
  /** `[addr:]port`; undefined or empty: 127.0.0.1:8000 (::1 with ipv6). */
  addrport?: string | undefined;
  /** `--ipv6/-6`. */
  useIpv6?: boolean;
  /** False with `--nothreading`: one request at a time. */
  useThreading?: boolean;
  /** False with `--noreload`: one process, no supervisor (runServer() itself never reloads). */
  useReloader?: boolean;
  /** False with `--nostatic`. */
  useStaticHandler?: boolean;
  /** False with `--nolivereload`: under the reloader with DEBUG on, pages follow saves by themselves. */
  useLiveReload?: boolean;
  /** `--env-file` (repeatable): the env files to load instead of the project's `.env`. */
  envFiles?: string[];
  /** The keyboard shortcuts are on (the CLI reads them): the banner says how to see them. */
  shortcuts?: boolean;
  /** `--insecure`: serve static files even when DEBUG is false. */
  insecureServing?: boolean;
  skipChecks?: boolean;
  /** `--https`: serve HTTPS with the self-signed certificate for localhost (made on first use, then reused). */
  useHttps?: boolean;
  /** `--cert-file` and `--key-file` (both or neither): serve HTTPS with this certificate and key (PEM). */
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** `--settings`: the settings module ('mysite/settings'). */
  settings?: string | undefined;
  noColor?: boolean;
  forceColor?: boolean;
  /**
   * `--inspect`, `--inspect-brk`: the inspector of the process that serves listens there (one port: the
   * CLI picks it for 0, see claimInspector), and follows it across reloads.
   */
  inspect?: InspectTarget | undefined;
  /** Aborting stops the server (Ctrl-C); runServer() then resolves. */
  signal?: AbortSignal;
  stdout?: Output;
  stderr?: Output;
  /** Read for GWI_RUNSERVER_HIDE_WARNING and the colours; `--no-color` sets GWI_COLORS here. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Django's execute(): the two colour flags exclude each other, and --no-color reaches the request log
 * (also in processes started from here) through GWI_COLORS.
 */
export function checkColorFlags(noColor: boolean, forceColor: boolean, env: NodeJS.ProcessEnv): void {
  if (noColor && forceColor) throw new CommandError("The --no-color and --force-color options can't be used together.");
  if (noColor) env.GWI_COLORS = 'nocolor';
}

/** Django's color_style(force_color), or no_style() with --no-color: decided by stdout. */
export function commandStyle({ noColor = false, forceColor = false, stdout = process.stdout, env = process.env }: RunserverOptions): Style {
  return colorStyle({ stream: stdout, env, noColor, forceColor });
}
