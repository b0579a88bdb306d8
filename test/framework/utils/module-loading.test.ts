// Module names and import strings, the project root and its package.json, and where a module that failed
// to load went wrong, as tsx (esbuild, Node) and vitest (Vite) report it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ImproperlyConfigured } from '../../../src/framework/exceptions.js';
import {
  errorLocation,
  errorSummary,
  findProjectRoot,
  importModule,
  importString,
  normalizeModuleName,
  readProjectField,
  resolveModuleFile,
  splitImportString,
} from '../../../src/framework/utils/module-loading.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROJECT = path.join(HERE, '..', 'fixtures', 'settings', 'project');
const BROKEN = path.join(HERE, '..', 'fixtures', 'settings', 'broken');
const REPO = path.resolve(HERE, '..', '..', '..');

let dir: string | null = null;
afterEach(() => {
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

/** A temporary project whose package.json holds `manifest` verbatim. */
function projectWith(manifest: string): string {
  dir = mkdtempSync(path.join(tmpdir(), 'gwi-modules-'));
  writeFileSync(path.join(dir, 'package.json'), manifest);
  return dir;
}

/** An error with a given stack, as Node or a transpiler would have made it. */
function errorWith(message: string, stack: string, name = 'Error'): Error {
  const error = new Error(message);
  error.name = name;
  error.stack = stack;
  return error;
}

describe('normalizeModuleName', () => {
  it.each([
    ['mysite.settings', 'mysite/settings'],
    ['mysite/settings', 'mysite/settings'],
    ['mysite/settings.ts', 'mysite/settings'],
    ['./mysite/settings.ts', 'mysite/settings'],
    ['settings.ts', 'settings'],
    ['mysite.settings.ts', 'mysite/settings'],
    ['mysite/gwi.mjs', 'mysite/gwi'],
    ['../my.site/settings', '../my.site/settings'],
    ['/srv/my.site/settings.ts', '/srv/my.site/settings'],
  ])('%s → %s', (name, normalized) => {
    expect(normalizeModuleName(name)).toBe(normalized);
  });
});

describe('resolveModuleFile and findProjectRoot', () => {
  it('finds a module file from its name, with or without the extension', () => {
    const file = path.join(PROJECT, 'mysite', 'settings.ts');
    expect(resolveModuleFile('mysite/settings', PROJECT)).toBe(file);
    expect(resolveModuleFile('mysite.settings', PROJECT)).toBe(file);
    expect(resolveModuleFile('mysite/settings.ts', PROJECT)).toBe(file);
    expect(resolveModuleFile('mysite/nope', PROJECT)).toBeNull();
    // A folder is not a module unless it has an index file.
    expect(resolveModuleFile('mysite', PROJECT)).toBeNull();
  });

  it('takes the folder of the nearest package.json as the root', () => {
    expect(findProjectRoot(path.join(PROJECT, 'mysite'))).toBe(PROJECT);
    expect(findProjectRoot(BROKEN)).toBe(BROKEN);
    expect(findProjectRoot(HERE)).toBe(REPO);
  });
});

describe('readProjectField', () => {
  it('reads the gwi field, or nothing', () => {
    expect(readProjectField(PROJECT)).toEqual({ settings: 'mysite/settings' });
    expect(readProjectField(BROKEN)).toBeUndefined();
    expect(readProjectField(path.join(PROJECT, 'mysite'))).toBeUndefined();
  });

  it('turns a broken package.json into an ImproperlyConfigured naming the file', () => {
    const root = projectWith('{ "gwi": ');
    let error: unknown = null;
    try {
      readProjectField(root);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ImproperlyConfigured);
    expect((error as Error).message).toBe(`${root}/package.json is not valid JSON: ${(error as Error & { cause: Error }).cause.message}`);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it.each([
    ['{ "gwi": "mysite/settings" }', "'mysite/settings'"],
    ['{ "gwi": { "settings": 3 } }', '{ settings: 3 }'],
    ['{ "gwi": null }', 'null'],
  ])('rejects the gwi field of %s', (manifest, shown) => {
    const root = projectWith(manifest);
    expect(() => readProjectField(root)).toThrow(
      new ImproperlyConfigured(`The "gwi" field of ${root}/package.json must look like { "settings": "mysite/settings" } (got ${shown}).`),
    );
  });
});

describe('splitImportString', () => {
  it.each<[string, [string, string]]>([
    ['mysite/gwi#application', ['mysite/gwi', 'application']],
    ['mysite/gwi.ts#application', ['mysite/gwi.ts', 'application']],
    ['mysite/gwi.application', ['mysite/gwi', 'application']],
    ['mysite.gwi.application', ['mysite.gwi', 'application']],
    ['../my.site/gwi#application', ['../my.site/gwi', 'application']],
  ])('%s', (spec, parts) => {
    expect(splitImportString(spec)).toEqual(parts);
  });

  it.each(['mysite/gwi', '#application', 'mysite/gwi#', 'gwi.', '.application', '../my.site/gwi'])('rejects %s', (spec) => {
    expect(() => splitImportString(spec)).toThrow(
      new ImproperlyConfigured(`${spec} doesn't look like a module path: use 'module/path#exportName'.`),
    );
  });
});

describe('importModule and importString', () => {
  it('imports a project module and one of its exports', async () => {
    const module = await importModule('mysite/gwi', PROJECT);
    expect(module.notAnApp).toBe(42);
    expect(await importString('mysite/gwi#notAnApp', PROJECT)).toBe(42);
    expect(await importString('mysite.gwi.notAnApp', PROJECT)).toBe(42);
  });

  it('says where it looked for a missing module', async () => {
    await expect(importModule('mysite.nope', PROJECT)).rejects.toThrow(
      new ImproperlyConfigured(`No module named 'mysite.nope' (looked for ${PROJECT}/mysite/nope.ts and friends).`),
    );
  });

  it("uses Django's message for a missing export", async () => {
    await expect(importString('mysite/gwi#nothing', PROJECT)).rejects.toThrow(
      new ImproperlyConfigured('Module "mysite/gwi" does not define a "nothing" attribute/class'),
    );
  });
});

describe('errorLocation and errorSummary', () => {
  const user = path.join(BROKEN, 'throws.ts');

  it('takes the first frame in the user’s code, past node internals, node_modules and gwi itself', () => {
    const error = errorWith(
      'boom',
      [
        'Error: boom',
        '    at validateSettings (node:internal/whatever:1:2)',
        `    at check (${REPO}/node_modules/tsx/dist/x.mjs:2:3)`,
        `    at defineSettings (${REPO}/src/framework/conf/settings.ts:10:5)`,
        `    at defineSettings (file://${REPO}/dist/index.js:10:5)`,
        '    at async Promise.all (index 0)',
        `    at ${user}:4:7`,
        `    at caller (${REPO}/test/other.ts:1:1)`,
      ].join('\n'),
    );
    expect(errorLocation(error)).toBe(`${user}:4:7`);
    expect(errorSummary(error)).toBe('Error: boom');
  });

  it('decodes file URLs, whose paths may hold spaces', () => {
    const file = '/srv/my site/settings.ts';
    const error = errorWith('boom', `Error: boom\n    at async ${pathToFileURL(file).href}:2:9`);
    expect(errorLocation(error)).toBe(`${file}:2:9`);
  });

  it("reads Node's link errors, which open the stack with file:line", () => {
    const message = "The requested module './exists.js' does not provide an export named 'nothing'";
    const error = errorWith(
      message,
      `${user}:2\nimport { nothing } from '../exists.js';\n         ^\n\nSyntaxError: ${message}\n    at ModuleJob._instantiate (node:internal/modules/esm/module_job:213:21)`,
      'SyntaxError',
    );
    expect(errorLocation(error)).toBe(`${user}:2`);
    expect(errorSummary(error)).toBe(`SyntaxError: ${message}`);
  });

  it("reads esbuild's syntax errors (tsx), with 1-based columns", () => {
    const error = errorWith(
      `Transform failed with 1 error:\n${user}:3:10: ERROR: Unexpected "="`,
      'TransformError: Transform failed with 1 error:\n    at failureErrorWithLog (/x/node_modules/esbuild/lib/main.js:1752:15)',
      'TransformError',
    );
    expect(errorLocation(error)).toBe(`${user}:3:11`);
    expect(errorSummary(error)).toBe('SyntaxError: Unexpected "="');
  });

  it("reads Vite's syntax errors (vitest), coloured and relative to the working directory", () => {
    const relative = path.relative(process.cwd(), user);
    const error = errorWith(
      `Transform failed with 1 error:\n\n\u001b[31m[PARSE_ERROR] \u001b[0mUnexpected token\n   \u001b[38;5;246m╭\u001b[0m\u001b[38;5;246m─\u001b[0m\u001b[38;5;246m[\u001b[0m ${relative}:3:11 \u001b[38;5;246m]\u001b[0m\n`,
      'Error: Transform failed\n    at transformWithOxc (file:///x/node_modules/vite/dist/node/chunks/node.js:7673:19)',
    );
    expect(errorLocation(error)).toBe(`${user}:3:11`);
    expect(errorSummary(error)).toBe('SyntaxError: Unexpected token');
  });

  it('finds the import of a missing module when Node names only the importer', () => {
    const importer = path.join(BROKEN, 'missing_import.ts');
    const missing = path.join(BROKEN, 'does-not-exist.js');
    const stack = `Error [ERR_MODULE_NOT_FOUND]: x\n    at finalizeResolution (node:internal/modules/esm/resolve:283:11)\n    at resolveBase (file://${REPO}/node_modules/tsx/dist/register.mjs:2:10494)`;
    expect(errorLocation(errorWith(`Cannot find module '${missing}' imported from ${importer}`, stack))).toBe(`${importer}:3:28`);
    expect(errorLocation(errorWith(`Cannot find package 'left-pad' imported from ${importer}`, stack))).toBe(importer);
  });

  it('has nothing to say about values that are not errors', () => {
    expect(errorLocation('boom')).toBeNull();
    expect(errorLocation(errorWith('boom', 'Error: boom\n    at node:internal/x:1:1'))).toBeNull();
    expect(errorSummary('boom')).toBe('boom');
    expect(errorSummary({ code: 1 })).toBe('{ code: 1 }');
  });
});
