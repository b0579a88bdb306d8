// gwi.input: a readable byte stream with read/readline/readlines and line iteration, over any chunk source.
import { Buffer } from 'node:buffer';
import { asBuffer } from './bytes.js';
import type { InputStream } from './types.js';

const EMPTY = Buffer.alloc(0);
const LF = 0x0a;

/** The stream logic; subclasses only say where the next chunk comes from. */
export abstract class BufferedInput implements InputStream {
  #buffer: Buffer = EMPTY;
  #ended = false;

  /** The next chunk of the body, or `null` at its end. */
  protected abstract pull(): Promise<Uint8Array | null>;

  async #fill(): Promise<void> {
    const chunk = await this.pull();
    if (chunk === null) {
      this.#ended = true;
      return;
    }
    const bytes = asBuffer(chunk);
    this.#buffer = this.#buffer.length === 0 ? bytes : Buffer.concat([this.#buffer, bytes]);
  }

  #take(size: number): Buffer {
    const out = this.#buffer.subarray(0, size);
    this.#buffer = size >= this.#buffer.length ? EMPTY : this.#buffer.subarray(size);
    return out;
  }

  async read(size?: number): Promise<Uint8Array> {
    if (size === undefined || size === null || size < 0) {
      while (!this.#ended) await this.#fill();
      return this.#take(this.#buffer.length);
    }
    while (this.#buffer.length < size && !this.#ended) {
      // A short read is fine once something is buffered: like a socket, not a file.
      if (this.#buffer.length > 0) break;
      await this.#fill();
    }
    return this.#take(Math.min(size, this.#buffer.length));
  }

  async readline(size?: number): Promise<Uint8Array> {
    const limit = size === undefined || size === null || size < 0 ? Infinity : size;
    let scanned = 0;
    for (;;) {
      const newline = this.#buffer.indexOf(LF, scanned);
      if (newline >= 0 && newline < limit) return this.#take(newline + 1);
      if (this.#buffer.length >= limit) return this.#take(limit);
      if (this.#ended) return this.#take(this.#buffer.length);
      scanned = this.#buffer.length;
      await this.#fill();
    }
  }

  async readlines(hint?: number): Promise<Uint8Array[]> {
    const lines: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return lines;
      lines.push(line);
      total += line.length;
      if (hint !== undefined && hint > 0 && total >= hint) return lines;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }
}

/** An input stream over bytes already in memory (tests, `setupTestingDefaults`). */
export class BytesInput extends BufferedInput {
  #data: Uint8Array | null;

  constructor(data: Uint8Array | string = EMPTY) {
    super();
    this.#data = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  }

  protected async pull(): Promise<Uint8Array | null> {
    const data = this.#data;
    this.#data = null;
    return data !== null && data.length > 0 ? data : null;
  }
}
