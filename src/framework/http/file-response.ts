// FileResponse (Django's FileResponse): a file streamed as the body, with the Content-Type, Content-Length
// and Content-Disposition its name and size give.
import { Buffer } from 'node:buffer';
import { openSync, fstatSync, read, closeSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FileLike } from '../../gateway/types.js';
import { quote } from '../utils/encoding.js';
import type { HeadersInit } from './response-headers.js';
import { StreamingHttpResponse, type ResponseOptions } from './response.js';

/** The content types FileResponse (and the static files handler) know, by extension. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  html: 'text/html',
  css: 'text/css',
  js: 'text/javascript',
  mjs: 'text/javascript',
  json: 'application/json',
  txt: 'text/plain',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  ico: 'image/vnd.microsoft.icon',
  webp: 'image/webp',
  woff: 'font/woff',
  woff2: 'font/woff2',
  pdf: 'application/pdf',
  xml: 'text/xml',
  map: 'application/json',
  wasm: 'application/wasm',
});

/** The content type of a file name, from its extension; application/octet-stream when unknown. */
export function guessContentType(fileName: string): string {
  const ext = path.extname(fileName).slice(1).toLowerCase();
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
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
