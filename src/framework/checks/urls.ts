// The URL check (Django's django.core.checks.urls): the ROOT_URLCONF loaded and its patterns checked. It
// stands above the urls package, whose patterns make the messages.
import { settings } from '../conf/settings.js';
import { getResolver } from '../urls/resolvers.js';
import type { CheckMessage } from './messages.js';

/** urls.W002 and friends, for the ROOT_URLCONF (loaded here, as runserver's checks run before any request). */
export async function checkUrlConfig(): Promise<CheckMessage[]> {
  if (!settings.ROOT_URLCONF) return [];
  return (await getResolver()).check();
}
