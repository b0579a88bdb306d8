// Finding and importing the project's own modules by name ('mysite/urls', 'mysite/gwi#application').
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ImproperlyConfigured } from './exceptions.js';

const EXTENSIONS = ['', '.ts', '.mts', '.tsx', '.js', '.mjs'];

/** The project root: the folder of the nearest package.json above `cwd` (or `cwd` itself). */
export function findProjectRoot(cwd = process.cwd()): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(cwd);
    dir = parent;
  }
}

/** The `gwi` field of the package.json in `root`, if any. */
export function readProjectField(root: string): { settings?: string } | undefined {
  const file = path.join(root, 'package.json');
  if (!existsSync(file)) return undefined;
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { gwi?: { settings?: string } };
  return manifest.gwi;
}

/** 'mysite.settings' (Django's dotted form) and 'mysite/settings' name the same module. */
export function normalizeModuleName(name: string): string {
  if (name.includes('/') || name.startsWith('.')) return name.replace(/\.(m?[jt]sx?)$/, '');
  return name.replace(/\./g, '/');
}

/** The file a module name designates under `root`, or null. */
export function resolveModuleFile(name: string, root: string): string | null {
  const base = path.resolve(root, normalizeModuleName(name));
  for (const candidate of [...EXTENSIONS.map((ext) => base + ext), ...EXTENSIONS.slice(1).map((ext) => path.join(base, 'index' + ext))]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Imports a project module by name; a missing file is an ImproperlyConfigured that says where it looked. */
export async function importModule(name: string, root: string): Promise<Record<string, unknown>> {
  const file = resolveModuleFile(name, root);
  if (file === null) {
    throw new ImproperlyConfigured(`No module named '${name}' (looked for ${path.resolve(root, normalizeModuleName(name))}.ts and friends).`);
  }
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

/**
 * Splits an import string into module and export: 'mysite/gwi#application', or Django's
 * 'mysite/gwi.application' / 'mysite.gwi.application' (the last dotted part is the export).
 */
export function splitImportString(spec: string): [module: string, exportName: string] {
  const hash = spec.lastIndexOf('#');
  if (hash > 0) return [spec.slice(0, hash), spec.slice(hash + 1)];
  const dot = spec.lastIndexOf('.');
  if (dot <= 0 || dot < spec.lastIndexOf('/')) {
    throw new ImproperlyConfigured(`${spec} doesn't look like a module path: use 'module/path#exportName'.`);
  }
  return [spec.slice(0, dot), spec.slice(dot + 1)];
}

/** Imports `exportName` from a module named by an import string (Django's import_string). */
export async function importString(spec: string, root: string): Promise<unknown> {
  const [moduleName, exportName] = splitImportString(spec);
  const module = await importModule(moduleName, root);
  if (!(exportName in module)) {
    throw new ImproperlyConfigured(`Module "${moduleName}" does not define a "${exportName}" attribute/class`);
  }
  return module[exportName];
}

/** The first `file:line:column` of an error's stack, for messages that must say where it happened. */
export function errorLocation(err: unknown): string | null {
  const stack = err instanceof Error ? err.stack ?? '' : '';
  for (const line of stack.split('\n').slice(1)) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):(\d+):(\d+)\)?$/.exec(line.trim());
    if (match && !match[1]?.includes('/node_modules/') && !match[1]?.startsWith('node:')) {
      const file = (match[1] as string).replace(/^file:\/\//, '');
      return `${file}:${match[2]}:${match[3]}`;
    }
  }
  return null;
}
