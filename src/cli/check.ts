// `gwi check`: Django's check command. The work is imported when the command runs: the other commands
// never load the framework for it.
import { Command } from 'commander';
import { ImproperlyConfigured } from '../framework/exceptions.js';
import { CommandError } from '../runserver/errors.js';
import { commandStyle } from '../runserver/options.js';
import { HELP_HELP, reportError } from './base.js';

export function checkCommand(): Command {
  return new Command('check')
    .description('Checks the entire gwi project for potential problems.')
    .option('--settings <SETTINGS>', 'The path to a settings module, e.g. "mysite/settings".')
    .option('--deploy', 'Check deployment settings.')
    .helpOption('-h, --help', HELP_HELP)
    .action(async (flags: { settings?: string; deploy?: boolean }) => {
      const style = commandStyle({});
      try {
        const { checkProject } = await import('./check-project.js');
        await checkProject({ settings: flags.settings, deploy: flags.deploy ?? false, style });
      } catch (err) {
        process.exit(reportError(err instanceof ImproperlyConfigured ? new CommandError(err.message) : err, process.stderr, style));
      }
    });
}
