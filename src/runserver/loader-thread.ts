// What Node 20's loader thread runs for a project (its own build entry, dist/cli/loader-thread.js): gwi's
// hooks in front of tsx's, the reads that wait for a burst of saves to end, and the transpiler's warm-up,
// as one module. Each node:module register() blocks
// the main thread for a round trip to the loader thread, and a module registered after tsx's is itself
// loaded through tsx's hooks: registered as three, they took ~150 ms of a server process's start-up on
// 2 cores (tsx's alone ~105); as one, ~120 (loader.ts registers it).
import type { InitializeHook, LoadHook, LoadHookContext, ResolveHook } from 'node:module';
import type { MessagePort } from 'node:worker_threads';
import * as tsxHooks from 'tsx/esm';
import { HeldReads } from './held-reads.js';
import { gwiResolver, load as gwiLoad, readingSynchronously, type NextLoad } from './module-hooks.js';
import { warmUpTranspiler, type WarmUpData } from './transpiler-warmup.js';

export interface LoaderThreadData {
  /** What `gwi` resolves to from inside this package (its self-reference): dist/index.js. */
  gwiUrl: string;
  /** Where the thread posts `[url, parentURL]` for each file an import resolved to. */
  resolvedPort: MessagePort;
  /** Whether tsx's hooks run here: not when tsx's API registered them already (a CommonJS project). */
  tsx: boolean;
  warmUp: WarmUpData;
  /** Where the main thread says which reads wait for a burst of saves to end (held-reads.ts). */
  holdPort: MessagePort;
}

let gwiResolve: ResolveHook = (specifier, context, nextResolve) => nextResolve(specifier, context);
let withTsx = false;
let heldReads: HeldReads | null = null;

export const initialize: InitializeHook<LoaderThreadData> = async ({ gwiUrl, resolvedPort, tsx, warmUp, holdPort }) => {
  withTsx = tsx;
  heldReads = new HeldReads(holdPort);
  // tsx's initialize takes its data object: no namespace, and the tsconfig found from the working directory.
  if (tsx) await tsxHooks.initialize({});
  gwiResolve = gwiResolver(gwiUrl, (url, parentURL) => resolvedPort.postMessage([url, parentURL]));
  warmUpTranspiler(warmUp);
};

// tsx's hook stands where node's next one would: a `next` given a partial context merges it, as node's does.
export const resolve: ResolveHook = (specifier, context, nextResolve) =>
  gwiResolve(specifier, context, withTsx ? (next, nextContext) => tsxHooks.resolve(next, { ...context, ...nextContext }, nextResolve) : nextResolve);

// tsx's result says it short-circuits: node's own load step, which it would have called, read nothing.
const tsxLoad = (context: LoadHookContext, nextLoad: NextLoad): NextLoad => async (next, nextContext) => ({
  ...(await tsxHooks.load(next, { ...context, ...nextContext }, readingSynchronously(nextLoad))),
  shortCircuit: true,
});

const loadModule: LoadHook = (url, context, nextLoad) => gwiLoad(url, context, withTsx ? tsxLoad(context, nextLoad) : nextLoad);

export const load: LoadHook = (url, context, nextLoad) => {
  const held = heldReads?.beforeRead(url);
  return held ? held.then(() => loadModule(url, context, nextLoad)) : loadModule(url, context, nextLoad);
};
