// The system check that keeps a project's URLs out of live reload's prefix: runserver answers there before
// the project's application is asked, so a view routed there would never be reached while live reload is on.
import { Warning, type CheckMessage } from '../framework/checks/messages.js';
import { register } from '../framework/checks/registry.js';
import { settings } from '../framework/conf/settings.js';
import { isValidPath } from '../framework/urls/base.js';
import { EVENTS_PATH, LIVE_RELOAD_PREFIX, SCRIPT_PATH } from './live-reload.js';

const NAME = LIVE_RELOAD_PREFIX.slice(1, -1);

/**
 * livereload.W001: a URL pattern of the project is under the prefix (a catch-all route, which matches
 * the prefix's paths too, is not reported: it was never meant for them).
 */
export async function checkReservedPrefix(): Promise<CheckMessage[]> {
  if (!settings.ROOT_URLCONF) return [];
  const taken = new Set<string>();
  for (const path of [SCRIPT_PATH, EVENTS_PATH, `${LIVE_RELOAD_PREFIX}x/`]) {
    const match = await isValidPath(path);
    if (match && match.route.includes(NAME)) taken.add(match.route);
  }
  if (taken.size === 0) return [];
  return [
    new Warning(`Your URL patterns match paths under ${LIVE_RELOAD_PREFIX}, which runserver keeps for live reload: ${[...taken].join(', ')}.`, {
      hint: `Move these routes out of ${LIVE_RELOAD_PREFIX}, or run with --nolivereload.`,
      id: 'livereload.W001',
    }),
  ];
}

let registered = false;

/** Adds the check to the ones runserver runs (once per process). */
export function registerReservedPrefixCheck(): void {
  if (registered) return;
  registered = true;
  register(checkReservedPrefix, 'urls');
}
