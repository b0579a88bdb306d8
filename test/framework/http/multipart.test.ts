// The streaming multipart/form-data parser (Django's tests/file_uploads and requests tests): fields,
// files, names, limits, temp-file spilling and malformed bodies.
import { mkdtempSync, readdirSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings, type SettingsInput } from '../../../src/framework/conf/settings.js';
import { MultiPartParserError, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent } from '../../../src/framework/exceptions.js';
import { MultiPartParser, parseHeaderParameters, sanitizeFileName, type ByteSource } from '../../../src/framework/http/multipart.js';
import { UploadedFile } from '../../../src/framework/http/uploaded-file.js';

const BOUNDARY = '----gwiBoundary7MA4YWxkTrZu0gW';
const CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

interface Part {
  headers: string[];
  body: string | Buffer;
}

const field = (name: string, value: string | Buffer): Part => ({ headers: [`Content-Disposition: form-data; name="${name}"`], body: value });
const file = (name: string, filename: string, body: string | Buffer, contentType = 'text/plain'): Part => ({
  headers: [`Content-Disposition: form-data; name="${name}"; filename="${filename}"`, `Content-Type: ${contentType}`],
  body,
});

/** A multipart body; header lines are UTF-8, as browsers send them. */
function multipart(parts: Part[], { preamble = '', epilogue = '\r\n', boundary = BOUNDARY } = {}): Buffer {
  const chunks: Buffer[] = [Buffer.from(preamble)];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${part.headers.map((h) => `${h}\r\n`).join('')}\r\n`, 'utf8'));
    chunks.push(typeof part.body === 'string' ? Buffer.from(part.body, 'utf8') : part.body);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--${epilogue}`));
  return Buffer.concat(chunks);
}

/** Serves `data` in reads of at most `step` bytes, counting what was read. */
class ChunkedSource implements ByteSource {
  at = 0;
  constructor(
    readonly data: Buffer,
    readonly step = 64 * 1024,
  ) {}
  async read(size: number): Promise<Uint8Array> {
    const chunk = this.data.subarray(this.at, this.at + Math.min(size, this.step));
    this.at += chunk.length;
    return chunk;
  }
}

async function parse(body: Buffer, { step, contentType = CONTENT_TYPE, length = String(body.length) } = {} as { step?: number; contentType?: string; length?: string }) {
  const parser = new MultiPartParser({ CONTENT_TYPE: contentType, CONTENT_LENGTH: length }, new ChunkedSource(body, step));
  const [post, files] = await parser.parse();
  return { parser, post, files };
}

let tempDir: string;
function settingsWith(values: SettingsInput = {}): void {
  configureSettings({ FILE_UPLOAD_TEMP_DIR: tempDir, ...values });
}

beforeEach(() => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'gwi-multipart-test-'));
  settingsWith();
});
afterEach(() => {
  resetSettings();
  rmSync(tempDir, { recursive: true, force: true });
});

describe('parseHeaderParameters', () => {
  const rows: [line: string, key: string, params: Record<string, string>][] = [
    ['text/plain', 'text/plain', {}],
    ['Text/HTML; Charset=UTF-8', 'text/html', { charset: 'UTF-8' }],
    ['form-data; name="a"; filename="b.txt"', 'form-data', { name: 'a', filename: 'b.txt' }],
    ['form-data; name="a;b"; x=1', 'form-data', { name: 'a;b', x: '1' }],
    ['form-data; filename="a \\"q\\" \\\\ b"', 'form-data', { filename: 'a "q" \\ b' }],
    ["attachment; filename*=UTF-8''na%C3%AFve%20file.txt", 'attachment', { filename: 'naïve file.txt' }],
    ["attachment; filename*=utf-8''%E2%82%AC.txt; filename=\"EUR.txt\"", 'attachment', { filename: '€.txt' }],
    ["attachment; filename=\"EUR.txt\"; filename*=utf-8''%E2%82%AC.txt", 'attachment', { filename: '€.txt' }],
    ["attachment; filename*=iso-8859-1'en'%A3%20rates", 'attachment', { filename: '£ rates' }],
    ['multipart/form-data; boundary=----x; junk', 'multipart/form-data', { boundary: '----x' }],
    ['', '', {}],
  ];
  it.each(rows)('%j', (line, key, params) => {
    const [parsedKey, parsedParams] = parseHeaderParameters(line);
    expect(parsedKey).toBe(key);
    expect({ ...parsedParams }).toEqual(params);
  });
});

describe('sanitizeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['/etc/passwd', 'passwd'],
    ['C:\\Users\\me\\x.txt', 'x.txt'],
    ['../../evil.sh', 'evil.sh'],
    ['a\x00b\u200bc.txt', 'abc.txt'],
    ['with space.txt', 'with space.txt'],
    ['&quot;q&quot;&#39;&#x41;&amp;.txt', '"q"\'A&.txt'],
    ['..', null],
    ['dir/.', null],
    ['', null],
  ])('%j → %j', (name, expected) => {
    expect(sanitizeFileName(name)).toBe(expected);
  });

  it('keeps at most 255 characters of an uploaded name, with its extension', () => {
    const f = new UploadedFile({ name: `${'a'.repeat(300)}.txt`, size: 0 });
    expect(f.name).toBe(`${'a'.repeat(251)}.txt`);
  });
});

describe('MultiPartParser: fields and files', () => {
  const body = multipart([
    field('title', 'Hello, world'),
    field('tag', 'a'),
    field('tag', 'b'),
    field('utf8', 'café ✓'),
    field('empty', ''),
    file('doc', 'notes.txt', 'line one\r\nline two\r\n--not-a-boundary\r\n\r\n', 'text/plain; charset=utf-8'),
    file('bin', 'data.bin', Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]), 'application/octet-stream'),
  ]);

  it.each([1, 2, 7, 61, 4096, 64 * 1024])('parses the same body read %i byte(s) at a time', async (step) => {
    const { post, files } = await parse(body, { step });
    expect(post.lists()).toEqual([
      ['title', ['Hello, world']],
      ['tag', ['a', 'b']],
      ['utf8', ['café ✓']],
      ['empty', ['']],
    ]);
    expect(post.mutable).toBe(false);
    expect(files.keys()).toEqual(['doc', 'bin']);
    const doc = files.get('doc') as UploadedFile;
    expect([doc.name, doc.contentType, doc.charset, doc.size, doc.fieldName, doc.path]).toEqual(['notes.txt', 'text/plain', 'utf-8', 40, 'doc', null]);
    expect((await doc.read()).toString()).toBe('line one\r\nline two\r\n--not-a-boundary\r\n\r\n');
    const bin = files.get('bin') as UploadedFile;
    expect([bin.contentType, bin.charset, bin.size]).toEqual(['application/octet-stream', null, 8]);
    expect([...(await bin.read())]).toEqual([0, 1, 2, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]);
  });

  it.each([
    ['a quoted name', 'form-data; name="f"; filename="my \\"best\\" file.txt"', 'my "best" file.txt'],
    ['a raw UTF-8 name', 'form-data; name="f"; filename="résumé ✓.txt"', 'résumé ✓.txt'],
    ['an RFC 2231 name', "form-data; name=\"f\"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt", 'résumé.txt'],
    ['a Windows path', 'form-data; name="f"; filename="C:\\\\fakepath\\\\photo.jpg"', 'photo.jpg'],
    ['a Unix path', 'form-data; name="f"; filename="../../etc/passwd"', 'passwd'],
    ['a name with a semicolon', 'form-data; name="f"; filename="a;b.txt"', 'a;b.txt'],
  ])('takes %s', async (_label, disposition, expected) => {
    const { files } = await parse(multipart([{ headers: [`Content-Disposition: ${disposition}`], body: 'x' }]));
    expect(files.get('f')?.name).toBe(expected);
  });

  it('decodes a latin-1 header line instead of dropping the part', async () => {
    const body = Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\n`),
      Buffer.from('Content-Disposition: form-data; name="f"; filename="caf\xe9.txt"\r\n\r\nx\r\n', 'latin1'),
      Buffer.from(`--${BOUNDARY}--\r\n`),
    ]);
    const { files } = await parse(body);
    expect(files.get('f')?.name).toBe('café.txt');
  });

  it('treats an empty filename as an empty field (an unused file input), as Django', async () => {
    const { post, files } = await parse(multipart([file('f', '', '')]));
    expect(post.lists()).toEqual([['f', ['']]]);
    expect(files.size).toBe(0);
  });

  it('skips files whose sanitized name is empty, and parts without a form-data name', async () => {
    const { post, files } = await parse(
      multipart([
        file('f', '..', 'dots'),
        { headers: ['Content-Type: text/plain'], body: 'no disposition' },
        { headers: [], body: 'no headers at all' },
        { headers: ['Content-Disposition: form-data; filename="x.txt"'], body: 'no name' },
        field('kept', 'yes'),
      ]),
    );
    expect(post.lists()).toEqual([['kept', ['yes']]]);
    expect(files.size).toBe(0);
  });

  it('ignores the preamble and epilogue, and accepts padding after a boundary', async () => {
    const body = Buffer.from(
      `This is the preamble.\r\n--${BOUNDARY}  \t\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${BOUNDARY}--\r\nepilogue --${BOUNDARY}\r\n`,
    );
    const { post } = await parse(body);
    expect(post.lists()).toEqual([['a', ['1']]]);
  });

  it('decodes base64 content (files strictly, fields leniently as Django)', async () => {
    const b64 = (name: string, filename: string | null, content: string): Part => ({
      headers: [
        `Content-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}`,
        'Content-Transfer-Encoding: base64',
      ],
      body: content,
    });
    const payload = Buffer.from('binary\r\n--stuff\x00\xff', 'latin1');
    const { post, files } = await parse(
      multipart([b64('f', 'a.bin', payload.toString('base64').replace(/(.{4})/g, '$1\r\n')), b64('x', null, 'aGVsbG8='), b64('y', null, 'not base64!')]),
      { step: 3 },
    );
    expect(await files.get('f')?.read()).toEqual(payload);
    expect(post.lists()).toEqual([
      ['x', ['hello']],
      ['y', ['not base64!']],
    ]);
    await expect(parse(multipart([b64('f', 'a.bin', 'abc')]))).rejects.toThrow(new MultiPartParserError('Could not decode base64 data.'));
    await expect(parse(multipart([b64('f', 'a.bin', 'ab!d')]))).rejects.toThrow(new MultiPartParserError('Could not decode base64 data.'));
  });

  it('decodes field values with the given encoding', async () => {
    const body = multipart([field('a', Buffer.from('caf\xe9', 'latin1'))]);
    const parser = new MultiPartParser({ CONTENT_TYPE: CONTENT_TYPE }, new ChunkedSource(body), { encoding: 'latin-1' });
    const [post] = await parser.parse();
    expect(post.get('a')).toBe('café');
    expect(post.encoding).toBe('latin-1');
  });

  it('returns nothing for a zero CONTENT_LENGTH without reading, and reads to the end without one', async () => {
    const body = multipart([field('a', '1')]);
    const source = new ChunkedSource(body);
    const parser = new MultiPartParser({ CONTENT_TYPE: CONTENT_TYPE, CONTENT_LENGTH: '0' }, source);
    const [post, files] = await parser.parse();
    expect([post.size, files.size, source.at]).toEqual([0, 0, 0]);
    const unknown = new MultiPartParser({ CONTENT_TYPE: CONTENT_TYPE }, new ChunkedSource(body));
    expect(unknown.contentLength).toBeNull();
    expect((await unknown.parse())[0].get('a')).toBe('1');
  });

  it('returns nothing for a body without any boundary', async () => {
    const { post, files } = await parse(Buffer.from('just some text, no parts at all'));
    expect([post.size, files.size]).toEqual([0, 0]);
  });
});

describe('MultiPartParser: malformed requests', () => {
  it.each([
    ['text/plain', 'Invalid Content-Type: text/plain'],
    ['', 'Invalid Content-Type: '],
    ['multipart/form-data', 'Invalid boundary in multipart: None'],
    ['multipart/form-data; boundary=', 'Invalid boundary in multipart: '],
    ['multipart/form-data; boundary="a b "', 'Invalid boundary in multipart: a b '],
    [`multipart/form-data; boundary=${'x'.repeat(202)}`, `Invalid boundary in multipart: ${'x'.repeat(202)}`],
    ['multipart/form-data; boundary=caf\u00e9', 'Invalid boundary in multipart: caf\u00e9'],
  ])('refuses the Content-Type %j', (contentType, message) => {
    expect(() => new MultiPartParser({ CONTENT_TYPE: contentType, CONTENT_LENGTH: '10' }, new ChunkedSource(Buffer.alloc(0)))).toThrow(
      new MultiPartParserError(message),
    );
  });

  it('refuses a negative CONTENT_LENGTH', () => {
    expect(() => new MultiPartParser({ CONTENT_TYPE: CONTENT_TYPE, CONTENT_LENGTH: '-5' }, new ChunkedSource(Buffer.alloc(0)))).toThrow(
      new MultiPartParserError('Invalid content length: -5'),
    );
  });

  it('refuses a boundary line followed by other text', async () => {
    const body = Buffer.from(`--${BOUNDARY}garbage\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${BOUNDARY}--`);
    await expect(parse(body)).rejects.toThrow(
      new MultiPartParserError('Malformed multipart body: a boundary line is followed by other text.'),
    );
  });

  it('refuses part headers larger than 8 KiB instead of buffering them', async () => {
    const body = multipart([{ headers: ['Content-Disposition: form-data; name="a"', `X-Junk: ${'j'.repeat(9000)}`], body: '1' }]);
    await expect(parse(body, { step: 1000 })).rejects.toThrow(
      new MultiPartParserError('Malformed multipart body: the headers of a part exceed 8192 bytes.'),
    );
  });

  it('keeps the complete parts of a truncated body and drops the cut one (and its temp file)', async () => {
    settingsWith({ FILE_UPLOAD_MAX_MEMORY_SIZE: 10 });
    const full = multipart([field('a', '1'), file('f', 'big.txt', 'x'.repeat(5000))]);
    const { post, files } = await parse(full.subarray(0, full.length - 100), { step: 512 });
    expect(post.lists()).toEqual([['a', ['1']]]);
    expect(files.size).toBe(0);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('refuses a body shorter than its CONTENT_LENGTH, and removes the temp file it had begun', async () => {
    settingsWith({ FILE_UPLOAD_MAX_MEMORY_SIZE: 10 });
    const full = multipart([field('a', '1'), file('f', 'big.txt', 'x'.repeat(5000))]);
    const cut = full.subarray(0, full.length - 100);
    await expect(parse(cut, { step: 512, length: String(full.length) })).rejects.toThrow(
      new MultiPartParserError(`The request body ended after ${cut.length} of its ${full.length} bytes.`),
    );
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('skips a part whose header block the next delimiter cuts short', async () => {
    const body = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n--${BOUNDARY}\r\n` +
        `Content-Disposition: form-data; name="b"\r\n\r\n2\r\n--${BOUNDARY}\r\n--${BOUNDARY}--\r\n`,
    );
    for (const step of [1, 5, 64 * 1024]) expect((await parse(body, { step })).post.lists()).toEqual([['b', ['2']]]);
  });

  it('refuses other text after a boundary even when the next delimiter follows at once', async () => {
    await expect(parse(Buffer.from(`--${BOUNDARY}garbage\r\n--${BOUNDARY}--\r\n`))).rejects.toThrow(
      new MultiPartParserError('Malformed multipart body: a boundary line is followed by other text.'),
    );
  });

  it('stops at a body cut inside the headers', async () => {
    const full = multipart([field('a', '1'), field('b', '2')]);
    const cut = full.subarray(0, full.indexOf('name="b"'));
    const { post } = await parse(cut);
    expect(post.lists()).toEqual([['a', ['1']]]);
  });
});

describe('MultiPartParser: limits', () => {
  it('refuses more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS', async () => {
    settingsWith({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 2 });
    expect((await parse(multipart([field('a', '1'), field('b', '2'), file('f', 'x.txt', 'x')]))).post.size).toBe(2);
    await expect(parse(multipart([field('a', '1'), field('b', '2'), field('c', '3')]))).rejects.toThrow(
      new TooManyFieldsSent('The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.'),
    );
  });

  it('refuses more files than DATA_UPLOAD_MAX_NUMBER_FILES, and removes the files already written', async () => {
    settingsWith({ DATA_UPLOAD_MAX_NUMBER_FILES: 1, FILE_UPLOAD_MAX_MEMORY_SIZE: 0 });
    const error = new TooManyFilesSent('The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.');
    await expect(parse(multipart([file('a', 'a.txt', 'aaa'), file('b', 'b.txt', 'bbb')]))).rejects.toThrow(error);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('bounds field data by DATA_UPLOAD_MAX_MEMORY_SIZE (names included), but not files', async () => {
    settingsWith({ DATA_UPLOAD_MAX_MEMORY_SIZE: 21 });
    // 'a' + 2 + 10 bytes, 'b' + 2 + 5 bytes: 21 in all.
    const ok = await parse(multipart([field('a', '0123456789'), field('b', '01234'), file('f', 'big.txt', 'z'.repeat(1000))]));
    expect(ok.post.get('b')).toBe('01234');
    expect(ok.files.get('f')?.size).toBe(1000);
    await expect(parse(multipart([field('a', '0123456789'), field('b', '012345')]))).rejects.toThrow(
      new RequestDataTooBig('Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.'),
    );
  });

  it('keeps no field limit with null settings', async () => {
    settingsWith({ DATA_UPLOAD_MAX_MEMORY_SIZE: null, DATA_UPLOAD_MAX_NUMBER_FIELDS: null, DATA_UPLOAD_MAX_NUMBER_FILES: null });
    const parts = Array.from({ length: 1500 }, (_, i) => field(`k${i}`, 'v'.repeat(10)));
    const { post } = await parse(multipart([...parts, ...Array.from({ length: 150 }, (_, i) => file(`f${i}`, 'x.txt', 'x'))]));
    expect(post.size).toBe(1500);
  });
});

describe('MultiPartParser: files in memory and on disk', () => {
  it('keeps files in memory while all of them fit FILE_UPLOAD_MAX_MEMORY_SIZE, then spills to FILE_UPLOAD_TEMP_DIR', async () => {
    settingsWith({ FILE_UPLOAD_MAX_MEMORY_SIZE: 100 });
    const big = Buffer.alloc(70_000, 'abc\r\n');
    const { parser, files } = await parse(multipart([file('a', 'a.txt', 'x'.repeat(60)), file('b', 'b.txt', 'y'.repeat(60)), file('c', 'c.png', big, 'image/png')]), {
      step: 1000,
    });
    const [a, b, c] = ['a', 'b', 'c'].map((k) => files.get(k) as UploadedFile) as [UploadedFile, UploadedFile, UploadedFile];
    expect(a.path).toBeNull();
    expect(b.path).not.toBeNull(); // 60 + 60 > 100: the second one no longer fits.
    expect(path.dirname(c.path as string)).toBe(tempDir);
    expect(path.basename(c.path as string)).toMatch(/^gwi-[0-9a-f]{24}\.upload\.png$/);
    expect(await b.read()).toEqual(Buffer.from('y'.repeat(60)));
    expect(await c.read()).toEqual(big);
    const pieces: Buffer[] = [];
    for await (const piece of c.chunks(16 * 1024)) pieces.push(piece);
    expect(pieces.map((p) => p.length)).toEqual([16384, 16384, 16384, 16384, 4464]);
    expect(c.multipleChunks(16 * 1024)).toBe(true);
    expect(a.multipleChunks()).toBe(false);

    await parser.close();
    expect(readdirSync(tempDir)).toEqual([]);
    expect([a.closed, b.closed, c.closed]).toEqual([true, true, true]);
    await expect(c.read()).rejects.toThrow("The uploaded file 'c.png' was closed (the request is finished)");
  });

  it('decodes a large base64 upload into a temporary file, and drops a cut one with its own', async () => {
    settingsWith({ FILE_UPLOAD_MAX_MEMORY_SIZE: 1000 });
    const payload = Buffer.alloc(200_000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + 3) & 0xff;
    const encoded = payload.toString('base64').replace(/(.{76})/g, '$1\r\n');
    const b64 = (name: string): Part => ({
      headers: [`Content-Disposition: form-data; name="${name}"; filename="${name}.bin"`, 'Content-Transfer-Encoding: base64'],
      body: encoded,
    });
    const { parser, files } = await parse(multipart([b64('a')]), { step: 4099 });
    const a = files.get('a') as UploadedFile;
    expect([a.size, path.dirname(a.path as string)]).toEqual([payload.length, tempDir]);
    expect(await a.read()).toEqual(payload);
    await parser.close();

    const full = multipart([field('x', '1'), b64('b')]);
    const cut = await parse(full.subarray(0, full.length - 5000), { step: 4099 });
    expect([cut.post.get('x'), cut.files.size]).toEqual(['1', 0]);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('reads an in-memory file in chunks', async () => {
    const f = new UploadedFile({ name: 'x', size: 5, content: Buffer.from('hello') });
    const pieces: string[] = [];
    for await (const piece of f.chunks(2)) pieces.push(piece.toString());
    expect(pieces).toEqual(['he', 'll', 'o']);
    expect(existsSync(tempDir)).toBe(true);
  });
});
