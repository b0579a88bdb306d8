// What the DEBUG error page reports (Django's ExceptionReporter): the exception chain and its frames, the
// request's data, the settings with secrets masked, and the summary both renderings open with.
import { inspect } from 'node:util';
import { requestUri } from '../../gateway/util.js';
import { VERSION } from '../../version.js';
import { settings, settingsConfigured } from '../conf/settings.js';
import type { GwiRequest } from '../http/request.js';
import { extractFrames, type Frame } from './frames.js';
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

/** The summary both pages open with (Django's: request, exception, where it was raised, the runtime). */
export function summaryRows(data: Technical500Data): [string, string][] {
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

/** Both pages' title: the exception type, at the path when a request raised it. */
export function title(data: Technical500Data): string {
  const type = data.exceptions[0]?.type ?? 'Error';
  return data.request ? `${type} at ${data.request.pathInfo}` : type;
}
