// The gwi command line: `gwi runserver`, `gwi startproject`, `gwi check`, `gwi demo` and `--version`. Commands are
// thin: they turn options into a call of the programmatic API and print its errors as Django does.
import { inspect } from 'node:util';
import { Command, CommanderError } from 'commander';
import { SystemCheckError } from '../framework/checks/report.js';
import type { Style } from '../log/termcolors.js';
import { isReloaderChild, runReloaderChild } from '../reloader/child.js';
import { runSupervisor } from '../reloader/supervisor.js';
import { demoApp } from '../server/demo-app.js';
import { run } from '../server/run.js';
import { VERSION } from '../version.js';
import { parseAddrport } from '../runserver/addrport.js';
import { asBindError, CommandError } from '../runserver/errors.js';
import { commandStyle, runServer, type Output } from '../runserver/inner-run.js';
import { checkProject } from './check.js';
import { startProject } from './startproject.js';
import { ImproperlyConfigured } from '../framework/exceptions.js';

const VERSION_HELP = "Show program's version number and exit.";
const HELP_HELP = 'Show this help message and exit.';

/** The process exit status for a parse error: argparse's 2, not commander's 1. */
const USAGE_ERROR = 2;

interface RunserverFlags {
  ipv6?: boolean;
  nothreading?: boolean;
  noreload?: boolean;
  nostatic?: boolean;
  insecure?: boolean;
  skipChecks?: boolean;
  settings?: string;
  /** false with --no-color (commander's negatable option). */
  color: boolean;
  forceColor?: boolean;
}

/**
 * Prints an error the way Django's run_from_argv does and returns the exit status: a CommandError as
 * one line, in the ERROR style when stderr is a terminal; a SystemCheckError as its report. Anything
 * else is a crash, shown with its stack.
 */
export function reportError(err: unknown, stderr: Output, style: Pick<Style, 'ERROR'>): number {
  if (err instanceof SystemCheckError) {
    stderr.write(`${err.message}\n`);
    return 1;
  }
  if (err instanceof CommandError) {
    const line = `${err.name}: ${err.message}\n`;
    stderr.write(stderr.isTTY ? style.ERROR(line) : line);
    return err.returncode;
  }
  stderr.write(`${inspect(err)}\n`);
  return 1;
}

/** Stops on SIGINT/SIGTERM (quietly, as Django on Ctrl-C); a second signal exits at once. */
function stopOnSignals(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => {
    if (controller.signal.aborted) process.exit(0);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}

/** Usage errors as argparse prints them: the usage line, then `gwi runserver: error: ...`, exit 2. */
function usageErrors(command: Command, prog: string): Command {
  return command.configureOutput({
    outputError: (text, write) => write(`Usage: ${prog} ${command.usage()}\n${prog}: ${text}`),
  });
}

function runserverCommand(): Command {
  const command = new Command('runserver')
    .description('Starts a lightweight web server for development and also serves static files.')
    .argument('[addrport]', 'Optional port number, or ipaddr:port')
    .option('--ipv6, -6', 'Tells gwi to use an IPv6 address.')
    .option('--nothreading', 'Tells gwi to NOT use threading.')
    .option('--noreload', 'Tells gwi to NOT use the auto-reloader.')
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
    if (!flags.noreload && isReloaderChild()) return runReloaderChild((err) => reportError(err, process.stderr, style));
    let status = 0;
    try {
      // The reloader's supervisor, or (--noreload) one process that binds and serves.
      const options = {
        addrport,
        useIpv6: flags.ipv6 ?? false,
        useThreading: !flags.nothreading,
        useReloader: !flags.noreload,
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

function demoCommand(): Command {
  return new Command('demo')
    .description("Serves wsgiref's demo app (the environ, echoed) with the reference server.")
    .argument('[addrport]', 'Optional port number, or ipaddr:port')
    .option('--nothreading', 'Serve one request at a time.')
    .helpOption('-h, --help', HELP_HELP)
    .action(async (addrport: string | undefined, options: { nothreading?: boolean }) => {
      const { addr, port, ipv6 } = parseAddrport(addrport);
      try {
        await run(addr, port, demoApp, {
          threading: !options.nothreading,
          ipv6,
          signal: stopOnSignals(),
          onBind: (bound) => process.stdout.write(`Serving the demo app at http://${addr}:${bound}/\n`),
        });
      } catch (err) {
        throw asBindError(err);
      }
    });
}

function startprojectCommand(): Command {
  return new Command('startproject')
    .description('Creates a gwi project directory structure for the given project name in the current directory or optionally in the given directory.')
    .argument('[name]', 'Name of the application or project.')
    .argument('[directory]', 'Optional destination directory')
    .helpOption('-h, --help', HELP_HELP)
    .action(async function (this: Command, name: string | undefined, directory: string | undefined) {
      if (!name) this.error('error: You must provide a project name.', { exitCode: USAGE_ERROR });
      try {
        await startProject(name as string, directory);
      } catch (err) {
        process.exit(reportError(err, process.stderr, commandStyle({ stdout: process.stderr })));
      }
    });
}

function checkCommand(): Command {
  return new Command('check')
    .description('Checks the entire gwi project for potential problems.')
    .option('--settings <SETTINGS>', 'The path to a settings module, e.g. "mysite/settings".')
    .option('--deploy', 'Check deployment settings.')
    .helpOption('-h, --help', HELP_HELP)
    .action(async (flags: { settings?: string; deploy?: boolean }) => {
      const style = commandStyle({});
      try {
        await checkProject({ settings: flags.settings, deploy: flags.deploy ?? false, style });
      } catch (err) {
        process.exit(reportError(err instanceof ImproperlyConfigured ? new CommandError(err.message) : err, process.stderr, style));
      }
    });
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('gwi')
    .version(VERSION, '--version', VERSION_HELP)
    .helpOption('-h, --help', HELP_HELP)
    .helpCommand('help [command]', 'Show the help of a command.');
  program.exitOverride();
  usageErrors(program, 'gwi');
  for (const command of [runserverCommand(), startprojectCommand(), checkCommand(), demoCommand()]) {
    program.addCommand(command);
    usageErrors(command.exitOverride(), `gwi ${command.name()}`);
  }
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : USAGE_ERROR);
    process.exit(reportError(err, process.stderr, commandStyle({})));
  }
}
