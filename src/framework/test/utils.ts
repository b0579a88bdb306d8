// What tests need of the framework's settings (Django's django/test/utils.py setup_test_environment): the
// test client's host, 'testserver', allowed.
import { configureSettings, currentSettings, settingsConfigured } from '../conf/settings.js';
import { isAllowedHost } from '../http/host-validation.js';
import { allowedHosts } from '../http/hosts.js';

/** The host the test client's requests name (Django's). */
export const TEST_HOST = 'testserver';

/**
 * Adds 'testserver' to ALLOWED_HOSTS when settings are configured and it is not allowed yet, as Django's
 * test runner does; the hosts allowed before stay allowed (under DEBUG, an empty list's local ones too).
 * DEBUG is left as it is: gwi has no test runner that would turn it off.
 */
export function setupTestEnvironment(): void {
  if (!settingsConfigured() || isAllowedHost(TEST_HOST, allowedHosts())) return;
  const { SETTINGS_MODULE, ...values } = currentSettings();
  configureSettings({ ...values, ALLOWED_HOSTS: [...allowedHosts(), TEST_HOST] }, SETTINGS_MODULE);
}
