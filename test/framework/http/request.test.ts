// GwiRequest (Django's tests/requests, tests/handlers §7.7): paths, GET, COOKIES, headers, hosts, URLs,
// and the bounded, asynchronous body: body(), json(), post()/files(), uploads and close().
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings, type SettingsInput } from '../../../src/framework/conf/settings.js';
import {
  BadRequest,
  DisallowedHost,
  MultiPartParserError,
  RequestDataTooBig,
  TooManyFieldsSent,
  TooManyFilesSent,
} from '../../../src/framework/exceptions.js';
import type { UploadedFile } from '../../../src/framework/http/uploaded-file.js';
import { GwiRequest, RawPostDataException } from '../../../src/framework/http/request.js';
import { BufferedInput, BytesInput } from '../../../src/gateway/input.js';
import { setupTestingDefaults } from '../../../src/gateway/util.js';

/** A request from environ extras; `body` becomes gwi.input (and CONTENT_LENGTH unless given). */
function makeRequest(extras: Record<string, unknown> = {}, body?: string | Buffer): GwiRequest {
  const environ: Record<string, unknown> = { ...extras };
  if (body !== undefined) {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    environ['gwi.input'] = new BytesInput(bytes);
    if (!('CONTENT_LENGTH' in environ)) environ.CONTENT_LENGTH = String(bytes.length);
  }
  return new GwiRequest(setupTestingDefaults(environ));
}

/** A body produced lazily, chunk by chunk, counting what was pulled: never held whole in memory. */
class GeneratedInput extends BufferedInput {
  pulled = 0;
  readonly #chunks: Iterator<Buffer>;
  constructor(chunks: Iterable<Buffer>) {
    super();
    this.#chunks = chunks[Symbol.iterator]();
  }
  protected async pull(): Promise<Uint8Array | null> {
    const next = this.#chunks.next();
    if (next.done) return null;
    this.pulled += next.value.length;
    return next.value;
  }
}

function* repeated(chunk: Buffer, times: number): Generator<Buffer> {
  for (let i = 0; i < times; i++) yield chunk;
}

let tempDir: string;
function settingsWith(values: SettingsInput = {}): void {
  configureSettings({ ALLOWED_HOSTS: ['testserver', '127.0.0.1'], FILE_UPLOAD_TEMP_DIR: tempDir, ...values });
}

beforeEach(() => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'gwi-request-test-'));
  settingsWith();
});
afterEach(() => {
  resetSettings();
  rmSync(tempDir, { recursive: true, force: true });
});

describe('method, paths and script name', () => {
  it.each([
    [{ PATH_INFO: '/' }, '', '/', '/'],
    [{ PATH_INFO: '' }, '', '/', '/'],
    [{ PATH_INFO: '/caf\xc3\xa9/' }, '', '/café/', '/café/'],
    [{ PATH_INFO: '/\xed' }, '', '/%ED', '/%ED'],
    [{ PATH_INFO: '/a\xe2\x82b\xff' }, '', '/a%E2%82b%FF', '/a%E2%82b%FF'],
    [{ PATH_INFO: '/\xf0\x9f\x98\x80' }, '', '/😀', '/😀'],
    [{ PATH_INFO: '/\xed\xa0\x80' }, '', '/%ED%A0%80', '/%ED%A0%80'],
    [{ SCRIPT_NAME: '/app', PATH_INFO: '/x/' }, '/app', '/x/', '/app/x/'],
    [{ SCRIPT_NAME: '/app/', PATH_INFO: '/x' }, '/app/', '/x', '/app/x'],
    [{ SCRIPT_NAME: '/app', PATH_INFO: '' }, '/app', '/', '/app/'],
    [{ SCRIPT_URL: '/mst/milestones//accounts/login//help', PATH_INFO: '/milestones/accounts/login/help' }, '/mst', '/milestones/accounts/login/help', '/mst/milestones/accounts/login/help'],
    [{ SCRIPT_NAME: '/ignored', REDIRECT_URL: '/prefix/x', PATH_INFO: '/x' }, '/prefix', '/x', '/prefix/x'],
  ])('%j → scriptName %j, pathInfo %j, path %j', (extras, scriptName, pathInfo, fullPath) => {
    const request = makeRequest(extras);
    expect([request.scriptName, request.pathInfo, request.path]).toEqual([scriptName, pathInfo, fullPath]);
  });

  it('prefers FORCE_SCRIPT_NAME', () => {
    settingsWith({ FORCE_SCRIPT_NAME: '/forced' });
    const request = makeRequest({ SCRIPT_NAME: '/app', PATH_INFO: '/x' });
    expect([request.scriptName, request.path]).toEqual(['/forced', '/forced/x']);
  });

  it('upper-cases the method and keeps the environ as META', () => {
    const environ = setupTestingDefaults({ REQUEST_METHOD: 'post' });
    const request = new GwiRequest(environ);
    expect(request.method).toBe('POST');
    expect(request.META).toBe(environ);
    expect(request.environ).toBe(environ);
    expect(request.resolverMatch).toBeNull();
    expect(String(request)).toBe("<GwiRequest: POST '/'>");
  });
});

describe('GET, COOKIES and headers', () => {
  it.each([
    ['want=caf%C3%A9', 'café'],
    ['want=caf\xc3\xa9', 'café'],
    ['want=caf%E9', 'caf\ufffd'],
    ['want=caf\xe9', 'café'],
  ])('decodes the query string %j as Django', (query, want) => {
    expect(makeRequest({ QUERY_STRING: query }).GET.get('want')).toBe(want);
  });

  it('parses GET lazily, so too many fields throw where the view reads them', () => {
    settingsWith({ DATA_UPLOAD_MAX_NUMBER_FIELDS: 2 });
    const request = makeRequest({ QUERY_STRING: 'a=1&b=2&c=3' });
    expect(() => request.GET).toThrow(TooManyFieldsSent);
    expect(makeRequest({ QUERY_STRING: 'a=1&a=2' }).GET.getList('a')).toEqual(['1', '2']);
    expect(makeRequest().GET.size).toBe(0);
  });

  it('re-parses GET when the encoding changes', () => {
    const request = makeRequest({ QUERY_STRING: 'a=caf%E9' });
    expect(request.GET.get('a')).toBe('caf\ufffd');
    request.encoding = 'iso-8859-1';
    expect(request.GET.get('a')).toBe('café');
  });

  it.each([
    ['', {}],
    ['a=1; b="x y"', { a: '1', b: 'x y' }],
    [Buffer.from('want="café"', 'utf8').toString('latin1'), { want: 'café' }],
    ['x=W\x03c(h]\x8e', { x: 'W\x03c(h]\ufffd' }],
  ])('parses HTTP_COOKIE %j without throwing', (cookie, expected) => {
    expect({ ...makeRequest({ HTTP_COOKIE: cookie }).COOKIES }).toEqual(expected);
  });

  it('gives the headers with Title-Case names, looked up in any case or with underscores', () => {
    const request = makeRequest({
      HTTP_HOST: 'testserver',
      HTTP_USER_AGENT: 'curl/8',
      HTTP_X_FORWARDED_FOR: '10.0.0.1',
      HTTP_WWW_AUTHENTICATE: 'Basic',
      HTTP_CONTENT_MD5: 'abc',
      CONTENT_TYPE: 'text/plain',
      CONTENT_LENGTH: '0',
      SERVER_NAME: 'not a header',
    });
    expect([...request.headers]).toEqual([
      ['Host', 'testserver'],
      ['User-Agent', 'curl/8'],
      ['X-Forwarded-For', '10.0.0.1'],
      ['Www-Authenticate', 'Basic'],
      ['Content-Md5', 'abc'],
      ['Content-Type', 'text/plain'],
      ['Content-Length', '0'],
    ]);
    expect(request.headers.get('user-agent')).toBe('curl/8');
    expect(request.headers.get('USER_AGENT')).toBe('curl/8');
    expect(request.headers.get('x-missing')).toBeUndefined();
    expect(request.headers.get('x-missing', 'd')).toBe('d');
    expect(request.headers.has('Content-Type')).toBe(true);
    expect(request.headers.has('Server-Name')).toBe(false);
    expect(request.headers.size).toBe(7);
  });

  it.each([
    ['', '', {}, null],
    ['text/html', 'text/html', {}, null],
    ['Application/JSON; charset="utf-8"', 'application/json', { charset: 'utf-8' }, 'utf-8'],
    ['text/plain; charset=latin1; format=flowed', 'text/plain', { charset: 'latin1', format: 'flowed' }, 'latin1'],
    ['text/plain; charset=no-such-codec', 'text/plain', { charset: 'no-such-codec' }, null],
  ])('reads CONTENT_TYPE %j', (contentType, type, params, encoding) => {
    const request = makeRequest({ CONTENT_TYPE: contentType });
    expect([request.contentType, { ...request.contentParams }, request.encoding]).toEqual([type, params, encoding]);
  });
});

describe('hosts, ports, schemes and URLs', () => {
  it.each([
    [{ ALLOWED_HOSTS: ['example.com'] }, { HTTP_HOST: 'example.com' }, 'example.com'],
    [{ ALLOWED_HOSTS: ['example.com'] }, { HTTP_HOST: 'EXAMPLE.com:8000' }, 'EXAMPLE.com:8000'],
    [{ ALLOWED_HOSTS: ['example.com'] }, { HTTP_HOST: 'example.com.' }, 'example.com.'],
    [{ ALLOWED_HOSTS: ['.example.com'] }, { HTTP_HOST: 'example.com' }, 'example.com'],
    [{ ALLOWED_HOSTS: ['.example.com'] }, { HTTP_HOST: 'a.b.example.com' }, 'a.b.example.com'],
    [{ ALLOWED_HOSTS: ['*'] }, { HTTP_HOST: 'anything.test' }, 'anything.test'],
    [{ ALLOWED_HOSTS: ['[::1]'] }, { HTTP_HOST: '[::1]:8000' }, '[::1]:8000'],
    [{ DEBUG: true, ALLOWED_HOSTS: [] }, { HTTP_HOST: 'localhost:8000' }, 'localhost:8000'],
    [{ DEBUG: true, ALLOWED_HOSTS: [] }, { HTTP_HOST: 'app.localhost' }, 'app.localhost'],
    [{ DEBUG: true, ALLOWED_HOSTS: [] }, { HTTP_HOST: '127.0.0.1:8000' }, '127.0.0.1:8000'],
    [{ ALLOWED_HOSTS: ['internal'] }, { HTTP_HOST: undefined, SERVER_NAME: 'internal', SERVER_PORT: '8080' }, 'internal:8080'],
    [{ ALLOWED_HOSTS: ['internal'] }, { HTTP_HOST: undefined, SERVER_NAME: 'internal', SERVER_PORT: '80' }, 'internal'],
    [{ ALLOWED_HOSTS: ['proxy.example'], USE_X_FORWARDED_HOST: true }, { HTTP_HOST: 'backend', HTTP_X_FORWARDED_HOST: 'proxy.example' }, 'proxy.example'],
    [{ ALLOWED_HOSTS: ['backend'] }, { HTTP_HOST: 'backend', HTTP_X_FORWARDED_HOST: 'proxy.example' }, 'backend'],
  ] as [SettingsInput, Record<string, unknown>, string][])('getHost() with %j and %j is %j', (values, extras, host) => {
    settingsWith(values);
    const environ = setupTestingDefaults({ ...extras });
    if (extras.HTTP_HOST === undefined) delete environ.HTTP_HOST;
    expect(new GwiRequest(environ).getHost()).toBe(host);
  });

  it.each([
    [{ ALLOWED_HOSTS: ['example.com'] }, 'evil.example', "Invalid HTTP_HOST header: 'evil.example'. You may need to add 'evil.example' to ALLOWED_HOSTS."],
    [{ ALLOWED_HOSTS: ['example.com'] }, 'Evil.Example:81', "Invalid HTTP_HOST header: 'Evil.Example:81'. You may need to add 'evil.example' to ALLOWED_HOSTS."],
    [{ ALLOWED_HOSTS: ['example.com'] }, 'x y', "Invalid HTTP_HOST header: 'x y'. The domain name provided is not valid according to RFC 1034/1035."],
    [{ ALLOWED_HOSTS: ['example.com'] }, 'example.com@evil.com', "Invalid HTTP_HOST header: 'example.com@evil.com'. The domain name provided is not valid according to RFC 1034/1035."],
    [{ ALLOWED_HOSTS: ['example.com'] }, 'example.com\n', "Invalid HTTP_HOST header: 'example.com\\n'. The domain name provided is not valid according to RFC 1034/1035."],
    [{ ALLOWED_HOSTS: [] }, 'localhost', "Invalid HTTP_HOST header: 'localhost'. You may need to add 'localhost' to ALLOWED_HOSTS."],
    [{ ALLOWED_HOSTS: ['.example.com'] }, 'badexample.com', "Invalid HTTP_HOST header: 'badexample.com'. You may need to add 'badexample.com' to ALLOWED_HOSTS."],
  ] as [SettingsInput, string, string][])('getHost() with %j refuses %j', (values, host, message) => {
    settingsWith(values);
    expect(() => makeRequest({ HTTP_HOST: host }).getHost()).toThrow(new DisallowedHost(message));
  });

  it('reads the port and the scheme, honouring the proxy settings', () => {
    expect(makeRequest({ SERVER_PORT: '8000', HTTP_X_FORWARDED_PORT: '443' }).getPort()).toBe('8000');
    settingsWith({ USE_X_FORWARDED_PORT: true, SECURE_PROXY_SSL_HEADER: ['HTTP_X_FORWARDED_PROTO', 'https'] });
    expect(makeRequest({ SERVER_PORT: '8000', HTTP_X_FORWARDED_PORT: '443' }).getPort()).toBe('443');
    expect(makeRequest({}).isSecure()).toBe(false);
    expect(makeRequest({ HTTP_X_FORWARDED_PROTO: 'https' }).isSecure()).toBe(true);
    expect(makeRequest({ HTTP_X_FORWARDED_PROTO: 'https, http' }).scheme).toBe('https');
    expect(makeRequest({ HTTP_X_FORWARDED_PROTO: 'http', HTTPS: 'on' }).scheme).toBe('http');
    expect(makeRequest({ HTTPS: 'on' }).scheme).toBe('https');
  });

  it.each([
    [{ PATH_INFO: '/a/b' }, false, '/a/b'],
    [{ PATH_INFO: '/a/b' }, true, '/a/b/'],
    [{ PATH_INFO: '/a/', QUERY_STRING: 'x=1&y=%20' }, true, '/a/?x=1&y=%20'],
    [{ PATH_INFO: '/caf\xc3\xa9 ?#', QUERY_STRING: 'q=caf\xc3\xa9 ' }, false, '/caf%C3%A9%20%3F%23?q=caf%C3%A9%20'],
    [{ SCRIPT_NAME: '/app', PATH_INFO: '/x' }, false, '/app/x'],
  ])('getFullPath for %j (append slash %j) is %j', (extras, slash, expected) => {
    expect(makeRequest(extras).getFullPath(slash)).toBe(expected);
  });

  it('gives getFullPathInfo without the script name', () => {
    expect(makeRequest({ SCRIPT_NAME: '/app', PATH_INFO: '/x', QUERY_STRING: 'a=1' }).getFullPathInfo(true)).toBe('/x/?a=1');
  });

  it.each([
    [undefined, 'http://testserver/dir/page?q=1'],
    ['/other/', 'http://testserver/other/'],
    ['//testserver/x', 'http://testserver/x'],
    ['sibling', 'http://testserver/dir/sibling'],
    ['../up', 'http://testserver/up'],
    ['?q=2', 'http://testserver/dir/page?q=2'],
    ['/a/./b', 'http://testserver/a/b'],
    ['https://example.com/ünï', 'https://example.com/%C3%BCn%C3%AF'],
    ['/ça va', 'http://testserver/%C3%A7a%20va'],
  ])('buildAbsoluteUri(%j) is %j', (location, expected) => {
    const request = makeRequest({ HTTP_HOST: 'testserver', PATH_INFO: '/dir/page', QUERY_STRING: 'q=1' });
    expect(request.buildAbsoluteUri(location)).toBe(expected);
  });
});

describe('body() and json()', () => {
  it('reads the body once and caches it', async () => {
    const request = makeRequest({ REQUEST_METHOD: 'PUT' }, 'hello body');
    const first = await request.body();
    expect(first.toString()).toBe('hello body');
    expect(await request.body()).toBe(first);
  });

  it('never reads past CONTENT_LENGTH', async () => {
    const request = makeRequest({ CONTENT_LENGTH: '5' }, 'hello, and the next request');
    expect((await request.body()).toString()).toBe('hello');
  });

  it.each([
    [{}, 'empty without CONTENT_LENGTH', ''],
    [{ CONTENT_LENGTH: '' }, 'empty with an empty CONTENT_LENGTH', ''],
    [{ CONTENT_LENGTH: 'abc' }, 'empty with an unparsable CONTENT_LENGTH', ''],
    [{ 'gwi.input_terminated': true }, 'read to the end when the server de-chunked it', 'chunked data'],
  ])('is %s', async (extras, _label, expected) => {
    const environ = setupTestingDefaults({ ...extras, 'gwi.input': new BytesInput('chunked data') });
    expect((await new GwiRequest(environ).body()).toString()).toBe(expected);
  });

  it('refuses a CONTENT_LENGTH above DATA_UPLOAD_MAX_MEMORY_SIZE without reading anything', async () => {
    settingsWith({ DATA_UPLOAD_MAX_MEMORY_SIZE: 10 });
    const input = new GeneratedInput([Buffer.from('x'.repeat(11))]);
    const request = new GwiRequest(setupTestingDefaults({ CONTENT_LENGTH: '11', 'gwi.input': input }));
    await expect(request.body()).rejects.toThrow(new RequestDataTooBig('Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.'));
    expect(input.pulled).toBe(0);
    expect((await makeRequest({}, 'x'.repeat(10)).body()).length).toBe(10);
  });

  it('stops a body without CONTENT_LENGTH as soon as it passes DATA_UPLOAD_MAX_MEMORY_SIZE', async () => {
    settingsWith({ DATA_UPLOAD_MAX_MEMORY_SIZE: 1000 });
    const input = new GeneratedInput(repeated(Buffer.alloc(100, 'x'), 1_000_000));
    const request = new GwiRequest(setupTestingDefaults({ 'gwi.input_terminated': true, 'gwi.input': input }));
    await expect(request.body()).rejects.toThrow(RequestDataTooBig);
    expect(input.pulled).toBe(1100);
  });

  it('has no limit with DATA_UPLOAD_MAX_MEMORY_SIZE null', async () => {
    settingsWith({ DATA_UPLOAD_MAX_MEMORY_SIZE: null });
    expect((await makeRequest({}, Buffer.alloc(3_000_000)).body()).length).toBe(3_000_000);
  });

  it('parses JSON, and answers invalid JSON with BadRequest', async () => {
    expect(await makeRequest({ CONTENT_TYPE: 'application/json' }, '{"a": [1, "é"]}').json()).toEqual({ a: [1, 'é'] });
    await expect(makeRequest({}, '{"a": ').json()).rejects.toThrow(BadRequest);
    await expect(makeRequest({}, '').json()).rejects.toThrow(/^Invalid JSON in the request body: /);
  });
});

const BOUNDARY = 'gwi-test-boundary';
function multipartBody(parts: { name: string; filename?: string; content: string | Buffer }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`;
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n\r\n`));
    chunks.push(Buffer.from(part.content));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(chunks);
}
const MULTIPART = `multipart/form-data; boundary=${BOUNDARY}`;

describe('post() and files()', () => {
  it('parses an urlencoded POST (UTF-8)', async () => {
    const request = makeRequest({ REQUEST_METHOD: 'POST', CONTENT_TYPE: 'application/x-www-form-urlencoded' }, 'a=1&b=caf%C3%A9&a=x+y');
    expect(() => request.POST).toThrow(
      'request.POST is not available yet. The request body is read asynchronously: `await request.post()` (or `await request.files()`) first.',
    );
    expect(() => request.FILES).toThrow(/^request\.FILES is not available yet\./);
    const post = await request.post();
    expect(post.lists()).toEqual([['a', ['1', 'x y']], ['b', ['café']]]);
    expect(post.mutable).toBe(false);
    expect(request.POST).toBe(post);
    expect(request.FILES.size).toBe(0);
    expect((await request.body()).toString()).toBe('a=1&b=caf%C3%A9&a=x+y');
  });

  it.each([
    ['PUT', 'application/x-www-form-urlencoded'],
    ['GET', 'application/x-www-form-urlencoded'],
    ['POST', 'application/json'],
    ['POST', ''],
  ])('gives an empty POST for %s with %j, leaving the body readable', async (method, contentType) => {
    const request = makeRequest({ REQUEST_METHOD: method, CONTENT_TYPE: contentType }, 'a=1');
    expect((await request.post()).size).toBe(0);
    expect((await request.files()).size).toBe(0);
    expect((await request.body()).toString()).toBe('a=1');
  });

  it('refuses an urlencoded body that declares another charset', async () => {
    const request = makeRequest({ REQUEST_METHOD: 'POST', CONTENT_TYPE: 'application/x-www-form-urlencoded; charset=latin-1' }, 'a=1');
    await expect(request.post()).rejects.toThrow(
      new BadRequest("HTTP requests with the 'application/x-www-form-urlencoded' content type must be UTF-8 encoded."),
    );
  });

  it('parses a multipart POST from the stream; the raw body is then gone', async () => {
    const body = multipartBody([
      { name: 'title', content: 'Hi' },
      { name: 'doc', filename: 'notes.txt', content: 'first line\r\nsecond line' },
    ]);
    const request = makeRequest({ REQUEST_METHOD: 'POST', CONTENT_TYPE: MULTIPART }, body);
    const [post, files] = await Promise.all([request.post(), request.files()]);
    expect(post.lists()).toEqual([['title', ['Hi']]]);
    const doc = files.get('doc') as UploadedFile;
    expect(doc.name).toBe('notes.txt');
    expect((await doc.read()).toString()).toBe('first line\r\nsecond line');
    expect(request.FILES).toBe(files);
    await expect(request.body()).rejects.toThrow(new RawPostDataException("You cannot access body after reading from request's data stream"));
  });

  it('parses multipart from memory when body() was read first', async () => {
    const body = multipartBody([{ name: 'a', content: '1' }]);
    const request = makeRequest({ REQUEST_METHOD: 'POST', CONTENT_TYPE: MULTIPART }, body);
    expect(await request.body()).toEqual(body);
    expect((await request.post()).get('a')).toBe('1');
  });

  it.each([
    ['a missing boundary', 'multipart/form-data', multipartBody([]), MultiPartParserError, 'Invalid boundary in multipart: None'],
    ['too many files', MULTIPART, multipartBody([{ name: 'a', filename: 'a', content: 'x' }, { name: 'b', filename: 'b', content: 'y' }]), TooManyFilesSent, 'The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.'],
    ['too many fields', MULTIPART, multipartBody([{ name: 'a', content: '1' }, { name: 'b', content: '2' }, { name: 'c', content: '3' }]), TooManyFieldsSent, 'The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.'],
    ['too much field data', MULTIPART, multipartBody([{ name: 'a', content: 'x'.repeat(200) }]), RequestDataTooBig, 'Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.'],
  ] as const)('throws for %s once, then POST and FILES are empty', async (_label, contentType, body, ErrorClass, message) => {
    settingsWith({ DATA_UPLOAD_MAX_NUMBER_FILES: 1, DATA_UPLOAD_MAX_NUMBER_FIELDS: 2, DATA_UPLOAD_MAX_MEMORY_SIZE: 100 });
    const request = makeRequest({ REQUEST_METHOD: 'POST', CONTENT_TYPE: contentType }, body);
    const failure = request.post();
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toBeInstanceOf(ErrorClass);
    expect(request.POST.size).toBe(0);
    expect(request.FILES.size).toBe(0);
    expect((await request.post()).size).toBe(0);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('throws MultiPartParserError for a body shorter than its CONTENT_LENGTH, leaving no temporary file', async () => {
    settingsWith({ FILE_UPLOAD_MAX_MEMORY_SIZE: 100 });
    const body = multipartBody([{ name: 'a', content: '1' }, { name: 'f', filename: 'f.bin', content: 'x'.repeat(5000) }]);
    const sent = body.subarray(0, 3000);
    const request = makeRequest({ REQUEST_METHOD: 'POST', CONTENT_TYPE: MULTIPART, CONTENT_LENGTH: String(body.length) }, sent);
    await expect(request.files()).rejects.toThrow(new MultiPartParserError(`The request body ended after 3000 of its ${body.length} bytes.`));
    expect([request.POST.size, request.FILES.size]).toEqual([0, 0]);
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('holds far less than the upload in memory halfway through 20 MiB (measured in a fresh process)', () => {
    const script = fileURLToPath(new URL('../fixtures/upload/measure.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { encoding: 'utf8' });
    const midway = JSON.parse(out) as { onDisk: number; buffersGrowth: number; size: number };
    expect(midway.size).toBe(20 * 1024 * 1024);
    expect(midway.onDisk).toBeGreaterThan(9 * 1024 * 1024);
    // 10 MiB have arrived: holding them would show at least that much.
    expect(midway.buffersGrowth).toBeLessThan(2 * 1024 * 1024);
  }, 30_000);

  it('streams a 20 MiB upload to a temporary file with small memory limits; close() removes it', async () => {
    settingsWith({ DATA_UPLOAD_MAX_MEMORY_SIZE: 1024 * 1024, FILE_UPLOAD_MAX_MEMORY_SIZE: 64 * 1024 });
    const block = Buffer.alloc(64 * 1024);
    for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
    block.write('\r\n--gwi-test-boundar\r\n', 1000); // Almost a delimiter, inside the content.
    const blocks = 320; // 20 MiB
    const head = Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nbig one\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="upload"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
    const length = head.length + block.length * blocks + tail.length;
    // Halfway through the body the file must already be on disk (memory is measured in its own process above).
    const midway = { onDisk: 0 };
    const input = new GeneratedInput(
      (function* () {
        yield head;
        for (let i = 0; i < blocks; i++) {
          if (i === blocks / 2) {
            const [name] = readdirSync(tempDir);
            midway.onDisk = name === undefined ? 0 : statSync(path.join(tempDir, name)).size;
          }
          yield block;
        }
        yield tail;
      })(),
    );
    const request = new GwiRequest(
      setupTestingDefaults({ REQUEST_METHOD: 'POST', CONTENT_TYPE: MULTIPART, CONTENT_LENGTH: String(length), 'gwi.input': input }),
    );
    const files = await request.files();
    expect(request.POST.get('note')).toBe('big one');
    const upload = files.get('upload') as UploadedFile;
    expect(upload.size).toBe(20 * 1024 * 1024);
    expect(upload.path).not.toBeNull();
    const file = upload.path as string;
    expect(path.dirname(file)).toBe(tempDir);
    expect(statSync(file).size).toBe(20 * 1024 * 1024);
    expect(input.pulled).toBe(length);
    expect(midway.onDisk).toBeGreaterThan(9 * 1024 * 1024);

    const expected = createHash('sha256');
    for (let i = 0; i < blocks; i++) expected.update(block);
    const actual = createHash('sha256');
    for await (const chunk of upload.chunks()) actual.update(chunk);
    expect(actual.digest('hex')).toBe(expected.digest('hex'));

    await request.close();
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(tempDir)).toEqual([]);
  });
});
