// Where the request body is read from (Django's LimitedStream and the limit of HttpRequest.body): gwi.input
// never read past CONTENT_LENGTH, read whole only within DATA_UPLOAD_MAX_MEMORY_SIZE; or a body in memory.
import { Buffer } from 'node:buffer';
import { asBuffer } from '../../gateway/bytes.js';
import type { Environ, InputStream } from '../../gateway/types.js';
import { RequestDataTooBig } from '../exceptions.js';
import type { ByteSource } from './multipart.js';

const READ_SIZE = 64 * 1024;
const EMPTY = Buffer.alloc(0);

function tooBig(): RequestDataTooBig {
  return new RequestDataTooBig('Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.');
}

/** CONTENT_LENGTH as a number, null without one. */
function contentLength(environ: Environ): number | null {
  const raw = environ.CONTENT_LENGTH;
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  // An unparsable length is 0, as in Django.
  return /^\s*\+?\d+\s*$/.test(raw) ? Number(raw) : 0;
}

/** The body stream, cut at CONTENT_LENGTH (PEP 3333: never read past it). */
export class BodyStream implements ByteSource {
  readonly #input: InputStream;
  readonly #contentLength: number | null;
  #remaining: number;

  constructor(environ: Environ) {
    this.#input = environ['gwi.input'];
    this.#contentLength = contentLength(environ);
    // Without a length, a body the server de-chunked is read to its end, any other is empty.
    this.#remaining = this.#contentLength ?? (environ['gwi.input_terminated'] === true ? Infinity : 0);
  }

  async read(size: number): Promise<Uint8Array> {
    if (this.#remaining <= 0 || size <= 0) return EMPTY;
    const chunk = await this.#input.read(Math.min(size, this.#remaining));
    this.#remaining = chunk.length === 0 ? 0 : this.#remaining - chunk.length;
    return chunk;
  }

  /** RequestDataTooBig when CONTENT_LENGTH says more than `max` bytes: refused before a byte is read. */
  checkContentLength(max: number | null): void {
    if (max !== null && (this.#contentLength ?? 0) > max) throw tooBig();
  }

  /** The rest of the body, at most `max` bytes (RequestDataTooBig as soon as more arrives). */
  async readAll(max: number | null): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      // One byte beyond the limit is enough to know it is exceeded: never buffer more.
      const size = max === null ? READ_SIZE : Math.min(READ_SIZE, max + 1 - total);
      const chunk = await this.read(size);
      if (chunk.length === 0) break;
      total += chunk.length;
      if (max !== null && total > max) throw tooBig();
      chunks.push(asBuffer(chunk));
    }
    return Buffer.concat(chunks, total);
  }
}

/** A body already in memory, as a ByteSource (multipart after body() was read). */
export class BufferSource implements ByteSource {
  #at = 0;

  constructor(private readonly data: Buffer) {}

  async read(size: number): Promise<Uint8Array> {
    const chunk = this.data.subarray(this.#at, this.#at + size);
    this.#at += chunk.length;
    return chunk;
  }
}
