// gwi.file_wrapper: serves a file-like object as a body, block by block (wsgiref.util.FileWrapper).
import { Buffer } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import type { FileLike, FileWrapperFactory } from './types.js';

/**
 * An async body reading `blockSize` bytes per step until the file-like returns an empty block.
 * Iterating never closes the file: the server does that through `close()`, on every path.
 */
export class FileWrapper implements AsyncIterableIterator<Uint8Array> {
  constructor(
    readonly filelike: FileLike,
    readonly blockSize = 8192,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    const block = await this.filelike.read(this.blockSize);
    return block.length > 0 ? { done: false, value: block } : { done: true, value: undefined };
  }

  async close(): Promise<void> {
    await this.filelike.close?.();
  }
}

/** The `gwi.file_wrapper` a server puts in the environ. */
export const fileWrapper: FileWrapperFactory = (filelike, blockSize) => new FileWrapper(filelike, blockSize);

/**
 * A file-like over an open file, read from the start; `close()` closes the handle.
 * Reads must not overlap (FileWrapper awaits each one), since they share one position.
 */
export function fileLikeFromHandle(handle: FileHandle): FileLike {
  let position = 0;
  return {
    async read(size: number): Promise<Uint8Array> {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(size), 0, size, position);
      position += bytesRead;
      return buffer.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}
