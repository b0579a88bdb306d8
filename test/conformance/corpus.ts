// A raw-request corpus as DIR/cases.json describes it (gunicorn's requests with their expected parse or
// refusal, tiered by RFC 9110/9112), and the bytes of each case as they go on the wire.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** One request as the application must see it; strings are the request's bytes read as latin-1. */
export interface ExpectedRequest {
  REQUEST_METHOD: string;
  /** null: not compared (CONNECT's authority-form has no path). */
  PATH_INFO: string | null;
  QUERY_STRING: string | null;
  SERVER_PROTOCOL: string;
  /** HTTP_* keys, CONTENT_TYPE and CONTENT_LENGTH; a field sent on several lines has several values. */
  env: Record<string, string[]>;
  body: string;
}

export type Verdict = 'accept' | 'reject' | 'prefix-close' | 'any2xx';

/** One outcome that passes: the case's own, or one of the alternatives the RFCs allow. */
export interface Outcome {
  expect: Verdict;
  requests?: ExpectedRequest[];
  /** Only the method, path, query and body are compared, not the header fields. */
  loose?: boolean;
  /** Field values are compared with each run of whitespace as one space (obs-fold replaced by SP). */
  foldWs?: boolean;
  /** The server must close the connection after its answer. */
  closeAfter?: boolean;
}

export type Tier = 'must' | 'should' | 'gunicorn' | 'limit' | 'n/a';

export interface Case extends Outcome {
  id: string;
  /** The request file, relative to DIR. */
  http: string;
  tier: Tier;
  why: string;
  alt: Outcome[];
  /** Why the case cannot apply to this server; skipped. */
  skip?: string;
  /** Its HTTP/1.1 requests carry no Host: the harness adds one, so that the case tests its real point. */
  hostless?: boolean;
  /** The refusal among the alternatives only stands for a request without Host. */
  rejectOnlyForHost?: boolean;
  /** The bytes end mid-request: the client half-closes after sending them. */
  incomplete?: boolean;
}

export interface Corpus {
  dir: string;
  /** What the echo application's answers carry, so that they cannot be taken for the server's own. */
  echoMarker: string;
  cases: Case[];
}

export function readCorpus(dir: string): Corpus {
  const data = JSON.parse(readFileSync(path.join(dir, 'cases.json'), 'utf8')) as Omit<Corpus, 'dir'>;
  return { dir, echoMarker: data.echoMarker, cases: data.cases };
}

/**
 * A request file's bytes, read as gunicorn's tests/treq.py reads them: the file's own newlines are
 * dropped, then the escapes `\r\n`, `\0`, `\n`, `\t` and `\xHH` become the bytes they name.
 */
export function decodeRequestFile(text: Buffer): Buffer {
  const escaped = text.toString('latin1').replace(/\n/g, '');
  const raw = escaped.replace(/\\(r\\n|0|n|t|x[0-9a-fA-F]{2})/g, (_, escape: string) => {
    if (escape === 'r\\n') return '\r\n';
    if (escape === '0') return '\0';
    if (escape === 'n') return '\n';
    if (escape === 't') return '\t';
    return String.fromCharCode(parseInt(escape.slice(1), 16));
  });
  return Buffer.from(raw, 'latin1');
}

/** Where the message starting at `start` ends (its body framed as the server will frame it), or -1. */
function messageEnd(text: string, start: number): number {
  const headEnd = text.indexOf('\r\n\r\n', start);
  if (headEnd < 0) return -1;
  const head = text.slice(start, headEnd).toLowerCase();
  let at = headEnd + 4;
  if (/^transfer-encoding:.*chunked/m.test(head)) {
    for (;;) {
      const lineEnd = text.indexOf('\r\n', at);
      if (lineEnd < 0) return -1;
      const size = parseInt(text.slice(at, lineEnd).split(';')[0] as string, 16);
      if (Number.isNaN(size)) return -1;
      at = lineEnd + 2;
      if (size === 0) break;
      at += size + 2;
    }
    // The trailer section: field lines up to a blank line.
    for (;;) {
      const lineEnd = text.indexOf('\r\n', at);
      if (lineEnd < 0) return -1;
      const blank = lineEnd === at;
      at = lineEnd + 2;
      if (blank) return at;
    }
  }
  const length = /^content-length:\s*(\d+)/m.exec(head);
  return at + (length ? Number(length[1]) : 0);
}

/**
 * The case's bytes, with `Host: host` added after the request line of each HTTP/1.1 request when the
 * case is `hostless` (node:http refuses an HTTP/1.1 request without Host, which is not what the case tests).
 */
export function requestBytes(corpus: Corpus, c: Case, host: string): Buffer {
  const raw = decodeRequestFile(readFileSync(path.join(corpus.dir, c.http)));
  if (!c.hostless) return raw;
  const text = raw.toString('latin1');
  let out = '';
  let start = 0;
  while (start < text.length) {
    const lineEnd = text.indexOf('\r\n', start);
    const end = messageEnd(text, start);
    if (lineEnd < 0 || end < 0) break;
    const line = text.slice(start, lineEnd + 2);
    out += line.endsWith(' HTTP/1.1\r\n') ? `${line}Host: ${host}\r\n` : line;
    out += text.slice(lineEnd + 2, end);
    start = end;
  }
  return Buffer.from(out + text.slice(start), 'latin1');
}
