// Live reload as the developer lives it: `gwi runserver` (the real CLI, reloader on) and Chromium tabs on
// its pages, while files are saved. The tab follows each save, showing the new code (one navigation a
// save, begun as the save is seen and answered by the new code, never an error page), shows the failure page while the code is broken and leaves it once fixed,
// swaps a stylesheet in place (typed input kept, no process restarted), and every open tab follows.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale, type GwiProcess } from '../cli/gwi-process.js';
import { killEverything, runserver, serverProcesses, waitUntil } from '../reloader/processes.js';
import { launchChromium } from './chromium.js';

let profile: string;
let context: BrowserContext;
let dir: string;
let gwi: GwiProcess;
let origin: string;
const pages: Page[] = [];

beforeAll(async () => {
  buildIfStale();
  profile = mkdtempSync(path.join(os.tmpdir(), 'gwi-chromium-'));
  context = await launchChromium(profile);
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  writeFileSync(path.join(dir, file), text);
}

/** The view: a page showing `version`, with a stylesheet and a text field; `importMs`: a slow load. */
function writeView(version: string, { broken = false, importMs = 0 } = {}): void {
  write(
    'mysite/views.ts',
    "import { HttpResponse } from 'gwi';\n\n" +
      `const VERSION = ${broken ? '= ' : ''}'${version}';\n\n` +
      (importMs ? `await new Promise((resolve) => setTimeout(resolve, ${importMs}));\n\n` : '') +
      'export const index = () =>\n' +
      '  new HttpResponse(\n' +
      '    `<!DOCTYPE html><html><head><link rel="stylesheet" href="/static/style.css"></head>' +
      '<body data-version="${VERSION}"><h1>${VERSION}</h1><input id="typed"></body></html>`,\n' +
      '  );\n',
  );
}

beforeEach(async () => {
  dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'gwi-live-')), 'project');
  write('package.json', JSON.stringify({ name: 'live', private: true, type: 'module', gwi: { settings: 'mysite/settings' } }));
  write(
    'mysite/settings.ts',
    "import { defineSettings } from 'gwi';\n\nexport default defineSettings({\n  DEBUG: true,\n  SECRET_KEY: 'live-reload-test',\n" +
      "  ROOT_URLCONF: 'mysite/urls',\n  STATIC_URL: '/static/',\n  STATICFILES_DIRS: ['static'],\n});\n",
  );
  write('mysite/urls.ts', "import { path } from 'gwi';\nimport { index } from './views.js';\n\nexport const urlpatterns = [path('', index)];\n");
  write('static/style.css', 'h1 { color: rgb(255, 0, 0); }\n');
  writeView('v0');
  gwi = runserver(dir, ['0']);
  origin = `http://127.0.0.1:${await gwi.started()}`;
  expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);
}, 30_000);

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  await killEverything();
  rmSync(path.dirname(dir), { recursive: true, force: true });
});

interface Tab {
  page: Page;
  navigations: number;
  /** Pages that were not a 200 from the server: error pages, refused connections. */
  bad: string[];
}

async function openTab(): Promise<Tab> {
  const page = await context.newPage();
  pages.push(page);
  const tab: Tab = { page, navigations: 0, bad: [] };
  page.on('framenavigated', (frame) => {
    if (frame !== page.mainFrame()) return;
    tab.navigations++;
    if (!frame.url().startsWith(origin)) tab.bad.push(frame.url());
  });
  page.on('response', (response) => {
    if (response.request().isNavigationRequest() && response.status() !== 200) tab.bad.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(`${origin}/`);
  await page.waitForFunction("document.readyState === 'complete'");
  // The event stream is open (its hello came) before a test saves anything.
  await sleep(300);
  tab.navigations = 0;
  return tab;
}

// Page-side code is given as text: this project's TypeScript has no DOM types.
const showing = (expected: string): string => `document.body?.dataset.version === ${JSON.stringify(expected)}`;
const version = (page: Page): Promise<string | undefined> => page.evaluate<string | undefined>('document.body.dataset.version');
const H1_COLOR = "getComputedStyle(document.querySelector('h1')).color";
const NEW_DOM_AT = "performance.timeOrigin + performance.getEntriesByType('navigation')[0].domInteractive";

describe('live reload in Chromium', () => {
  it('each save: the tab shows the new code, with one navigation and never an error page', async () => {
    const tab = await openTab();
    const latencies: number[] = [];
    const SAVES = 15;
    for (let i = 1; i <= SAVES; i++) {
      const saved = Date.now();
      writeView(`v${i}`);
      await tab.page.waitForFunction(showing(`v${i}`), undefined, { polling: 'raf', timeout: 10_000 });
      // When the new page's DOM was there (its parse done), on the clock the save was read from.
      latencies.push((await tab.page.evaluate<number>(NEW_DOM_AT)) - saved);
      expect(tab.navigations).toBe(i);
      // The next standby warms up (a save earlier than this is loaded by a process started cold).
      await sleep(600);
    }
    expect(tab.bad).toEqual([]);
    expect(tab.navigations).toBe(SAVES);
    const sorted = [...latencies].sort((a, b) => a - b);
    console.info(`save → new DOM in Chromium, ${SAVES} saves: median ${sorted[SAVES >> 1]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`);
  }, 60_000);

  it('the tab navigates as the save is seen, and its request waits for the new code: one navigation', async () => {
    const tab = await openTab();
    const saved = Date.now();
    writeView('v1', { importMs: 1000 });
    await tab.page.waitForFunction(showing('v1'), undefined, { timeout: 10_000 });
    const [navigated, answered] = await tab.page.evaluate<[number, number]>(
      "[performance.timeOrigin, performance.timeOrigin + performance.getEntriesByType('navigation')[0].responseStart]",
    );
    // The navigation began while the new code was loading (a second), and the new code answered it.
    expect(navigated - saved).toBeLessThan(700);
    expect(answered - saved).toBeGreaterThanOrEqual(1000);
    expect(tab.navigations).toBe(1);
    expect(tab.bad).toEqual([]);
  }, 30_000);

  it('a broken save: the failure page shows by itself, and the fixed page once saved again', async () => {
    const tab = await openTab();
    writeView('v1', { broken: true });
    await tab.page.waitForFunction("document.body?.innerText.includes('SyntaxError')", undefined, { timeout: 10_000 });
    expect(await tab.page.evaluate<string>('document.body.innerText')).toContain('views.ts');
    writeView('v2');
    await tab.page.waitForFunction(showing('v2'), undefined, { timeout: 10_000 });
    expect(tab.navigations).toBe(2);
    // Only the failure page was not a 200.
    expect(tab.bad).toEqual([`500 ${origin}/`]);
  }, 30_000);

  it('a stylesheet save swaps the sheet in place: typed input kept, no navigation, no process restarted', async () => {
    const tab = await openTab();
    await tab.page.fill('#typed', 'kept');
    const banners = gwi.stdout.split('Starting development server').length;
    const color = (): Promise<string> => tab.page.evaluate<string>(H1_COLOR);
    expect(await color()).toBe('rgb(255, 0, 0)');
    write('static/style.css', 'h1 { color: rgb(0, 0, 255); }\n');
    await tab.page.waitForFunction(`${H1_COLOR} === 'rgb(0, 0, 255)'`, undefined, { timeout: 10_000 });
    expect(await tab.page.inputValue('#typed')).toBe('kept');
    expect(tab.navigations).toBe(0);
    expect(gwi.stdout.split('Starting development server').length).toBe(banners);
    expect(gwi.stderr).not.toContain('changed, reloading.');
    // One stylesheet on the page, the new one.
    expect(await tab.page.locator('link[rel="stylesheet"]').count()).toBe(1);
  }, 30_000);

  it('every open tab follows a save, and a file the server does not run reloads none', async () => {
    const first = await openTab();
    const second = await openTab();
    write('notes.log', 'not code\n');
    await sleep(800);
    expect([first.navigations, second.navigations]).toEqual([0, 0]);
    writeView('v1');
    for (const tab of [first, second]) {
      await tab.page.waitForFunction(showing('v1'), undefined, { timeout: 10_000 });
    }
    expect([first.navigations, second.navigations]).toEqual([1, 1]);
    expect([...first.bad, ...second.bad]).toEqual([]);
    expect(await version(first.page)).toBe('v1');
  }, 30_000);
});
