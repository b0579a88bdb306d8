// A GWI application called in-process, as a server calls it but without a socket: startResponse() and
// write() as PEP 3333 has them, the body read whole (iterable or async iterable), close() called once.
import { Buffer } from 'node:buffer';
import type { Application, Environ, HeaderList, StartResponse, Write } from '../../gateway/types.js';

/** What the application answered. */
export interface Answer {
  status: string;
  headers: HeaderList;
  content: Buffer;
}

/** Calls `application` once with `environ`; what it throws (or its body throws) is thrown here, once the body is closed. */
export async function runApplication(application: Application, environ: Environ): Promise<Answer> {
  let answer: { status: string; headers: HeaderList } | null = null;
  const chunks: Buffer[] = [];
  // The headers count as sent once body bytes exist: after that, an error can no longer replace them.
  const sent = (): boolean => chunks.some((chunk) => chunk.length > 0);
  const write: Write = async (data) => {
    if (answer === null) throw new Error('write() before startResponse()');
    chunks.push(Buffer.from(data));
  };
  const startResponse: StartResponse = (status, headers, excInfo) => {
    if (excInfo !== undefined && excInfo !== null) {
      if (sent()) throw excInfo;
    } else if (answer !== null) {
      throw new Error('Headers already set!');
    }
    answer = { status, headers };
    return write;
  };
  const body = await application(environ, startResponse);
  try {
    // Copied: an application may reuse a chunk's memory once it has been handed over.
    if (Symbol.asyncIterator in body) for await (const chunk of body) chunks.push(Buffer.from(chunk));
    else for (const chunk of body) chunks.push(Buffer.from(chunk));
  } finally {
    await body.close?.();
  }
  // A generator application may call startResponse() as late as its first chunk: checked after the body.
  if (answer === null) throw new Error('The application returned without calling startResponse()');
  const { status, headers } = answer;
  return { status, headers, content: Buffer.concat(chunks) };
}
