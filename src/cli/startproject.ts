// `gwi startproject NAME [DIRECTORY]` as a function (Django's startproject): checks the name and the target,
// then writes templates/project_template there, rendered.
//
// The template: a file whose name ends in `-tpl` is rendered and written without the suffix (`settings.ts-tpl`
// becomes `settings.ts`, as Django's `.py-tpl`): each `{{ variable }}` in it is replaced by its value (see
// TemplateContext); an unknown variable is an error. The folder `project_name` takes the project's name. Any
// other file is copied byte for byte.
import type { Stats } from 'node:fs';
import { lstat, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { CommandError } from '../runserver/errors.js';
import { commandStyle } from '../runserver/options.js';
import { GWI_ROOT, VERSION } from '../version.js';
import { HELP_HELP, reportError, USAGE_ERROR } from './base.js';
import { gwiDependency } from './gwi-dependency.js';

/** The project template shipped with gwi (package.json's "files" includes templates/). */
export const PROJECT_TEMPLATE = path.join(GWI_ROOT, 'templates', 'project_template');

const TEMPLATE_SUFFIX = '-tpl';
/** The template's folder renamed to the project's name. */
const PROJECT_NAME_DIR = 'project_name';
const PLACEHOLDER = /\{\{\s*([A-Za-z_]\w*)\s*\}\}/g;

/** Django's get_random_secret_key() alphabet. */
export const SECRET_KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789!@#$%^&*(-_=+)';
export const SECRET_KEY_PREFIX = 'gwi-insecure-';

// ECMAScript's reserved words, strict mode's and module code's included: a project name is a module
// name in code, so it must be usable wherever an identifier is.
const RESERVED_WORDS = new Set(
  (
    'await break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if implements import in instanceof interface let new null package private protected public return static ' +
    'super switch this throw true try typeof var void while with yield'
  ).split(' '),
);
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

/** Folders a project has or will have beside its package folder: a project of that name would share them. */
const PROJECT_FOLDERS = new Set(['static', 'node_modules', 'dist']);

/** The variables a `-tpl` file can use. */
export interface TemplateContext {
  project_name: string;
  /** The project name as an npm package name (package.json's "name"): lower case, URL-safe. */
  package_name: string;
  /** `gwi-insecure-` and 50 random characters. */
  secret_key: string;
  gwi_version: string;
  /** package.json's spec of the gwi dependency (see gwiDependency), JSON-escaped. */
  gwi_dependency: string;
}

export interface StartProjectOptions {
  /** Where a relative DIRECTORY, or the project folder when there is none, is made (default: process.cwd()). */
  cwd?: string;
}

/** 50 characters from Django's alphabet, drawn with the system's cryptographic generator (get_random_secret_key()). */
export function getRandomSecretKey(): string {
  let key = '';
  // node:crypto loaded here: the CLI's other commands (runserver's supervisor) need it for nothing.
  const { randomInt } = process.getBuiltinModule('node:crypto');
  for (let i = 0; i < 50; i++) key += SECRET_KEY_CHARS[randomInt(SECRET_KEY_CHARS.length)];
  return key;
}

/** A valid JavaScript identifier that is not a reserved word (Python's str.isidentifier() in Django). */
export function isValidIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !RESERVED_WORDS.has(name);
}

/**
 * The project name as npm accepts a package name: lower case, accents dropped, other characters that are not
 * URL-safe as `-`, no leading `.`, `_` or `-` ('MySite' gives 'mysite', 'café' 'cafe').
 */
export function packageNameFor(projectName: string): string {
  const name = projectName
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[-._]+|-+$/g, '');
  return name || 'gwi-project';
}

/**
 * A Node.js built-in, gwi itself (npm will not install a package into one of the same name), or a package
 * resolvable from `dir`. Only resolved, never imported (Django uses find_spec for the same reason).
 */
function isExistingModule(name: string, dir: string): boolean {
  if (isBuiltin(name) || isBuiltin(`node:${name}`) || packageNameFor(name) === 'gwi') return true;
  try {
    createRequire(path.join(dir, 'package.json')).resolve(name);
    return true;
  } catch (err) {
    // Anything but "not found" means a package is there, only not loadable by require() (ESM-only exports, ...).
    return (err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND';
  }
}

function validateName(name: string, topDir: string): void {
  if (!isValidIdentifier(name)) {
    throw new CommandError(`'${name}' is not a valid project name. Please make sure the name is a valid identifier.`);
  }
  if (isExistingModule(name, topDir)) {
    throw new CommandError(
      `'${name}' conflicts with the name of an existing Node.js module and cannot be used as a project name. Please try another name.`,
    );
  }
  // Lower case: on a case-insensitive disk 'Static' is the static folder too.
  if (PROJECT_FOLDERS.has(name.toLowerCase())) {
    throw new CommandError(
      `'${name}' conflicts with the name of a folder every project uses and cannot be used as a project name. Please try another name.`,
    );
  }
}

/** Python's os.path.expanduser() for `~` and `~/...`. */
function expandUser(target: string): string {
  return target === '~' || target.startsWith(`~${path.sep}`) || target.startsWith('~/') ? os.homedir() + target.slice(1) : target;
}

/** A `-tpl` file's text with each `{{ variable }}` replaced; `file` names it when a variable is unknown. */
export function renderTemplate(text: string, context: TemplateContext, file = 'template'): string {
  return text.replace(PLACEHOLDER, (_match, variable: string) => {
    if (!Object.hasOwn(context, variable)) throw new Error(`${file}: unknown template variable '${variable}'`);
    return context[variable as keyof TemplateContext];
  });
}

type Entry = { kind: 'dir'; target: string } | { kind: 'file'; target: string; content: Buffer | string };

/** Everything the template makes under `targetDir`, rendered in memory, parents before children. */
async function planTemplate(templateDir: string, targetDir: string, context: TemplateContext): Promise<Entry[]> {
  const entries: Entry[] = [];
  const children = (await readdir(templateDir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const child of children) {
    const source = path.join(templateDir, child.name);
    if (child.isDirectory()) {
      const target = path.join(targetDir, child.name === PROJECT_NAME_DIR ? context.project_name : child.name);
      entries.push({ kind: 'dir', target }, ...(await planTemplate(source, target, context)));
    } else if (child.name.endsWith(TEMPLATE_SUFFIX)) {
      const content = renderTemplate(await readFile(source, 'utf8'), context, source);
      entries.push({ kind: 'file', target: path.join(targetDir, child.name.slice(0, -TEMPLATE_SUFFIX.length)), content });
    } else {
      entries.push({ kind: 'file', target: path.join(targetDir, child.name), content: await readFile(source) });
    }
  }
  return entries;
}

/** What is at `file` (a symlink followed when `follow`), or null when nothing is. */
async function statOrNull(file: string, follow = false): Promise<Stats | null> {
  try {
    return await (follow ? stat(file) : lstat(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CommandError((err as Error).message, { cause: err });
  }
}

/** A system error (permissions, a full disk, ...) as Django's CommandError(e). */
function asCommandError(err: unknown): unknown {
  return err instanceof Error && 'syscall' in err ? new CommandError(err.message, { cause: err }) : err;
}

/**
 * Creates a project: without `directory`, in a new folder `<cwd>/<name>`; with one, in that folder (made when
 * missing; `.` and non-empty folders are fine). Every file is checked before anything is written, so a
 * conflict leaves nothing half-made. Files get mode 0o644 and folders 0o755, less the umask.
 * Returns the project's folder (absolute). Throws a CommandError with Django's messages.
 */
export async function startProject(name: string, directory?: string, options: StartProjectOptions = {}): Promise<string> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const topDir = directory === undefined ? path.join(cwd, name) : path.resolve(cwd, expandUser(directory));
  validateName(name, topDir);

  const context: TemplateContext = {
    project_name: name,
    package_name: packageNameFor(name),
    secret_key: SECRET_KEY_PREFIX + getRandomSecretKey(),
    gwi_version: VERSION,
    gwi_dependency: JSON.stringify(gwiDependency()).slice(1, -1),
  };
  const entries = await planTemplate(PROJECT_TEMPLATE, topDir, context);

  // Followed: DIRECTORY may be a link to a folder. Below, a dangling link is in the way as much as a file.
  const top = (await statOrNull(topDir, true)) ?? (await statOrNull(topDir));
  if (directory === undefined) {
    if (top) throw new CommandError(`'${topDir}' already exists`);
  } else if (top && !top.isDirectory()) {
    throw new CommandError(`'${topDir}' already exists and is not a directory`);
  } else if (top) {
    // Overlaying: a folder of the template may exist already, nothing else may.
    for (const entry of entries) {
      const existing = await statOrNull(entry.target);
      if (existing && (entry.kind === 'file' || !(await statOrNull(entry.target, true))?.isDirectory())) {
        throw new CommandError(
          `${entry.target} already exists. Overlaying a project into an existing directory won't replace conflicting files.`,
        );
      }
    }
  }

  try {
    await mkdir(topDir, { recursive: true, mode: 0o755 });
    for (const entry of entries) {
      if (entry.kind === 'dir') await mkdir(entry.target, { recursive: true, mode: 0o755 });
      // 'wx': never replace a file, even one that appeared since the check.
      else await writeFile(entry.target, entry.content, { mode: 0o644, flag: 'wx' });
    }
  } catch (err) {
    throw asCommandError(err);
  }
  return topDir;
}

export function startprojectCommand(): Command {
  return new Command('startproject')
    .description('Creates a gwi project directory structure for the given project name in the current directory or optionally in the given directory.')
    .argument('[name]', 'Name of the application or project.')
    .argument('[directory]', 'Optional destination directory')
    .helpOption('-h, --help', HELP_HELP)
    .action(async function (this: Command, name: string | undefined, directory: string | undefined) {
      if (!name) this.error('error: You must provide a project name.', { exitCode: USAGE_ERROR });
      try {
        await startProject(name as string, directory);
      } catch (err) {
        process.exit(reportError(err, process.stderr, commandStyle({ stdout: process.stderr })));
      }
    });
}
