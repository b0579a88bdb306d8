// The DEBUG error page (Django's technical_500_response): the exception, its frames with source context,
// the request's data and the settings with secrets masked; plain text for clients that do not want HTML.
import { inspect } from 'node:util';
import { requestUri } from '../../gateway/util.js';
import { VERSION } from '../../version.js';
import { settings, settingsConfigured } from '../conf/settings.js';
import type { GwiRequest } from '../http/request.js';
import { HttpResponse } from '../http/response.js';
import { extractFrames, type Frame } from './frames.js';
import { escapeHtml, metaTable, renderPage, varsTable } from './html.js';
import { isPlainObject } from '../../gateway/plain-object.js';

/** One exception of the chain: the thrown one, then each `cause`. */
export interface ExceptionInfo {
  type: string;
  message: string;
  frames: Frame[];
}

/** The request as the page shows it: every value already formatted as text. */
export interface RequestInfo {
  method: string;
  url: string;
  pathInfo: string;
  /** The view that raised, when URL resolution got that far. */
  view: string | null;
  /** null: the query string itself could not be parsed (too many fields). */
  GET: [string, string][] | null;
  /** null: the view never read the body, so the page does not either. */
  POST: [string, string][] | null;
  FILES: [string, string][] | null;
  COOKIES: [string, string][];
  META: [string, string][];
}

export interface Technical500Data {
  /** The thrown exception first, then its causes. */
  exceptions: ExceptionInfo[];
  request: RequestInfo | null;
  /** null: settings are not configured. */
  settings: [string, string][] | null;
  settingsModule: string | null;
  serverTime: string;
  gwiVersion: string;
  nodeVersion: string;
  nodeExecutable: string;
}

/** What a masked value shows (Django's cleansed_substitute). */
export const CLEANSED_SUBSTITUTE = '********************';

/** Django's hidden_settings, plus CREDENTIALS: names whose values never appear on the page. */
export const HIDDEN_SETTINGS = /API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|CREDENTIALS|HTTP_COOKIE/i;


/**
 * Django's cleanse_setting: a sensitive name masks its whole value; plain objects are cleansed key by
 * key and arrays item by item, so `DATABASES.default.PASSWORD` is masked too.
 */
export function cleanseSetting(key: string, value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (HIDDEN_SETTINGS.test(key)) return CLEANSED_SUBSTITUTE;
  if (Array.isArray(value) || isPlainObject(value)) {
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    const cleansed = Array.isArray(value)
      ? value.map((item) => cleanseSetting('', item, seen))
      : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cleanseSetting(k, v, seen)]));
    seen.delete(value);
    return cleansed;
  }
  return value;
}

/** A value as the tables show it (Python's pprint, in Node's words); `depth` 0 for objects seen only by name. */
export function formatValue(value: unknown, depth = 3): string {
  return inspect(value, { depth, breakLength: 100, maxArrayLength: 50, maxStringLength: 10_000, sorted: true });
}

/** The settings in force, sorted by name, secrets masked; null before settings are configured. */
export function safeSettings(): [string, string][] | null {
  if (!settingsConfigured()) return null;
  return Object.keys(settings)
    .sort()
    .map((name) => [name, formatValue(cleanseSetting(name, (settings as unknown as Record<string, unknown>)[name]))]);
}

/** The error's class name: a subclass that did not set `name` still shows as itself. */
function exceptionType(error: unknown): string {
  if (error instanceof Error) {
    const ctor = (error.constructor as { name?: unknown } | undefined)?.name;
    return error.name && error.name !== 'Error' ? error.name : typeof ctor === 'string' && ctor ? ctor : 'Error';
  }
  return error === null ? 'null' : `${typeof error} (thrown value)`;
}

function exceptionMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : inspect(error, { depth: 2 });
}

/** The thrown value and its `cause` chain (at most 10 deep; cycles end the chain). */
export function describeExceptions(error: unknown): ExceptionInfo[] {
  const chain: ExceptionInfo[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (chain.length < 10 && !seen.has(current)) {
    seen.add(current);
    chain.push({ type: exceptionType(current), message: exceptionMessage(current), frames: extractFrames(current) });
    if (!(current instanceof Error) || current.cause === undefined) break;
    current = current.cause;
  }
  return chain;
}

/** The request URL without host validation: the page must work for DisallowedHost too. */
export function requestUrl(request: GwiRequest): string {
  try {
    return requestUri(request.META);
  } catch {
    return request.path;
  }
}

/** "Raised during"/"Raised by": the view URL resolution chose, if it got that far. */
export function raisingView(request: GwiRequest): string | null {
  const match = request.resolverMatch;
  if (!match) return null;
  const func = match.func as { name?: string; viewClass?: { name?: string } };
  return func.viewClass?.name || func.name || match.viewName || null;
}

/** A request attribute that may throw: POST/FILES until `await request.post()` ran, GET with too many fields. */
function readOrNull<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

function queryRows(dict: { lists(): Iterable<[string, string[]]> }): [string, string][] {
  return [...dict.lists()].map(([key, values]) => [key, formatValue(values.length === 1 ? values[0] : values)]);
}

/** The request's data for the page: secrets in cookies and META masked as in settings. */
export function describeRequest(request: GwiRequest): RequestInfo {
  const get = readOrNull(() => request.GET);
  const post = readOrNull(() => request.POST);
  const files = readOrNull(() => request.FILES);
  const meta = request.META as unknown as Record<string, unknown>;
  return {
    method: request.method,
    url: requestUrl(request),
    pathInfo: request.pathInfo,
    view: raisingView(request),
    GET: get && queryRows(get),
    POST: post && queryRows(post),
    FILES:
      files &&
      [...files.lists()].map(([key, uploads]) => [
        key,
        uploads.map((file) => `${file.name} (${file.contentType || 'unknown type'}, ${file.size} bytes)`).join('\n'),
      ]),
    COOKIES: Object.entries(request.COOKIES).map(([name, value]) => [name, formatValue(cleanseSetting(name, value))]),
    META: Object.keys(meta)
      .sort()
      // The server's objects (gwi.input holds the socket's request) are shown by name, not dumped.
      .map((key) => [key, formatValue(cleanseSetting(key, meta[key]), 0)]),
  };
}

/** Everything the page shows; `request` may be null (an error outside a request). */
export function technical500Data(request: GwiRequest | null, error: unknown): Technical500Data {
  let settingsRows: [string, string][] | null = null;
  let settingsModule: string | null = null;
  try {
    settingsRows = safeSettings();
    settingsModule = settingsRows ? settings.SETTINGS_MODULE : null;
  } catch {
    // A settings value that cannot be shown must not cost the user the error page.
  }
  return {
    exceptions: describeExceptions(error),
    request: request && describeRequest(request),
    settings: settingsRows,
    settingsModule,
    serverTime: new Date().toString(),
    gwiVersion: VERSION,
    nodeVersion: process.version,
    nodeExecutable: process.execPath,
  };
}

/** `file:line:column` of a frame (or what V8 said instead of a file). */
export function location(frame: Frame): string {
  if (frame.file === null) return frame.functionName;
  if (frame.line === null) return frame.file;
  return frame.column === null ? `${frame.file}:${frame.line}` : `${frame.file}:${frame.line}:${frame.column}`;
}

/** The first frame in the user's code: Django's "Exception Location". */
function userFrame(frames: Frame[]): Frame | undefined {
  return frames.find((frame) => !frame.library) ?? frames[0];
}

function renderFrame(frame: Frame): string {
  const where =
    `<span class="fn">${escapeHtml(frame.functionName)}</span> ` +
    (frame.file === null ? '' : `<span class="loc">${escapeHtml(location(frame))}</span>`) +
    (frame.generated
      ? ` <span class="mapped">(mapped from ${escapeHtml(`${frame.generated.file}:${frame.generated.line}:${frame.generated.column}`)})</span>`
      : '');
  let source = '';
  const context = frame.context;
  if (context) {
    const lines = [
      ...context.preContext.map((text) => `<li>${escapeHtml(text) || ' '}</li>`),
      `<li class="current">${escapeHtml(context.contextLine) || ' '}</li>`,
      ...context.postContext.map((text) => `<li>${escapeHtml(text) || ' '}</li>`),
    ];
    source = `\n<ol class="context" start="${context.preContextLineno}">\n${lines.join('\n')}\n</ol>`;
  }
  return `<div class="frame">\n<div class="where">${where}</div>${source}\n</div>`;
}

/** The frames, most recent first; runs of library frames fold into one collapsed group. */
export function renderFrames(frames: Frame[]): string {
  if (frames.length === 0) return '<p class="empty">No stack trace: the thrown value was not an Error.</p>';
  const parts: string[] = [];
  for (let i = 0; i < frames.length; ) {
    if (!(frames[i] as Frame).library) {
      parts.push(renderFrame(frames[i++] as Frame));
      continue;
    }
    const run: Frame[] = [];
    while (i < frames.length && (frames[i] as Frame).library) run.push(frames[i++] as Frame);
    const label = `${run.length} library ${run.length === 1 ? 'frame' : 'frames'} (gwi, node_modules, Node.js internals)`;
    parts.push(`<details class="library">\n<summary>${label}</summary>\n${run.map(renderFrame).join('\n')}\n</details>`);
  }
  return parts.join('\n');
}

function summaryRows(data: Technical500Data): [string, string][] {
  const [error] = data.exceptions;
  const rows: [string, string][] = [];
  if (data.request) rows.push(['Request Method:', data.request.method], ['Request URL:', data.request.url]);
  rows.push(['gwi Version:', data.gwiVersion]);
  if (error) {
    rows.push(['Exception Type:', error.type], ['Exception Value:', error.message]);
    const frame = userFrame(error.frames);
    if (frame) rows.push(['Exception Location:', `${location(frame)}, in ${frame.functionName}`]);
  }
  if (data.request?.view) rows.push(['Raised during:', data.request.view]);
  rows.push(['Node.js Executable:', data.nodeExecutable], ['Node.js Version:', data.nodeVersion], ['Server time:', data.serverTime]);
  return rows;
}

function title(data: Technical500Data): string {
  const type = data.exceptions[0]?.type ?? 'Error';
  return data.request ? `${type} at ${data.request.pathInfo}` : type;
}

/** The HTML page. Every value from the request, the error or the source is escaped. */
export function renderTechnical500(data: Technical500Data): string {
  const [error, ...causes] = data.exceptions;
  const header =
    `<h1>${escapeHtml(title(data))}</h1>\n` +
    (error ? `<pre class="exception_value">${escapeHtml(error.message || 'No exception message supplied')}</pre>\n` : '') +
    metaTable(summaryRows(data));

  let main = `<section id="traceback">\n<h2>Stack <small>(most recent call first)</small></h2>\n${renderFrames(error?.frames ?? [])}\n`;
  for (const cause of causes) {
    main +=
      `<div class="cause">\n<h3>Caused by ${escapeHtml(cause.type)}</h3>\n` +
      `<pre class="exception_value">${escapeHtml(cause.message)}</pre>\n${renderFrames(cause.frames)}\n</div>\n`;
  }
  main +=
    '<details class="copy">\n<summary>Copy-and-paste view</summary>\n' +
    `<pre>${escapeHtml(tracebackText(data))}</pre>\n</details>\n</section>\n`;

  main += '<section id="requestinfo">\n<h2>Request information</h2>\n';
  const request = data.request;
  if (request) {
    main +=
      `<h3 id="get-info">GET</h3>\n${request.GET ? varsTable(request.GET, 'No GET data') : '<p class="empty">The query string could not be parsed.</p>'}\n` +
      `<h3 id="post-info">POST</h3>\n${request.POST ? varsTable(request.POST, 'No POST data') : '<p class="empty">The request body was not read.</p>'}\n` +
      `<h3 id="files-info">FILES</h3>\n${request.FILES ? varsTable(request.FILES, 'No FILES data') : '<p class="empty">The request body was not read.</p>'}\n` +
      `<h3 id="cookie-info">COOKIES</h3>\n${varsTable(request.COOKIES, 'No cookie data')}\n` +
      `<h3 id="meta-info">META</h3>\n${varsTable(request.META, 'No META data')}\n`;
  } else {
    main += '<p class="empty">Request data not supplied</p>\n';
  }
  main += '<h3 id="settings-info">Settings</h3>\n';
  if (data.settings) {
    main +=
      (data.settingsModule ? `<p>Using settings module <code>${escapeHtml(data.settingsModule)}</code></p>\n` : '') +
      varsTable(data.settings, 'No settings');
  } else {
    main += '<p class="empty">Settings are not configured.</p>';
  }
  main += '\n</section>';

  const footer =
    "<p>You're seeing this error because you have <code>DEBUG = true</code> in your gwi settings file. " +
    'Change that to <code>false</code>, and gwi will display a standard page generated by the handler for this status code.</p>';
  return renderPage({ title: title(data), tone: 'error', header, main, footer });
}

function frameText(frame: Frame): string {
  const line = `  at ${frame.functionName}${frame.file === null ? '' : ` (${location(frame)})`}`;
  return frame.context ? `${line}\n    ${frame.context.contextLine.trim()}` : line;
}

/** The stack as text, Node's order: the copy-and-paste view and the plain-text page share it. */
function tracebackText(data: Technical500Data): string {
  return data.exceptions
    .map((error, index) => {
      const heading = `${index === 0 ? '' : 'Caused by '}${error.type}: ${error.message}`;
      return [heading, ...error.frames.map(frameText)].join('\n');
    })
    .join('\n\n');
}

function textTable(name: string, rows: [string, string][] | null, empty: string, unread = 'The request body was not read.'): string {
  if (rows === null) return `${name}: ${unread}`;
  if (rows.length === 0) return `${name}: ${empty}`;
  return `${name}:\n${rows.map(([key, value]) => `${key} = ${value}`).join('\n')}`;
}

/** The plain-text page (Django's technical_500.txt), for clients that do not accept HTML. */
export function renderTechnical500Text(data: Technical500Data): string {
  const [error] = data.exceptions;
  const parts = [
    `${title(data)}\n${error?.message || 'No exception message supplied'}`,
    summaryRows(data)
      .map(([label, value]) => `${label} ${value}`)
      .join('\n'),
    `Stack (most recent call first):\n${tracebackText(data)}`,
  ];
  const request = data.request;
  if (request) {
    parts.push(
      [
        'Request information:',
        textTable('GET', request.GET, 'No GET data', 'The query string could not be parsed.'),
        textTable('POST', request.POST, 'No POST data'),
        textTable('FILES', request.FILES, 'No FILES data'),
        textTable('COOKIES', request.COOKIES, 'No cookie data'),
        textTable('META', request.META, 'No META data'),
      ].join('\n\n'),
    );
  } else {
    parts.push('Request data not supplied');
  }
  parts.push(
    data.settings
      ? `Settings:\nUsing settings module ${data.settingsModule ?? '(configureSettings())'}\n${data.settings.map(([k, v]) => `${k} = ${v}`).join('\n')}`
      : 'Settings are not configured.',
  );
  parts.push(
    "You're seeing this error because you have DEBUG = true in your gwi settings file. Change that to false, " +
      'and gwi will display a standard page generated by the handler for this status code.',
  );
  return `${parts.join('\n\n')}\n`;
}

/** Django's request.accepts('text/html'): no Accept header, `*\/*` or `text/*` count as yes. */
function acceptsHtml(accept: unknown): boolean {
  if (typeof accept !== 'string' || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const type = (part.split(';')[0] ?? '').trim().toLowerCase();
    return type === 'text/html' || type === 'text/*' || type === '*/*';
  });
}

/** The DEBUG response for an exception: HTML, or plain text when the client does not accept HTML. */
export function technical500Response(request: GwiRequest | null, error: unknown, statusCode = 500): HttpResponse {
  const data = technical500Data(request, error);
  if (request && !acceptsHtml(request.META.HTTP_ACCEPT)) {
    return new HttpResponse(renderTechnical500Text(data), { status: statusCode, contentType: 'text/plain; charset=utf-8' });
  }
  return new HttpResponse(renderTechnical500(data), { status: statusCode, contentType: 'text/html; charset=utf-8' });
}
