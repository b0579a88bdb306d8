// FileResponse (Django's FileResponse): a file streamed as the body, with the Content-Type, Content-Length
// and Content-Disposition its name and size give.
import { Buffer } from 'node:buffer';
import { openSync, fstatSync, read, closeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FileLike } from '../../gateway/types.js';
import { quote } from '../utils/encoding.js';
import type { HeadersInit } from './response-headers.js';
import { StreamingHttpResponse, type ResponseOptions } from './response.js';

// Python's encodings_map: these suffixes name how the file is compressed, not what it is (case-sensitive, as
// in Python).
const ENCODINGS = new Map([
  ['.gz', 'gzip'],
  ['.Z', 'compress'],
  ['.bz2', 'bzip2'],
  ['.xz', 'xz'],
  ['.br', 'br'],
]);

// Python's suffix_map: a short name for a compressed file (`.tgz` is `.tar.gz`).
const SUFFIXES = new Map([
  ['.tgz', '.tar.gz'],
  ['.taz', '.tar.gz'],
  ['.tz', '.tar.gz'],
  ['.svgz', '.svg.gz'],
  ['.tbz2', '.tar.bz2'],
  ['.txz', '.tar.xz'],
]);

// Django's FileResponse sends a compressed file as its compressed type (no Content-Encoding), so that a
// browser saves it instead of unpacking it.
const COMPRESSED_TYPES = new Map([
  ['gzip', 'application/gzip'],
  ['compress', 'application/x-compress'],
  ['bzip2', 'application/x-bzip'],
  ['xz', 'application/x-xz'],
  ['br', 'application/x-brotli'],
]);

// mime-types builds its tables from mime-db when it is first required (~16 ms): not in every process's
// start-up (a server process's, on the way to its first response), but when a type is first needed, or
// when loadMimeTypes() is called in idle time.
const require = createRequire(import.meta.url);
let mimeLookup: typeof import('mime-types').lookup | undefined;

/** Loads the MIME tables now (a server process calls it when it has nothing else to do). */
export function loadMimeTypes(): typeof import('mime-types').lookup {
  mimeLookup ??= (require('mime-types') as typeof import('mime-types')).lookup;
  return mimeLookup;
}

// Where mime-db and Python's mimetypes disagree on a type gwi has always sent: Python's, as Django sends it.
const PYTHON_TYPES = new Map([['xml', 'text/xml']]);

/**
 * Python's mimetypes.guess_type(): the type of a file name (mime-db, without a charset) and its
 * compression (`gzip` for `x.tar.gz`, whose type is then `x.tar`'s), each null when unknown.
 */
export function guessType(fileName: string): { type: string | null; encoding: string | null } {
  let base = fileName;
  let suffix = path.extname(base);
  const long = SUFFIXES.get(suffix.toLowerCase());
  if (long !== undefined) base = base.slice(0, -suffix.length) + long;
  suffix = path.extname(base);
  const encoding = ENCODINGS.get(suffix) ?? null;
  if (encoding !== null) base = base.slice(0, -suffix.length);
  const extension = path.extname(base).slice(1).toLowerCase();
  return { type: (extension && (PYTHON_TYPES.get(extension) ?? loadMimeTypes()(extension))) || null, encoding };
}

/** The content type Django's FileResponse sends for a file name: a compressed file's own type, else its type, else application/octet-stream. */
export function guessContentType(fileName: string): string {
  const { type, encoding } = guessType(fileName);
  return (encoding !== null ? COMPRESSED_TYPES.get(encoding) : type) ?? type ?? 'application/octet-stream';
}

/**
 * Django's content_disposition_header: `inline; filename="a.txt"` / `attachment; ...`, or RFC 5987's
 * `filename*=utf-8''...` for a name that is not printable ASCII; null with neither.
 */
export function contentDispositionHeader(asAttachment: boolean, fileName: string): string | null {
  if (!asAttachment && !fileName) return null;
  const disposition = asAttachment ? 'attachment' : 'inline';
  if (!fileName) return disposition;
  if (/^[\t \x21-\x7e]*$/.test(fileName)) return `${disposition}; filename="${fileName.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `${disposition}; filename*=utf-8''${quote(fileName)}`;
}

/** A file-like for FileResponse: `name` (for the content type and disposition) and `size` are optional. */
export interface FileSource extends FileLike {
  name?: string;
  size?: number;
}

const readFd = promisify(read);

/** A file opened by path, as a FileLike (read from the start, closed by close()). */
function openFile(file: string): FileSource {
  const fd = openSync(file, 'r');
  let size: number;
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${file}'`), { code: 'EISDIR' });
    size = stats.size;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  let position = 0;
  let closed = false;
  return {
    name: file,
    size,
    async read(blockSize: number): Promise<Uint8Array> {
      const { buffer, bytesRead } = await readFd(fd, Buffer.alloc(blockSize), 0, blockSize, position);
      position += bytesRead;
      return buffer.subarray(0, bytesRead);
    },
    close(): void {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

function givesContentType(headers: HeadersInit | undefined): boolean {
  if (!headers) return false;
  const names = Symbol.iterator in headers ? [...(headers as Iterable<readonly [string, unknown]>)].map(([name]) => name) : Object.keys(headers);
  return names.some((name) => name.toLowerCase() === 'content-type');
}

export interface FileResponseOptions extends ResponseOptions {
  /** `attachment` (download) instead of `inline`. */
  asAttachment?: boolean;
  /** The name for the content type and Content-Disposition (default: the file's own name). */
  filename?: string;
}

/**
 * Streams a file (Django's FileResponse): a path (opened now, so a missing file throws here) or a
 * file-like. Content-Type from the extension unless given, Content-Length from the size,
 * Content-Disposition with the file name. `fileToStream` lets the handler use gwi.file_wrapper.
 */
export class FileResponse extends StreamingHttpResponse {
  blockSize = 4096;
  readonly asAttachment: boolean;
  readonly filename: string;
  /** The file, for gwi.file_wrapper; it is closed by close(). */
  readonly fileToStream: FileSource;

  constructor(file: string | FileSource, { asAttachment = false, filename = '', ...options }: FileResponseOptions = {}) {
    super([], options);
    // Opened after super(), so a refused option cannot leak the file descriptor.
    const source = typeof file === 'string' ? openFile(file) : file;
    this.asAttachment = asAttachment;
    this.filename = filename;
    this.fileToStream = source;
    this.streamingContent = this.#blocks(source);
    if (source.close) this.closers.push(() => source.close?.());
    if (typeof source.size === 'number') this.headers.set('Content-Length', source.size);
    const name = path.basename(filename || source.name || '');
    if (options.contentType === undefined && !givesContentType(options.headers)) {
      this.headers.set('Content-Type', name ? guessContentType(name) : 'application/octet-stream');
    }
    const disposition = contentDispositionHeader(asAttachment, name);
    if (disposition !== null) this.headers.set('Content-Disposition', disposition);
  }

  async *#blocks(source: FileSource): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const block = await source.read(this.blockSize);
      if (block.length === 0) return;
      yield block;
    }
  }
}
