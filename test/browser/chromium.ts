// Which Chrome or Chromium the browser tests and the reload benchmark drive (through playwright-core, which
// downloads none): the one an environment variable names, else the first found on the PATH or in the usual
// install folders.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Variables that name a browser executable: gwi's own, then the ones Karma and Lighthouse users set already. */
export const BROWSER_VARIABLES = ['GWI_CHROMIUM', 'CHROME_BIN', 'CHROME_PATH'] as const;

const ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
const INSTALLED: Partial<Record<NodeJS.Platform, string[]>> = {
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
  ],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
  ],
};

/** As root, on a closed network: no sandbox, no GPU, and none of Chromium's own connections. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The browser to drive, or null when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  for (const name of BROWSER_VARIABLES) {
    const named = env[name];
    if (named) return isExecutable(named) ? named : null;
  }
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const suffix = platform === 'win32' ? '.exe' : '';
  for (const name of ON_PATH) {
    for (const dir of dirs) {
      const file = path.join(dir, name + suffix);
      if (isExecutable(file)) return file;
    }
  }
  return (INSTALLED[platform] ?? []).find(isExecutable) ?? null;
}

/** The one line a user without a browser reads. */
export function missingBrowserMessage(env: NodeJS.ProcessEnv = process.env): string {
  const named = BROWSER_VARIABLES.find((name) => env[name]);
  if (named) return `The browser tests need Chrome or Chromium: ${named}=${env[named]} is not an executable file.`;
  return (
    'The browser tests need Chrome or Chromium: install it (Debian/Ubuntu: `apt-get install chromium`; macOS: Google Chrome), ' +
    `or name its executable in ${BROWSER_VARIABLES[0]}.`
  );
}

/** A headless browser with a fresh profile in `profile`; fails with missingBrowserMessage() when there is none. */
export async function launchChromium(profile: string): Promise<BrowserContext> {
  const executablePath = findChromium();
  if (executablePath === null) throw new Error(missingBrowserMessage());
  return chromium.launchPersistentContext(profile, {
    executablePath,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport: { width: 1280, height: 800 },
  });
}
