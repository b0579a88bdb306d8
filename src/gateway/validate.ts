// The GWI lint middleware (wsgiref.validate): wraps an application and checks that both it and the
// server keep the GWI contract, failing with the reference's messages adapted to TypeScript names.
import { inspect } from 'node:util';
import { isPromiseLike } from './maybe-promise.js';
import type {
  Application,
  Body,
  Closable,
  Environ,
  ErrorStream,
  HeaderList,
  InputStream,
  StartResponse,
  Write,
} from './types.js';
import { isPlainObject } from './plain-object.js';

/** A broken contract rule; the message is the user-facing text. */
export class GwiAssertionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GwiAssertionError';
  }
}

export interface ValidatorOptions {
  /** Soft problems (unknown method, odd status string). Default: `process.emitWarning(message, 'GwiWarning')`. */
  onWarning?: (message: string) => void;
  /** A body collected without `close()`. Default: the message and a newline on stderr. */
  onUnclosed?: (message: string) => void;
}

const REQUIRED_KEYS = [
  'REQUEST_METHOD',
  'SERVER_NAME',
  'SERVER_PORT',
  'gwi.version',
  'gwi.input',
  'gwi.errors',
  'gwi.multithread',
  'gwi.multiprocess',
  'gwi.run_once',
] as const;
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'OPTIONS', 'PATCH', 'PUT', 'DELETE', 'TRACE']);
const INPUT_METHODS = ['read', 'readline', 'readlines', Symbol.asyncIterator] as const;
const ERRORS_METHODS = ['flush', 'write', 'writelines'] as const;
const HEADER_NAME = /^[a-zA-Z][a-zA-Z0-9\-_]*$/;
const BAD_HEADER_VALUE_CHAR = /[\x00-\x1f]/;
const UNCLOSED = 'Iterator garbage collected without being closed';

function fail(message: string): never {
  throw new GwiAssertionError(message);
}

/** Python's repr() for the messages: node's inspect quotes and escapes strings the same way. */
function repr(value: unknown): string {
  return inspect(value, { breakLength: Infinity });
}

/** Python's type() for the messages: `typeof` for primitives, the constructor's name for objects. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null) return 'Object';
  const ctor: unknown = (proto as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'Object';
}

function hasMethod(target: unknown, name: string | symbol): boolean {
  if ((typeof target !== 'object' && typeof target !== 'function') || target === null) return false;
  // Stricter than Python's hasattr: an attribute that is not a function would only fail later, with a TypeError.
  return typeof (target as Record<string | symbol, unknown>)[name] === 'function';
}

function methodName(name: string | symbol): string {
  return typeof name === 'symbol' ? 'Symbol.asyncIterator' : name;
}


/** Reads a CGI key that E5 already proved is a string when present; an absent key reads as ''. */
function cgi(environ: Record<string, unknown>, key: string): string {
  return Object.hasOwn(environ, key) ? (environ[key] as string) : '';
}

function checkEnviron(environ: unknown, warn: (message: string) => void): asserts environ is Environ {
  if (!isPlainObject(environ)) {
    fail(`Environment is not of the right type: ${typeName(environ)} (environment: ${repr(environ)})`);
  }
  for (const key of REQUIRED_KEYS) {
    if (!Object.hasOwn(environ, key)) fail(`Environment missing required key: ${repr(key)}`);
  }
  for (const cgiKey of ['CONTENT_TYPE', 'CONTENT_LENGTH']) {
    const key = `HTTP_${cgiKey}`;
    if (Object.hasOwn(environ, key)) {
      fail(`Environment should not have the key: ${key} (use ${cgiKey} instead)`);
    }
  }
  if (!Object.hasOwn(environ, 'QUERY_STRING')) {
    warn('QUERY_STRING is not in the GWI environment; application errors are more likely');
  }
  for (const [key, value] of Object.entries(environ)) {
    // Keys with a dot belong to the server (gwi.*) and hold its objects.
    if (key.includes('.')) continue;
    if (typeof value !== 'string') {
      fail(`Environmental variable ${key} is not a string: ${typeName(value)} (value: ${repr(value)})`);
    }
  }
  if (!Array.isArray(environ['gwi.version'])) fail('gwi.version should be an array ([1, 0])');
  // Not in the required list, as the reference; a missing key is reported the same way instead of leaking.
  if (!Object.hasOwn(environ, 'gwi.url_scheme')) fail(`Environment missing required key: ${repr('gwi.url_scheme')}`);
  const scheme = environ['gwi.url_scheme'];
  if (scheme !== 'http' && scheme !== 'https') fail(`gwi.url_scheme unknown: ${repr(scheme)}`);
  checkMethods('gwi.input', environ['gwi.input'], INPUT_METHODS);
  checkMethods('gwi.errors', environ['gwi.errors'], ERRORS_METHODS);

  const method = cgi(environ, 'REQUEST_METHOD');
  if (!KNOWN_METHODS.has(method)) warn(`Unknown REQUEST_METHOD: ${repr(method)}`);
  const scriptName = cgi(environ, 'SCRIPT_NAME');
  const pathInfo = cgi(environ, 'PATH_INFO');
  if (scriptName !== '' && !scriptName.startsWith('/')) fail(`SCRIPT_NAME doesn't start with /: ${repr(scriptName)}`);
  if (pathInfo !== '' && !pathInfo.startsWith('/')) fail(`PATH_INFO doesn't start with /: ${repr(pathInfo)}`);
  const contentLength = cgi(environ, 'CONTENT_LENGTH');
  // ASCII digits only: Python's int() would also take ' 5', '+5' and '1_0', which no client sends.
  if (contentLength !== '' && !/^[0-9]+$/.test(contentLength)) fail(`Invalid CONTENT_LENGTH: ${repr(contentLength)}`);
  if (scriptName === '' && !Object.hasOwn(environ, 'PATH_INFO')) {
    fail("One of SCRIPT_NAME or PATH_INFO are required (PATH_INFO should at least be '/' if SCRIPT_NAME is empty)");
  }
  if (scriptName === '/') fail("SCRIPT_NAME cannot be '/'; it should instead be '', and PATH_INFO should be '/'");
}

function checkMethods(label: string, stream: unknown, names: readonly (string | symbol)[]): void {
  for (const name of names) {
    if (!hasMethod(stream, name)) fail(`${label} (${repr(stream)}) doesn't have the attribute ${methodName(name)}`);
  }
}

/** gwi.input as the application sees it: every read is checked, closing is refused. */
class InputWrapper implements InputStream {
  readonly #input: InputStream;

  constructor(input: InputStream) {
    this.#input = input;
  }

  // The reference insists on a size, although PEP 3333 lets servers allow read() without one.
  async read(...args: [size?: number]): Promise<Uint8Array> {
    if (args.length !== 1) fail('gwi.input.read() must be given a size');
    const data: unknown = await this.#input.read(...args);
    if (!(data instanceof Uint8Array)) fail('gwi.input.read() must return a Uint8Array');
    return data;
  }

  async readline(...args: [size?: number]): Promise<Uint8Array> {
    if (args.length > 1) fail('gwi.input.readline() takes at most one argument');
    const line: unknown = await this.#input.readline(...args);
    if (!(line instanceof Uint8Array)) fail('gwi.input.readline() must return a Uint8Array');
    return line;
  }

  async readlines(...args: [hint?: number]): Promise<Uint8Array[]> {
    if (args.length > 1) fail('gwi.input.readlines() takes at most one argument');
    const lines: unknown = await this.#input.readlines(...args);
    if (!Array.isArray(lines) || !lines.every((line) => line instanceof Uint8Array)) {
      fail('gwi.input.readlines() must return an array of Uint8Array');
    }
    return lines;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  close(): never {
    fail('input.close() must not be called');
  }
}

/** gwi.errors as the application sees it: text only, closing is refused. */
class ErrorWrapper implements ErrorStream {
  readonly #errors: ErrorStream;

  constructor(errors: ErrorStream) {
    this.#errors = errors;
  }

  write(text: unknown): void {
    if (typeof text !== 'string') fail('gwi.errors.write() argument must be a string');
    this.#errors.write(text);
  }

  writelines(lines: Iterable<unknown>): void {
    for (const line of lines) this.write(line);
  }

  flush(): void {
    this.#errors.flush();
  }

  close(): never {
    fail('errors.close() must not be called');
  }
}

/** The status's first word, as Python's `status.split(None, 1)[0]` (without its IndexError on ''). */
function statusCode(status: string): string {
  return status.trim().split(/\s+/)[0] ?? '';
}

function checkStatus(status: unknown, warn: (message: string) => void): asserts status is string {
  if (typeof status !== 'string') fail(`Status must be of type string (got ${repr(status)})`);
  const code = statusCode(status);
  if (code.length !== 3) fail(`Status codes must be three characters: ${repr(code)}`);
  // ASCII digits only: Python's int() would also take '+12' or '1_0' here and fail later at S6.
  if (!/^[0-9]{3}$/.test(code)) fail(`Status code must be a number: ${repr(code)}`);
  const statusInt = Number(code);
  if (statusInt < 100) fail(`Status code is invalid: ${statusInt}`);
  if (status.length < 4 || status[3] !== ' ') {
    warn(
      `The status string (${repr(status)}) should be a three-digit integer followed by a single space and a status explanation`,
    );
  }
}

function checkHeaders(headers: unknown): asserts headers is HeaderList {
  if (!Array.isArray(headers)) fail(`Headers (${repr(headers)}) must be of type Array: ${typeName(headers)}`);
  for (const item of headers as unknown[]) {
    if (!Array.isArray(item)) fail(`Individual headers (${repr(item)}) must be of type Array: ${typeName(item)}`);
    if (item.length !== 2) fail(`Individual headers (${repr(item)}) must have exactly 2 elements`);
    const [name, value] = item as [unknown, unknown];
    if (typeof name !== 'string') fail(`Header name must be of type string (got ${repr(name)})`);
    if (typeof value !== 'string') fail(`Header value must be of type string (got ${repr(value)})`);
    if (name.toLowerCase() === 'status') {
      fail(
        `The Status header cannot be used; it conflicts with CGI script, and HTTP status is not given through headers (value: ${repr(value)}).`,
      );
    }
    if (name.includes('\n') || name.includes(':')) fail(`Header names may not contain ':' or '\\n': ${repr(name)}`);
    if (!HEADER_NAME.test(name)) fail(`Bad header name: ${repr(name)}`);
    if (name.endsWith('-') || name.endsWith('_')) fail(`Names may not end in '-' or '_': ${repr(name)}`);
    const bad = BAD_HEADER_VALUE_CHAR.exec(value);
    if (bad !== null) fail(`Bad header value: ${repr(value)} (bad char: ${repr(bad[0])})`);
  }
}

function checkContentType(status: string, headers: HeaderList): void {
  const code = Number(statusCode(status));
  const hasContentType = headers.some(([name]) => name.toLowerCase() === 'content-type');
  if (code === 204 || code === 304) {
    if (hasContentType) fail(`Content-Type header found in a ${code} response, which must not return content.`);
  } else if (!hasContentType) {
    fail(`No Content-Type header found in headers (${repr(headers)})`);
  }
}

function checkExcInfo(excInfo: unknown): void {
  if (excInfo !== undefined && !(excInfo instanceof Error)) {
    fail(`excInfo (${repr(excInfo)}) is not an Error: ${typeName(excInfo)}`);
  }
}

/** What a body wrapper needs from its request: whether startResponse ran, and where to report an unclosed body. */
interface BodyState {
  isStarted: () => boolean;
  onUnclosed: (message: string) => void;
}

// Held value: the report callback, never the wrapper itself, or the wrapper could not be collected.
const unclosedBodies = new FinalizationRegistry<(message: string) => void>((report) => report(UNCLOSED));

abstract class BodyWrapper {
  #closed = false;
  #first = true;
  readonly #isStarted: () => boolean;

  constructor(state: BodyState) {
    this.#isStarted = state.isStarted;
    unclosedBodies.register(this, state.onUnclosed, this);
  }

  protected checkOpen(): void {
    if (this.#closed) fail('Iterator read after closed');
  }

  protected checkItem(result: IteratorResult<unknown>): IteratorResult<Uint8Array> {
    if (result.done === true) return { done: true, value: undefined };
    const value: unknown = result.value;
    if (!(value instanceof Uint8Array)) fail(`Iterator yielded non-Uint8Array (${repr(value)})`);
    if (this.#first) {
      this.#first = false;
      if (!this.#isStarted()) {
        fail(
          'The application returns and we started iterating over its body, but startResponse has not yet been called',
        );
      }
    }
    return { done: false, value };
  }

  protected markClosed(): void {
    this.#closed = true;
    unclosedBodies.unregister(this);
  }
}

/** A synchronous body. No `length`: a server must not compute Content-Length from a validated body. */
class SyncBodyWrapper extends BodyWrapper implements IterableIterator<Uint8Array> {
  readonly #original: Iterable<unknown> & Closable;
  readonly #iterator: Iterator<unknown>;

  constructor(original: Iterable<unknown> & Closable, state: BodyState) {
    super(state);
    this.#original = original;
    this.#iterator = original[Symbol.iterator]();
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Uint8Array> {
    this.checkOpen();
    return this.checkItem(this.#iterator.next());
  }

  /** Passed through, so that a consumer leaving a for-of early still finishes the app's generator. */
  return(): IteratorResult<Uint8Array> {
    this.#iterator.return?.();
    return { done: true, value: undefined };
  }

  close(): void | Promise<void> {
    this.markClosed();
    return this.#original.close?.();
  }
}

/** An asynchronous body, for an application whose body is an AsyncIterable. */
class AsyncBodyWrapper extends BodyWrapper implements AsyncIterableIterator<Uint8Array> {
  readonly #original: AsyncIterable<unknown> & Closable;
  readonly #iterator: AsyncIterator<unknown>;

  constructor(original: AsyncIterable<unknown> & Closable, state: BodyState) {
    super(state);
    this.#original = original;
    this.#iterator = original[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    this.checkOpen();
    return this.checkItem(await this.#iterator.next());
  }

  /** Passed through, so that a consumer leaving a for-await early still finishes the app's generator. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    await this.#iterator.return?.();
    return { done: true, value: undefined };
  }

  async close(): Promise<void> {
    this.markClosed();
    await this.#original.close?.();
  }
}

function hasIterator(value: unknown, key: typeof Symbol.iterator | typeof Symbol.asyncIterator): boolean {
  return value !== null && value !== undefined && typeof (value as Record<symbol, unknown>)[key] === 'function';
}

function wrapBody(body: unknown, state: BodyState): Body {
  // Anything that cannot be iterated fails here, where the reference would leak a TypeError from iter().
  if (!hasIterator(body, Symbol.iterator) && !hasIterator(body, Symbol.asyncIterator)) {
    fail('The application must return an iterable, if only an empty array');
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    fail(
      'You should not return a string or a Uint8Array as your application body, instead return a single-item array containing a Uint8Array.',
    );
  }
  if (hasIterator(body, Symbol.asyncIterator)) return new AsyncBodyWrapper(body as AsyncIterable<unknown>, state);
  return new SyncBodyWrapper(body as Iterable<unknown>, state);
}

function defaultWarning(message: string): void {
  process.emitWarning(message, 'GwiWarning');
}

function defaultUnclosed(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** Wraps `app` so that every request and response is checked against the GWI contract. */
export function validator(app: Application, options: ValidatorOptions = {}): Application {
  const warn = options.onWarning ?? defaultWarning;
  const onUnclosed = options.onUnclosed ?? defaultUnclosed;

  return function validated(...args: unknown[]): Body | Promise<Body> {
    // Python's "No keyword arguments allowed" checks (V2, S2) have no TypeScript counterpart.
    if (args.length !== 2) fail('Two arguments required');
    const [environ, startResponse] = args as [unknown, StartResponse];
    checkEnviron(environ, warn);
    environ['gwi.input'] = new InputWrapper(environ['gwi.input']);
    environ['gwi.errors'] = new ErrorWrapper(environ['gwi.errors']);

    let started = false;
    const checkedStartResponse = (...startArgs: unknown[]): Write => {
      if (startArgs.length !== 2 && startArgs.length !== 3) fail(`Invalid number of arguments: ${repr(startArgs)}`);
      const [status, headers, excInfo] = startArgs;
      checkStatus(status, warn);
      checkHeaders(headers);
      checkContentType(status, headers);
      checkExcInfo(excInfo);
      started = true;
      const write = startArgs.length === 3 ? startResponse(status, headers, excInfo) : startResponse(status, headers);
      return (data: unknown): Promise<void> => {
        if (!(data instanceof Uint8Array)) fail('write() argument must be a Uint8Array');
        return write(data);
      };
    };

    const state: BodyState = { isStarted: () => started, onUnclosed };
    const result: unknown = app(environ, checkedStartResponse);
    return isPromiseLike(result)
      ? Promise.resolve(result).then((body) => wrapBody(body, state))
      : wrapBody(result, state);
  };
}
