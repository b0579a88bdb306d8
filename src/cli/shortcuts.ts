// `gwi runserver`'s keyboard shortcuts, as Vite's and nodemon's: a letter and Enter. Only when stdin is a
// terminal and not under CI: otherwise nothing reads stdin, and the project's own use of it is untouched.
import { spawn } from 'node:child_process';
import { displayAddr, type Addrport } from '../runserver/addrport.js';
import type { Output } from '../runserver/options.js';

export const SHORTCUTS_HELP =
  '\n  Shortcuts\n' +
  '  press r + enter to reload the server (rs too)\n' +
  '  press o + enter to open the site in the browser\n' +
  '  press c + enter to clear the screen\n' +
  '  press q + enter to quit\n' +
  '  press h + enter to show this help\n\n';

/** Whether the shortcuts are on: stdin is a terminal, and CI is not set. */
export function shortcutsOn(stdin: { isTTY?: boolean } = process.stdin, env: NodeJS.ProcessEnv = process.env): boolean {
  return stdin.isTTY === true && !env.CI;
}

export interface ShortcutActions {
  /** Reloads the project (null: nothing to reload with, as with --noreload). */
  reload: (() => void) | null;
  /** The site's address, for `o`. */
  url: string;
}

/** The address `o` opens: the banner's, with a wildcard address replaced by the loopback one. */
export function siteUrl({ addr, rawIpv6 }: Pick<Addrport, 'addr' | 'rawIpv6'>, port: number, scheme = 'http'): string {
  if (addr === '0' || addr === '0.0.0.0') return `${scheme}://127.0.0.1:${port}/`;
  if (addr === '::') return `${scheme}://[::1]:${port}/`;
  return `${scheme}://${displayAddr({ addr, rawIpv6 })}:${port}/`;
}

/** The command that opens `url` in the browser: BROWSER when set, else the system's own opener. */
export function openerOf(url: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): [string, string[]] {
  if (env.BROWSER) return [env.BROWSER, [url]];
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', url]];
  return ['xdg-open', [url]];
}

/** Reads shortcuts from stdin until the returned function is called. */
export function listenForShortcuts(actions: ShortcutActions, stdout: Output = process.stdout, stdin: NodeJS.ReadableStream = process.stdin): () => void {
  // Loaded with the shortcuts (only on a terminal).
  const lines = process.getBuiltinModule('node:readline').createInterface({ input: stdin, terminal: false });
  lines.on('line', (line) => {
    switch (line.trim().toLowerCase()) {
      case 'r':
      case 'rs':
        if (actions.reload) actions.reload();
        else stdout.write('Reloading needs the auto-reloader (run without --noreload).\n');
        break;
      case 'o': {
        const [command, args] = openerOf(actions.url);
        const opener = spawn(command, args, { detached: true, stdio: 'ignore' });
        opener.on('error', (err) => stdout.write(`Could not open a browser (${err.message}): open ${actions.url} yourself.\n`));
        opener.unref();
        break;
      }
      case 'c':
        // Clear the screen and its scrollback, cursor home.
        stdout.write('\x1b[2J\x1b[3J\x1b[H');
        break;
      case 'q':
        // As Ctrl-C: the same quiet stop, exit 0.
        process.kill(process.pid, 'SIGINT');
        break;
      case 'h':
        stdout.write(SHORTCUTS_HELP);
        break;
    }
  });
  return () => lines.close();
}
