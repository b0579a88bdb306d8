// `gwi runserver`: the command line of Django's runserver. Its options become a call of the supervisor
// (the auto-reloader) or, with --noreload, of runServer(); a server process of the reloader is this same
// command, started by the supervisor with RUN_MAIN=true.
import { Command } from 'commander';
import { isReloaderChild, runReloaderChild } from '../reloader/child.js';
import { runSupervisor } from '../reloader/supervisor.js';
import { runServer } from '../runserver/inner-run.js';
import { commandStyle } from '../runserver/options.js';
import { VERSION } from '../version.js';
import { HELP_HELP, reportError, stopOnSignals, VERSION_HELP } from './base.js';

interface RunserverFlags {
  ipv6?: boolean;
  nothreading?: boolean;
  noreload?: boolean;
  nolivereload?: boolean;
  nostatic?: boolean;
  insecure?: boolean;
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
    .option('--nostatic', 'Tells gwi to NOT automatically serve static files at STATIC_URL.')
    .option('--insecure', 'Allows serving static files even if DEBUG is False.')
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
  return command.action(async (addrport: string | undefined, flags: RunserverFlags) => {
    const noColor = !flags.color;
    const forceColor = flags.forceColor ?? false;
    // Until the two flags are known to agree, errors are styled as with neither (Django's __init__).
    const style = commandStyle(noColor && forceColor ? {} : { noColor, forceColor });
    // A server process of the reloader: its options come from the supervisor that started it.
    if (!flags.noreload && isReloaderChild()) return runReloaderChild((err, stream) => reportError(err, stream, style));
    let status = 0;
    try {
      // The reloader's supervisor, or (--noreload) one process that binds and serves.
      const options = {
        addrport,
        useIpv6: flags.ipv6 ?? false,
        useThreading: !flags.nothreading,
        useReloader: !flags.noreload,
        useLiveReload: !flags.nolivereload,
        useStaticHandler: !flags.nostatic,
        insecureServing: flags.insecure ?? false,
        skipChecks: flags.skipChecks ?? false,
        settings: flags.settings,
        noColor,
        forceColor,
        signal: stopOnSignals(),
      };
      if (flags.noreload) await runServer(options);
      else status = await runSupervisor(options);
    } catch (err) {
      process.exit(reportError(err, process.stderr, style));
    }
    // Served until Ctrl-C: exit even if the project left timers or sockets behind.
    process.exit(status);
  });
}
