// runserver as a programmatic API (Django's runserver handle() and inner_run(), without the command line):
// load the project, run the system checks, bind, print the banner, serve until the signal aborts.
import { loadSettings, locateSettings, settings } from '../framework/conf/settings.js';
import { getInternalGwiApplication } from '../framework/handlers/application.js';
import { runChecks } from '../framework/checks/registry.js';
import { formatCheckReport, SystemCheckError } from '../framework/checks/report.js';
import { ImproperlyConfigured } from '../framework/exceptions.js';
import { errorLocation, errorSummary, findProjectRoot } from '../framework/utils/module-loading.js';
import { StaticFilesHandler } from '../framework/staticfiles/handlers.js';
import type { Application } from '../gateway/types.js';
import { ServerLog, type ServerLogOptions } from '../log/server-log.js';
import { colorStyle, type Style } from '../log/termcolors.js';
import type { GwiServer } from '../server/gwi-server.js';
import { run, type RunOptions } from '../server/run.js';
import { VERSION } from '../version.js';
import { displayAddr, parseAddrport, type Addrport } from './addrport.js';
import { formatBanner, PRODUCTION_WARNING } from './banner.js';
import { asBindError, CommandError, SetupError } from './errors.js';
import { envFilesOf, loadEnvFiles } from './env-files.js';
import { loadCertificate } from './https.js';
import { inspectorLine, openInspector } from './inspect.js';
import { registerProjectLoader } from './loader.js';
import { checkColorFlags, commandStyle, type Output, type RunserverOptions } from './options.js';

/**
 * A failure to load the project as one line: ImproperlyConfigured says what is wrong (completed with
 * the error that caused it when it does not name it already), and an error raised by the project's own
 * code names itself and where it happened. null for anything else: a crash, shown with its stack.
 */
function loadFailureMessage(err: unknown): string | null {
  if (err instanceof ImproperlyConfigured) {
    const { cause } = err;
    if (cause === undefined || err.message.includes(errorSummary(cause))) return err.message;
    const where = errorLocation(cause);
    return `${err.message} ${errorSummary(cause)}${where ? ` (${where})` : ''}`;
  }
  const where = errorLocation(err);
  return where === null ? null : `${errorSummary(err)} (${where})`;
}

/** Runs `load` (which imports project code), turning a load failure into a CommandError. */
async function loading<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const message = loadFailureMessage(err);
    throw message === null ? err : new CommandError(message, { cause: err });
  }
}

/**
 * What Django does before serving (execute() and handle()): the colour flags, the settings, the
 * ALLOWED_HOSTS requirement, and the address to bind. Under the reloader, each server process runs it.
 */
export async function prepareRunserver(options: RunserverOptions): Promise<Addrport> {
  const { noColor = false, forceColor = false, env = process.env, stderr = process.stderr } = options;
  checkColorFlags(noColor, forceColor, env);
  // Before the settings, which often read them.
  loadEnvFiles(envFilesOf(options.envFiles, findProjectRoot()), env, (message) => stderr.write(`${message}\n`));
  await registerProjectLoader();
  try {
    locateSettings({ settings: options.settings, env });
  } catch (err) {
    if (err instanceof ImproperlyConfigured) throw new SetupError(err.message);
    throw err;
  }
  const configured = await loading(() => loadSettings({ settings: options.settings, env }));
  if (!configured.DEBUG && configured.ALLOWED_HOSTS.length === 0) {
    throw new SetupError('You must set settings.ALLOWED_HOSTS if DEBUG is False.');
  }
  return parseAddrport(options.addrport, options.useIpv6 ?? false);
}

/** Django's check(display_num_errors=True): the report on stdout, or on stderr when it shows issues. */
async function performSystemChecks(style: Style, stdout: Output, stderr: Output): Promise<void> {
  stdout.write('Performing system checks...\n\n');
  const report = formatCheckReport(await loading(() => runChecks()), { style });
  if (report.serious) throw new SystemCheckError(report.text);
  (report.visible ? stderr : stdout).write(`${report.text}\n`);
}

/** Django's get_handler(): the project's application, serving STATIC_URL too while DEBUG (or --insecure). */
async function getHandler(options: RunserverOptions): Promise<Application> {
  const application = await loading(() => getInternalGwiApplication());
  const { useStaticHandler = true, insecureServing = false } = options;
  return useStaticHandler && (settings.DEBUG || insecureServing) ? StaticFilesHandler(application) : application;
}

/** What the reloader's server process adds to a run (Django hands inner_run to its autoreloader). */
export interface ServeHooks extends Pick<RunOptions, 'handle' | 'listen' | 'onBind'> {
  /** Wraps the application that serves (live reload). */
  wrap?: (application: Application) => Application;
  /** Access lines left out of the request log (live reload's own requests). */
  skipAccess?: ServerLogOptions['skip'];
}

/**
 * Django's inner_run(): checks, the application, then run() with the banner printed on bind. `server`
 * passes through to run(); its `onBind` is called after the banner (the reloader's child starts taking
 * the connections its supervisor hands over, with `listen: false`).
 */
export async function innerRun(addrport: Addrport, options: RunserverOptions, server: ServeHooks = {}): Promise<void> {
  const { stdout = process.stdout, stderr = process.stderr, env = process.env, signal } = options;
  const style = commandStyle(options);
  // Before the checks: a certificate that cannot be read stops the command at once.
  const certificate = await loadCertificate(options, stdout);
  if (!options.skipChecks) await performSystemChecks(style, stdout, stderr);
  const { wrap, skipAccess, ...serving } = server;
  const application = await getHandler(options);
  const handler = wrap ? wrap(application) : application;
  if (signal?.aborted) return;
  const onBind = (port: number, bound: GwiServer): void => {
    const banner = formatBanner({
      now: new Date(),
      version: VERSION,
      settingsModule: settings.SETTINGS_MODULE,
      host: displayAddr(addrport),
      port,
      shortcuts: options.shortcuts ?? false,
      protocol: certificate ? 'https' : 'http',
      inspector: options.inspect && inspectorLine(options.inspect, options.useReloader !== false),
    });
    const warning = env.GWI_RUNSERVER_HIDE_WARNING === 'true' ? '' : `${style.WARNING(PRODUCTION_WARNING)}\n`;
    // One write: whoever waits for the banner gets the warning with it.
    stdout.write(banner + warning);
    serving.onBind?.(port, bound);
  };
  // GWI_COLORS (nocolor after --no-color) picks the palette; --force-color colours a pipe too.
  const log = new ServerLog({
    stream: stderr,
    style: colorStyle({ stream: stderr, env, forceColor: options.forceColor ?? false }),
    skip: skipAccess,
  });
  try {
    await run(addrport.addr, addrport.port, handler, {
      ...serving,
      tls: certificate ?? undefined,
      threading: options.useThreading ?? true,
      ipv6: addrport.ipv6,
      log,
      onBind,
      signal,
    });
  } catch (err) {
    throw asBindError(err);
  }
}

/** `gwi runserver --noreload`: prepares, then binds and serves until `options.signal` aborts. */
export async function runServer(options: RunserverOptions = {}, server: ServeHooks = {}): Promise<void> {
  // Before the project's code: with --inspect-brk, a debugger steps into it.
  if (options.inspect) await openInspector(options.inspect);
  await innerRun(await prepareRunserver(options), options, server);
}
