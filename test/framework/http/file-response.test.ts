// FileResponse (Django's tests/responses/test_fileresponse): content types, Content-Disposition, files by
// path and file-likes, served as a GWI body through the validator.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { contentDispositionHeader, FileResponse, guessContentType } from '../../../src/framework/http/file-response.js';
import { fileWrapper } from '../../../src/gateway/file-wrapper.js';
import { serveResponse } from '../../helpers/serve-response.js';

let tempDir: string;
beforeEach(() => {
  configureSettings({});
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'gwi-file-response-test-'));
});
afterEach(() => {
  resetSettings();
  rmSync(tempDir, { recursive: true, force: true });
});

/** The Content-Type FileResponse sends for a file of this name. */
function sentType(name: string): string | undefined {
  return new FileResponse({ name, read: async () => new Uint8Array(0) }).headers.get('Content-Type');
}

describe('FileResponse', () => {
  it.each([
    ['a.txt', 'text/plain'],
    ['A.HTML', 'text/html'],
    ['x.css', 'text/css'],
    ['x.js', 'text/javascript'],
    ['x.mjs', 'text/javascript'],
    ['x.json', 'application/json'],
    ['x.png', 'image/png'],
    ['x.jpg', 'image/jpeg'],
    ['x.jpeg', 'image/jpeg'],
    ['x.gif', 'image/gif'],
    ['x.svg', 'image/svg+xml'],
    ['x.ico', 'image/vnd.microsoft.icon'],
    ['x.webp', 'image/webp'],
    ['x.woff', 'font/woff'],
    ['x.woff2', 'font/woff2'],
    ['x.pdf', 'application/pdf'],
    ['x.xml', 'text/xml'],
    ['x.js.map', 'application/json'],
    ['x.wasm', 'application/wasm'],
    ['x.tar.gz', 'application/gzip'],
    ['Makefile', 'application/octet-stream'],
  ])('guesses %j as %j', (name, type) => {
    expect(guessContentType(name)).toBe(type);
  });

  // The types of the web from mime-db, without a charset (Django's FileResponse adds none).
  it.each([
    ['x.mp4', 'video/mp4'],
    ['x.csv', 'text/csv'],
    ['x.avif', 'image/avif'],
    ['site.webmanifest', 'application/manifest+json'],
    ['x.wasm', 'application/wasm'],
    ['x.woff2', 'font/woff2'],
    ['x.mjs', 'text/javascript'],
    ['x.js', 'text/javascript'],
    ['x.htm', 'text/html'],
    ['x.md', 'text/markdown'],
    ['x.webm', 'video/webm'],
    ['x.mp3', 'audio/mpeg'],
    ['x.ttf', 'font/ttf'],
    ['x.zip', 'application/zip'],
    ['x.tar', 'application/x-tar'],
    ['x.constructor', 'application/octet-stream'],
    ['.gz', 'application/octet-stream'],
  ])('FileResponse sends %j as %j', (name, type) => {
    expect(sentType(name)).toBe(type);
  });

  // Python's mimetypes reads these as an encoding; Django's FileResponse sends the compressed file's type.
  it.each([
    ['x.gz', 'application/gzip'],
    ['x.txt.gz', 'application/gzip'],
    ['x.tgz', 'application/gzip'],
    ['x.TGZ', 'application/gzip'],
    ['x.svgz', 'application/gzip'],
    ['x.tar.bz2', 'application/x-bzip'],
    ['x.tbz2', 'application/x-bzip'],
    ['x.tar.xz', 'application/x-xz'],
    ['x.txz', 'application/x-xz'],
    ['x.css.br', 'application/x-brotli'],
    ['x.tar.Z', 'application/x-compress'],
    ['x.z', 'application/octet-stream'],
  ])('FileResponse sends the compressed %j as %j', (name, type) => {
    expect(sentType(name)).toBe(type);
  });

  it.each([
    [false, '', null],
    [true, '', 'attachment'],
    [false, 'a.txt', 'inline; filename="a.txt"'],
    [true, 'a "b" \\c.txt', 'attachment; filename="a \\"b\\" \\\\c.txt"'],
    [false, 'résumé.pdf', "inline; filename*=utf-8''r%C3%A9sum%C3%A9.pdf"],
    [true, 'a\nb', "attachment; filename*=utf-8''a%0Ab"],
  ])('Content-Disposition for attachment=%j and %j is %j', (asAttachment, name, header) => {
    expect(contentDispositionHeader(asAttachment, name)).toBe(header);
  });

  it('streams a file by path with type, length and disposition, and closes it', async () => {
    const file = path.join(tempDir, 'notes.txt');
    writeFileSync(file, 'x'.repeat(10_000));
    const response = new FileResponse(file);
    expect(response.headerList()).toEqual([
      ['Content-Type', 'text/plain'],
      ['Content-Length', '10000'],
      ['Content-Disposition', 'inline; filename="notes.txt"'],
    ]);
    expect(response.blockSize).toBe(4096);
    const chunks: number[] = [];
    for await (const chunk of response) chunks.push(chunk.length);
    expect(chunks).toEqual([4096, 4096, 1808]);
    await response.close();
    await expect(response.fileToStream.read(10)).rejects.toThrow(/EBADF/);
  });

  it('takes an attachment name, an explicit content type, or a Content-Type header', () => {
    const file = path.join(tempDir, 'data.bin');
    writeFileSync(file, 'abc');
    const named = new FileResponse(file, { asAttachment: true, filename: 'rapport été.csv' });
    expect(named.headers.get('Content-Type')).toBe('text/csv');
    expect(named.headers.get('Content-Disposition')).toBe("attachment; filename*=utf-8''rapport%20%C3%A9t%C3%A9.csv");
    const typed = new FileResponse(file, { contentType: 'application/x-custom' });
    expect(typed.headers.get('Content-Type')).toBe('application/x-custom');
    const header = new FileResponse(file, { headers: { 'content-type': 'text/csv' } });
    expect(header.headers.get('Content-Type')).toBe('text/csv');
    for (const response of [named, typed, header]) void response.close();
  });

  it('serves a file-like, through gwi.file_wrapper or as its own body', async () => {
    const data = Buffer.from('file-like content');
    let at = 0;
    const close = vi.fn();
    const response = new FileResponse({
      name: '/somewhere/page.html',
      size: data.length,
      read: async (size: number) => data.subarray(at, (at += size)),
      close,
    });
    expect(response.headerList()).toEqual([
      ['Content-Type', 'text/html'],
      ['Content-Length', '17'],
      ['Content-Disposition', 'inline; filename="page.html"'],
    ]);
    const served = await serveResponse(response);
    expect(served.body.toString()).toBe('file-like content');
    expect(close).toHaveBeenCalledTimes(1);

    // What the handler does when the server offers gwi.file_wrapper: the wrapper reads fileToStream.
    at = 0;
    const wrapped = new FileResponse({ name: 'x.txt', read: async (size: number) => data.subarray(at, (at += size)) });
    wrapped.blockSize = 5;
    const blocks: string[] = [];
    for await (const block of fileWrapper(wrapped.fileToStream, wrapped.blockSize)) blocks.push(Buffer.from(block).toString());
    expect(blocks).toEqual(['file-', 'like ', 'conte', 'nt']);
    expect(wrapped.headers.has('Content-Length')).toBe(false);
  });

  it('refuses a missing file or a directory where it is created', () => {
    expect(() => new FileResponse(path.join(tempDir, 'missing.txt'))).toThrow(/ENOENT/);
    expect(() => new FileResponse(tempDir)).toThrow(/EISDIR/);
  });
});

describe('the MIME tables', () => {
  it("are loaded when a type is first guessed, not by gwi's import (measured in a fresh process)", () => {
    const source = (file: string): string => JSON.stringify(fileURLToPath(new URL(`../../../src/${file}`, import.meta.url)));
    const script = `
      import { createRequire } from 'node:module';
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes('/mime-types/'));
      await import(${source('index.ts')});
      const { guessType } = await import(${source('framework/http/file-response.ts')});
      const before = loaded();
      const type = guessType('x.css').type;
      console.log(JSON.stringify({ before, type, after: loaded() }));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ before: false, type: 'text/css', after: true });
  }, 30_000);
});
