// Where a server binds and what it calls itself: a host name resolved to the address to bind, and the
// bind address's name for the environ (Django's getfqdn()).
import { promises as dns } from 'node:dns';
import net from 'node:net';
import os from 'node:os';

const serverNames = new Map<string, Promise<string>>();

/**
 * socket.getfqdn() of the bind address (127.0.0.1 is `localhost`, as in Django's environ), looked up once
 * per process: a reloader's server process asks early, so that its bind does not wait for the resolver.
 */
export function serverNameOf(host: string): Promise<string> {
  let name = serverNames.get(host);
  if (name === undefined) {
    name = host === '' || host === '0.0.0.0' || host === '::' ? Promise.resolve(os.hostname()) : lookUpName(host);
    serverNames.set(host, name);
  }
  return name;
}

async function lookUpName(host: string): Promise<string> {
  try {
    return (await dns.lookupService(host, 0)).hostname;
  } catch {
    return host;
  }
}

/** The address to bind for a host: a name resolves to IPv4 unless `ipv6` (Django's address families). */
export async function resolveHost(host: string, ipv6: boolean): Promise<string> {
  if (net.isIP(host) !== 0) return host;
  const { address } = await dns.lookup(host, { family: ipv6 ? 6 : 4 });
  return address;
}
