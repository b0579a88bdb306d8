// Where the request body is read from: gwi.input cut at CONTENT_LENGTH, or a body already read into
// memory (both are what the multipart parser reads).
import { Buffer } from 'node:buffer';
import type { InputStream } from '../../gateway/types.js';
import type { ByteSource } from './multipart.js';

const EMPTY = Buffer.alloc(0);

/** The body stream, cut at CONTENT_LENGTH (PEP 3333: never read past it). */
export class BodyStream implements ByteSource {
  #remaining: number;

  constructor(
    private readonly input: InputStream,
    limit: number,
  ) {
    this.#remaining = limit;
  }

  async read(size: number): Promise<Uint8Array> {
    if (this.#remaining <= 0 || size <= 0) return EMPTY;
    const chunk = await this.input.read(Math.min(size, this.#remaining));
    this.#remaining = chunk.length === 0 ? 0 : this.#remaining - chunk.length;
    return chunk;
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
