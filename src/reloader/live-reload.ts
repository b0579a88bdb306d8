// Live reload's server side: the reserved prefix and its two endpoints (the script and the event stream),
// the script tag added to HTML pages, and the open event streams. The serving process answers under the
// prefix through the GWI application (withLiveReload); the supervisor's failure page through node:http.
import { Buffer } from 'node:buffer';
import path from 'node:path';
import type { Application, Body, Environ, HeaderList, StartResponse } from '../gateway/types.js';
import { whenReady } from '../gateway/maybe-promise.js';
import { LIVE_RELOAD_CLIENT } from './live-reload-client.js';

/** Every URL of live reload starts here; the project's own URLs never should (a system check says so). */
export const LIVE_RELOAD_PREFIX = '/__gwi__/';
export const SCRIPT_PATH = `${LIVE_RELOAD_PREFIX}live-reload.js`;
export const EVENTS_PATH = `${LIVE_RELOAD_PREFIX}events`;

/**
 * The tokens that name each load's code to its pages, never given twice: also across runs, so that a
 * restarted server's pages reload.
 */
export class LoadTokens {
  /** This run: its start and pid. */
  readonly #run = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  #loads = 0;

  /** The next load's. */
  next(): string {
    return `${this.#run}.${++this.#loads}`;
  }

  /** The failure page's, since the last load. */
  get failed(): string {
    return `${this.#run}.failed.${this.#loads}`;
  }
}

/** What a page is told to load: the script, with the token of the code that rendered the page. */
export function scriptTag(token: string): string {
  return `<script src="${SCRIPT_PATH}?v=${encodeURIComponent(token)}" defer></script>`;
}

const BODY_END = /<\/body\s*>/gi;

/** The page with `tag` before its last `</body>` (any case), or at its end when it has none. */
export function injectTag(html: Uint8Array, tag: string): Buffer {
  // As latin-1 every byte is one character: positions found in the text are positions in the bytes.
  const text = Buffer.from(html.buffer, html.byteOffset, html.byteLength).toString('latin1');
  let at = text.length;
  for (const match of text.matchAll(BODY_END)) at = match.index;
  return Buffer.concat([html.subarray(0, at), Buffer.from(tag, 'latin1'), html.subarray(at)]);
}

/**
 * What a burst of changed files means to the open pages, when every file is under the static folders
 * (served from disk, so no process restarts): the stylesheets (URL paths) to swap when all are `.css`,
 * else null (the pages reload). undefined when some file is not a static one.
 */
export function staticChange(paths: readonly string[], assets: { url: string; dirs: readonly string[] }): string[] | null | undefined {
  const urls: string[] = [];
  for (const file of paths) {
    const dir = assets.dirs.find((root) => file.startsWith(root + path.sep));
    if (dir === undefined) return undefined;
    urls.push(assets.url + path.relative(dir, file).split(path.sep).map(encodeURIComponent).join('/'));
  }
  return urls.every((url) => url.endsWith('.css')) ? urls : null;
}

/** Where an event stream's events go. */
export interface EventSink {
  write(text: string): void;
  end(): void;
}

/**
 * The open event streams of one server: each gets `hello` with the token of the code it is served by
 * (a page rendered by other code reloads), then `reload` or `css` as the supervisor says. No timer runs:
 * with no tab open, nothing is spent.
 */
export class LiveReloadEvents {
  readonly token: string;
  readonly #sinks = new Set<EventSink>();
  readonly #onPages: ((open: boolean) => void) | undefined;

  /** `onPages` is told when the first page connects, and when the last one leaves. */
  constructor(token: string, onPages?: (open: boolean) => void) {
    this.token = token;
    this.#onPages = onPages;
  }

  /** A new stream; the function it returns removes it (its client left). */
  connect(sink: EventSink): () => void {
    this.#sinks.add(sink);
    if (this.#sinks.size === 1) this.#onPages?.(true);
    // A second after a lost stream the browser tries again (its default is three).
    sink.write(`retry: 1000\nevent: hello\ndata: ${this.token}\n\n`);
    return () => {
      if (this.#sinks.delete(sink) && this.#sinks.size === 0) this.#onPages?.(false);
    };
  }

  /** Every tab reloads. */
  reload(): void {
    this.#send('reload', '');
  }

  /** Every tab swaps these stylesheets (URL paths) in place. */
  swapStylesheets(urls: readonly string[]): void {
    this.#send('css', JSON.stringify(urls));
  }

  /** Ends every stream: a server that stops or hands over holds none open. */
  endAll(): void {
    for (const sink of [...this.#sinks]) sink.end();
    this.#sinks.clear();
  }

  #send(type: string, data: string): void {
    for (const sink of this.#sinks) sink.write(`event: ${type}\ndata: ${data}\n\n`);
  }
}

/** What a request under the prefix gets: a complete answer, or the event stream. */
export type LiveReloadAnswer = { status: string; headers: HeaderList; body: string } | 'events';

/** The answer to `path` under the prefix for a request to `host`, which `allowed` must accept (DNS rebinding). */
export function liveReloadAnswer(path: string, host: string, allowed: (host: string) => boolean): LiveReloadAnswer {
  const text = (status: string, body: string): LiveReloadAnswer => ({ status, headers: [['Content-Type', 'text/plain; charset=utf-8']], body });
  if (!allowed(host)) return text('400 Bad Request', 'Bad Request (400)');
  if (path === EVENTS_PATH) return 'events';
  if (path === SCRIPT_PATH) {
    return {
      status: '200 OK',
      headers: [
        ['Content-Type', 'text/javascript; charset=utf-8'],
        ['Cache-Control', 'no-cache'],
      ],
      body: LIVE_RELOAD_CLIENT,
    };
  }
  return text('404 Not Found', 'Not Found');
}

export const EVENT_STREAM_HEADERS: HeaderList = [
  ['Content-Type', 'text/event-stream'],
  ['Cache-Control', 'no-store'],
];

/** An event stream as a GWI body: events as they come, ended by endAll() or the client leaving. */
function eventStreamBody(events: LiveReloadEvents): Body {
  const queue: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  const signal = (): void => {
    wake?.();
    wake = null;
  };
  const disconnect = events.connect({
    write: (text) => {
      queue.push(Buffer.from(text, 'utf8'));
      signal();
    },
    end: () => {
      ended = true;
      signal();
    },
  });
  return {
    async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) yield next;
        else if (ended) return;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    close: disconnect,
  };
}

function isHtml(headers: HeaderList): boolean {
  for (const [name, value] of headers) {
    if (name.length === 12 && name.toLowerCase() === 'content-type') return /^\s*text\/html\b/i.test(value);
  }
  return false;
}

function hasContentEncoding(headers: HeaderList): boolean {
  return headers.some(([name]) => name.length === 16 && name.toLowerCase() === 'content-encoding');
}

/** The headers with Content-Length set to `length` (when they give one; the server adds it otherwise). */
function withLength(headers: HeaderList, length: number): HeaderList {
  return headers.map(([name, value]) => (name.length === 14 && name.toLowerCase() === 'content-length' ? [name, String(length)] : [name, value]));
}

export interface LiveReloadOptions {
  events: LiveReloadEvents;
  /** Whether a Host header names this site (the project's ALLOWED_HOSTS). */
  allowed: (host: string) => boolean;
}

/**
 * `app` with live reload: the prefix answered, and the script tag added to each HTML page the
 * application gives whole (an array body; not a stream, not HEAD, not a 304, not compressed), its
 * Content-Length fixed. Other responses go through untouched, headers and all, at once.
 */
export function withLiveReload(app: Application, { events, allowed }: LiveReloadOptions): Application {
  const tag = scriptTag(events.token);
  return (environ: Environ, startResponse: StartResponse) => {
    const path = environ.PATH_INFO;
    if (path.startsWith(LIVE_RELOAD_PREFIX)) {
      const host = environ.HTTP_HOST ?? `${environ.SERVER_NAME}:${environ.SERVER_PORT}`;
      const answer = liveReloadAnswer(path, host, allowed);
      if (answer === 'events') {
        startResponse('200 OK', [...EVENT_STREAM_HEADERS]);
        return eventStreamBody(events);
      }
      startResponse(answer.status, answer.headers);
      return [Buffer.from(answer.body, 'utf8')];
    }
    if (environ.REQUEST_METHOD === 'HEAD') return app(environ, startResponse);
    // An HTML page's head waits for its body; everything else starts at once.
    let held: Parameters<StartResponse> | null = null;
    let write: ReturnType<StartResponse> | null = null;
    let returned = false;
    const release = (): void => {
      if (held === null) return;
      const args = held;
      held = null;
      write = startResponse(...args);
    };
    const start: StartResponse = (status, headers, excInfo) => {
      if (returned || held !== null || !isHtml(headers) || status.startsWith('304') || hasContentEncoding(headers)) {
        release();
        return startResponse(status, headers, excInfo);
      }
      held = [status, headers, excInfo];
      // write() sends at once: the page is no longer one piece to add the tag to.
      return (data) => {
        release();
        return (write as ReturnType<StartResponse>)(data);
      };
    };
    return whenReady(app(environ, start), (body) => {
      returned = true;
      if (held === null) return body;
      if (!Array.isArray(body)) {
        release();
        return body;
      }
      const [status, headers, excInfo] = held;
      held = null;
      const page = injectTag(Buffer.concat(body as Uint8Array[]), tag);
      startResponse(status, withLength(headers, page.length), excInfo);
      const injected: Body = [page];
      injected.close = () => (body as Body).close?.();
      return injected;
    });
  };
}
