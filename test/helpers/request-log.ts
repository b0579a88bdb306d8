// The framework's request log (Not Found: /x, Invalid HTTP_HOST header: ...) captured for each test of a file.
import { afterEach, beforeEach } from 'vitest';
import { setRequestLogStream, type LogStream } from '../../src/framework/utils/log.js';

/** Call at a file's top level: each test starts with an empty capture; returns what it holds so far. */
export function captureRequestLog(): () => string {
  let text = '';
  let previous: LogStream;
  beforeEach(() => {
    text = '';
    previous = setRequestLogStream({ write: (chunk: string) => (text += chunk) });
  });
  afterEach(() => void setRequestLogStream(previous));
  return () => text;
}
