// Finding a browser for the browser tests: named by a variable, on the PATH, or missing with one clear line.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium, missingBrowserMessage } from './chromium.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gwi-browser-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function executable(name: string, mode = 0o755): string {
  const file = path.join(dir, name);
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, mode);
  return file;
}

describe('findChromium', () => {
  it('takes the executable a variable names, GWI_CHROMIUM first', () => {
    const gwi = executable('mine');
    const karma = executable('karmas');
    expect(findChromium({ GWI_CHROMIUM: gwi, CHROME_BIN: karma, PATH: '' }, 'linux')).toBe(gwi);
    expect(findChromium({ CHROME_BIN: karma, PATH: '' }, 'linux')).toBe(karma);
  });

  it('a variable naming no executable finds nothing, and the message says which variable', () => {
    const env = { CHROME_PATH: path.join(dir, 'nope'), PATH: dir };
    executable('chromium');
    expect(findChromium(env, 'linux')).toBeNull();
    expect(missingBrowserMessage(env)).toBe(`The browser tests need Chrome or Chromium: CHROME_PATH=${env.CHROME_PATH} is not an executable file.`);
  });

  it('looks on the PATH for chromium, then Google Chrome, skipping files that are not executable', () => {
    executable('chromium', 0o644);
    const chrome = executable('google-chrome');
    expect(findChromium({ PATH: `/nonexistent${path.delimiter}${dir}` }, 'linux')).toBe(chrome);
    const chromium = executable('chromium-browser');
    expect(findChromium({ PATH: dir }, 'linux')).toBe(chromium);
  });

  it('none found: null, and one line saying what to install', () => {
    expect(findChromium({ PATH: dir }, 'linux')).toBeNull();
    const message = missingBrowserMessage({});
    expect(message).toMatch(/^The browser tests need Chrome or Chromium: install it \(.*apt-get install chromium.*\), or name its executable in GWI_CHROMIUM\.$/);
    expect(message).not.toContain('\n');
  });
});
