// FileWrapper (reference §1.10, §6.3 U-6), the gwi.file_wrapper factory and fileLikeFromHandle.
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileWrapper, fileLikeFromHandle, fileWrapper } from '../../src/gateway/file-wrapper.js';
import type { FileLike } from '../../src/gateway/types.js';

/** An in-memory file that records what was asked of it. */
class MemoryFile implements FileLike {
  position = 0;
  closed = 0;
  readonly sizes: number[] = [];

  constructor(private readonly data: Buffer) {}

  read(size: number): Uint8Array {
    this.sizes.push(size);
    const block = this.data.subarray(this.position, this.position + size);
    this.position += block.length;
    return block;
  }

  close(): void {
    this.closed++;
  }
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk).toString('latin1'));
  return chunks;
}

describe('FileWrapper (U-6)', () => {
  it('yields blockSize pieces and leaves closing to close()', async () => {
    const file = new MemoryFile(Buffer.from('xyz'.repeat(50)));
    const wrapper = new FileWrapper(file, 120);
    expect(wrapper[Symbol.asyncIterator]()).toBe(wrapper);
    expect(await collect(wrapper)).toEqual(['xyz'.repeat(40), 'xyz'.repeat(10)]);
    expect(file.sizes).toEqual([120, 120, 120]);
    expect(file.closed).toBe(0);
    await wrapper.close();
    expect(file.closed).toBe(1);
  });

  it('does not close the file when a consumer stops early', async () => {
    const file = new MemoryFile(Buffer.from('xyz'.repeat(50)));
    const wrapper = new FileWrapper(file, 3);
    for await (const chunk of wrapper) {
      expect(Buffer.from(chunk).toString()).toBe('xyz');
      break;
    }
    expect(file.closed).toBe(0);
    expect(await collect(wrapper)).toHaveLength(49);
  });

  it('awaits a file-like whose read is asynchronous', async () => {
    const blocks = [Buffer.from('ab'), Buffer.from('c'), Buffer.alloc(0), Buffer.from('never')];
    const wrapper = new FileWrapper({ read: async () => blocks.shift() ?? Buffer.alloc(0) });
    expect(await collect(wrapper)).toEqual(['ab', 'c']);
  });

  it('closes quietly when the file-like has no close()', async () => {
    const wrapper = new FileWrapper({ read: () => new Uint8Array(0) });
    await expect(wrapper.close()).resolves.toBeUndefined();
  });

  it.each([
    [undefined, 8192],
    [100, 100],
  ])('the gwi.file_wrapper factory with blockSize %s reads %i bytes at a time', async (blockSize, expected) => {
    const file = new MemoryFile(Buffer.alloc(10_000, 0x61));
    const body = fileWrapper(file, blockSize);
    expect(body).toBeInstanceOf(FileWrapper);
    const chunks = await collect(body as FileWrapper);
    expect(chunks.join('')).toBe('a'.repeat(10_000));
    expect(file.sizes[0]).toBe(expected);
  });
});

describe('fileLikeFromHandle', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gwi-file-wrapper-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a real file from the start, block by block, and closes the handle', async () => {
    const data = Buffer.from(Array.from({ length: 20_000 }, (_, i) => i % 251));
    const path = join(dir, 'data.bin');
    await writeFile(path, data);
    const handle = await open(path, 'r');
    const wrapper = new FileWrapper(fileLikeFromHandle(handle));

    const chunks: Uint8Array[] = [];
    for await (const chunk of wrapper) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.length)).toEqual([8192, 8192, 3616]);
    expect(Buffer.concat(chunks)).toEqual(data);
    expect(handle.fd).toBeGreaterThanOrEqual(0);

    await wrapper.close();
    expect(handle.fd).toBe(-1);
  });

  it('gives an empty block for an empty file', async () => {
    const path = join(dir, 'empty');
    await writeFile(path, '');
    const file = fileLikeFromHandle(await open(path, 'r'));
    expect(await file.read(10)).toHaveLength(0);
    await file.close?.();
  });
});
