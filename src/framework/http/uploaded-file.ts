// A file from a multipart upload (Django's core/files/uploadedfile.py): kept in memory, or in a temporary
// file that close() removes when the request is finished.
import { Buffer } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pyRepr } from '../../gateway/py-repr.js';

/** Django's UploadedFile name rule: a base name of at most 255 characters, keeping the extension. */
function limitFileName(name: string): string {
  let base = path.basename(name);
  if (base.length > 255) {
    const dot = base.lastIndexOf('.');
    const ext = dot > 0 ? base.slice(dot, dot + 255) : '';
    base = base.slice(0, 255 - ext.length) + ext;
  }
  return base;
}

export interface UploadedFileInit {
  name: string;
  contentType?: string;
  charset?: string | null;
  contentTypeExtra?: Record<string, string>;
  fieldName?: string;
  size: number;
  /** The content, for a file kept in memory. */
  content?: Buffer | null;
  /** The temporary file holding the content, for a file spilled to disk. */
  path?: string | null;
}

/** A file from a multipart upload (Django's InMemoryUploadedFile / TemporaryUploadedFile). */
export class UploadedFile {
  /** The client's file name, sanitized (never a path). */
  readonly name: string;
  /** The part's Content-Type without parameters ('' when the client sent none). */
  readonly contentType: string;
  readonly charset: string | null;
  /** The other Content-Type parameters. */
  readonly contentTypeExtra: Record<string, string>;
  /** The form field it was sent as. */
  readonly fieldName: string;
  readonly size: number;
  /** The temporary file holding the content, or null when it is in memory. */
  readonly path: string | null;
  #content: Buffer | null;
  #closed = false;

  constructor(init: UploadedFileInit) {
    this.name = limitFileName(init.name);
    this.contentType = init.contentType ?? '';
    this.charset = init.charset ?? null;
    this.contentTypeExtra = init.contentTypeExtra ?? {};
    this.fieldName = init.fieldName ?? '';
    this.size = init.size;
    this.path = init.path ?? null;
    this.#content = init.content ?? (this.path === null ? Buffer.alloc(0) : null);
  }

  get closed(): boolean {
    return this.#closed;
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error(`The uploaded file ${pyRepr(this.name)} was closed (the request is finished)`);
  }

  /** The whole content. */
  async read(): Promise<Buffer> {
    this.#checkOpen();
    return this.#content ?? readFile(this.path as string);
  }

  /** The content in pieces of at most `chunkSize` bytes, without reading a spilled file at once. */
  async *chunks(chunkSize = 64 * 1024): AsyncGenerator<Buffer, void, undefined> {
    this.#checkOpen();
    if (this.#content !== null) {
      for (let at = 0; at < this.#content.length; at += chunkSize) yield this.#content.subarray(at, at + chunkSize);
      return;
    }
    for await (const chunk of createReadStream(this.path as string, { highWaterMark: chunkSize })) yield chunk as Buffer;
  }

  /** Whether chunks(chunkSize) yields more than one piece. */
  multipleChunks(chunkSize = 64 * 1024): boolean {
    return this.size > chunkSize;
  }

  /** Frees the content; a temporary file is removed. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#content = null;
    if (this.path !== null) await rm(this.path, { force: true });
  }

  toString(): string {
    return `<UploadedFile: ${this.name} (${this.contentType})>`;
  }
}
