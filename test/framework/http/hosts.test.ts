// The Host header's checks (Django's tests/requests_tests split_domain_port and validate_host cases).
import { afterEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { DisallowedHost } from '../../../src/framework/exceptions.js';
import { splitDomainPort, validateHost } from '../../../src/framework/http/host-validation.js';
import { checkAllowedHost } from '../../../src/framework/http/hosts.js';

afterEach(() => resetSettings());

describe('splitDomainPort', () => {
  it.each([
    ['example.com', ['example.com', '']],
    ['Example.COM:8080', ['example.com', '8080']],
    ['example.com.', ['example.com', '']],
    ['[::1]:8000', ['[::1]', '8000']],
    ['[2001:db8::1]', ['[2001:db8::1]', '']],
    ['exa mple.com', ['', '']],
    ['example.com:port', ['', '']],
  ])('%j is %j', (host, parts) => {
    expect(splitDomainPort(host)).toEqual(parts);
  });
});

describe('validateHost', () => {
  it.each([
    ['example.com', ['example.com'], true],
    ['example.com', ['.example.com'], true],
    ['sub.example.com', ['.example.com'], true],
    ['badexample.com', ['.example.com'], false],
    ['anything.test', ['*'], true],
    ['example.com', ['', 'EXAMPLE.com'], true],
    ['example.com', [], false],
  ])('%j against %j is %j', (domain, allowed, valid) => {
    expect(validateHost(domain, allowed)).toBe(valid);
  });
});

describe('checkAllowedHost', () => {
  it('allows localhost variants under DEBUG with an empty ALLOWED_HOSTS, and says what to add otherwise', () => {
    configureSettings({ DEBUG: true, ALLOWED_HOSTS: [] });
    expect(checkAllowedHost('www.localhost:8000')).toBe('www.localhost:8000');
    expect(checkAllowedHost('[::1]')).toBe('[::1]');
    expect(() => checkAllowedHost('example.com')).toThrow(
      new DisallowedHost("Invalid HTTP_HOST header: 'example.com'. You may need to add 'example.com' to ALLOWED_HOSTS."),
    );
    expect(() => checkAllowedHost('bad host')).toThrow(
      new DisallowedHost("Invalid HTTP_HOST header: 'bad host'. The domain name provided is not valid according to RFC 1034/1035."),
    );
  });
});
