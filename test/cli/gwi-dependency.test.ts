// Which `gwi` a new project's package.json names: the one `npm install` can get, wherever this gwi runs from.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gwiDependency } from '../../src/cli/gwi-dependency.js';

let tmp = '';
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gwi-dependency-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** A project at tmp/app with gwi installed at node_modules/gwi and npm's hidden lockfile saying `entry`. */
function installed(entry: Record<string, unknown> | null): string {
  const modules = path.join(tmp, 'app', 'node_modules');
  mkdirSync(path.join(modules, 'gwi'), { recursive: true });
  if (entry) writeFileSync(path.join(modules, '.package-lock.json'), JSON.stringify({ packages: { 'node_modules/gwi': entry } }));
  return path.join(modules, 'gwi');
}

describe('gwiDependency', () => {
  it('a checkout: the folder itself', () => {
    const checkout = path.join(tmp, 'gwi');
    mkdirSync(checkout);
    expect(gwiDependency(checkout, '0.1.0')).toBe(`file:${checkout}`);
  });

  it('a folder npm linked into node_modules: the real folder', () => {
    const checkout = path.join(tmp, 'gwi');
    mkdirSync(checkout);
    mkdirSync(path.join(tmp, 'app', 'node_modules'), { recursive: true });
    symlinkSync(checkout, path.join(tmp, 'app', 'node_modules', 'gwi'));
    expect(gwiDependency(path.join(tmp, 'app', 'node_modules', 'gwi'), '0.1.0')).toBe(`file:${checkout}`);
  });

  it('installed from a tarball: the tarball, as an absolute path', () => {
    const root = installed({ version: '0.1.0', resolved: 'file:../gwi-0.1.0.tgz' });
    expect(gwiDependency(root, '0.1.0')).toBe(`file:${path.join(tmp, 'gwi-0.1.0.tgz')}`);
  });

  it('installed from the registry (resolved there, or left out of the lockfile): the version range', () => {
    expect(gwiDependency(installed({ version: '0.1.0', resolved: 'https://registry.npmjs.org/gwi/-/gwi-0.1.0.tgz' }), '0.1.0')).toBe('^0.1.0');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    expect(gwiDependency(installed({ version: '0.2.0' }), '0.2.0')).toBe('^0.2.0');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    expect(gwiDependency(installed(null), '0.3.0')).toBe('^0.3.0');
  });
});
