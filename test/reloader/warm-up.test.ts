// The standby's warm-up: one request over a loopback connection through gwi's server and framework,
// leaving nothing behind that the project's load would find (settings, a listening port, a connection).
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { settingsConfigured } from '../../src/framework/conf/settings.js';
import { ServerLog } from '../../src/log/server-log.js';
import { warmUp } from '../../src/reloader/warm-up.js';

const handles = (): string[] => process.getActiveResourcesInfo().filter((kind) => kind !== 'Timeout' && kind !== 'Immediate').sort();

/** The active handles, once those closed since `before` have left node's list (a turn or two after their close callbacks). */
async function handlesAfterClose(before: string[]): Promise<string[]> {
  for (let turn = 0; turn < 100 && handles().length > before.length; turn++) await new Promise((resolve) => setTimeout(resolve, 10));
  return handles();
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('warmUp', () => {
  it('answers one request through the server, logged nowhere, and leaves no settings, port or connection', async () => {
    const before = handles();
    const logged = vi.spyOn(ServerLog.prototype, 'logAccess');
    const stderr = vi.spyOn(process.stderr, 'write');
    await warmUp();
    // The server's log took the request: it went through node's parser and the handler, not only the app.
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]?.slice(0, 2)).toEqual([expect.objectContaining({ method: 'GET', url: '/' }), 200]);
    expect(stderr).not.toHaveBeenCalled();
    expect(settingsConfigured()).toBe(false);
    expect(await handlesAfterClose(before)).toEqual(before);
  });

  it('a connection that fails costs the warm-up its request, not the standby its start', async () => {
    // A port nobody listens on: the warm-up's client is refused, and no request reaches its server.
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as net.AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const connect = net.connect.bind(net);
    vi.spyOn(net, 'connect').mockImplementation(((_port: number, host: string) => connect(port, host)) as typeof net.connect);
    const before = handles();
    // Without a bound on its wait for the request, warmUp() never returns: the test times out.
    await warmUp();
    expect(settingsConfigured()).toBe(false);
    expect(await handlesAfterClose(before)).toEqual(before);
  }, 10_000);
});
