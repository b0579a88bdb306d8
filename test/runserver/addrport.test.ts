// The addrport table of the reference (§1.2): every row, with Django's results and messages.
import { describe, expect, it } from 'vitest';
import { displayAddr, parseAddrport, type Addrport } from '../../src/runserver/addrport.js';
import { CommandError } from '../../src/runserver/errors.js';

const PARSED: [args: string | undefined, ipv6: boolean, expected: Addrport][] = [
  [undefined, false, { addr: '127.0.0.1', port: 8000, ipv6: false, rawIpv6: false }],
  ['', false, { addr: '127.0.0.1', port: 8000, ipv6: false, rawIpv6: false }],
  [undefined, true, { addr: '::1', port: 8000, ipv6: true, rawIpv6: true }],
  ['7000', false, { addr: '127.0.0.1', port: 7000, ipv6: false, rawIpv6: false }],
  ['7000', true, { addr: '::1', port: 7000, ipv6: true, rawIpv6: true }],
  ['1.2.3.4:8000', false, { addr: '1.2.3.4', port: 8000, ipv6: false, rawIpv6: false }],
  ['[::1]:8768', false, { addr: '::1', port: 8768, ipv6: true, rawIpv6: true }],
  ['[2001:0db8:1234:5678::9]:7000', false, { addr: '2001:0db8:1234:5678::9', port: 7000, ipv6: true, rawIpv6: true }],
  ['localhost:8000', false, { addr: 'localhost', port: 8000, ipv6: false, rawIpv6: false }],
  ['localhost:8000', true, { addr: 'localhost', port: 8000, ipv6: true, rawIpv6: false }],
  ['test.domain.local:7000', true, { addr: 'test.domain.local', port: 7000, ipv6: true, rawIpv6: false }],
  ['beef:7654', false, { addr: 'beef', port: 7654, ipv6: false, rawIpv6: false }],
  ['deadbeef:7654', false, { addr: 'deadbeef', port: 7654, ipv6: false, rawIpv6: false }],
  ['0:8766', false, { addr: '0', port: 8766, ipv6: false, rawIpv6: false }],
  ['0', false, { addr: '127.0.0.1', port: 0, ipv6: false, rawIpv6: false }],
  ['1.2.3:80', false, { addr: '1.2.3', port: 80, ipv6: false, rawIpv6: false }],
  ['1234.1.1.1:80', false, { addr: '1234.1.1.1', port: 80, ipv6: false, rawIpv6: false }],
  ['-:80', false, { addr: '-', port: 80, ipv6: false, rawIpv6: false }],
  // Python's \d: any script's decimal digits; int() reads them.
  ['٨٠٠٠', false, { addr: '127.0.0.1', port: 8000, ipv6: false, rawIpv6: false }],
  ['𝟖𝟎𝟎𝟎', false, { addr: '127.0.0.1', port: 8000, ipv6: false, rawIpv6: false }],
  ['08000', false, { addr: '127.0.0.1', port: 8000, ipv6: false, rawIpv6: false }],
  // re.match's `$` also matches before a final newline.
  ['8000\n', false, { addr: '127.0.0.1', port: 8000, ipv6: false, rawIpv6: false }],
  ['65535', false, { addr: '127.0.0.1', port: 65535, ipv6: false, rawIpv6: false }],
];

const NOT_A_PAIR = [
  'abc',
  '8000:',
  ':8000',
  '1.2.3.4:abc',
  '[::1]:abc',
  '[::1]',
  '::1:8000',
  'my_host:8000',
  '[::ffff:127.0.0.1]:8000',
  '[fe80::1%eth0]:8000',
  '8000\n\n',
  ' 8000',
];

function errorOf(run: () => unknown): CommandError {
  try {
    run();
  } catch (err) {
    if (err instanceof CommandError) return err;
    throw err;
  }
  throw new Error('no CommandError');
}

describe('parseAddrport', () => {
  it.each(PARSED)('%j (ipv6: %s)', (args, ipv6, expected) => {
    expect(parseAddrport(args, ipv6)).toEqual(expected);
  });

  it.each(NOT_A_PAIR)('%j is not a valid port number or address:port pair', (args) => {
    const error = errorOf(() => parseAddrport(args, false));
    expect(error.message).toBe(`"${args}" is not a valid port number or address:port pair.`);
    expect(error.returncode).toBe(1);
  });

  it('refuses an IPv4 address with --ipv6', () => {
    expect(errorOf(() => parseAddrport('127.0.0.1:8000', true)).message).toBe('"127.0.0.1" is not a valid IPv6 address.');
  });

  it.each([
    ['99999', "'99999' is not a valid port number."],
    ['127.0.0.1:99999', "'99999' is not a valid port number."],
    ['65536', "'65536' is not a valid port number."],
    ['123456789012345678901234567890', "'123456789012345678901234567890' is not a valid port number."],
  ])('%s: a port above 65535 is a CommandError, not a crash', (args, message) => {
    expect(errorOf(() => parseAddrport(args, false)).message).toBe(message);
  });
});

describe('displayAddr', () => {
  it.each([
    [{ addr: '127.0.0.1', rawIpv6: false }, '127.0.0.1'],
    [{ addr: '::1', rawIpv6: true }, '[::1]'],
    [{ addr: '0', rawIpv6: false }, '0.0.0.0'],
    [{ addr: 'localhost', rawIpv6: false }, 'localhost'],
    [{ addr: '2001:0db8:1234:5678::9', rawIpv6: true }, '[2001:0db8:1234:5678::9]'],
  ])('%j → %s', (parsed, shown) => {
    expect(displayAddr(parsed)).toBe(shown);
  });
});
