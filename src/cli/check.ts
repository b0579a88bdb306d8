// `gwi check`: Django's check command — load the project's settings and run the system checks.
import { Command } from 'commander';
import { loadSettings } from '../framework/conf/settings.js';
import { runChecks } from '../framework/checks/registry.js';
import { formatCheckReport, SystemCheckError } from '../framework/checks/report.js';
import type { Style } from '../log/termcolors.js';
import { envFilesOf, loadEnvFiles } from '../runserver/env-files.js';
import { registerProjectLoader } from '../runserver/loader.js';
import { findProjectRoot } from '../framework/utils/module-loading.js';
import { ImproperlyConfigured } from '../framework/exceptions.js';
import { CommandError } from '../runserver/errors.js';
import { commandStyle, type Output } from '../runserver/options.js';
import { HELP_HELP, reportError } from './base.js';

export interface CheckOptions {
  settings?: string | undefined;
  /** `--deploy`: also the deployment checks (security.W009, security.W020, ...). */
  deploy?: boolean;
  style: Style;
  stdout?: Output;
  stderr?: Output;
}

/** Prints the report (stdout when clean, stderr with issues); serious issues throw SystemCheckError. */
export async function checkProject({ settings, deploy = false, style, stdout = process.stdout, stderr = process.stderr }: CheckOptions): Promise<void> {
  // The project's .env, as runserver loads it: settings often read it.
  loadEnvFiles(envFilesOf(undefined, findProjectRoot()), process.env, (message) => stderr.write(`${message}\n`));
  await registerProjectLoader();
  await loadSettings({ settings });
  const report = formatCheckReport(await runChecks({ includeDeployment: deploy }), { style });
  if (report.serious) throw new SystemCheckError(report.text);
  (report.visible ? stderr : stdout).write(`${report.text}\n`);
}

export function checkCommand(): Command {
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
