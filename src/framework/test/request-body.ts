// The body of a test request (Django's encode_multipart, encode_file and the RequestFactory's _encode_data
// and _encode_json): form data as multipart, JSON for a JSON content type, text or bytes as they are.
import { Buffer } from 'node:buffer';
import path from 'node:path';
import { asBuffer } from '../../gateway/bytes.js';
import { guessType } from '../http/file-response.js';
import { parseHeaderParameters } from '../http/multipart.js';
import { QueryDict } from '../http/query-dict.js';
import { encodeText } from '../http/response.js';

export const BOUNDARY = 'BoUnDaRyStRiNg';
export const MULTIPART_CONTENT = `multipart/form-data; boundary=${BOUNDARY}`;
// Django's JSON_CONTENT_TYPE_RE: vendor types such as application/vnd.api+json are JSON too.
const JSON_CONTENT_TYPE = /^application\/(.+\+)?json/;
const CRLF = Buffer.from('\r\n');

/** A file in form data: a Blob or File (its name and type are sent), or bytes, optionally with a `name`. */
export type FileValue = Blob | (Uint8Array & { name?: string; contentType?: string });
/** A form field's value; a list sends the field once per item (HTTP field names can repeat). */
export type FormValue = string | number | boolean | FileValue;
/** Form data: POST's `data` (multipart/form-data by default). */
export type PostData = Readonly<Record<string, FormValue | readonly FormValue[]>>;
/** Query parameters: GET's `data` and the `query` option. */
export type QueryData = Readonly<Record<string, string | number | boolean | readonly (string | number | boolean)[]>>;

/** Whether a body of this content type is JSON. */
export function isJsonContentType(contentType: string): boolean {
  return JSON_CONTENT_TYPE.test(contentType);
}

function isFile(value: unknown): value is FileValue {
  return value instanceof Blob || value instanceof Uint8Array;
}

/** Python's urlencode(data, doseq=True): a list sends the key once per item. */
export function urlencode(data: QueryData): string {
  const lists = Object.entries(data).map(([key, value]): [string, string[]] => [key, (Array.isArray(value) ? value : [value]).map(String)]);
  return QueryDict.fromLists(lists).urlencode();
}

/** A field's or a file's lines, each in UTF-8; null values are refused as Django does. */
async function encodeField(boundary: string, key: string, value: FormValue | null | undefined): Promise<Buffer[]> {
  if (value === null || value === undefined) {
    throw new TypeError(`Cannot encode ${String(value)} for key '${key}' as POST data. Did you mean to pass an empty string or omit the value?`);
  }
  if (isFile(value)) return encodeFile(boundary, key, value);
  return [`--${boundary}`, `Content-Disposition: form-data; name="${key}"`, '', String(value)].map((line) => Buffer.from(line, 'utf8'));
}

/**
 * Django's encode_file: a file part named by the file's base name (else the field's), typed by its own
 * type, else by the name's extension, else application/octet-stream.
 */
export async function encodeFile(boundary: string, key: string, file: FileValue): Promise<Buffer[]> {
  const name = (file as { name?: unknown }).name;
  const fileName = typeof name === 'string' ? path.basename(name) : '';
  const ownType = file instanceof Blob ? file.type : file.contentType;
  const contentType = ownType || (fileName && guessType(fileName).type) || 'application/octet-stream';
  const content = file instanceof Blob ? Buffer.from(await file.arrayBuffer()) : asBuffer(file);
  return [
    Buffer.from(`--${boundary}`),
    Buffer.from(`Content-Disposition: form-data; name="${key}"; filename="${fileName || key}"`, 'utf8'),
    Buffer.from(`Content-Type: ${contentType}`),
    Buffer.alloc(0),
    content,
  ];
}

/** Django's encode_multipart: every field and file, then the closing boundary. */
export async function encodeMultipart(boundary: string, data: PostData): Promise<Buffer> {
  const lines: Buffer[] = [];
  for (const [key, value] of Object.entries(data)) {
    const items: readonly (FormValue | null | undefined)[] = Array.isArray(value) ? value : [value as FormValue];
    for (const item of items) lines.push(...(await encodeField(boundary, key, item)));
  }
  lines.push(Buffer.from(`--${boundary}--`), Buffer.alloc(0));
  return Buffer.concat(lines.flatMap((line) => [line, CRLF]).slice(0, -1));
}

/**
 * The body for `data` sent as `contentType`: text in the content type's charset (UTF-8 by default), bytes
 * as they are, anything else as JSON for a JSON content type, and form data as multipart (with the content
 * type's boundary) or urlencoded for those content types.
 */
export async function encodeData(data: unknown, contentType: string): Promise<Buffer> {
  const [type, params] = parseHeaderParameters(contentType);
  if (typeof data === 'string') return encodeText(data, params.charset ?? 'utf-8');
  if (data instanceof Uint8Array) return asBuffer(data);
  if (isJsonContentType(contentType)) return Buffer.from(JSON.stringify(data), 'utf8');
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    if (type === 'multipart/form-data' && params.boundary) return encodeMultipart(params.boundary, data as PostData);
    if (type === 'application/x-www-form-urlencoded') return Buffer.from(urlencode(data as QueryData));
  }
  throw new TypeError(`Cannot send ${typeof data} data as ${contentType}: give a string or bytes, or a JSON or form content type.`);
}
