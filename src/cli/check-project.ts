// What `gwi check` does (Django's check command): load the project's settings and run the system checks.
import { loadSettings } from '../framework/conf/settings.js';
import { runChecks } from '../framework/checks/registry.js';
import { formatCheckReport, SystemCheckError } from '../framework/checks/report.js';
import type { Style } from '../log/termcolors.js';
import { envFilesOf, loadEnvFiles } from '../runserver/env-files.js';
import { registerProjectLoader } from '../runserver/loader.js';
import { findProjectRoot } from '../framework/utils/module-loading.js';
import type { Output } from '../runserver/options.js';

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
