// runserver's keyboard shortcuts, typed in a real terminal (tmux) at the real CLI, and the pieces they use.
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openerOf, SHORTCUTS_HELP, shortcutsOn, siteUrl } from '../../src/cli/shortcuts.js';
import { Terminal } from '../helpers/tmux.js';
import { buildIfStale, cleanEnv, copyFixtureProject, GWI } from './gwi-process.js';

const HINT = 'Press h + Enter to show the shortcuts.';
const BANNER_END = `Quit the server with CONTROL-C.\n${HINT}\n`;

describe('shortcutsOn', () => {
  it('is on for a terminal, off for a pipe or under CI', () => {
    expect(shortcutsOn({ isTTY: true }, {})).toBe(true);
    expect(shortcutsOn({ isTTY: undefined }, {})).toBe(false);
    expect(shortcutsOn({ isTTY: true }, { CI: 'true' })).toBe(false);
  });
});

describe('siteUrl', () => {
  it('opens the loopback address for a wildcard one', () => {
    expect(siteUrl({ addr: '0', rawIpv6: false }, 8000)).toBe('http://127.0.0.1:8000/');
    expect(siteUrl({ addr: '0.0.0.0', rawIpv6: false }, 8000)).toBe('http://127.0.0.1:8000/');
    expect(siteUrl({ addr: '::', rawIpv6: true }, 8000)).toBe('http://[::1]:8000/');
  });

  it('keeps a named address, with brackets for IPv6', () => {
    expect(siteUrl({ addr: '127.0.0.1', rawIpv6: false }, 1)).toBe('http://127.0.0.1:1/');
    expect(siteUrl({ addr: '::1', rawIpv6: true }, 2)).toBe('http://[::1]:2/');
    expect(siteUrl({ addr: 'localhost', rawIpv6: false }, 3)).toBe('http://localhost:3/');
    expect(siteUrl({ addr: 'localhost', rawIpv6: false }, 4, 'https')).toBe('https://localhost:4/');
  });
});

describe('openerOf', () => {
  it('takes BROWSER first, else the platform opener', () => {
    const url = 'http://127.0.0.1:8000/';
    expect(openerOf(url, { BROWSER: '/usr/bin/firefox' }, 'linux')).toEqual(['/usr/bin/firefox', [url]]);
    expect(openerOf(url, {}, 'linux')).toEqual(['xdg-open', [url]]);
    expect(openerOf(url, {}, 'darwin')).toEqual(['open', [url]]);
    expect(openerOf(url, {}, 'win32')).toEqual(['cmd', ['/c', 'start', '""', url]]);
  });
});

describe('gwi runserver in a terminal', () => {
  let project: ReturnType<typeof copyFixtureProject>;
  let terminal: Terminal | null = null;

  beforeAll(() => {
    buildIfStale();
    project = copyFixtureProject();
    // The "browser" writes the address it was asked to open.
    writeFileSync(path.join(project.dir, 'browser.sh'), '#!/bin/sh\necho "$1" > opened.txt\n');
    chmodSync(path.join(project.dir, 'browser.sh'), 0o755);
  });
  afterAll(() => project.remove());
  afterEach(async () => {
    await terminal?.close();
    terminal = null;
  });

  async function open(...args: string[]): Promise<Terminal> {
    const env = cleanEnv({ BROWSER: path.join(project.dir, 'browser.sh') });
    delete env.CI;
    terminal = await Terminal.open([process.execPath, GWI, 'runserver', '127.0.0.1:0', ...args], { cwd: project.dir, env });
    await terminal.waitFor((screen) => screen.includes(BANNER_END));
    return terminal;
  }

  const count = (screen: string, text: string): number => screen.split(text).length - 1;

  it('h shows the shortcuts, c clears the screen, q quits with status 0', async () => {
    const shell = await open();
    await shell.type('h');
    await shell.waitFor((screen) => screen.includes(SHORTCUTS_HELP.trim()));
    await shell.type('c');
    await shell.waitFor((screen) => !screen.includes('Starting development server') && !screen.includes('Shortcuts'));
    await shell.type('q');
    const screen = await shell.waitFor((text) => text.includes('[exit status'));
    expect(screen).toContain('[exit status 0]');
  });

  it('r reloads the project: a second banner, from a new server process', async () => {
    const shell = await open();
    await shell.type('r');
    const screen = await shell.waitFor((text) => count(text, 'Starting development server') === 2);
    expect(count(screen, HINT)).toBe(2);
  });

  it('rs reloads too, as nodemon has it', async () => {
    const shell = await open();
    await shell.type('rs');
    await shell.waitFor((text) => count(text, 'Starting development server') === 2);
  });

  it('o opens the site in BROWSER', async () => {
    const shell = await open();
    const port = /Starting development server at http:\/\/127\.0\.0\.1:(\d+)\//.exec(await shell.screen())?.[1];
    await shell.type('o');
    const opened = path.join(project.dir, 'opened.txt');
    await shell.waitFor(() => existsSync(opened) && readFileSync(opened, 'utf8') !== '');
    expect(readFileSync(opened, 'utf8')).toBe(`http://127.0.0.1:${port}/\n`);
  });

  it('closing the terminal stops gwi and leaves none of its server processes behind', async () => {
    const shell = await open();
    expect(processesIn(project.dir).length).toBeGreaterThanOrEqual(2);
    await shell.close();
    const deadline = Date.now() + 10_000;
    while (processesIn(project.dir).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(processesIn(project.dir)).toEqual([]);
  });

  it('under --noreload, r says why it cannot reload and the server keeps serving', async () => {
    const shell = await open('--noreload');
    await shell.type('r');
    const screen = await shell.waitFor((text) => text.includes('Reloading needs the auto-reloader (run without --noreload).'));
    expect(count(screen, 'Starting development server')).toBe(1);
    const port = /Starting development server at http:\/\/127\.0\.0\.1:(\d+)\//.exec(screen)?.[1];
    expect((await fetch(`http://127.0.0.1:${port}/hello/you/`)).status).toBe(200);
  });
});

/** The processes whose working folder is `dir` (Linux's /proc). */
function processesIn(dir: string): string[] {
  return readdirSync('/proc').filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === dir;
    } catch {
      return false;
    }
  });
}
