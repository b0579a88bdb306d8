// The gwi command line: `gwi runserver`, `gwi startproject`, `gwi check`, `gwi demo` and `--version`. Commands are
// thin: they turn options into a call of the programmatic API and print its errors as Django does.
import { Command, CommanderError } from 'commander';
import { commandStyle } from '../runserver/options.js';
import { VERSION } from '../version.js';
import { HELP_HELP, reportError, USAGE_ERROR, VERSION_HELP } from './base.js';
import { checkCommand } from './check.js';
import { demoCommand } from './demo.js';
import { runserverCommand } from './runserver.js';
import { startprojectCommand } from './startproject.js';

/** Usage errors as argparse prints them: the usage line, then `gwi runserver: error: ...`, exit 2. */
function usageErrors(command: Command, prog: string): Command {
  return command.configureOutput({
    outputError: (text, write) => write(`Usage: ${prog} ${command.usage()}\n${prog}: ${text}`),
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
