// The framework's request log (Django's django.request / django.security loggers): "Not Found: /x",
// "Internal Server Error: /x" and the stack, on stderr, only when DEBUG is on (Django's console handler).
import { inspect } from 'node:util';
import { settings } from '../conf/settings.js';

export interface LogStream {
  write(text: string): unknown;
}

let stream: LogStream = process.stderr;

/** Redirects the framework's log (tests). Returns the previous stream. */
export function setRequestLogStream(next: LogStream): LogStream {
  const previous = stream;
  stream = next;
  return previous;
}

/**
 * Python's unicode_escape of a logged value (Django, CVE-2025-48432): control characters, non-ASCII and
 * backslashes are written as escapes, so a request path cannot forge log lines or drive the terminal.
 */
export function escapeLogValue(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (code >= 0x20 && code < 0x7f) out += ch;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out;
}

/** Writes `message` (and the error's stack) when DEBUG is on. */
export function logRequestProblem(message: string, error?: unknown): void {
  if (!settings.DEBUG) return;
  stream.write(error === undefined ? `${message}\n` : `${message}\n${inspect(error)}\n`);
}
