// HTTP helpers of Django's utils/http.py: the dates of RFC 9110's headers, host patterns, and URLs split
// as Python's urlsplit() splits them.
import { isIPv4, isIPv6 } from 'node:net';
import { pyRepr } from '../../gateway/py-repr.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const TIME = '(?<hour>[0-9]{2}):(?<min>[0-9]{2}):(?<sec>[0-9]{2})';
const HTTP_DATES = [
  new RegExp(`^\\w{3}, (?<day>[0-9]{2}) (?<mon>\\w{3}) (?<year>[0-9]{4}) ${TIME} GMT$`), // RFC 1123
  new RegExp(`^\\w{6,9}, (?<day>[0-9]{2})-(?<mon>\\w{3})-(?<year>[0-9]{2}) ${TIME} GMT$`), // RFC 850
  new RegExp(`^\\w{3} (?<mon>\\w{3}) (?<day>[ 0-9][0-9]) ${TIME} (?<year>[0-9]{4})$`), // asctime
];

/** Django's parse_http_date: the three formats of RFC 9110, as seconds since the epoch; null if invalid. */
export function parseHttpDate(text: string, now: Date = new Date()): number | null {
  let groups: Record<string, string> | undefined;
  for (const format of HTTP_DATES) {
    groups = format.exec(text)?.groups;
    if (groups) break;
  }
  if (!groups) return null;
  const { day = '', mon = '', year = '', hour = '', min = '', sec = '' } = groups;
  let fullYear = Number(year);
  if (year.length === 2) {
    // RFC 850's two-digit years: more than 50 years ahead means the previous century (RFC 9110 §5.6.7).
    const current = now.getUTCFullYear();
    const century = current - (current % 100);
    fullYear += fullYear - (current % 100) > 50 ? century - 100 : century;
  }
  const month = MONTHS.indexOf(mon.toLowerCase());
  const [d, h, m, s] = [Number(day), Number(hour), Number(min), Number(sec)];
  // setUTCFullYear, not Date.UTC: that one reads years below 100 as 19xx.
  const date = new Date(0);
  date.setUTCFullYear(fullYear, month, d);
  date.setUTCHours(h, m, s);
  // Feb 30 rolls over into March here; Python's datetime refuses it, and so does this.
  if (month < 0 || date.getUTCDate() !== d || date.getUTCMonth() !== month || h > 23 || m > 59 || s > 59) return null;
  return date.getTime() / 1000;
}

/**
 * Django's is_same_domain: `pattern` is the host itself, or (starting with a dot) the domain and its
 * subdomains (`.example.com` matches `example.com` and `a.example.com`); `host` is compared as given.
 */
export function isSameDomain(host: string, pattern: string): boolean {
  if (!pattern) return false;
  const lower = pattern.toLowerCase();
  return lower === host || (lower.startsWith('.') && (host.endsWith(lower) || host === lower.slice(1)));
}

/** The parts of a URL, as Python's urlsplit() gives them. */
export interface SplitUrl {
  scheme: string;
  netloc: string;
  path: string;
  query: string;
  fragment: string;
}

/** A bracketed host that is not an IPv6 address (nor an IPvFuture one): Python's ValueError. */
export class InvalidUrl extends Error {
  override name = 'InvalidUrl';
}

/** Python's _check_bracketed_netloc: `[…]` holds an IPv6 address, the whole host, nothing but a port after it. */
function checkBracketedNetloc(netloc: string): void {
  const hostAndPort = netloc.slice(netloc.lastIndexOf('@') + 1);
  const open = hostAndPort.indexOf('[');
  let host: string;
  if (open >= 0) {
    if (open > 0) throw new InvalidUrl('Invalid IPv6 URL');
    const bracketed = hostAndPort.slice(open + 1);
    const close = bracketed.indexOf(']');
    host = close < 0 ? bracketed : bracketed.slice(0, close);
    const port = close < 0 ? '' : bracketed.slice(close + 1);
    if (port && !port.startsWith(':')) throw new InvalidUrl('Invalid IPv6 URL');
  } else {
    host = hostAndPort.split(':', 1)[0] as string;
  }
  if (host.startsWith('v')) {
    if (!/^v[a-fA-F0-9]+\..+$/s.test(host)) throw new InvalidUrl('IPvFuture address is invalid');
  } else if (!isIPv6(host)) {
    throw new InvalidUrl(isIPv4(host) ? 'An IPv4 address cannot be in brackets' : `${pyRepr(host)} does not appear to be an IPv4 or IPv6 address`);
  }
}

/**
 * Python's urllib.parse.urlsplit (what Django reads the Origin and Referer headers with): leading
 * controls and spaces and any tab or newline dropped, the scheme lower-cased; InvalidUrl where Python
 * raises ValueError (unbalanced or invalid brackets in the host).
 */
export function urlSplit(url: string): SplitUrl {
  let rest = url.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  let netloc = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, end + 2);
    rest = end < 0 ? '' : rest.slice(end + 2);
    if (netloc.includes('[') !== netloc.includes(']')) throw new InvalidUrl('Invalid IPv6 URL');
    if (netloc.includes('[')) checkBracketedNetloc(netloc);
  }
  const [beforeFragment, fragment = ''] = splitOnce(rest, '#');
  const [path, query = ''] = splitOnce(beforeFragment, '?');
  return { scheme, netloc, path, query, fragment };
}

/** Python's urlunsplit, for a URL with a scheme and a host (what Django's geturl() gives back). */
export function urlUnsplit({ scheme, netloc, path, query, fragment }: SplitUrl): string {
  return `${scheme}://${netloc}${path}${query ? `?${query}` : ''}${fragment ? `#${fragment}` : ''}`;
}

function splitOnce(text: string, separator: string): [string, string?] {
  const at = text.indexOf(separator);
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}
