// multipart/form-data, parsed as a stream (Django's MultiPartParser): fields bounded in memory, uploaded
// files kept in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and spilled to a temporary file beyond it.
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { asBuffer } from '../../gateway/bytes.js';
import { settings } from '../conf/settings.js';
import { MultiPartParserError, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent } from '../exceptions.js';
import { MultiValueDict, QueryDict } from './query-dict.js';
import { UploadedFile, type UploadedFileInit } from './uploaded-file.js';
import { decodeBytes, unquote } from '../utils/encoding.js';

/** Where the parser reads the body from: `read(size)` gives at most `size` bytes, empty at the end. */
export interface ByteSource {
  read(size: number): Promise<Uint8Array>;
}

/**
 * Django's parse_header_parameters: `text/html; charset="utf-8"` → ['text/html', { charset: 'utf-8' }].
 * The main value and parameter names are lower-cased; quoted values are unescaped; RFC 2231
 * `name*=utf-8''caf%C3%A9` values are decoded and win over the plain `name=` form.
 */
export function parseHeaderParameters(line: string): [string, Record<string, string>] {
  // No parameters (a request's default `text/plain`, say): what the general parse gives, at once.
  if (!line.includes(';')) return [line.trim().toLowerCase(), Object.create(null) as Record<string, string>];
  const parts = splitParameters(line);
  const key = (parts.shift() ?? '').toLowerCase();
  const params = Object.create(null) as Record<string, string>;
  const extended = new Set<string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    let name = part.slice(0, eq).trim().toLowerCase();
    let value = part.slice(eq + 1).trim();
    const isExtended = name.endsWith('*');
    if (isExtended) name = name.slice(0, -1);
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1).replace(/\\\\/g, '\\').replace(/\\"/g, '"');
    }
    const encoded = isExtended ? /^([^']*)'[^']*'(.*)$/.exec(value) : null;
    if (encoded) {
      try {
        value = unquote(encoded[2] as string, encoded[1] || 'utf-8');
      } catch {
        continue; // An unknown charset: the plain parameter, if any, is used.
      }
      extended.add(name);
    } else if (extended.has(name)) {
      continue;
    }
    params[name] = value;
  }
  return [key, params];
}

/** Splits on `;` outside quoted strings (Django's _parseparam). */
function splitParameters(line: string): string[] {
  const parts: string[] = [];
  let s = ';' + line;
  while (s.startsWith(';')) {
    s = s.slice(1);
    let end = s.indexOf(';');
    while (end > 0 && (countQuotes(s.slice(0, end)) % 2) === 1) end = s.indexOf(';', end + 1);
    if (end < 0) end = s.length;
    parts.push(s.slice(0, end).trim());
    s = s.slice(end);
  }
  return parts;
}

function countQuotes(text: string): number {
  return (text.match(/"/g)?.length ?? 0) - (text.match(/\\"/g)?.length ?? 0);
}

/** Python's html.unescape for what appears in file names: numeric references and the XML entities. */
function unescapeHtml(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(?:#(\d+)|#[xX]([0-9a-fA-F]+)|(amp|lt|gt|quot|apos));?/g, (match, dec?: string, hex?: string, name?: string) => {
    if (name) return named[name] as string;
    const code = dec ? parseInt(dec, 10) : parseInt(hex as string, 16);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
  });
}

/**
 * Django's sanitize_file_name: the last path segment only (`/` and `\`), without non-printable
 * characters; `''`, `.` and `..` are no name at all (the upload is skipped).
 */
export function sanitizeFileName(fileName: string): string | null {
  let name = unescapeHtml(fileName);
  name = name.slice(name.lastIndexOf('/') + 1);
  name = name.slice(name.lastIndexOf('\\') + 1);
  // Python's str.isprintable: no control, format, separator (except the space) or unassigned characters.
  name = name.replace(/(?! )[\p{C}\p{Z}]/gu, '');
  return name === '' || name === '.' || name === '..' ? null : name;
}

const CHUNK_SIZE = 64 * 1024;
/** The largest header block of one part; a larger one is refused rather than buffered. */
const MAX_PART_HEADER_SIZE = 8 * 1024;
const CRLF = Buffer.from('\r\n');
const CRLFCRLF = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);
// RFC 2046's bchars, at most 70 in the RFC; Django accepts up to 201 printable ASCII characters.
const BOUNDARY = /^[ -~]{0,200}[!-~]$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** busboy's streaming Boyer-Moore-Horspool search: 'info' gives the bytes between matches, then each match. */
interface StreamSearch {
  on(event: 'info', listener: (isMatch: boolean, data?: Buffer, start?: number, end?: number) => void): this;
  push(chunk: Buffer): number;
}
// The search that busboy's own multipart parser (Dicer) runs on. Dicer is not used whole: its part headers
// lose what Django's rules need (padding after a boundary, text there refused, the size cap, raw bytes).
// The file is not busboy's public API: package.json pins the exact version it was tested with.
const StreamSearch = createRequire(import.meta.url)('@fastify/busboy/deps/streamsearch/sbmh.js') as new (needle: Buffer) => StreamSearch;

/** Where a delimiter (CRLF, `--`, the boundary) was in the body. */
const DELIMITER = Symbol('delimiter');
type Piece = Buffer | typeof DELIMITER;

/** The body as content pieces and delimiters, read one chunk at a time: never more is held. */
class DelimitedBody {
  readonly #pieces: Piece[] = [];
  readonly #search: StreamSearch;
  #received = 0;

  constructor(private readonly source: ByteSource, boundary: string, private readonly contentLength: number | null) {
    this.#search = new StreamSearch(Buffer.from(`\r\n--${boundary}`, 'latin1'));
    this.#search.on('info', (isMatch, data, start = 0, end = 0) => {
      // A copy: the search hands out its look-behind buffer too, which the next push overwrites.
      if (data !== undefined && start < end) this.#pieces.push(Buffer.from(data.subarray(start, end)));
      if (isMatch) this.#pieces.push(DELIMITER);
    });
    // The first boundary line has no CRLF before it: one lets it match the same delimiter as the others.
    this.#search.push(CRLF);
  }

  /** The next piece; null at the end of the body. A body shorter than its CONTENT_LENGTH is an error. */
  async next(): Promise<Piece | null> {
    while (this.#pieces.length === 0) {
      const chunk = await this.source.read(CHUNK_SIZE);
      if (chunk.length === 0) {
        if (this.contentLength === null || this.#received >= this.contentLength) return null;
        throw new MultiPartParserError(`The request body ended after ${this.#received} of its ${this.contentLength} bytes.`);
      }
      this.#received += chunk.length;
      this.#search.push(asBuffer(chunk));
    }
    return this.#pieces.shift() as Piece;
  }

  /** Gives back what a reader took beyond what it needed. */
  unshift(piece: Piece): void {
    this.#pieces.unshift(piece);
  }
}

/** Receives one part's content. */
interface PartSink {
  write(chunk: Buffer): Promise<void>;
  finish(): Promise<void>;
  /** The body ended inside the part: drop what was received. */
  abort?(): Promise<void>;
}

type PartHeaders = Map<string, [value: string, params: Record<string, string>]>;

/** Decodes base64 content in aligned pieces as it streams (Content-Transfer-Encoding: base64). */
class Base64Sink implements PartSink {
  #pending = '';

  constructor(private readonly inner: PartSink) {}

  async write(chunk: Buffer): Promise<void> {
    this.#pending += chunk.toString('latin1').replace(/\s+/g, '');
    const aligned = this.#pending.length - (this.#pending.length % 4);
    if (aligned === 0) return;
    const piece = this.#pending.slice(0, aligned);
    this.#pending = this.#pending.slice(aligned);
    // Buffer.from(.., 'base64') skips bad characters silently; Python's b64decode refuses them.
    if (!BASE64.test(piece)) throw new MultiPartParserError('Could not decode base64 data.');
    await this.inner.write(Buffer.from(piece, 'base64'));
  }

  async finish(): Promise<void> {
    if (this.#pending) throw new MultiPartParserError('Could not decode base64 data.');
    await this.inner.finish();
  }

  async abort(): Promise<void> {
    await this.inner.abort?.();
  }
}

export interface MultiPartParserOptions {
  /** The charset of field names and values (default DEFAULT_CHARSET). */
  encoding?: string | null;
}

/**
 * Django's MultiPartParser. The constructor checks the Content-Type and boundary (MultiPartParserError);
 * parse() reads the body once and returns [POST, FILES]. Limits, from settings: field data in memory
 * (DATA_UPLOAD_MAX_MEMORY_SIZE → RequestDataTooBig), number of fields (TooManyFieldsSent) and files
 * (TooManyFilesSent); file content in memory beyond FILE_UPLOAD_MAX_MEMORY_SIZE (all files together)
 * goes to temporary files in FILE_UPLOAD_TEMP_DIR or the OS temp dir. A body that ends before its
 * closing boundary keeps the complete parts and drops the cut one, as Django does; one that ends before
 * its CONTENT_LENGTH is a MultiPartParserError.
 */
export class MultiPartParser {
  readonly boundary: string;
  readonly encoding: string;
  readonly contentLength: number | null;
  readonly #source: ByteSource;
  /** The files parsed, and every temporary file made (complete or not): close() removes them. */
  readonly #created: UploadedFile[] = [];
  readonly #tempPaths = new Set<string>();
  readonly #openHandles = new Set<FileHandle>();
  #closed = false;
  #memoryFileBytes = 0;

  constructor(meta: { CONTENT_TYPE?: unknown; CONTENT_LENGTH?: unknown }, source: ByteSource, { encoding }: MultiPartParserOptions = {}) {
    const contentType = typeof meta.CONTENT_TYPE === 'string' ? meta.CONTENT_TYPE : '';
    if (!contentType.toLowerCase().startsWith('multipart/')) throw new MultiPartParserError(`Invalid Content-Type: ${contentType}`);
    const boundary = parseHeaderParameters(contentType)[1].boundary;
    if (!boundary || !BOUNDARY.test(boundary)) throw new MultiPartParserError(`Invalid boundary in multipart: ${boundary ?? 'None'}`);
    const rawLength = typeof meta.CONTENT_LENGTH === 'string' ? meta.CONTENT_LENGTH.trim() : '';
    // No length: a chunked body, read to its end. An unparsable one counts as 0, as in Django.
    let length: number | null = null;
    if (rawLength !== '') length = /^[+-]?\d+$/.test(rawLength) ? Number(rawLength) : 0;
    if (length !== null && length < 0) throw new MultiPartParserError(`Invalid content length: ${length}`);
    this.boundary = boundary;
    this.contentLength = length;
    this.encoding = encoding || settings.DEFAULT_CHARSET;
    this.#source = source;
  }

  /** Reads the body: [POST, FILES]. On an error, the temporary files made so far are removed. */
  async parse(): Promise<[QueryDict, MultiValueDict<UploadedFile>]> {
    const post = new QueryDict(null, { mutable: true, encoding: this.encoding });
    const files = new MultiValueDict<UploadedFile>();
    if (this.contentLength !== 0) {
      try {
        await this.#parse(post, files);
      } catch (err) {
        await this.close();
        throw err;
      }
    }
    return [QueryDict.fromLists(post.lists(), { encoding: this.encoding }), files];
  }

  /** Removes every temporary file this parser made; later spills are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#openHandles].map((handle) => handle.close().catch(() => undefined)));
    this.#openHandles.clear();
    await Promise.all(this.#created.map((file) => file.close()));
    await Promise.all([...this.#tempPaths].map((file) => rm(file, { force: true })));
  }

  async #parse(post: QueryDict, files: MultiValueDict<UploadedFile>): Promise<void> {
    const maxFields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS;
    const maxFiles = settings.DATA_UPLOAD_MAX_NUMBER_FILES;
    const maxMemory = settings.DATA_UPLOAD_MAX_MEMORY_SIZE;
    const body = new DelimitedBody(this.#source, this.boundary, this.contentLength);
    let fieldCount = 0;
    let fileCount = 0;
    let fieldBytes = 0;

    // The preamble: skipped.
    for (let piece = await body.next(); piece !== DELIMITER; piece = await body.next()) if (piece === null) return;

    for (;;) {
      const headers = await this.#readPartHeaders(body);
      if (headers === null) return;
      const [, disposition] = headers.get('content-disposition') ?? ['', {}];
      const fieldName = disposition.name?.trim();
      const transferEncoding = headers.get('content-transfer-encoding')?.[0].trim().toLowerCase();
      let sink: PartSink | null = null;
      if (fieldName === undefined) {
        sink = null; // Not form data: skipped, as Django does.
      } else if (disposition.filename) {
        fileCount++;
        if (maxFiles !== null && fileCount > maxFiles) {
          throw new TooManyFilesSent('The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.');
        }
        const fileName = sanitizeFileName(disposition.filename);
        if (fileName !== null) {
          const [contentType, extra] = headers.get('content-type') ?? ['', {}];
          const { charset = null, ...contentTypeExtra } = extra;
          sink = this.#fileSink(fieldName, { name: fileName, contentType: contentType.trim(), charset, contentTypeExtra, fieldName }, files);
          if (transferEncoding === 'base64') sink = new Base64Sink(sink);
        }
      } else {
        fieldCount++;
        if (maxFields !== null && fieldCount > maxFields) {
          throw new TooManyFieldsSent('The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.');
        }
        // The name counts too, with its `=` and `&`, as in Django.
        fieldBytes += fieldName.length + 2;
        const chunks: Buffer[] = [];
        const encoding = this.encoding;
        sink = {
          async write(chunk) {
            fieldBytes += chunk.length;
            if (maxMemory !== null && fieldBytes > maxMemory) {
              throw new RequestDataTooBig('Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.');
            }
            chunks.push(chunk);
          },
          async finish() {
            let data = Buffer.concat(chunks);
            if (transferEncoding === 'base64') {
              // Django keeps the raw data when it is not valid base64.
              const text = data.toString('latin1').replace(/\s+/g, '');
              if (BASE64.test(text)) data = Buffer.from(text, 'base64');
            }
            post.appendList(fieldName, decodeBytes(data, encoding));
          },
        };
      }
      let piece = await body.next();
      for (; piece !== null && piece !== DELIMITER; piece = await body.next()) await sink?.write(piece);
      if (piece === null) {
        await sink?.abort?.();
        return;
      }
      await sink?.finish();
    }
  }

  /**
   * After a delimiter: null at the closing `--` (or the end of a truncated body), else the part's
   * headers (name lower-cased → [value, params]); none when a delimiter comes before their end.
   */
  async #readPartHeaders(body: DelimitedBody): Promise<PartHeaders | null> {
    // The rest of the boundary line is transport padding (spaces, tabs) then CRLF; the header block
    // starts at that CRLF, so a part without headers is the empty block CRLF CRLF.
    let block: Buffer = EMPTY;
    for (;;) {
      const piece = await body.next();
      if (piece === null) return null;
      if (piece !== DELIMITER) {
        block = Buffer.concat([block, piece]);
        if (block.length < 2) continue;
      }
      if (block[0] === 0x2d && block[1] === 0x2d) return null;
      const lineEnd = block.indexOf(CRLF);
      const padding = lineEnd < 0 ? block : block.subarray(0, lineEnd);
      if ((lineEnd < 0 && block.length > MAX_PART_HEADER_SIZE) || !/^[ \t]*$/.test(padding.toString('latin1'))) {
        throw new MultiPartParserError('Malformed multipart body: a boundary line is followed by other text.');
      }
      if (piece === DELIMITER) {
        // Skipped, as Django skips a part without a header block.
        body.unshift(DELIMITER);
        return new Map();
      }
      if (lineEnd < 0) continue;
      const blockEnd = block.indexOf(CRLFCRLF, lineEnd);
      if (blockEnd >= 0) {
        const content = block.subarray(blockEnd + CRLFCRLF.length);
        if (content.length > 0) body.unshift(content);
        return parseHeaderBlock(block.subarray(lineEnd + CRLF.length, blockEnd));
      }
      if (block.length - lineEnd > MAX_PART_HEADER_SIZE) {
        throw new MultiPartParserError(`Malformed multipart body: the headers of a part exceed ${MAX_PART_HEADER_SIZE} bytes.`);
      }
    }
  }

  /** A file kept in memory while the request's in-memory uploads fit FILE_UPLOAD_MAX_MEMORY_SIZE. */
  #fileSink(fieldName: string, init: Omit<UploadedFileInit, 'size'>, files: MultiValueDict<UploadedFile>): PartSink {
    const limit = settings.FILE_UPLOAD_MAX_MEMORY_SIZE;
    const chunks: Buffer[] = [];
    let size = 0;
    let handle: FileHandle | null = null;
    let tempPath: string | null = null;
    return {
      write: async (chunk) => {
        size += chunk.length;
        if (handle === null && this.#memoryFileBytes + size > limit) {
          [handle, tempPath] = await this.#createTempFile(init.name);
          for (const held of chunks) await handle.write(held);
          chunks.length = 0;
        }
        if (handle !== null) await handle.write(chunk);
        else chunks.push(chunk);
      },
      finish: async () => {
        if (handle !== null) {
          await handle.close();
          this.#openHandles.delete(handle);
        } else {
          this.#memoryFileBytes += size;
        }
        const file = new UploadedFile({ ...init, size, content: handle === null ? Buffer.concat(chunks) : null, path: tempPath });
        this.#created.push(file);
        files.appendList(fieldName, file);
      },
      abort: async () => {
        if (handle === null || tempPath === null) return;
        await handle.close();
        this.#openHandles.delete(handle);
        await rm(tempPath, { force: true });
        this.#tempPaths.delete(tempPath);
      },
    };
  }

  async #createTempFile(name: string): Promise<[FileHandle, string]> {
    if (this.#closed) throw new Error('The request was closed while its upload was being read.');
    const ext = path.extname(name).replace(/[^A-Za-z0-9.]/g, '').slice(0, 16);
    const file = path.join(settings.FILE_UPLOAD_TEMP_DIR ?? os.tmpdir(), `gwi-${randomBytes(12).toString('hex')}.upload${ext}`);
    const handle = await open(file, 'wx', 0o600);
    this.#openHandles.add(handle);
    // Registered at once so close() removes it even when the part never completes.
    this.#tempPaths.add(file);
    return [handle, file];
  }
}

/** A part's header lines: name lower-cased → [value, params]; lines without a colon are skipped. */
function parseHeaderBlock(block: Buffer): PartHeaders {
  const headers: PartHeaders = new Map();
  // Latin-1 keeps every byte, so the lines split as text are still the bytes received.
  for (const raw of block.toString('latin1').split('\r\n')) {
    const line = decodeHeaderLine(Buffer.from(raw, 'latin1'));
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trimEnd().toLowerCase();
    headers.set(name, parseHeaderParameters(line.slice(colon + 1).trimStart()));
  }
  return headers;
}

/** Part headers are UTF-8 (what browsers send); a line that is not falls back to latin-1 rather than being dropped. */
function decodeHeaderLine(raw: Buffer): string {
  try {
    return decodeBytes(raw, 'utf-8', true);
  } catch {
    return raw.toString('latin1');
  }
}
