// The deployment checks of Django's django.core.checks.security that apply to gwi: a SECRET_KEY, and
// ALLOWED_HOSTS with DEBUG off (run by `check --deploy`).
import { settings } from '../conf/settings.js';
import { Warning, type CheckMessage } from './messages.js';

/** security.W009 (deployment): signing needs a secret. */
export function checkSecretKey(): CheckMessage[] {
  if (settings.SECRET_KEY) return [];
  return [
    new Warning('Your SECRET_KEY is empty. Signing and password-reset tokens need a long, random SECRET_KEY.', {
      id: 'security.W009',
    }),
  ];
}

/** security.W020 (deployment): with DEBUG off, every Host header is refused while ALLOWED_HOSTS is empty. */
export function checkAllowedHosts(): CheckMessage[] {
  if (settings.DEBUG || settings.ALLOWED_HOSTS.length > 0) return [];
  return [new Warning('ALLOWED_HOSTS must not be empty in deployment.', { id: 'security.W020' })];
}
