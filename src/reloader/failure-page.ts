// The pages the supervisor shows while no server process serves: the one a failed load sends (as it
// crosses the IPC channel), and the ones for a server process that died or whose load is stuck.
import type { HttpResponse } from '../framework/http/response.js';
import type { FailurePage } from './protocol.js';

/** A response as it crosses the IPC channel. */
export function pageOf(response: HttpResponse): FailurePage {
  return { status: response.statusCode, headers: response.headerList(), body: response.content.toString('utf8') };
}

/** What the supervisor itself finds wrong with a server process; its stack says nothing about the project, the page shows none. */
abstract class ServerProcessError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
    this.stack = `${name}: ${message}`;
  }
}

/** The server process died after it had started (a crash, a kill): not the project failing to load. */
export class ServerProcessExited extends ServerProcessError {
  constructor(code: number | null, signal: NodeJS.Signals | null) {
    super('ServerProcessExited', `The server process ${signal ? `was killed by ${signal}` : `exited with code ${code}`}.`);
  }
}

/** The load has not answered within the load timeout: most likely an endless loop at import. */
export class LoadTimeout extends ServerProcessError {
  constructor(timeoutMs: number) {
    const after = timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`;
    super('LoadTimeout', `The project has not finished loading after ${after}: is there an endless loop at import?`);
  }
}

/**
 * The page for a server process that exited unexpectedly, or whose load is stuck. Its renderer (the
 * framework's debug pages) is imported only then: the supervisor loads no framework otherwise.
 */
export async function serverProcessPage(error: ServerProcessExited | LoadTimeout): Promise<FailurePage> {
  const { loadFailureResponse } = await import('../framework/debug/load-failure.js');
  return pageOf(loadFailureResponse(error));
}
