// The in-browser figure of bench/reload.mjs: a headless Chromium tab on a dev server's page while the file
// holding the page's version is saved, and per save the time until the new page's DOM is there.
import { errors } from 'playwright-core';
import { tsImport } from 'tsx/esm/api';
import { sleep } from './lib.mjs';

/** Before the first save, the tab's own channel to the server (an event stream, a websocket) is open. */
const OPEN_SETTLE_MS = 1000;
/** After the last save: a second navigation it caused would have come by then. */
const LAST_SAVE_SETTLE_MS = 500;

// Page-side code is given as text (this project's TypeScript has no DOM types). The figure is taken when
// the page shows the version: when the new page's DOM was there (its parse done), on Date.now()'s clock.
// domInteractive is 0 while the page is still parsing: such a look waits for the next frame.
const newDomAt = (version) =>
  `document.body?.dataset.version === ${JSON.stringify(version)} && ` +
  "performance.getEntriesByType('navigation')[0]?.domInteractive > 0 && " +
  "performance.timeOrigin + performance.getEntriesByType('navigation')[0].domInteractive";

/**
 * The browser the browser tests drive (test/browser/chromium.ts: GWI_CHROMIUM / CHROME_BIN / CHROME_PATH,
 * else Chromium or Chrome on the PATH; CHROMIUM_ARGS), headless with a fresh profile in `profile`:
 * `{ context, version }` (e.g. `Chrome 156.0.8078.114`), or `{ error }` without one.
 */
export async function openBrowser(profile) {
  /** @type {typeof import('../test/browser/chromium.js')} */
  const { launchChromium } = await tsImport('../test/browser/chromium.ts', import.meta.url);
  let context;
  try {
    context = await launchChromium(profile);
  } catch (err) {
    return { error: String(err.message ?? err).split('\n')[0] };
  }
  // A persistent context has no Browser object to ask; the DevTools protocol tells the full version.
  const session = await context.newCDPSession(context.pages()[0] ?? (await context.newPage()));
  const { product } = await session.send('Browser.getVersion');
  await session.detach();
  return { context, version: product.replace('/', ' ') };
}

/**
 * Opens `url` in a new tab of `context` and makes `saves` saves: each after `gap()` ms, `save(i)` (which
 * writes the file and returns the new version, i = 1, 2, …), then waits up to `timeoutMs` for the tab to
 * show that version (`<body data-version>`) by itself. No save starts after `deadline` (performance.now()).
 * Resolves with `{ latencies, misses, navigations, bad, notes }`: latencies in ms, save → the new page's
 * DOM (performance.timeOrigin + the navigation's domInteractive, minus Date.now() just before the write);
 * navigations, per save, those of the tab's main frame from that save to the next (the last one: to
 * 500 ms after its version showed); bad, the error pages the tab showed (a navigation answered with a
 * status other than 200, or a chrome-error:// page).
 */
export async function measureTab(context, { url, saves, gap, save, timeoutMs, deadline }) {
  const page = await context.newPage();
  let navigations = 0;
  const bad = [];
  page.on('framenavigated', (frame) => {
    if (frame !== page.mainFrame()) return;
    navigations++;
    if (frame.url().startsWith('chrome-error:')) bad.push(frame.url());
  });
  page.on('response', (response) => {
    const request = response.request();
    if (request.isNavigationRequest() && request.frame() === page.mainFrame() && response.status() !== 200) {
      bad.push(`${response.status()} ${response.url()}`);
    }
  });
  const result = { latencies: [], misses: 0, navigations: [], bad, notes: [] };
  try {
    await page.goto(url);
    await page.waitForFunction("document.readyState === 'complete'");
    await sleep(OPEN_SETTLE_MS);
    navigations = 0;
    bad.length = 0;
    const atSave = [];
    let missedInARow = 0;
    for (let i = 1; i <= saves; i++) {
      if (performance.now() > deadline) {
        result.notes.push(`time budget spent: ${i - 1} of ${saves} saves made in the browser`);
        break;
      }
      await sleep(gap());
      atSave.push(navigations);
      const savedAt = Date.now();
      const version = save(i);
      try {
        const shown = await page.waitForFunction(newDomAt(version), undefined, { polling: 'raf', timeout: timeoutMs });
        result.latencies.push((await shown.jsonValue()) - savedAt);
        missedInARow = 0;
      } catch (err) {
        if (!(err instanceof errors.TimeoutError)) throw err;
        result.misses++;
        if (++missedInARow >= 2) {
          result.notes.push(`stopped after browser save ${i}: two saves in a row not shown within ${timeoutMs / 1000} s`);
          break;
        }
      }
    }
    await sleep(LAST_SAVE_SETTLE_MS);
    atSave.push(navigations);
    result.navigations = atSave.slice(1).map((count, i) => count - atSave[i]);
    return result;
  } finally {
    await page.close();
  }
}
