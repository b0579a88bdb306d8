// The GWI contract: PEP 3333 re-cut for TypeScript. Types only; no behaviour lives here.

/** A response header as the application gives it: `[name, value]`, both latin-1 strings. */
export type Header = [name: string, value: string];

/** The response headers: an array the server may append to (as PEP 3333 allows). */
export type HeaderList = Header[];

/**
 * The request body stream (`gwi.input`), limited to the request's body.
 * Reads past the end give an empty array. Async iteration yields lines, as a Python file does.
 */
export interface InputStream extends AsyncIterable<Uint8Array> {
  /** Up to `size` bytes, or the rest of the body when `size` is omitted or negative. */
  read(size?: number): Promise<Uint8Array>;
  /** One line including its `\n`, at most `size` bytes. */
  readline(size?: number): Promise<Uint8Array>;
  /** The remaining lines; stops once about `hint` bytes were read, when given. */
  readlines(hint?: number): Promise<Uint8Array[]>;
}

/** The error stream (`gwi.errors`): text, for tracebacks and warnings. */
export interface ErrorStream {
  write(text: string): void;
  writelines(lines: Iterable<string>): void;
  flush(): void;
}

/** Something a `FileWrapper` can read blocks from: `read(size)` returns an empty array at the end. */
export interface FileLike {
  read(size: number): Uint8Array | Promise<Uint8Array>;
  close?(): void | Promise<void>;
}

/** A body that may be closed: the server calls `close()` exactly once, on every path. */
export interface Closable {
  close?(): void | Promise<void>;
}

/** What an application returns: bytes, produced synchronously or asynchronously. */
export type Body = (Iterable<Uint8Array> | AsyncIterable<Uint8Array>) & Closable;

/** `gwi.file_wrapper`: wraps a file-like object into a body, read in `blockSize` pieces. */
export type FileWrapperFactory = (filelike: FileLike, blockSize?: number) => Body;

/**
 * Writes body bytes immediately (PEP 3333's legacy `write()`); new applications should return
 * a body instead. The promise settles once the bytes were handed to the socket (backpressure).
 */
export type Write = (data: Uint8Array) => Promise<void>;

/**
 * `startResponse(status, headers, excInfo?)`. `status` is like `"200 OK"`. A second call is
 * only allowed with `excInfo` (the error being handled); if the headers already went out,
 * that error is thrown again.
 */
export type StartResponse = (status: string, headers: HeaderList, excInfo?: unknown) => Write;

/**
 * The request environment. CGI keys hold strings whose code units are all ≤ 0xFF (the request's
 * bytes read as latin-1, as PEP 3333 has it); `gwi.*` keys hold the server's objects.
 */
export interface Environ {
  REQUEST_METHOD: string;
  SCRIPT_NAME: string;
  PATH_INFO: string;
  QUERY_STRING?: string;
  CONTENT_TYPE?: string;
  CONTENT_LENGTH?: string;
  SERVER_NAME: string;
  SERVER_PORT: string;
  SERVER_PROTOCOL: string;
  SERVER_SOFTWARE?: string;
  GATEWAY_INTERFACE?: string;
  REMOTE_ADDR?: string;
  REMOTE_HOST?: string;
  HTTPS?: string;
  'gwi.version': readonly [number, number];
  'gwi.url_scheme': 'http' | 'https';
  'gwi.input': InputStream;
  'gwi.errors': ErrorStream;
  'gwi.multithread': boolean;
  'gwi.multiprocess': boolean;
  'gwi.run_once': boolean;
  'gwi.file_wrapper'?: FileWrapperFactory;
  'gwi.input_terminated'?: boolean;
  [header: `HTTP_${string}`]: string | undefined;
  [key: string]: unknown;
}

/** A GWI application: called once per request. */
export type Application = (environ: Environ, startResponse: StartResponse) => Body | Promise<Body>;
