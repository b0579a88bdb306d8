// The Host header's checks that need no settings (Django's split_domain_port and validate_host): whether a
// host is one of a list. The reloader's supervisor checks its own pages' hosts with them too.
import { boundedMemo } from '../../gateway/memo.js';
import { isSameDomain } from '../utils/http.js';

// Django's host_validation_re: a DNS name or a bracketed IPv6 address, then an optional port.
const HOST_VALIDATION = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(?::([0-9]+))?$/;

/** Django's split_domain_port: ['', ''] for a host that is not syntactically valid. */
export function splitDomainPort(host: string): [domain: string, port: string] {
  const match = HOST_VALIDATION.exec(host.toLowerCase());
  if (!match) return ['', ''];
  const domain = match[1] as string;
  return [domain.endsWith('.') ? domain.slice(0, -1) : domain, match[2] ?? ''];
}

/** The domain of a Host header ('' when invalid), parsed once per distinct host. */
export const domainOf = boundedMemo((host) => splitDomainPort(host)[0]);

// Django's default for an empty ALLOWED_HOSTS under DEBUG.
export const DEBUG_ALLOWED_HOSTS: readonly string[] = ['.localhost', '127.0.0.1', '[::1]'];

/** Django's validate_host: `*` matches anything, `.example.com` the domain and its subdomains. */
export function validateHost(domain: string, allowedHosts: readonly string[]): boolean {
  return allowedHosts.some((pattern) => pattern === '*' || isSameDomain(domain, pattern));
}

/** Whether a Host header names one of `allowed` (get_host()'s test, without its error). */
export function isAllowedHost(host: string, allowed: readonly string[]): boolean {
  const domain = domainOf(host);
  // The domain is lower-cased: one listed as it is (the usual case) matches without lower-casing the list.
  return domain !== '' && (allowed.includes(domain) || validateHost(domain, allowed));
}
