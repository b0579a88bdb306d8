// The application runserver serves (Django's get_internal_wsgi_application): the export GWI_APPLICATION
// names, or the framework's own handler when it is null.
import { inspect } from 'node:util';
import type { Application } from '../../gateway/types.js';
import { settings } from '../conf/settings.js';
import { ImproperlyConfigured } from '../exceptions.js';
import { getGwiApplication } from './gwi.js';
import { importString } from '../utils/module-loading.js';

/** A value as a message names it: 'an instance of GwiHandler' says more than its contents. */
function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return inspect(value);
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
}

/**
 * Imports the GWI application named by settings.GWI_APPLICATION ('mysite/gwi#application'), relative to
 * BASE_DIR. Any failure to import it is an ImproperlyConfigured whose `cause` is the real error.
 */
export async function getInternalGwiApplication(): Promise<Application> {
  const appPath = settings.GWI_APPLICATION;
  if (appPath === null) return getGwiApplication();
  let application: unknown;
  try {
    application = await importString(appPath, settings.BASE_DIR);
  } catch (err) {
    throw new ImproperlyConfigured(`GWI application '${appPath}' could not be loaded; Error importing module.`, { cause: err });
  }
  if (typeof application !== 'function') {
    throw new ImproperlyConfigured(
      `GWI application '${appPath}' is not a function (environ, startResponse): it is ${describe(application)}.`,
    );
  }
  return application as Application;
}
