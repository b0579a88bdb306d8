// Black-box harness for the CLI: builds dist/ when a source is newer, copies the fixture project out of
// the repository (no node_modules anywhere above it), and spawns `node bin/gwi.js ...` like a user.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const GWI = path.join(REPO, 'bin', 'gwi.js');
const MAIN = path.join(REPO, 'dist', 'cli', 'main.js');

function newestMtime(entry: string): number {
  const stats = statSync(entry);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(stats.mtimeMs, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

/** Runs the build when dist/cli/main.js is missing or older than src/ or the build config. */
export function buildIfStale(): void {
  const built = statSync(MAIN, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const sources = Math.max(newestMtime(path.join(REPO, 'src')), newestMtime(path.join(REPO, 'tsup.config.ts')));
  if (built >= sources) return;
  execFileSync('npx', ['tsup'], { cwd: REPO, stdio: 'pipe' });
}

/** A copy of test/cli/fixtures/project in a fresh temporary folder; removed by the returned function. */
export function copyFixtureProject(): { dir: string; remove: () => void } {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'gwi-cli-'));
  const dir = path.join(parent, 'project');
  cpSync(fileURLToPath(new URL('./fixtures/project/', import.meta.url)), dir, { recursive: true });
  return { dir, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

/** The environment of a user with no colour preferences and no gwi variables set. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(GWI_|NO_COLOR$|FORCE_COLOR$|NODE_OPTIONS$|VITEST)/.test(name)) delete env[name];
  }
  return { ...env, ...extra };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `gwi` with its output collected. */
export class GwiProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  #listeners = new Set<() => void>();

  constructor(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
    this.child = spawn(process.execPath, [GWI, ...args], { cwd: options.cwd, env: options.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.#append('stdout', chunk));
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.#append('stderr', chunk));
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve({ code, signal })));
    running.add(this);
    void this.exited.then(() => running.delete(this));
  }

  #append(stream: 'stdout' | 'stderr', chunk: string): void {
    this[stream] += chunk;
    for (const listener of this.#listeners) listener();
  }

  /** Resolves with the match once `pattern` appears on the stream; rejects if the process exits first. */
  waitFor(pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout', timeout = 15_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const match = pattern.exec(this[stream]);
        if (match) finish(() => resolve(match));
        return match !== null;
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for ${pattern} on ${stream}: ${this.#output()}`))), timeout);
      const onExit = (exit: Exit): void => {
        if (!check()) finish(() => reject(new Error(`exited (${exit.code ?? exit.signal}) before ${pattern}: ${this.#output()}`)));
      };
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.#listeners.delete(check);
        settle();
      };
      this.#listeners.add(check);
      void this.exited.then(onExit);
      check();
    });
  }

  /** Waits for the banner and returns the port it announces. */
  async started(): Promise<number> {
    const match = await this.waitFor(/^Starting development server at http:\/\/(.+):(\d+)\/$/m);
    await this.waitFor(/Quit the server with CONTROL-C\.\n\n/);
    return Number(match[2]);
  }

  #output(): string {
    return JSON.stringify({ stdout: this.stdout, stderr: this.stderr });
  }
}

const running = new Set<GwiProcess>();

/** Kills every process still running (afterEach). */
export async function killAll(): Promise<void> {
  const left = [...running];
  for (const gwi of left) gwi.child.kill('SIGKILL');
  await Promise.all(left.map((gwi) => gwi.exited));
}

/** Runs gwi to completion. */
export async function runGwi(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<Exit & { stdout: string; stderr: string }> {
  const gwi = new GwiProcess(args, options);
  const exit = await gwi.exited;
  return { ...exit, stdout: gwi.stdout, stderr: gwi.stderr };
}

/** True when nothing listens on host:port any more (a new server can bind it). */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A listening socket on a free port, to make one busy. */
export async function occupyPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

