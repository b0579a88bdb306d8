// get_host()'s ALLOWED_HOSTS test as Django makes it: the hosts the settings allow, and the error a
// request for another one gets.
import { pyRepr } from '../../gateway/py-repr.js';
import { currentSettings } from '../conf/settings.js';
import { DisallowedHost } from '../exceptions.js';
import { DEBUG_ALLOWED_HOSTS, domainOf, isAllowedHost } from './host-validation.js';

/** ALLOWED_HOSTS as it applies: under DEBUG an empty list is Django's local default. */
export function allowedHosts(): readonly string[] {
  const config = currentSettings();
  return config.DEBUG && config.ALLOWED_HOSTS.length === 0 ? DEBUG_ALLOWED_HOSTS : config.ALLOWED_HOSTS;
}

/** The host when ALLOWED_HOSTS allows it (the test of Django's get_host()); DisallowedHost when not. */
export function checkAllowedHost(host: string): string {
  if (isAllowedHost(host, allowedHosts())) return host;
  const domain = domainOf(host);
  let message = `Invalid HTTP_HOST header: ${pyRepr(host)}.`;
  message += domain
    ? ` You may need to add ${pyRepr(domain)} to ALLOWED_HOSTS.`
    : ' The domain name provided is not valid according to RFC 1034/1035.';
  throw new DisallowedHost(message);
}
