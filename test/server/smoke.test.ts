import { afterEach, describe, expect, it } from 'vitest';
import { demoApp } from '../../src/server/demo-app.js';
import { normalizeDate, rawRequest, serve, STAMP, type Served } from '../helpers/serve.js';

let served: Served | null = null;
afterEach(async () => {
  await served?.close();
  served = null;
});

describe('harness', () => {
  it('serves the demo app over a raw socket and logs the access line', async () => {
    served = await serve(demoApp);
    const out = (await rawRequest(served, 'GET /x HTTP/1.0\r\n\r\n')).toString('latin1');
    expect(normalizeDate(out)).toMatch(/^HTTP\/1\.1 200 OK\r\nDate: <DATE>\r\nServer: gwi\/\S+ Node\.js\/\S+\r\nContent-Type: text\/plain; charset=utf-8\r\nContent-Length: \d+\r\nConnection: close\r\n\r\nHello world!\n\n/);
    expect(served.log()).toMatch(new RegExp(`^\\${STAMP.slice(0, -1)}\\] "GET /x HTTP/1.0" 200 \\d+\\n$`));
  });
});
