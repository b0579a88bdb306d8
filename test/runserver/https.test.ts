// `gwi runserver --https` and `--cert-file/--key-file` as a user runs them: real TLS clients trusting the
// served certificate, under the reloader (saves, the failure page) and with --noreload; the self-signed
// certificate kept in a temporary cache folder (XDG_CACHE_HOME).
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale, cleanEnv, runGwi, type GwiProcess } from '../cli/gwi-process.js';
import { copyReloaderProject, killEverything, runserver, serverProcesses, waitUntil } from '../reloader/processes.js';
import { httpsGet, makeCertificate } from '../helpers/certificate.js';
import { rawRequest } from '../helpers/serve.js';

const HTTPS_BANNER = /^Starting development server at https:\/\/127\.0\.0\.1:(\d+)\/\nQuit the server with CONTROL-C\.\n/m;
const CERTIFICATE_LINE = /^(Made a|Using the) self-signed certificate for localhost, 127\.0\.0\.1 and ::1: (.+)\n/m;

let project: { dir: string; remove: () => void };
let cache: string;

beforeAll(() => buildIfStale(), 120_000);

beforeEach(() => {
  project = copyReloaderProject();
  cache = mkdtempSync(path.join(os.tmpdir(), 'gwi-https-cache-'));
  // A view telling what the request knows of its scheme.
  writeFileSync(
    path.join(project.dir, 'mysite', 'scheme.ts'),
    "import type { GwiRequest } from 'gwi';\nimport { HttpResponse } from 'gwi';\n\n" +
      'export function scheme(request: GwiRequest): HttpResponse {\n' +
      '  const text = `${request.isSecure()} ${request.buildAbsoluteUri()} ${request.environ.HTTPS}\\n`;\n' +
      "  return new HttpResponse(text, { contentType: 'text/plain; charset=utf-8' });\n" +
      '}\n',
  );
  writeFileSync(
    path.join(project.dir, 'mysite', 'urls.ts'),
    "import { path } from 'gwi';\nimport { index } from './views.js';\nimport { scheme } from './scheme.js';\n\n" +
      "export const urlpatterns = [path('', index), path('scheme/', scheme)];\n",
  );
});

afterEach(async () => {
  await killEverything();
  project.remove();
  rmSync(cache, { recursive: true, force: true });
});

function gwi(args: string[]): GwiProcess {
  return runserver(project.dir, args, { XDG_CACHE_HOME: cache });
}

/** Waits for the https banner; the port it announces. */
async function started(server: GwiProcess): Promise<number> {
  return Number((await server.waitFor(HTTPS_BANNER))[1]);
}

/** Waits until the standby has started beside the serving process: the watcher is up by then. */
async function watching(server: GwiProcess): Promise<void> {
  expect(await waitUntil(() => serverProcesses(server).length === 2)).toBe(true);
}

function writeView(version: string): void {
  writeFileSync(
    path.join(project.dir, 'mysite', 'views.ts'),
    "import { HttpResponse } from 'gwi';\n\n" +
      `export const VERSION = '${version}';\n\n` +
      'export function index(): HttpResponse {\n' +
      "  return new HttpResponse(`${VERSION}\\n`, { contentType: 'text/plain; charset=utf-8' });\n" +
      '}\n',
  );
}

describe('gwi runserver --https', () => {
  it('makes a certificate for localhost in the cache folder, serves over TLS under the reloader, and reuses it on the next run', async () => {
    const first = gwi(['--https', '0']);
    const port = await started(first);
    const [, verb, certFile] = CERTIFICATE_LINE.exec(first.stdout) ?? [];
    expect(verb).toBe('Made a');
    expect(certFile).toBe(path.join(cache, 'gwi', 'https', 'localhost.pem'));
    // Said once, before the checks.
    expect(first.stdout.match(new RegExp(CERTIFICATE_LINE.source, 'gm'))).toHaveLength(1);
    expect(first.stdout.indexOf('self-signed')).toBeLessThan(first.stdout.indexOf('Performing system checks'));
    const ca = readFileSync(certFile as string, 'utf8');

    const reply = await httpsGet(port, '/', { ca, servername: 'localhost' });
    expect(reply).toMatchObject({ status: 200, body: 'v0\n' });
    expect(reply.peer.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    const fingerprint = reply.peer.fingerprint256;
    expect(fingerprint).toBe(new X509Certificate(ca).fingerprint256);
    expect((await httpsGet(port, '/scheme/', { ca })).body).toBe(`true https://127.0.0.1:${port}/scheme/ on\n`);
    await first.waitFor(/"GET \/scheme\/ HTTP\/1\.1" 200/, 'stderr');

    first.child.kill('SIGINT');
    expect((await first.exited).code).toBe(0);
    const second = gwi(['--https', '0']);
    const again = await started(second);
    expect(CERTIFICATE_LINE.exec(second.stdout)?.[1]).toBe('Using the');
    expect((await httpsGet(again, '/', { ca })).peer.fingerprint256).toBe(fingerprint);
  });

  it('answers plain HTTP with a 400 and the mirror of Django\'s HTTPS line', async () => {
    const server = gwi(['--https', '0']);
    const port = await started(server);
    const answer = (await rawRequest({ host: '127.0.0.1', port }, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toString('latin1');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Plain HTTP sent to an HTTPS server\r\n/);
    expect(answer).toContain('use an https:// address');
    await server.waitFor(/^\[[^\]]+\] You're accessing the development server over HTTP, but it only supports HTTPS\.$/m, 'stderr');
    expect(server.stderr).not.toMatch(/Error|at /);
    expect((await httpsGet(port, '/', {})).status).toBe(200);
  });

  it('reloads on a save: the next HTTPS request gets the new code, and none is refused or fails meanwhile', async () => {
    const server = gwi(['--https', '0']);
    const port = await started(server);
    const answers: string[] = [];
    const failures: unknown[] = [];
    let polling = true;
    const poll = (async () => {
      while (polling) {
        try {
          answers.push((await httpsGet(port, '/')).body);
        } catch (err) {
          failures.push(err);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await watching(server);
    writeView('v1');
    expect(await waitUntil(() => answers.at(-1) === 'v1\n', 15_000)).toBe(true);
    polling = false;
    await poll;
    expect(failures).toEqual([]);
    expect(answers[0]).toBe('v0\n');
  });

  it('closes an idle keep-alive TLS connection when newer code serves (TLS cannot move to its process): the next request opens a new one', async () => {
    const server = gwi(['--https', '0']);
    const port = await started(server);
    const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
    try {
      const sockets = new Set<Socket>();
      const get = (): Promise<string> =>
        new Promise((resolve, reject) => {
          const req = https.get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
            sockets.add(res.socket);
            let body = '';
            res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve(body));
          });
          req.on('error', reject);
        });
      expect(await get()).toBe('v0\n');
      await watching(server);
      const [kept] = sockets;
      const closed = new Promise<void>((resolve) => kept?.once('close', () => resolve()));
      writeView('v1');
      await server.waitFor(/views\.ts changed, reloading\.\n/, 'stderr');
      await closed;
      expect(await get()).toBe('v1\n');
      expect(sockets.size).toBe(2);
    } finally {
      agent.destroy();
    }
  });

  it('serves the failure page over TLS while the project does not load', async () => {
    const server = gwi(['--https', '0']);
    const port = await started(server);
    await watching(server);
    writeFileSync(path.join(project.dir, 'mysite', 'views.ts'), "export const VERSION = = 'broken';\n");
    let body = '';
    const failing = async (): Promise<boolean> => {
      const reply = await httpsGet(port, '/');
      body = reply.body;
      return reply.status === 500;
    };
    expect(await waitUntil(failing, 15_000)).toBe(true);
    expect(body).toContain('views.ts');
  });

  it('serves over TLS from the one process with --noreload', async () => {
    const server = gwi(['--https', '--noreload', '0']);
    const port = await started(server);
    const ca = readFileSync(path.join(cache, 'gwi', 'https', 'localhost.pem'), 'utf8');
    expect((await httpsGet(port, '/', { ca })).body).toBe('v0\n');
    expect((await httpsGet(port, '/scheme/', { ca })).body).toBe(`true https://127.0.0.1:${port}/scheme/ on\n`);
  });
});

describe('gwi runserver --cert-file --key-file', () => {
  it('serves with the given certificate, under the reloader and with --noreload', async () => {
    const own = await makeCertificate(['127.0.0.1']);
    writeFileSync(path.join(project.dir, 'cert.pem'), own.cert);
    writeFileSync(path.join(project.dir, 'key.pem'), own.key);
    for (const args of [[], ['--noreload']]) {
      const server = gwi(['--cert-file', 'cert.pem', '--key-file', 'key.pem', ...args, '0']);
      const port = await started(server);
      const reply = await httpsGet(port, '/scheme/', { ca: own.cert });
      expect(reply.peer.fingerprint256).toBe(new X509Certificate(own.cert).fingerprint256);
      expect(reply.body).toBe(`true https://127.0.0.1:${port}/scheme/ on\n`);
      expect(server.stdout).not.toContain('self-signed');
      server.child.kill('SIGINT');
      await server.exited;
    }
  });

  it('needs both, and files it can read that make a certificate and its key: else one line, exit 1', async () => {
    const own = await makeCertificate();
    writeFileSync(path.join(project.dir, 'cert.pem'), own.cert);
    writeFileSync(path.join(project.dir, 'other-key.pem'), (await makeCertificate()).key);
    const cases: [string[], string][] = [
      [['--cert-file', 'cert.pem'], 'CommandError: --cert-file and --key-file go together: give both, or --https alone for a self-signed certificate.\n'],
      [['--key-file', 'key.pem', '--noreload'], 'CommandError: --cert-file and --key-file go together: give both, or --https alone for a self-signed certificate.\n'],
      [['--cert-file', 'cert.pem', '--key-file', 'missing.pem'], 'CommandError: Cannot read the --key-file missing.pem: no such file or directory.\n'],
      [['--cert-file', 'missing.pem', '--key-file', 'cert.pem', '--noreload'], 'CommandError: Cannot read the --cert-file missing.pem: no such file or directory.\n'],
    ];
    for (const [args, message] of cases) {
      const server = gwi([...args, '0']);
      const exit = await server.exited;
      expect({ args, code: exit.code, stderr: server.stderr }).toEqual({ args, code: 1, stderr: message });
    }
    const mismatched = gwi(['--cert-file', 'cert.pem', '--key-file', 'other-key.pem', '0']);
    expect((await mismatched.exited).code).toBe(1);
    expect(mismatched.stderr).toMatch(/^CommandError: --cert-file cert\.pem and --key-file other-key\.pem are not a certificate and its key: .+\.\n$/);
  });
});

describe('gwi runserver --help', () => {
  it('lists the HTTPS options', async () => {
    const result = await runGwi(['runserver', '--help'], { cwd: project.dir, env: cleanEnv() });
    const help = result.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('--https Serve HTTPS with a self-signed certificate for localhost');
    expect(help).toContain('--cert-file <PATH> Serve HTTPS with this certificate (PEM); needs --key-file.');
    expect(help).toContain('--key-file <PATH> The private key (PEM) of --cert-file.');
  });
});
