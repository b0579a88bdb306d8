// The package as npm ships it: `npm pack`, installed into an empty folder, runs the new-user path
// (`npx gwi startproject x && cd x && npx gwi runserver`) with nothing from this repository.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildIfStale, cleanEnv, REPO } from './gwi-process.js';
import { httpRequest } from '../helpers/http.js';

let dir = '';

beforeAll(() => {
  buildIfStale();
  dir = mkdtempSync(path.join(os.tmpdir(), 'gwi-pack-'));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string): string {
  // --ignore-scripts: the build is already there; rebuilding dist/ would pull it from under other tests.
  return execFileSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

it('installs from its tarball and serves a new project', async () => {
  run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], REPO);
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz')) as string;
  const app = path.join(dir, 'app');
  execFileSync('mkdir', [app]);
  run('npm', ['init', '-y'], app);
  run('npm', ['install', '--no-audit', '--no-fund', path.join(dir, tarball)], app);
  run('npx', ['gwi', 'startproject', 'x'], app);

  const project = path.join(app, 'x');
  const server = spawn('npx', ['gwi', 'runserver', '0'], { cwd: project, env: cleanEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => server.on('close', (code) => resolve(code)));
  try {
    let stdout = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${stdout}`)), 30_000);
      server.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const match = /Starting development server at http:\/\/127\.0\.0\.1:(\d+)\//.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
    });
    expect(stdout).toContain("using settings 'x/settings'");
    const reply = await httpRequest(port, '/');
    expect(reply.status).toBe(200);
    expect(reply.bytes.toString('utf8')).toContain('The install worked successfully!');
  } finally {
    // npx, the supervisor and its server processes: the whole process group.
    process.kill(-(server.pid as number), 'SIGINT');
    await exited;
  }
}, 120_000);
