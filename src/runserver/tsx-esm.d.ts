// tsx's hooks module, which tsx ships without types: loader-thread.ts runs it behind gwi's hooks.
declare module 'tsx/esm' {
  import type { InitializeHook, LoadHook, ResolveHook } from 'node:module';

  export const initialize: InitializeHook<object>;
  export const resolve: ResolveHook;
  export const load: LoadHook;
}
