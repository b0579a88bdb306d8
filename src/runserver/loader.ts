// Makes a project's modules importable: TypeScript through tsx, and `gwi` resolved to this installation.
import * as nodeModule from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MessagePort } from 'node:worker_threads';
import { GWI_ROOT } from '../version.js';
import { findProjectRoot, isCommonJsProject } from '../framework/utils/module-loading.js';
import type { LoaderThreadData } from './loader-thread.js';
import { BlockingHeldReads, ReadHolder, type ReadHolding } from './held-reads.js';
import { gwiResolver, load, type ResolvedListener } from './module-hooks.js';
import { hookRequire, shareWithRequire } from './require-hooks.js';
import { startEsbuildSync, type TranspilerOrder } from './transpiler-warmup.js';

/** node:module's in-thread hooks (Node ≥ 22.15); @types/node 20 does not know them. */
type RegisterHooks = (hooks: { resolve: nodeModule.ResolveHook; load: nodeModule.LoadHook }) => unknown;

/** Where node has them, tsx and gwi's resolver use the in-thread hooks; else the loader thread's. */
const registerHooks = (nodeModule as { registerHooks?: RegisterHooks }).registerHooks;

/**
 * Whether onResolved's listeners are told in the thread that imports: then a module may be resolved,
 * loaded and evaluated without a turn of the event loop between (not so on the loader thread).
 */
export const resolvesInThread: boolean = registerHooks !== undefined;

/**
 * A file the loader thread runs: its own build entry in dist/cli/ (tsup.config.ts), found from gwi's root
 * because this code may be bundled into any chunk.
 */
function builtEntry(name: string): URL {
  return pathToFileURL(path.join(GWI_ROOT, 'dist', 'cli', name));
}

/** How long a serving process's imports stay quiet before its transpiler stops (stopTranspilerWhenIdle). */
const TRANSPILER_IDLE_MS = 1000;

let registering: Promise<void> | null = null;
/** tsx transpiles in this thread (in-thread hooks, or a CommonJS project's require() hooks): set by register(). */
let tsxInThisThread = false;
/** Tells the loader thread's transpiler warm-up to stop its service (Node 20). */
let loaderThreadTranspiler: MessagePort | null = null;
/** Makes the reads of given files wait (an ES module project): see held-reads.ts. */
let readHolder: ReadHolding | null = null;
const resolvedListeners = new Set<ResolvedListener>();

/**
 * Calls `listener` with the file each import of the project resolves to (and its importer), from the
 * loaders registered by registerProjectLoader(); the function returned stops it.
 */
export function onResolved(listener: ResolvedListener): () => void {
  resolvedListeners.add(listener);
  return () => resolvedListeners.delete(listener);
}

function resolved(url: string, parentURL: string | undefined): void {
  for (const listener of resolvedListeners) listener(url, parentURL);
}

/**
 * Registers the loaders once per process, before the settings module is imported. Hooks registered
 * later run first, so gwi's resolver goes after tsx's (whose tsconfig "paths" would otherwise win). Where
 * node has in-thread hooks, tsx uses them and they run before the loader thread's: gwi's is one too.
 */
export function registerProjectLoader(): Promise<void> {
  registering ??= register();
  return registering;
}

async function register(): Promise<void> {
  // Resolved here, before any hook: this module is inside the gwi package, so `gwi` is its self-reference.
  const gwiUrl = import.meta.resolve('gwi');
  // Its TypeScript is CommonJS, as node and tsx read it: tsx's require() hooks too, as the tsx command has.
  const commonJs = isCommonJsProject(findProjectRoot());
  tsxInThisThread = registerHooks !== undefined || commonJs;
  if (commonJs) {
    const { register: registerTsxRequire } = await import('tsx/cjs/api');
    registerTsxRequire();
    shareWithRequire(gwiUrl, await import(gwiUrl));
    if (!registerHooks) hookRequire(resolved);
  }
  if (tsxInThisThread) {
    // Imported only here (~80 ms): the reloader's supervisor, `--version` and startproject never need it.
    const { register: registerTsx } = await import('tsx/esm/api');
    registerTsx();
  }
  if (registerHooks) registerInThread(registerHooks, gwiUrl, commonJs);
  else registerOnLoaderThread(gwiUrl);
}

/**
 * Node's in-thread hooks (Node >= 22.15): gwi's resolver, and its load step behind held reads for an ES
 * module project (a CommonJS project's require() reads its files past these hooks: none can wait).
 */
function registerInThread(register: RegisterHooks, gwiUrl: string, commonJs: boolean): void {
  const held = commonJs ? null : new BlockingHeldReads();
  readHolder = held;
  const heldLoad: nodeModule.LoadHook | null = held
    ? (url, context, nextLoad) => {
        held.beforeRead(url);
        return load(url, context, nextLoad);
      }
    : null;
  register({ resolve: gwiResolver(gwiUrl, resolved), load: heldLoad ?? load });
}

/** The esbuild that tsx transpiles through. */
function esbuildFile(): string {
  return nodeModule.createRequire(import.meta.resolve('tsx/esm')).resolve('esbuild');
}

/**
 * Node 20's loader thread: gwi's hooks, tsx's where its API did not register them (an ES module project),
 * the reads held for a burst of saves (projectReadHolder), and the transpiler's warm-up (told when to
 * start by startTranspiler), as one module (loader-thread.ts).
 * An ES module project does not import tsx's API in this thread: it would load esbuild here too (~50 ms of
 * a server process's start-up, on the way to its first answer), and only the loader thread transpiles.
 * The rest of that API's half in this thread is the source maps switch, which error pages and stack traces
 * need to point into the TypeScript, and a fix for CommonJS modules that tsx hands to require() (a
 * CommonJS project keeps the API).
 */
function registerOnLoaderThread(gwiUrl: string): void {
  if (!tsxInThisThread) process.setSourceMapsEnabled(true);
  const { MessageChannel } = process.getBuiltinModule('node:worker_threads');
  // The thread tells the files it resolved over a port (unref'd: it keeps no process alive).
  const resolvedChannel = new MessageChannel();
  resolvedChannel.port1.on('message', ([url, parentURL]: [string, string | undefined]) => resolved(url, parentURL));
  resolvedChannel.port1.unref();
  const transpilerChannel = new MessageChannel();
  transpilerChannel.port1.unref();
  loaderThreadTranspiler = transpilerChannel.port1;
  const holdChannel = new MessageChannel();
  // A CommonJS project's require() reads its files in this thread, past these hooks: none can wait.
  if (!tsxInThisThread) readHolder = new ReadHolder(holdChannel.port1);
  const data: LoaderThreadData = {
    gwiUrl,
    resolvedPort: resolvedChannel.port2,
    tsx: !tsxInThisThread,
    warmUp: { esbuildUrl: pathToFileURL(esbuildFile()).href, port: transpilerChannel.port2 },
    holdPort: holdChannel.port2,
  };
  const transferList = [resolvedChannel.port2, transpilerChannel.port2, holdChannel.port2];
  nodeModule.register(builtEntry('loader-thread.js'), { parentURL: import.meta.url, data, transferList });
}

/**
 * What makes this process's reads of a project's files wait for a burst of saves to end (an ES module
 * project: registerProjectLoader() first); else null, and a load starts after the burst.
 */
export function projectReadHolder(): ReadHolding | null {
  return readHolder;
}

/**
 * Registers the loaders and, in a standby (`ahead`), starts the transpiler's service where tsx
 * transpiles, so that the load after a save, which transpiles the saved file, does not wait for it. On the
 * loader thread (Node 20) that is esbuild's asynchronous service (~12 ms), started in the background. In
 * this thread (in-thread hooks, and a CommonJS project's require() hooks) it is esbuild's synchronous one
 * (~85 ms, blocking). The first server process starts none: it may find every file in tsx's cache and need
 * no service at all, and starting one beside its load slowed it.
 */
export async function startTranspiler(ahead: boolean): Promise<void> {
  await registerProjectLoader();
  if (!ahead) return;
  // (tsx takes node's in-thread hooks from Node 22.22.3 and 24.11.1 on: in the releases since 22.15 and
  // 24.0 before those, it transpiles on the loader thread, and this head start is lost.)
  if (tsxInThisThread) startEsbuildSync(esbuildFile());
  loaderThreadTranspiler?.postMessage('start' satisfies TranspilerOrder);
}

/**
 * A serving process's transpiler on the loader thread (Node 20) stops once its imports have been quiet
 * for TRANSPILER_IDLE_MS: the project is loaded, and a module it imports later that tsx has not
 * transpiled before (a lazy import on some request) starts it again, as esbuild does on its next call.
 * That is an esbuild process less per serving process at rest (~11 MiB RSS). esbuild's synchronous
 * service (in-thread hooks) is left running: it is a worker thread's child, and stopping the thread
 * would leave the process unreaped.
 */
export function stopTranspilerWhenIdle(): void {
  const port = loaderThreadTranspiler;
  if (port === null) return;
  let timer: NodeJS.Timeout | null = null;
  const rearm = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => port.postMessage('stop' satisfies TranspilerOrder), TRANSPILER_IDLE_MS).unref();
  };
  onResolved(rearm);
  rearm();
}
