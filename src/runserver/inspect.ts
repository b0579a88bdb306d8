// runserver's --inspect and --inspect-brk: where the serving process's inspector listens (node's
// `[host:]port`), and this process's inspector, opened when it is the one that serves.
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { asBindError, BindError, CommandError } from './errors.js';

/** node's defaults for --inspect. */
/** node:inspector, which only a server process opens (the supervisor parses and claims addresses). */
const inspector = (): typeof import('node:inspector') => process.getBuiltinModule('node:inspector');

export const DEFAULT_INSPECT_HOST = '127.0.0.1';
export const DEFAULT_INSPECT_PORT = 9229;

/** How often a process waiting for the address tries again, and when it says that it waits. */
const RETRY_MS = 20;
const TELL_AFTER_MS = 2000;

/** Where the inspector listens; `wait` (--inspect-brk): each load waits for a debugger and breaks first. */
export interface InspectTarget {
  host: string;
  port: number;
  wait: boolean;
}

/**
 * node's `[host:]port` for `option` (`--inspect`, `--inspect-brk`): `9230`, `0.0.0.0:9230`, `[::1]:9230`,
 * `localhost`, `[::1]`; '' (the flag alone) is 127.0.0.1:9229. The port is 0 or 1024 to 65535, as node has it.
 */
export function parseInspect(value: string, option: string, wait: boolean): InspectTarget {
  const bracketed = /^\[(.*)\]$/.exec(value);
  if (bracketed) return { host: bracketed[1] as string, port: DEFAULT_INSPECT_PORT, wait };
  const colon = value.lastIndexOf(':');
  // A value with no colon is a port when it is all digits, else a host name.
  if (colon === -1 && !/^\d+$/.test(value)) return { host: value || DEFAULT_INSPECT_HOST, port: DEFAULT_INSPECT_PORT, wait };
  const port = value.slice(colon + 1);
  const number = Number(port);
  if (!/^\d+$/.test(port) || (number !== 0 && number < 1024) || number > 65535) {
    throw new CommandError(`"${port}" is not a valid port for ${option}: it must be 0 or in range 1024 to 65535.`);
  }
  const host = colon === -1 ? '' : value.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return { host: host || DEFAULT_INSPECT_HOST, port: number, wait };
}

/** `host:port` as a URL has it (an IPv6 address in brackets). */
export function inspectAddress({ host, port }: Pick<InspectTarget, 'host' | 'port'>): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Binds host:port for a moment: the port bound (the real one for 0), or the bind's error. */
function bindOnce(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host, port, exclusive: true }, () => {
      const bound = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(bound));
    });
  });
}

/**
 * Checks at start-up that the inspector can listen on `target`, and picks the port for 0, so that every
 * server process after a reload listens on the same one: a BindError says why not.
 */
export async function claimInspector(target: InspectTarget): Promise<InspectTarget> {
  try {
    return { ...target, port: await bindOnce(target.host, target.port) };
  } catch (err) {
    const error = asBindError(err);
    if (!(error instanceof BindError)) throw err;
    throw new BindError(`The debugger cannot listen on ${inspectAddress(target)}. ${error.message}`, { cause: err });
  }
}

/** The open of this process's inspector under way: `closed` once it is told to let go. */
let opening: { closed: boolean } | null = null;

/**
 * Opens this process's inspector on `target` once the address is free: under the reloader, the previous
 * serving process is told to close its own when this one's load begins. Without `wait`, it opens in the
 * background; with it, resolves once a debugger has attached, and breaks before the project's modules run.
 */
export async function openInspector(target: InspectTarget): Promise<void> {
  const state = { closed: false };
  opening = state;
  const opened = untilOpen(target, state);
  if (!target.wait) return;
  await opened;
  if (state.closed) return;
  inspector().waitForDebugger();
  // The project's modules are imported next: step out of here into the load, or set breakpoints and resume.
  debugger;
}

async function untilOpen(target: InspectTarget, state: { closed: boolean }): Promise<void> {
  const { host, port } = target;
  const since = Date.now();
  let told = false;
  while (!state.closed) {
    // Probed first: node prints a line of its own each time the inspector fails to listen.
    const free = await bindOnce(host, port).then(
      () => true,
      () => false,
    );
    if (free && !state.closed) inspector().open(port, host, false);
    if (inspector().url() !== undefined) return;
    if (!told && Date.now() - since > TELL_AFTER_MS) {
      told = true;
      process.stderr.write(`The debugger waits for ${inspectAddress(target)}: the previous server process still has it (paused in the debugger?).\n`);
    }
    await sleep(RETRY_MS);
  }
}

/** Closes this process's inspector (a newer server process opens it), or gives up opening it. */
export function closeInspector(): void {
  if (opening) opening.closed = true;
  if (inspector().url() !== undefined) inspector().close();
}

/** The banner's line about the debugger: its URL, which changes with each server process (node's id). */
export function inspectorLine(target: InspectTarget, followsReloads: boolean): string {
  const url = inspector().url();
  if (url === undefined) return `Debugger on ${inspectAddress(target)} once the previous server process lets go of it`;
  return `Debugger listening on ${url}${followsReloads ? ' (the serving process; it follows reloads)' : ''}`;
}
