// The URL check (Django's django.core.checks.urls): the ROOT_URLCONF loaded and its patterns checked.
import type { CheckMessage } from './messages.js';

/** urls.W002 and friends, for the ROOT_URLCONF (loaded here, as runserver's checks run before any request). */
export async function checkUrls(): Promise<CheckMessage[]> {
  // Imported when run: urls/resolvers.ts builds its warnings with the message classes.
  const { checkUrlConfig } = await import('../urls/resolvers.js');
  return checkUrlConfig();
}
