// Starts esbuild's service (the process tsx transpiles through) before anything needs it, and stops it
// when told (a serving process at rest). On Node 20 tsx transpiles on the loader thread, so the warm-up
// runs there (loader-thread.ts); where tsx runs in-thread, loader.ts calls startEsbuildSync() itself.
import { createRequire } from 'node:module';
import type { MessagePort } from 'node:worker_threads';

interface Esbuild {
  transform: (code: string, options: { loader: 'ts' }) => Promise<unknown>;
  stop: () => Promise<void>;
}

/** esbuild from `esbuildUrl` (the copy tsx imports). */
async function esbuildAt(esbuildUrl: string): Promise<Esbuild> {
  const esbuild = (await import(esbuildUrl)) as Partial<Esbuild> & { default: Esbuild };
  return esbuild.transform ? (esbuild as Esbuild) : esbuild.default;
}

/** Has esbuild transpile nothing: its service process starts. */
async function startEsbuild(esbuildUrl: string): Promise<void> {
  try {
    await (await esbuildAt(esbuildUrl)).transform('', { loader: 'ts' });
  } catch {
    // Only a head start: tsx starts the service itself when it first transpiles.
  }
}

/**
 * The same for esbuild's synchronous API, which tsx's in-thread hooks and require() hooks call: its
 * service is a worker thread of its own with its own esbuild process, started by the first call, and
 * this call blocks while it starts (~85 ms on 2 cores).
 */
export function startEsbuildSync(esbuildFile: string): void {
  try {
    const esbuild = createRequire(esbuildFile)(esbuildFile) as { transformSync: (code: string, options: { loader: 'ts' }) => unknown };
    esbuild.transformSync('', { loader: 'ts' });
  } catch {
    // Only a head start.
  }
}

/** What loader.ts tells the loader thread's warm-up: start the service ahead, or stop it (at rest). */
export type TranspilerOrder = 'start' | 'stop';

export interface WarmUpData {
  esbuildUrl: string;
  /** Where the orders come; after a stop, tsx's next transform starts the service again. */
  port: MessagePort;
}

/** On the loader thread: starts and stops the service as told over `port`. */
export function warmUpTranspiler({ esbuildUrl, port }: WarmUpData): void {
  port.on('message', (order: TranspilerOrder) => {
    if (order === 'start') void startEsbuild(esbuildUrl);
    else
      void esbuildAt(esbuildUrl)
        .then((esbuild) => esbuild.stop())
        .catch(() => {});
  });
  port.unref();
}
