// The staticfiles app's system check (Django's django.contrib.staticfiles.checks): STATICFILES_DIRS exist.
import { statSync } from 'node:fs';
import path from 'node:path';
import { Warning, type CheckMessage } from '../checks/messages.js';
import { settings } from '../conf/settings.js';

function isDirectory(dir: string): boolean {
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** staticfiles.W004: each STATICFILES_DIRS entry (relative ones from BASE_DIR) must be a directory. */
export function checkStaticfilesDirs(): CheckMessage[] {
  return settings.STATICFILES_DIRS.filter((dir) => !isDirectory(path.resolve(settings.BASE_DIR, dir))).map(
    (dir) => new Warning(`The directory '${dir}' in the STATICFILES_DIRS setting does not exist.`, { id: 'staticfiles.W004' }),
  );
}
