// How a server process is spawned, and `gwi runserver`'s first one spawned early: bin/gwi.js starts it
// as soon as node is up (cli/early-start.ts), so that its start-up (node, gwi, the loaders: ~300 ms)
// goes on while the CLI loads and the supervisor binds. The supervisor's first ServerProcess takes it if it
// was spawned exactly as that one would be (same arguments, environment and stdin); otherwise it is
// killed and a new one spawned, and only the head start is lost.
import { spawn, type ChildProcess } from 'node:child_process';

/** What a server process is spawned with. */
export interface SpawnCommand {
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** The terminal's stdin, or none. */
  stdin: 'inherit' | 'ignore';
  /** node's options for the inspector come first (--inspect). */
  nodeOptions?: readonly string[];
}

/** A child spawned early, with what it said and whether it exited before it was taken. */
export interface TakenChild {
  child: ChildProcess;
  messages: unknown[];
  exit: [number | null, NodeJS.Signals | null] | null;
}

interface Early extends TakenChild {
  key: string;
  stopListening: () => void;
}

let early: Early | null = null;

function spawnArguments({ args, env, stdin, nodeOptions = [] }: SpawnCommand): { argv: string[]; stdin: SpawnCommand['stdin']; env: NodeJS.ProcessEnv } {
  return { argv: [...nodeOptions, ...args], stdin, env: { ...env, RUN_MAIN: 'true' } };
}

/**
 * Spawns a server process: node runs `args` with RUN_MAIN=true. Its own process group (detached): a stop
 * reaches whatever it started, and the terminal's Ctrl-C reaches only the supervisor, which decides.
 */
function spawnChild(command: SpawnCommand): ChildProcess {
  const { argv, stdin, env } = spawnArguments(command);
  return spawn(process.execPath, argv, { stdio: [stdin, 'inherit', 'inherit', 'ipc'], detached: true, env });
}

/** Starts the early server process; what it says before it is taken is kept for its taker. */
export function spawnEarly(command: SpawnCommand): void {
  const child = spawnChild(command);
  const taken: Early = { child, messages: [], exit: null, key: JSON.stringify(spawnArguments(command)), stopListening: () => {} };
  const keep = (message: unknown): void => void taken.messages.push(message);
  const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
    taken.exit = [code, signal];
  };
  // Spawn errors come back with the exit (none emitted): the taker sees a process that exited.
  const failed = (): void => {
    if (child.pid === undefined) taken.exit = [null, null];
  };
  child.on('message', keep).on('exit', exited).on('error', failed);
  taken.stopListening = () => {
    child.off('message', keep).off('exit', exited).off('error', failed);
    process.off('exit', discardEarly);
  };
  // Not taken (a usage error, --help): it goes with the CLI.
  process.on('exit', discardEarly);
  early = taken;
}

/** The early process if it was spawned as `command` would be; else it is killed and null returned. */
function takeEarly(command: SpawnCommand): TakenChild | null {
  if (early === null) return null;
  if (early.key !== JSON.stringify(spawnArguments(command))) {
    discardEarly();
    return null;
  }
  const { child, messages, exit } = early;
  early.stopListening();
  early = null;
  return { child, messages, exit };
}

/** A server process for `command`: the early one if it matches, else one spawned now. */
export function serverProcessChild(command: SpawnCommand): TakenChild {
  return takeEarly(command) ?? { child: spawnChild(command), messages: [], exit: null };
}

/** Kills the early process and what it started (nothing takes it), at once: also from an 'exit' handler. */
export function discardEarly(): void {
  if (early === null) return;
  const { pid } = early.child;
  early.stopListening();
  early = null;
  try {
    if (pid !== undefined) process.kill(-pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}
