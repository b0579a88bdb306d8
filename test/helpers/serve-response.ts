// A response served as a GWI body through the validator: what a server would send, and a check that the
// body was closed.
import { expect } from 'vitest';
import type { HttpResponseBase } from '../../src/framework/http/response.js';
import { validator } from '../../src/gateway/validate.js';
import type { Body, HeaderList } from '../../src/gateway/types.js';
import { setupTestingDefaults } from '../../src/gateway/util.js';

/** Serves `response` from a validated GWI app: what a server would send. */
export async function serveResponse(response: HttpResponseBase): Promise<{ status: string; headers: HeaderList; body: Buffer }> {
  let status = '';
  let headers: HeaderList = [];
  const unclosed: string[] = [];
  const app = validator(
    (_environ, startResponse) => {
      startResponse(response.statusLine, response.headerList());
      return response as unknown as Body;
    },
    { onUnclosed: (message) => unclosed.push(message), onWarning: (message) => unclosed.push(message) },
  );
  const body = await app(setupTestingDefaults({ QUERY_STRING: '' }), (s, h) => {
    status = s;
    headers = h;
    return async () => undefined;
  });
  const chunks: Uint8Array[] = [];
  if (Symbol.asyncIterator in body) for await (const chunk of body) chunks.push(chunk);
  else for (const chunk of body) chunks.push(chunk);
  await body.close?.();
  expect(unclosed).toEqual([]);
  return { status, headers, body: Buffer.concat(chunks) };
}
