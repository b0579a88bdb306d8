// run(): Django's basehttp.run — bind, report the real port, serve until shut down.
import type { Application } from '../gateway/types.js';
import { makeServer, type GwiServer, type ServerOptions } from './gwi-server.js';

export interface RunOptions extends ServerOptions {
  /** Called once bound, with the real port (port 0 picks one) and the server. */
  onBind?: (port: number, server: GwiServer) => void;
  /** Aborting shuts the server down; run() then resolves. */
  signal?: AbortSignal;
  pollInterval?: number;
}

/** Serves `app` on `addr:port` until `signal` aborts (or the server's shutdown() is called). */
export async function run(addr: string, port: number, app: Application, options: RunOptions = {}): Promise<void> {
  const { onBind, signal, pollInterval, threading = true, ipv6 = false, ...rest } = options;
  const server = await makeServer(addr, port, app, { ...rest, threading, ipv6 });
  const stop = () => void server.shutdown();
  try {
    onBind?.(server.serverPort, server);
    if (signal?.aborted) return;
    signal?.addEventListener('abort', stop, { once: true });
    await server.serveForever({ pollInterval });
  } finally {
    signal?.removeEventListener('abort', stop);
    await server.serverClose();
  }
}
