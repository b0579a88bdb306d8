// A real terminal for the interactive features: a tmux server of the test's own (its own socket, so
// nothing of the user's tmux is touched), one window running a command; the screen is read back as text.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const TMUX_MISSING = 'The terminal tests need tmux: install it with apt-get install tmux';

/** Whether tmux is on PATH. */
export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

export class Terminal {
  readonly #socket = `gwi-test-${randomBytes(6).toString('hex')}`;
  readonly #env: NodeJS.ProcessEnv;

  private constructor(env: NodeJS.ProcessEnv) {
    this.#env = env;
  }

  /**
   * Starts `command` (argv) in a 200×50 terminal in `cwd`, with exactly `env`; once it ends, the screen's
   * last line is `[exit status N]`.
   */
  static async open(command: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Terminal> {
    if (!hasTmux()) throw new Error(TMUX_MISSING);
    const terminal = new Terminal(options.env);
    // A shell runs the command and prints its exit status; remain-on-exit keeps the last screen.
    const shell = ['sh', '-c', '"$@"; echo "[exit status $?]"', 'sh', ...command];
    await terminal.#tmux('start-server', ';', 'set-option', '-g', 'remain-on-exit', 'on', ';', 'new-session', '-d', '-x', '200', '-y', '50', '-c', options.cwd, ...shell);
    return terminal;
  }

  async #tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-f', '/dev/null', '-L', this.#socket, ...args], { env: this.#env });
    return stdout;
  }

  /** The visible screen and its scrollback, as text. */
  screen(): Promise<string> {
    return this.#tmux('capture-pane', '-p', '-J', '-S', '-1000');
  }

  /** Types `text` then Enter. */
  async type(text: string): Promise<void> {
    await this.#tmux('send-keys', '-l', text);
    await this.#tmux('send-keys', 'Enter');
  }

  /** Resolves with the screen once `test` accepts it; rejects with the screen after `timeout` ms. */
  async waitFor(test: (screen: string) => boolean, timeout = 15_000): Promise<string> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const screen = await this.screen();
      if (test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out; the terminal shows:\n${screen}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Ends the command (SIGKILL through tmux) and the tmux server. */
  async close(): Promise<void> {
    await this.#tmux('kill-server').catch(() => undefined);
  }
}
