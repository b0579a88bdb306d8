// --inspect's `[host:]port` as node reads it, and the start-up check of the address.
import { describe, expect, it } from 'vitest';
import { occupyPort } from '../cli/gwi-process.js';
import { BindError, CommandError } from '../../src/runserver/errors.js';
import { claimInspector, inspectAddress, parseInspect } from '../../src/runserver/inspect.js';

describe('parseInspect', () => {
  it.each([
    ['', '127.0.0.1', 9229],
    ['9230', '127.0.0.1', 9230],
    ['0', '127.0.0.1', 0],
    ['0.0.0.0:9230', '0.0.0.0', 9230],
    ['[::1]:9230', '::1', 9230],
    ['[::1]', '::1', 9229],
    ['localhost', 'localhost', 9229],
    ['localhost:9230', 'localhost', 9230],
    [':9230', '127.0.0.1', 9230],
    // node splits at the last colon.
    ['a:b:9230', 'a:b', 9230],
  ])('%j → %s port %d', (value, host, port) => {
    expect(parseInspect(value, '--inspect', false)).toEqual({ host, port, wait: false });
  });

  it.each([
    ['80', '80', '--inspect'],
    ['70000', '70000', '--inspect-brk'],
    ['::1', '1', '--inspect'],
    ['localhost:abc', 'abc', '--inspect'],
    ['localhost:', '', '--inspect'],
  ])('%j is a CommandError naming the port and the option', (value, port, option) => {
    const parse = (): unknown => parseInspect(value, option, false);
    expect(parse).toThrow(CommandError);
    expect(parse).toThrow(`"${port}" is not a valid port for ${option}: it must be 0 or in range 1024 to 65535.`);
  });

  it('keeps --inspect-brk as wait', () => {
    expect(parseInspect('9230', '--inspect-brk', true).wait).toBe(true);
  });
});

describe('inspectAddress', () => {
  it('puts an IPv6 address in brackets', () => {
    expect(inspectAddress({ host: '::1', port: 9230 })).toBe('[::1]:9230');
    expect(inspectAddress({ host: '127.0.0.1', port: 9230 })).toBe('127.0.0.1:9230');
  });
});

describe('claimInspector', () => {
  it('picks a port for 0, the one every server process then listens on', async () => {
    const claimed = await claimInspector({ host: '127.0.0.1', port: 0, wait: false });
    expect(claimed.port).toBeGreaterThan(0);
  });

  it('a port in use is a BindError saying whose', async () => {
    const busy = await occupyPort();
    try {
      const claim = claimInspector({ host: '127.0.0.1', port: busy.port, wait: false });
      await expect(claim).rejects.toThrow(BindError);
      await expect(claim).rejects.toThrow(`The debugger cannot listen on 127.0.0.1:${busy.port}. That port is already in use.`);
    } finally {
      await busy.close();
    }
  });
});
