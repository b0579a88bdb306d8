// `gwi check`: Django's check command — load the project's settings and run the system checks.
import { loadSettings } from '../framework/conf/settings.js';
import { runChecks } from '../framework/checks/registry.js';
import { formatCheckReport, SystemCheckError } from '../framework/checks/report.js';
import type { Style } from '../log/termcolors.js';
import { registerProjectLoader } from '../runserver/loader.js';
import type { Output } from '../runserver/inner-run.js';

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
  await registerProjectLoader();
  await loadSettings({ settings });
  const report = formatCheckReport(await runChecks({ includeDeployment: deploy }), { style });
  if (report.serious) throw new SystemCheckError(report.text);
  (report.visible ? stderr : stdout).write(`${report.text}\n`);
}
