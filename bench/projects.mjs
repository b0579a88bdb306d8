// The projects and peer tools the benchmarks serve: a `gwi startproject` and a `django-admin startproject`
// with one view, and npm packages of the peers (Express, nodemon, Vite) installed once into a cache folder.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

export const PYTHON = '/usr/bin/python3';
export const GWI_BIN = join(ROOT, 'bin', 'gwi.js');
export const TSX_CLI = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
/** Peers are installed here once and reused by later runs (node_modules/ is never committed). */
const PEERS_PREFIX = join(ROOT, 'node_modules', '.cache', 'gwi-bench-peers');

export const readVersion = (packageJson) => JSON.parse(readFileSync(packageJson, 'utf8')).version;

/** The package an npm spec names (`vite@8` → `vite`, `@scope/name@1` → `@scope/name`). */
export const packageName = (spec) => spec.replace(/(?!^)@.*$/, '');

/**
 * The npm package `spec` (e.g. 'express@5') from the peers cache, installed from the registry when it
 * is missing: `{ name, version, dir, bin }` (bin: its first executable, if any) or `{ error }`.
 */
export function installPeer(spec, progress = () => {}) {
  const name = packageName(spec);
  const major = /@(\d+)$/.exec(spec)?.[1];
  const dir = join(PEERS_PREFIX, 'node_modules', name);
  const manifestPath = join(dir, 'package.json');
  const installed = () => existsSync(manifestPath) && (!major || readVersion(manifestPath).split('.')[0] === major);
  if (!installed()) {
    mkdirSync(PEERS_PREFIX, { recursive: true });
    progress(`npm install --prefix ${PEERS_PREFIX} ${spec} …`);
    const result = spawnSync('npm', ['install', '--prefix', PEERS_PREFIX, '--no-audit', '--no-fund', '--loglevel=error', spec], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.status !== 0 || !installed()) {
      return { error: (result.stderr || result.error?.message || `exit ${result.status}`).trim().split('\n').slice(-1)[0] };
    }
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : Object.values(manifest.bin ?? {})[0];
  return { name, version: manifest.version, dir, bin: bin && join(dir, bin) };
}

/** Loads an installed peer's CommonJS main module (Express) from the peers cache. */
export function requirePeer(peer) {
  return createRequire(join(PEERS_PREFIX, 'package.json'))(peer.name);
}

/**
 * `gwi startproject <name>` in `dir` (this checkout's bin/gwi.js), then `files` (paths relative to the
 * project folder → contents) written over it. Returns the project folder.
 */
export function makeGwiProject(dir, name, files) {
  execFileSync(process.execPath, [GWI_BIN, 'startproject', name], { cwd: dir, stdio: 'ignore' });
  const project = join(dir, name);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(project, file), text);
  return project;
}

/** Django's version from /usr/bin/python3, or null when `import django` fails. */
export function djangoVersion() {
  const probe = spawnSync(PYTHON, ['-c', 'import django; print(django.get_version())'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : null;
}

export const DJANGO_MISSING = `\`${PYTHON} -c 'import django'\` failed (install it with \`apt-get install -y python3-django\`)`;

/** `django-admin startproject <name>` into `dir/<name>`, then `files` written over it; the project folder. */
export function makeDjangoProject(dir, name, files) {
  const project = join(dir, name);
  mkdirSync(project);
  execFileSync(PYTHON, ['-m', 'django', 'startproject', name, project], { stdio: 'ignore' });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(project, file), text);
  return project;
}
