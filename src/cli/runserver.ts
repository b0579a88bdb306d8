// `gwi runserver`: the command line of Django's runserver. Its options become a call of the supervisor
// (the auto-reloader), which runs the server processes from cli/server-process.ts, or, with --noreload,
// of runServer(). Each is imported when it runs: the supervisor needs neither the framework nor tsx.
import { Command } from 'commander';
import { parseAddrport } from '../runserver/addrport.js';
import { commandStyle } from '../runserver/options.js';
import { VERSION } from '../version.js';
import { HELP_HELP, reportError, stopOnSignals, VERSION_HELP } from './base.js';
import { SERVER_PROCESS } from './early-start.js';
import { listenForShortcuts, shortcutsOn, siteUrl } from './shortcuts.js';
import { inspectTarget, withInspectOptions, type InspectFlags } from './inspect-flags.js';

interface RunserverFlags extends InspectFlags {
  ipv6?: boolean;
  nothreading?: boolean;
  noreload?: boolean;
  nolivereload?: boolean;
  envFile: string[];
  nostatic?: boolean;
  insecure?: boolean;
  https?: boolean;
  certFile?: string;
  keyFile?: string;
  skipChecks?: boolean;
  settings?: string;
  /** false with --no-color (commander's negatable option). */
  color: boolean;
  forceColor?: boolean;
}

export function runserverCommand(): Command {
  const command = new Command('runserver')
    .description('Starts a lightweight web server for development and also serves static files.')
    .argument('[addrport]', 'Optional port number, or ipaddr:port')
    .option('--ipv6, -6', 'Tells gwi to use an IPv6 address.')
    .option('--nothreading', 'Tells gwi to NOT use threading.')
    .option('--noreload', 'Tells gwi to NOT use the auto-reloader.')
    .option('--nolivereload', 'Tells gwi to NOT reload the open pages (or swap their stylesheets) when the code changes.')
    .option(
      '--env-file <PATH>',
      "An env file to load into the server process instead of the project's .env (repeatable; a later file wins, the shell's variables win over both).",
      (file: string, files: string[]) => [...files, file],
      [] as string[],
    )
    .option('--nostatic', 'Tells gwi to NOT automatically serve static files at STATIC_URL.')
    .option('--insecure', 'Allows serving static files even if DEBUG is False.')
    .option('--https', 'Serve HTTPS with a self-signed certificate for localhost, made on first use and kept in ~/.cache/gwi/https.')
    .option('--cert-file <PATH>', 'Serve HTTPS with this certificate (PEM); needs --key-file.')
    .option('--key-file <PATH>', 'The private key (PEM) of --cert-file.')
    .version(VERSION, '--version', VERSION_HELP)
    .option(
      '--settings <SETTINGS>',
      'The path to a settings module, e.g. "mysite/settings". If this isn\'t provided, the GWI_SETTINGS_MODULE ' +
        'environment variable will be used, then the "gwi": { "settings": ... } field of package.json.',
    )
    .option('--no-color', "Don't colorize the command output.")
    .option('--force-color', 'Force colorization of the command output.')
    .option('--skip-checks', 'Skip system checks.')
    .helpOption('-h, --help', HELP_HELP);
  withInspectOptions(command);
  return command.action(async (addrport: string | undefined, flags: RunserverFlags) => {
    const noColor = !flags.color;
    const forceColor = flags.forceColor ?? false;
    // Until the two flags are known to agree, errors are styled as with neither (Django's __init__).
    const style = commandStyle(noColor && forceColor ? {} : { noColor, forceColor });
    let status = 0;
    const shortcuts = shortcutsOn();
    try {
      // The reloader's supervisor, or (--noreload) one process that binds and serves.
      const options = {
        addrport,
        useIpv6: flags.ipv6 ?? false,
        useThreading: !flags.nothreading,
        useReloader: !flags.noreload,
        useLiveReload: !flags.nolivereload,
        envFiles: flags.envFile,
        useStaticHandler: !flags.nostatic,
        insecureServing: flags.insecure ?? false,
        useHttps: flags.https ?? false,
        certFile: flags.certFile,
        keyFile: flags.keyFile,
        skipChecks: flags.skipChecks ?? false,
        settings: flags.settings,
        noColor,
        forceColor,
        shortcuts,
        inspect: await inspectTarget(flags),
        signal: stopOnSignals(),
      };
      const scheme = options.useHttps || options.certFile ? 'https' : 'http';
      const url = (port: number): string => siteUrl(parseAddrport(addrport, options.useIpv6), port, scheme);
      if (flags.noreload) {
        const { runServer } = await import('../runserver/inner-run.js');
        const onBind = (port: number): void => void (shortcuts && listenForShortcuts({ reload: null, url: url(port) }));
        await runServer(options, { onBind });
      } else {
        const { Supervisor } = await import('../reloader/supervisor.js');
        const supervisor = new Supervisor({ ...options, serverProcess: SERVER_PROCESS });
        await supervisor.start();
        if (shortcuts) listenForShortcuts({ reload: () => supervisor.reload(), url: url(supervisor.port) });
        await supervisor.stopped();
        status = supervisor.exitCode;
      }
    } catch (err) {
      process.exit(reportError(err, process.stderr, style));
    }
    // Served until Ctrl-C: exit even if the project left timers or sockets behind.
    process.exit(status);
  });
}
