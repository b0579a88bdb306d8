// runserver's `[addr:]port` argument: Django's naiveip_re grammar, defaults and error messages, and the
// address as the banner shows it. Pure: no sockets, no settings.
import { pyRepr } from '../gateway/py-repr.js';
import { CommandError } from './errors.js';

export const DEFAULT_ADDR = '127.0.0.1';
export const DEFAULT_ADDR_IPV6 = '::1';
export const DEFAULT_PORT = 8000;

/** Where runserver binds. */
export interface Addrport {
  /** As typed (an IPv6 literal without its brackets), or the default for the address family. */
  addr: string;
  port: number;
  /** Resolve and bind IPv6: `-6`, or a bracketed address. */
  ipv6: boolean;
  /** `addr` is an IPv6 literal: the banner puts it in brackets. */
  rawIpv6: boolean;
}

// Django's naiveip_re. Python's \d is any Unicode decimal digit (\p{Nd}), and its `$` also matches
// before a final newline; both are kept so that exactly the same arguments are accepted.
const NAIVE_IP =
  /^(?:(?<addr>(?<ipv4>\p{Nd}{1,3}(?:\.\p{Nd}{1,3}){3})|(?<ipv6>\[[a-fA-F0-9:]+\])|(?<fqdn>[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*)):)?(?<port>\p{Nd}+)\n?$/u;

const IS_DIGIT = /^\p{Nd}$/u;

/**
 * The value of a decimal digit of any script, as Python's int() reads it. Unicode encodes every
 * script's digits as runs of ten, 0 to 9, and adjacent runs start on a multiple of ten from the
 * first one, so the value is the distance from the start of the run modulo 10.
 */
function digitValue(digit: string): number {
  const code = digit.codePointAt(0) as number;
  let start = code;
  while (IS_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (code - start) % 10;
}

function parsePort(text: string): number {
  let port = 0;
  for (const digit of text) {
    port = port * 10 + digitValue(digit);
    // Django lets bind() fail with an OverflowError and a traceback; say it cleanly instead.
    if (port > 65535) throw new CommandError(`${pyRepr(text)} is not a valid port number.`);
  }
  return port;
}

/** Django's runserver handle(): `addrport` as given (undefined: none) and the `--ipv6` flag. */
export function parseAddrport(addrport: string | undefined, useIpv6 = false): Addrport {
  let ipv6 = useIpv6;
  let rawIpv6 = false;
  let addr = '';
  let port = DEFAULT_PORT;
  if (addrport) {
    const groups = NAIVE_IP.exec(addrport)?.groups;
    if (!groups) throw new CommandError(`"${addrport}" is not a valid port number or address:port pair.`);
    addr = groups.addr ?? '';
    port = parsePort(groups.port as string);
    if (groups.ipv6) {
      addr = addr.slice(1, -1);
      ipv6 = true;
      rawIpv6 = true;
    } else if (addr && ipv6 && !groups.fqdn) {
      throw new CommandError(`"${addr}" is not a valid IPv6 address.`);
    }
  }
  if (!addr) {
    addr = ipv6 ? DEFAULT_ADDR_IPV6 : DEFAULT_ADDR;
    rawIpv6 = ipv6;
  }
  return { addr, port, ipv6, rawIpv6 };
}

/** The host part of the banner's URL: `[::1]` for an IPv6 literal, `0.0.0.0` for `0`. */
export function displayAddr({ addr, rawIpv6 }: Pick<Addrport, 'addr' | 'rawIpv6'>): string {
  if (rawIpv6) return `[${addr}]`;
  return addr === '0' ? '0.0.0.0' : addr;
}
