// Live reload through `gwi runserver` as a client sees it on the wire: the page's bytes with and without
// it, the event stream ended by a reload and by Ctrl-C, and no stream left to a host ALLOWED_HOSTS refuses.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale } from '../cli/gwi-process.js';
import { httpRequest } from '../helpers/http.js';
import { copyReloaderProject, killEverything, runserver, serverProcesses, waitUntil } from './processes.js';

let project: { dir: string; remove: () => void };
const PAGE = '<!DOCTYPE html><html><body><h1>v0</h1></body></html>';

beforeAll(() => buildIfStale(), 120_000);

beforeEach(() => {
  project = copyReloaderProject();
  writeFileSync(
    path.join(project.dir, 'mysite', 'views.ts'),
    `import { HttpResponse } from 'gwi';\n\nexport const index = () => new HttpResponse(${JSON.stringify(PAGE)});\n`,
  );
});

afterEach(async () => {
  await killEverything();
  project.remove();
});

/** An event stream opened on the server: what it received, and when it ended. */
function openEvents(port: number, host = `127.0.0.1:${port}`): Promise<{ status: number; received: () => string; ended: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/__gwi__/events', headers: { host }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      const ended = new Promise<void>((done) => res.once('end', () => done()));
      resolve({ status: res.statusCode ?? 0, received: () => text, ended });
    });
    req.on('error', reject);
  });
}

describe('gwi runserver: live reload on the wire', () => {
  it('adds the script to an HTML page, with the Content-Length of the bytes sent; --nolivereload sends the view\'s bytes', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    const reply = await httpRequest(port, '/');
    const body = reply.bytes.toString('utf8');
    expect(body).toMatch(/^<!DOCTYPE html><html><body><h1>v0<\/h1><script src="\/__gwi__\/live-reload\.js\?v=[\w.]+" defer><\/script><\/body><\/html>$/);
    expect(reply.headers['content-length']).toBe(String(reply.bytes.length));
    await killEverything();

    const plain = runserver(project.dir, ['--nolivereload', '0']);
    const plainPort = await plain.started();
    expect((await httpRequest(plainPort, '/')).bytes.toString('utf8')).toBe(PAGE);
    expect((await httpRequest(plainPort, '/__gwi__/live-reload.js')).status).toBe(404);
  });

  it('--noreload has no live reload (nothing would reload the page)', async () => {
    const gwi = runserver(project.dir, ['--noreload', '0']);
    const port = await gwi.started();
    expect((await httpRequest(port, '/')).bytes.toString('utf8')).toBe(PAGE);
  });

  it('an event stream gets hello, then reload when a save is served, and ends; its requests are not logged', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    expect(await waitUntil(() => serverProcesses(gwi).length === 2)).toBe(true);
    const events = await openEvents(port);
    expect(events.status).toBe(200);
    expect(await waitUntil(() => events.received().includes('event: hello'))).toBe(true);
    writeFileSync(
      path.join(project.dir, 'mysite', 'views.ts'),
      "import { HttpResponse } from 'gwi';\n\nexport const index = () => new HttpResponse('<h1>v1</h1>');\n",
    );
    await events.ended;
    expect(events.received()).toMatch(/^retry: 1000\nevent: hello\ndata: [\w.]+\n\nevent: reload\ndata: \n\n$/);
    expect((await httpRequest(port, '/')).bytes.toString('utf8')).toContain('<h1>v1</h1>');
    expect(gwi.stderr).not.toContain('__gwi__');
  });

  it('Ctrl-C ends the open event streams', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    const events = await openEvents(port);
    expect(await waitUntil(() => events.received().includes('event: hello'))).toBe(true);
    gwi.child.kill('SIGINT');
    await events.ended;
    expect(await gwi.exited).toEqual({ code: 0, signal: null });
    expect(events.received()).not.toContain('event: reload');
  });

  it('refuses the event stream to a host ALLOWED_HOSTS does not allow (DNS rebinding), and logs the refusal', async () => {
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    const events = await openEvents(port, 'rebound.example');
    await events.ended;
    expect([events.status, events.received()]).toEqual([400, 'Bad Request (400)']);
    expect(await waitUntil(() => gwi.stderr.includes('"GET /__gwi__/events HTTP/1.1" 400 17'))).toBe(true);
  });
});
