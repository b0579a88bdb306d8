// The browser side of live reload, served as /__gwi__/live-reload.js (an external script, so a page whose
// CSP says `script-src 'self'` runs it). One tab of the site listens to the server's events and passes
// them to the others (Web Locks elect it, a BroadcastChannel carries them): browsers allow six
// connections per host, and an event stream per tab would use them up.

/**
 * The script. Its URL carries the token of the code that rendered the page (`?v=…`): a stream that opens
 * on other code (the switch came between the page and its stream, or the server was restarted) reloads
 * the page, as does a `reload` event; a `css` event swaps those stylesheets in place.
 */
export const LIVE_RELOAD_CLIENT = `(() => {
  'use strict';
  const script = document.currentScript;
  const here = new URL(script ? script.src : location.href);
  const events = new URL('events', here).href;
  let token = here.searchParams.get('v');
  let source = null;
  let done = false;
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('gwi-live-reload') : null;

  function reload() {
    if (done) return;
    done = true;
    if (source) source.close();
    location.reload();
  }

  function swap(urls) {
    const stamp = String(Date.now());
    for (const link of document.querySelectorAll('link[rel~="stylesheet"][href]')) {
      const href = new URL(link.href, location.href);
      if (href.origin !== location.origin || !urls.includes(href.pathname)) continue;
      href.searchParams.set('gwi-t', stamp);
      const next = link.cloneNode();
      next.href = href.href;
      // The old sheet stays until the new one has loaded: no flash of an unstyled page.
      next.addEventListener('load', () => link.remove(), { once: true });
      next.addEventListener('error', () => next.remove(), { once: true });
      link.after(next);
    }
  }

  function handle(type, data) {
    if (done) return;
    if (type === 'hello') {
      if (token !== null && token !== data) reload();
      token = data;
    } else if (type === 'reload') {
      reload();
    } else if (type === 'css') {
      swap(JSON.parse(data));
    }
  }

  function listen() {
    if (done) return undefined;
    source = new EventSource(events);
    for (const type of ['hello', 'reload', 'css']) {
      source.addEventListener(type, (event) => {
        if (channel) channel.postMessage([type, event.data]);
        handle(type, event.data);
      });
    }
    // The lock is held for as long as this page lives; the next tab takes over when it goes.
    return new Promise(() => {});
  }

  if (channel) channel.addEventListener('message', (event) => handle(event.data[0], event.data[1]));
  if (channel && navigator.locks) navigator.locks.request('gwi-live-reload', listen);
  else listen();
})();
`;
