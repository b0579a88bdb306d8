// The development server's request log (Django's django.server logger and ServerFormatter): access,
// protocol-error and broken-pipe lines, coloured by status, batched: a quiet server's lines are written at
// the end of their event-loop turn, a busy one's every few milliseconds.
import { pyRepr } from '../gateway/py-repr.js';
import { clockTime, MONTH_NAMES, pad2 } from './local-time.js';
import { colorStyle, type Role, type Style } from './termcolors.js';
import { wallSecond } from './wall-second.js';

export interface LogStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface ServerLogOptions {
  stream?: LogStream;
  style?: Style;
  now?: () => Date;
  /** Access lines not written: true for a request the log says nothing about (live reload's own). */
  skip?: ((req: ParsedRequest, code: number) => boolean) | undefined;
}

/** What the log shows of a request node:http parsed. */
export interface ParsedRequest {
  method?: string;
  url?: string;
  httpVersion: string;
}

/** The access log's view of a parsed request: the request line as the client sent it. */
export function requestLineOf(req: ParsedRequest): string {
  const version = req.httpVersion;
  // The usual line is built with one concatenation fewer.
  if (version === '1.1') return `${req.method} ${req.url} HTTP/1.1`;
  return version === '0.9' ? `${req.method} ${req.url}` : `${req.method} ${req.url} HTTP/${version}`;
}

const HTTPS_MESSAGE = "You're accessing the development server over HTTPS, but it only supports HTTP.";
/** The mirror of Django's line: plain HTTP sent to a port that serves TLS (runserver --https). */
const PLAIN_HTTP_MESSAGE = "You're accessing the development server over HTTP, but it only supports HTTPS.";

/** `22/Nov/2026 04:35:45` in local time with English month names, as http.server's log_date_time_string. */
function serverTime(date: Date): string {
  const month = MONTH_NAMES[date.getMonth()]?.slice(0, 3);
  return `${pad2(date.getDate())}/${month}/${String(date.getFullYear()).padStart(4, '0')} ${clockTime(date)}`;
}

// Control characters would let a client drive the operator's terminal through its request line; CPython's
// http.server escapes them (Django does not), and so do we. Backslashes stay as they are, so messages
// that already hold a repr() (`Bad request syntax ('\x16\x03')`) read exactly as Django prints them.
const CONTROL_CHARS = /[\x00-\x1f\x7f-\x9f]/g;

/** A loop rather than a regular expression: an access line is tested on every request. */
function hasControlChars(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

function escapeControlChars(text: string): string {
  // Almost every line is clean: test before building a new string.
  if (!hasControlChars(text)) return text;
  return text.replace(CONTROL_CHARS, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The status a log line reports: a three-digit code, else 0 (no colour). */
function statusOf(code: number | string): number {
  if (typeof code === 'number') return Number.isInteger(code) && code >= 100 && code <= 999 ? code : 0;
  return /^\d{3}$/.test(code) ? Number(code) : 0;
}

/** ServerFormatter's choice of role; `null` for no status (0). */
function roleForStatus(status: number): Role | null {
  if (status === 0) return null;
  if (status >= 200 && status < 300) return 'HTTP_SUCCESS';
  if (status >= 100 && status < 200) return 'HTTP_INFO';
  if (status === 304) return 'HTTP_NOT_MODIFIED';
  if (status >= 300 && status < 400) return 'HTTP_REDIRECT';
  if (status === 404) return 'HTTP_NOT_FOUND';
  if (status >= 400 && status < 500) return 'HTTP_BAD_REQUEST';
  return 'HTTP_SERVER_ERROR';
}

// Under load a write per event-loop turn is a write every few requests: with 10 connections, 0.5–0.9 µs
// of a makeServer hello's ~15 µs of CPU time (user + system, measured against writes 5 ms apart). So after
// each write, lines gather for this long; the first line after a quiet spell still goes out at the end of
// its turn, and nobody watching a terminal sees 5 ms.
const WRITE_INTERVAL_MS = 5;

// Logs holding unwritten lines, so that a process exiting before its setImmediate still prints them;
// one listener for all instances rather than one per log.
const pendingLogs = new Set<ServerLog>();
process.on('exit', () => {
  for (const log of pendingLogs) log.flush();
});

export class ServerLog {
  private readonly stream: LogStream;
  private readonly style: Style;
  private readonly now: () => Date;
  /** Seconds since the epoch, from `now` when a clock was given (no Date per line otherwise). */
  private readonly second: () => number;
  private readonly skip: ((req: ParsedRequest, code: number) => boolean) | null;
  private pending = '';
  /** The write at the end of this turn. */
  private scheduled: NodeJS.Immediate | null = null;
  /** Set for WRITE_INTERVAL_MS after each write: lines logged meanwhile wait for it. */
  private resting: NodeJS.Timeout | null = null;
  // Formatting a timestamp costs more than the rest of a line; most lines in a second share it.
  private cachedSecond = Number.NaN;
  private cachedStamp = '';

  constructor({ stream = process.stderr, style, now, skip }: ServerLogOptions = {}) {
    this.stream = stream;
    this.skip = skip ?? null;
    this.style = style ?? colorStyle({ stream });
    this.now = now ?? (() => new Date());
    this.second = now ? () => Math.floor(now().getTime() / 1000) : wallSecond;
  }

  /** The access line `[time] "REQUEST LINE" CODE SIZE`, coloured by status. */
  logRequest(requestLine: string, code: number | string, size: number | '-'): void {
    // Django answers a TLS ClientHello (record type 0x16, version 3.x) with a hint instead of its 400.
    if (requestLine.startsWith('\x16\x03') && String(code).startsWith('4')) {
      this.logWrongScheme(HTTPS_MESSAGE);
      return;
    }
    let message = `"${requestLine}" ${code} ${size}`;
    if (hasControlChars(requestLine) || (typeof code === 'string' && hasControlChars(code))) {
      message = escapeControlChars(message);
    }
    this.appendAccess(message, statusOf(code));
  }

  /**
   * The access line of a request node:http parsed: logRequest() for a line llhttp accepted. Only its
   * target can then hold a control character (llhttp takes known methods and digit versions only), so
   * only the target is tested, not the joined line, which a character-by-character test would first
   * have to copy flat.
   */
  logAccess(req: ParsedRequest, code: number, size: number): void {
    if (this.skip !== null && this.skip(req, code)) return;
    let message = `"${requestLineOf(req)}" ${code} ${size}`;
    if (hasControlChars(req.url ?? '')) message = escapeControlChars(message);
    this.appendAccess(message, statusOf(code));
  }

  private appendAccess(message: string, status: number): void {
    const role = roleForStatus(status);
    this.append(`${this.stamp()}${role ? this.style[role](message) : message}\n`);
  }

  /** Plain HTTP on a TLS port: `[time] You're accessing the development server over HTTP, ...`. */
  logPlainHttp(): void {
    this.logWrongScheme(PLAIN_HTTP_MESSAGE);
  }

  /** A request in the other scheme than the server's: Django logs its hint as an error, not an access line. */
  private logWrongScheme(message: string): void {
    this.append(`${this.stamp()}${this.style.HTTP_SERVER_ERROR(message)}\n`);
  }

  /** `[time] code 400, message Bad request syntax ('GARBAGE')`, never coloured. */
  logProtocolError(code: number, message: string): void {
    this.append(`${this.stamp()}${escapeControlChars(`code ${code}, message ${message}`)}\n`);
  }

  /** `[time,msec] - Broken pipe from ('127.0.0.1', 43858)`, with Python's address tuple. */
  logBrokenPipe(address: string, port: number, family: 'IPv4' | 'IPv6'): void {
    const date = this.now();
    // Python's IPv6 socket address is (host, port, flowinfo, scope_id).
    const peer = family === 'IPv6' ? `(${pyRepr(address)}, ${port}, 0, 0)` : `(${pyRepr(address)}, ${port})`;
    const msec = String(date.getMilliseconds()).padStart(3, '0');
    this.append(`[${serverTime(date)},${msec}] ${escapeControlChars(`- Broken pipe from ${peer}`)}\n`);
  }

  /** Writes the lines logged so far now, instead of at the end of this event-loop turn. */
  flush(): void {
    if (this.scheduled !== null) {
      clearImmediate(this.scheduled);
      this.scheduled = null;
    }
    pendingLogs.delete(this);
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.stream.write(text);
  }

  private append(line: string): void {
    if (this.pending === '') {
      pendingLogs.add(this);
      if (this.resting === null) this.scheduled = setImmediate(() => this.writeAndRest());
    }
    this.pending += line;
  }

  private writeAndRest(): void {
    this.flush();
    this.resting = setTimeout(() => this.rested(), WRITE_INTERVAL_MS);
    // Lines still waiting when the process exits are written by the exit hook.
    this.resting.unref();
  }

  private rested(): void {
    this.resting = null;
    if (this.pending !== '') this.writeAndRest();
  }

  /** `[22/Nov/2026 04:35:45] `, the start of a line. */
  private stamp(): string {
    const second = this.second();
    if (second !== this.cachedSecond) {
      this.cachedSecond = second;
      this.cachedStamp = `[${serverTime(new Date(second * 1000))}] `;
    }
    return this.cachedStamp;
  }
}
