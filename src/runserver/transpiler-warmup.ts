// Starts esbuild's service (the process tsx transpiles through) before anything needs it, and stops it
// when told (a serving process at rest). On Node 20 tsx transpiles on the loader thread, so this file runs
// there (its own build entry, next to cli/main.js); where tsx runs in-thread, loader.ts calls
// startEsbuildSync() itself.
import { createRequire, type InitializeHook } from 'node:module';
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

export interface WarmUpData {
  esbuildUrl: string;
  /** Each message on it stops the service; tsx's next transform starts it again (loader.ts, stopTranspilerWhenIdle). */
  port: MessagePort;
}

// Not awaited: register() would wait for the service to start.
export const initialize: InitializeHook<WarmUpData> = ({ esbuildUrl, port }) => {
  void startEsbuild(esbuildUrl);
  port.on('message', () => {
    void esbuildAt(esbuildUrl)
      .then((esbuild) => esbuild.stop())
      .catch(() => {});
  });
  port.unref();
};
