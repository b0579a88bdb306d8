// Makes a project's modules importable: TypeScript through tsx, and `gwi` resolved to this installation.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';
import type { ResolveHookData } from './resolve-hook.js';

let registered = false;

/**
 * Registers the loaders once per process, before the settings module is imported. The hook is its own
 * build entry (dist/cli/resolve-hook.js, next to dist/cli/main.js): node loads it on the loader thread.
 */
export function registerProjectLoader(): void {
  if (registered) return;
  registered = true;
  // Resolved here, before any hook: this module is inside the gwi package, so `gwi` is its self-reference.
  const data: ResolveHookData = { gwiUrl: import.meta.resolve('gwi') };
  registerTsx();
  // Registered after tsx, so it runs first.
  register(new URL('./resolve-hook.js', import.meta.url), { parentURL: import.meta.url, data });
}
