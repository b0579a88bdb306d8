// The whole path of a new user, as the runserver issue asks: startproject, runserver, the welcome page,
// a new view picked up by the auto-reloader, Ctrl-C, and nothing left running.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { buildIfStale, cleanEnv, GwiProcess, killAll, portIsFree, runGwi } from './gwi-process.js';
import { httpRequest } from '../helpers/http.js';

beforeAll(() => buildIfStale(), 120_000);

const dirs: string[] = [];
afterEach(async () => {
  await killAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function get(port: number, target: string): Promise<{ status: number; body: string }> {
  const reply = await httpRequest(port, target);
  return { status: reply.status, body: reply.bytes.toString('utf8') };
}

/** The processes whose parent is `pid` (the supervisor's children). */
function childrenOf(pid: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim();
  return out ? out.split(/\s+/).map(Number) : [];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('startproject → runserver → welcome → a new view answers after a save → Ctrl-C leaves nothing', async () => {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'gwi-new-user-'));
  dirs.push(cwd);
  expect((await runGwi(['startproject', 'mysite'], { cwd, env: cleanEnv() })).code).toBe(0);
  const project = path.join(cwd, 'mysite');

  const server = new GwiProcess(['runserver', '0'], { cwd: project, env: cleanEnv() });
  const port = await server.started();
  const welcome = await get(port, '/');
  expect(welcome.status).toBe(200);
  expect(welcome.body).toContain('The install worked successfully!');

  writeFileSync(
    path.join(project, 'mysite', 'views.ts'),
    "import { HttpResponse } from 'gwi';\n\nexport const hello = () => new HttpResponse('Hello, new user!', { contentType: 'text/plain' });\n",
  );
  writeFileSync(
    path.join(project, 'mysite', 'urls.ts'),
    "import { path } from 'gwi';\nimport { hello } from './views.js';\n\nexport const urlpatterns = [path('hello/', hello)];\n",
  );
  const deadline = Date.now() + 15_000;
  let reply = await get(port, '/hello/');
  while (reply.body !== 'Hello, new user!' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    reply = await get(port, '/hello/');
  }
  expect(reply).toEqual({ status: 200, body: 'Hello, new user!' });
  expect(server.stderr).toMatch(/urls\.ts changed, reloading\.\n|views\.ts changed, reloading\.\n/);

  const children = childrenOf(server.child.pid as number);
  expect(children.length).toBeGreaterThan(0);
  server.child.kill('SIGINT');
  expect(await server.exited).toEqual({ code: 0, signal: null });
  const gone = Date.now() + 3000;
  while (children.some(alive) && Date.now() < gone) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(children.filter(alive)).toEqual([]);
  expect(await portIsFree(port)).toBe(true);
}, 60_000);
