// Finding and importing the project's own modules by name ('mysite/urls', 'mysite/gwi#application'), and
// saying where a module that failed to load went wrong.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { GWI_ROOT } from '../../version.js';
import { ImproperlyConfigured } from '../exceptions.js';

const EXTENSIONS = ['', '.ts', '.mts', '.tsx', '.js', '.mjs'];
const EXTENSION = /\.(?:ts|mts|tsx|js|mjs)$/;

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

/** The package.json in `root`, if any; a broken one is an ImproperlyConfigured. */
function readManifest(root: string): { gwi?: unknown; type?: unknown } | null | undefined {
  const file = path.join(root, 'package.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { gwi?: unknown; type?: unknown } | null;
  } catch (err) {
    throw new ImproperlyConfigured(`${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/**
 * Whether the project's .ts files are CommonJS: its package.json does not say "type": "module" (node's
 * default, and tsx's). A broken package.json says nothing here; reading the settings reports it.
 */
export function isCommonJsProject(root: string): boolean {
  try {
    return readManifest(root)?.type !== 'module';
  } catch {
    return false;
  }
}

/** The `gwi` field of the package.json in `root`, if any; a broken manifest is an ImproperlyConfigured. */
export function readProjectField(root: string): { settings?: string } | undefined {
  const file = path.join(root, 'package.json');
  const field = readManifest(root)?.gwi;
  if (field === undefined) return undefined;
  const settings = (field as { settings?: unknown } | null)?.settings;
  if (field === null || typeof field !== 'object' || (settings !== undefined && typeof settings !== 'string')) {
    throw new ImproperlyConfigured(`The "gwi" field of ${file} must look like { "settings": "mysite/settings" } (got ${inspect(field)}).`);
  }
  return field as { settings?: string };
}

/**
 * 'mysite.settings' (Django's dotted form), 'mysite/settings', './mysite/settings' and 'mysite/settings.ts'
 * all name the module 'mysite/settings'.
 */
export function normalizeModuleName(name: string): string {
  const bare = name.replace(EXTENSION, '').replace(/^\.\//, '');
  // A path keeps its dots ('../my.site/settings'); only a name without '/' is Django's dotted form.
  return bare.includes('/') || bare.startsWith('.') ? bare : bare.replace(/\./g, '/');
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
  const namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  // A CommonJS module that tsx compiled from `export`s: node's default is its module.exports, the object
  // that holds them all (`default` among them) and says so with __esModule.
  const exported = namespace.default as { __esModule?: unknown } | null | undefined;
  return typeof exported === 'object' && exported !== null && exported.__esModule === true ? (exported as Record<string, unknown>) : namespace;
}

/**
 * Splits an import string into module and export: 'mysite/gwi#application', or Django's
 * 'mysite/gwi.application' / 'mysite.gwi.application' (the last dotted part is the export).
 */
export function splitImportString(spec: string): [module: string, exportName: string] {
  const hash = spec.lastIndexOf('#');
  const dot = spec.lastIndexOf('.');
  const split = hash >= 0 ? hash : dot > spec.lastIndexOf('/') ? dot : -1;
  if (split <= 0 || split === spec.length - 1) {
    throw new ImproperlyConfigured(`${spec} doesn't look like a module path: use 'module/path#exportName'.`);
  }
  return [spec.slice(0, split), spec.slice(split + 1)];
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

// gwi's own code is library code too, wherever gwi runs from (a checkout has no node_modules in its
// path): it is never where a user's module went wrong, and debug pages fold its frames away.
const GWI_CODE = ['src', 'dist'].map((dir) => path.join(GWI_ROOT, dir) + path.sep);

/** gwi's code, node_modules, node: internals and frames without a file: not the user's code. */
export function isLibraryFile(file: string | null): boolean {
  if (file === null || file.startsWith('node:') || !path.isAbsolute(file)) return true;
  return /[\\/]node_modules[\\/]/.test(file) || GWI_CODE.some((dir) => file.startsWith(dir));
}

function isUserFile(file: string): boolean {
  return !isLibraryFile(file);
}

/** A stack location's file: a `file://` URL as a path; anything else (a path, `node:…`) as it is. */
export function locationPath(location: string): string {
  if (!location.startsWith('file://')) return location;
  try {
    return fileURLToPath(location);
  } catch {
    return location;
  }
}

// Terminal colours in transpiler messages (Vite's are coloured even without a terminal).
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * A TypeScript syntax error reported by the transpiler that loads the module: tsx's esbuild
 * ('/abs/file.ts:3:10: ERROR: Unexpected "="') or Vite's oxc under vitest ('[PARSE_ERROR] Unexpected
 * token' and '╭─[ file.ts:3:11 ]', relative to Vite's root, the working directory).
 */
function transformFailure(err: Error): { text: string; location: string | null } | null {
  if (!err.message.startsWith('Transform failed')) return null;
  const message = err.message.replace(ANSI, '');
  const esbuild = /^(.+?):(\d+):(\d+): ERROR: (.*)$/m.exec(message);
  // esbuild counts columns from 0, V8 and Vite from 1.
  if (esbuild) return { text: esbuild[4] as string, location: `${path.resolve(esbuild[1] as string)}:${esbuild[2]}:${Number(esbuild[3]) + 1}` };
  const text = /^\[[A-Z_]+\] (.*)$/m.exec(message)?.[1] ?? message.split('\n')[0] ?? message;
  const at = /─\[ (.+?):(\d+):(\d+) \]/.exec(message);
  return { text, location: at ? `${path.resolve(at[1] as string)}:${at[2]}:${at[3]}` : null };
}

/** Node names the module that imported a missing one, but no line: the import is found in its source. */
function missingImportLocation(err: Error): string | null {
  const match = /^Cannot find (?:module|package) '(.+?)' imported from (.+)$/.exec(err.message);
  if (!match) return null;
  const missing = match[1] as string;
  const importer = locationPath(match[2] as string);
  let text: string;
  try {
    text = readFileSync(importer, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split(/\r\n|\r|\n/);
  for (const [index, line] of lines.entries()) {
    for (const quoted of line.matchAll(/(['"])([^'"]+)\1/g)) {
      const specifier = quoted[2] as string;
      if (specifier === missing || (specifier.startsWith('.') && path.resolve(path.dirname(importer), specifier) === missing)) {
        return `${importer}:${index + 1}:${(quoted.index ?? 0) + 1}`;
      }
    }
  }
  return importer;
}

/**
 * Where a module that failed to load went wrong, as `file:line:column` (or `file:line`): the position
 * of a syntax error, else the first stack frame in the user's code (source-mapped to TypeScript by tsx
 * and vitest), else the import of a missing module. null when nothing points into the user's code.
 */
export function errorLocation(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  const transform = transformFailure(err);
  if (transform) return transform.location;
  const stack = err.stack ?? '';
  // Node's link errors (a missing named export) open the stack with 'file:line' and the source line.
  const header = /^((?:file:\/\/)?\/[^\n]*?):(\d+)\n/.exec(stack);
  if (header) return `${locationPath(header[1] as string)}:${header[2]}`;
  for (const line of stack.split('\n')) {
    const at = /^\s+at (?:.*\((.*)\)|(?:async )?(.*))$/.exec(line);
    const position = /^(.*):(\d+):(\d+)$/.exec(at?.[1] ?? at?.[2] ?? '');
    if (!position) continue;
    const file = locationPath(position[1] as string);
    if (isUserFile(file)) return `${file}:${position[2]}:${position[3]}`;
  }
  return missingImportLocation(err);
}

/** An error as one line for a message: 'TypeError: x is not a function'; a transpiler's syntax error as a SyntaxError. */
export function errorSummary(err: unknown): string {
  if (!(err instanceof Error)) return typeof err === 'string' ? err : inspect(err);
  const transform = transformFailure(err);
  return transform ? `SyntaxError: ${transform.text}` : `${err.name}: ${err.message}`;
}
