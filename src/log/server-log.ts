// The development server's request log (Django's django.server logger and ServerFormatter): access,
// protocol-error and broken-pipe lines, coloured by status, batched into one write per event-loop turn.
import { pyRepr } from '../gateway/py-repr.js';
import { clockTime, MONTH_NAMES, pad2 } from './local-time.js';
import { colorStyle, type Role, type Style } from './termcolors.js';

export interface LogStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface ServerLogOptions {
  stream?: LogStream;
  style?: Style;
  now?: () => Date;
}


const HTTPS_MESSAGE = "You're accessing the development server over HTTPS, but it only supports HTTP.";

/** `22/Nov/2026 04:35:45` in local time with English month names, as http.server's log_date_time_string. */
function serverTime(date: Date): string {
  const month = MONTH_NAMES[date.getMonth()]?.slice(0, 3);
  return `${pad2(date.getDate())}/${month}/${String(date.getFullYear()).padStart(4, '0')} ${clockTime(date)}`;
}

// Control characters would let a client drive the operator's terminal through its request line; CPython's
// http.server escapes them (Django does not), and so do we. Backslashes stay as they are, so messages
// that already hold a repr() (`Bad request syntax ('\x16\x03')`) read exactly as Django prints them.
const CONTROL_CHARS = /[\x00-\x1f\x7f-\x9f]/g;
const HAS_CONTROL_CHARS = /[\x00-\x1f\x7f-\x9f]/;

function escapeControlChars(text: string): string {
  // Almost every line is clean: test before building a new string.
  if (!HAS_CONTROL_CHARS.test(text)) return text;
  return text.replace(CONTROL_CHARS, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** ServerFormatter's choice of role; `null` for a code that is not three digits (or is 000). */
function roleForStatus(code: string): Role | null {
  if (!/^\d{3}$/.test(code)) return null;
  const status = Number(code);
  if (status === 0) return null;
  if (status >= 200 && status < 300) return 'HTTP_SUCCESS';
  if (status >= 100 && status < 200) return 'HTTP_INFO';
  if (status === 304) return 'HTTP_NOT_MODIFIED';
  if (status >= 300 && status < 400) return 'HTTP_REDIRECT';
  if (status === 404) return 'HTTP_NOT_FOUND';
  if (status >= 400 && status < 500) return 'HTTP_BAD_REQUEST';
  return 'HTTP_SERVER_ERROR';
}

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
  private pending = '';
  private scheduled: NodeJS.Immediate | null = null;
  // Formatting a timestamp costs more than the rest of a line; most lines in a second share it.
  private cachedSecond = Number.NaN;
  private cachedTime = '';

  constructor({ stream = process.stderr, style, now = () => new Date() }: ServerLogOptions = {}) {
    this.stream = stream;
    this.style = style ?? colorStyle({ stream });
    this.now = now;
  }

  /** The access line `[time] "REQUEST LINE" CODE SIZE`, coloured by status. */
  logRequest(requestLine: string, code: number | string, size: number | '-'): void {
    const codeText = String(code);
    // Django answers a TLS ClientHello (record type 0x16, version 3.x) with a hint instead of its 400.
    if (codeText.startsWith('4') && requestLine.startsWith('\x16\x03')) {
      this.append(`[${this.serverTime()}] ${this.style.HTTP_SERVER_ERROR(HTTPS_MESSAGE)}\n`);
      return;
    }
    const message = escapeControlChars(`"${requestLine}" ${codeText} ${size}`);
    const role = roleForStatus(codeText);
    this.append(`[${this.serverTime()}] ${role ? this.style[role](message) : message}\n`);
  }

  /** `[time] code 400, message Bad request syntax ('GARBAGE')`, never coloured. */
  logProtocolError(code: number, message: string): void {
    this.append(`[${this.serverTime()}] ${escapeControlChars(`code ${code}, message ${message}`)}\n`);
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
    this.pending += line;
    if (this.scheduled === null) {
      this.scheduled = setImmediate(() => this.flush());
      pendingLogs.add(this);
    }
  }

  private serverTime(): string {
    const date = this.now();
    const second = Math.floor(date.getTime() / 1000);
    if (second !== this.cachedSecond) {
      this.cachedSecond = second;
      this.cachedTime = serverTime(date);
    }
    return this.cachedTime;
  }
}
