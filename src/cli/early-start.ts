// `gwi runserver`'s head start: bin/gwi.js calls startEarly() before it loads the CLI, and the first server
// process starts while the CLI's modules load and the supervisor binds (~100 ms sooner to the first
// response). Spawned as the supervisor would spawn it; the supervisor takes it only if it would have.
import path from 'node:path';
import { spawnEarly } from '../reloader/spawn-server-process.js';
import { GWI_ROOT } from '../version.js';
import { shortcutsOn } from './shortcuts.js';

/** The built entry of a server process (Django's RUN_MAIN child): see server-process.ts. */
export const SERVER_PROCESS = path.join(GWI_ROOT, 'dist', 'cli', 'server-process.js');

/** Options after which no server process is started at once: none, or one started otherwise. */
const NO_HEAD_START = /^(--noreload|-h|--help|--version|--inspect)/;

/** Starts the first server process now, unless `args` (runserver's) say it will not be needed as is. */
export function startEarly(args: readonly string[]): void {
  if (args.some((arg) => NO_HEAD_START.test(arg))) return;
  // As the supervisor spawns its first: no warm-up (its load is due at once), stdin as the shortcuts decide.
  spawnEarly({ args: [SERVER_PROCESS], env: process.env, stdin: shortcutsOn() ? 'ignore' : 'inherit' });
}
