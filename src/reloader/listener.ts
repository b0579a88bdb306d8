// The supervisor's listening socket: bound once for the whole run, handing out connections paused (their
// bytes unread, for the server process that serves them).
import net from 'node:net';
import type { Addrport } from '../runserver/addrport.js';
import { asBindError } from '../runserver/errors.js';
import { resolveHost } from '../server/address.js';

/** Binds like makeServer: a name resolves to IPv4 unless `ipv6`; a failure is Django's bind error. */
export async function bindListener({ addr, port, ipv6 }: Addrport): Promise<net.Server> {
  const listener = net.createServer({ pauseOnConnect: true });
  try {
    const host = await resolveHost(addr, ipv6);
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen({ host, port }, () => {
        listener.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    throw asBindError(err);
  }
  return listener;
}
