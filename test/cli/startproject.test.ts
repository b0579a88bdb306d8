// startProject(): Django's name checks and messages, the target directory rules, the files written from
// templates/project_template, and a new project that loads, serves the welcome page and type-checks.
import { realpathSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandError } from '../../src/runserver/errors.js';
import {
  getRandomSecretKey,
  packageNameFor,
  PROJECT_TEMPLATE,
  renderTemplate,
  SECRET_KEY_CHARS,
  startProject,
  type TemplateContext,
} from '../../src/cli/startproject.js';
import { getInternalGwiApplication } from '../../src/framework/handlers/application.js';
import { loadSettings, resetSettings, settings } from '../../src/framework/conf/settings.js';
import { StaticFilesHandler } from '../../src/framework/staticfiles/handlers.js';
import { clearUrlCaches } from '../../src/framework/urls/base.js';
import { VERSION } from '../../src/version.js';
import { serve, type Served } from '../helpers/serve.js';
import { httpRequest } from '../helpers/http.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const KEY_CHAR = `[${SECRET_KEY_CHARS.replace(/[\]\\^-]/g, '\\$&')}]`;
const SECRET_KEY_LINE = new RegExp(`^  SECRET_KEY: 'gwi-insecure-(${KEY_CHAR}{50})',$`, 'm');
const PROJECT_FILES = [
  '.gitignore',
  'README.md',
  'mysite/gwi.ts',
  'mysite/settings.ts',
  'mysite/tests.test.ts',
  'mysite/urls.ts',
  'package.json',
  'static/.gitkeep',
  'tsconfig.json',
  'vitest.config.ts',
];

let tmp: string;
let served: Served | null = null;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gwi-startproject-'));
});

afterEach(async () => {
  await served?.close();
  served = null;
  resetSettings();
  clearUrlCaches();
  await rm(tmp, { recursive: true, force: true });
});

/** Every file under `dir`, as sorted relative paths with '/'. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  const files: string[] = [];
  for (const entry of entries) if ((await stat(path.join(dir, entry))).isFile()) files.push(entry.split(path.sep).join('/'));
  return files.sort();
}

async function read(...parts: string[]): Promise<string> {
  return readFile(path.join(...parts), 'utf8');
}

/** The CommandError startProject() fails with. */
async function failure(promise: Promise<unknown>): Promise<CommandError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CommandError);
  return err as CommandError;
}

function secretKeyOf(settingsSource: string): string {
  const match = SECRET_KEY_LINE.exec(settingsSource);
  expect(match, settingsSource).not.toBeNull();
  return match?.[1] ?? '';
}

/** Runs `fn` with the process umask set to `mask`. */
async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<T> {
  const previous = process.umask(mask);
  try {
    return await fn();
  } finally {
    process.umask(previous);
  }
}

async function get(target: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const s = served as Served;
  const reply = await httpRequest(s.port, target, { host: s.host });
  return { status: reply.status, headers: reply.headers, text: reply.bytes.toString('utf8') };
}

describe('project name', () => {
  it.each(['7testproject', '../testproject', 'my-project', 'my project', 'my.site', 'mysite/', '', 'class', 'await', 'let', 'null', 'static'])(
    '%j is not a valid project name',
    async (name) => {
      const err = await failure(startProject(name, undefined, { cwd: tmp }));
      expect(err.message).toBe(`'${name}' is not a valid project name. Please make sure the name is a valid identifier.`);
      expect(err.returncode).toBe(1);
      expect(await readdir(tmp)).toEqual([]);
    },
  );

  it.each(['fs', 'http', 'test', 'child_process', 'worker_threads', '_http_agent', 'gwi', 'Gwi'])(
    '%j conflicts with an existing Node.js module',
    async (name) => {
      const err = await failure(startProject(name, undefined, { cwd: tmp }));
      expect(err.message).toBe(
        `'${name}' conflicts with the name of an existing Node.js module and cannot be used as a project name. Please try another name.`,
      );
      expect(await readdir(tmp)).toEqual([]);
    },
  );

  it('conflicts with a package installed where the project goes, CommonJS or ESM-only, without importing it', async () => {
    const modules = path.join(tmp, 'node_modules');
    // Importing either would throw: the check only resolves.
    await mkdir(path.join(modules, 'leftpad'), { recursive: true });
    await writeFile(path.join(modules, 'leftpad', 'package.json'), '{ "name": "leftpad", "main": "index.js" }');
    await writeFile(path.join(modules, 'leftpad', 'index.js'), 'throw new Error("imported");');
    await mkdir(path.join(modules, 'esmonly'), { recursive: true });
    await writeFile(path.join(modules, 'esmonly', 'package.json'), '{ "name": "esmonly", "type": "module", "exports": { "import": "./index.js" } }');
    await writeFile(path.join(modules, 'esmonly', 'index.js'), 'throw new Error("imported");');

    for (const [name, directory] of [['leftpad', undefined], ['esmonly', undefined], ['leftpad', 'sub/dir']] as const) {
      const err = await failure(startProject(name, directory, { cwd: tmp }));
      expect(err.message).toBe(
        `'${name}' conflicts with the name of an existing Node.js module and cannot be used as a project name. Please try another name.`,
      );
    }
    expect((await readdir(tmp)).sort()).toEqual(['node_modules']);

    // Elsewhere the package is out of sight, and the name is free.
    const elsewhere = path.join(tmp, 'elsewhere');
    await mkdir(elsewhere);
    await expect(startProject('other', undefined, { cwd: elsewhere })).resolves.toBe(path.join(elsewhere, 'other'));
  });

  it.each(['dist', 'node_modules', 'Static'])('%j conflicts with a folder of the project', async (name) => {
    const err = await failure(startProject(name, undefined, { cwd: tmp }));
    expect(err.message).toBe(
      `'${name}' conflicts with the name of a folder every project uses and cannot be used as a project name. Please try another name.`,
    );
    expect(await readdir(tmp)).toEqual([]);
  });

  it.each([
    ['mysite', 'mysite'],
    ['_private', 'private'],
    ['MySite', 'mysite'],
    ['café', 'cafe'],
    ['my$site', 'my-site'],
    ['site_2', 'site_2'],
  ])('%j is a valid name; its package name is %j', async (name, packageName) => {
    expect(packageNameFor(name)).toBe(packageName);
    const dir = await startProject(name, undefined, { cwd: tmp });
    expect(dir).toBe(path.join(tmp, name));
    expect(JSON.parse(await read(dir, 'package.json'))).toMatchObject({ name: packageName, gwi: { settings: `${name}/settings` } });
    expect(await read(dir, name, 'settings.ts')).toContain(`ROOT_URLCONF: '${name}/urls',`);
  });
});

describe('files written', () => {
  it('are the template, rendered, with no placeholder left', async () => {
    const dir = await startProject('mysite', undefined, { cwd: tmp });
    expect(dir).toBe(path.join(tmp, 'mysite'));
    expect(await listFiles(dir)).toEqual(PROJECT_FILES);
    for (const file of PROJECT_FILES) expect(await read(dir, file)).not.toMatch(/\{\{|\}\}|project_name/);
  });

  it('package.json: the name, private, ESM, gwi as dependency (this checkout), the settings module, the dev and test scripts', async () => {
    const dir = await startProject('mysite', undefined, { cwd: tmp });
    const manifest = JSON.parse(await read(dir, 'package.json')) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      name: 'mysite',
      private: true,
      type: 'module',
      // gwi runs from this checkout here: the registry has no such package, the folder installs.
      dependencies: { gwi: `file:${realpathSync(REPO).replace(/[\\/]$/, '')}` },
      gwi: { settings: 'mysite/settings' },
      scripts: { dev: 'gwi runserver', test: 'vitest run' },
      devDependencies: { vitest: expect.stringMatching(/^\^4\./) },
    });
  });

  it('tsconfig.json is strict NodeNext; .gitignore keeps node_modules and dist out; static/ is there', async () => {
    const dir = await startProject('mysite', undefined, { cwd: tmp });
    const tsconfig = JSON.parse(await read(dir, 'tsconfig.json')) as { compilerOptions: Record<string, unknown> };
    expect(tsconfig.compilerOptions).toMatchObject({ strict: true, module: 'NodeNext', moduleResolution: 'NodeNext' });
    const ignored = (await read(dir, '.gitignore')).split('\n');
    expect(ignored).toContain('node_modules/');
    expect(ignored).toContain('dist/');
    expect(await read(dir, 'static', '.gitkeep')).toBe('');
    const readme = await read(dir, 'README.md');
    expect(readme).toMatch(/^# mysite\n/);
    expect(readme).toContain('npm run dev');
  });

  it('settings.ts: defineSettings() with a fresh secret key and the default project settings', async () => {
    const first = await read(await startProject('mysite', undefined, { cwd: tmp }), 'mysite', 'settings.ts');
    const second = await read(await startProject('mysite', 'second', { cwd: tmp }), 'mysite', 'settings.ts');
    const key = secretKeyOf(first);
    expect(key).toHaveLength(50);
    expect(secretKeyOf(second)).not.toBe(key);
    expect(first).toContain(
      "import { CommonMiddleware, CsrfViewMiddleware, defineSettings, SecurityMiddleware, SessionMiddleware, XFrameOptionsMiddleware } from 'gwi';",
    );
    expect(first).toContain('export default defineSettings({');
    for (const line of [
      '  DEBUG: true,',
      '  ALLOWED_HOSTS: [],',
      "  ROOT_URLCONF: 'mysite/urls',",
      "  GWI_APPLICATION: 'mysite/gwi#application',",
      '  MIDDLEWARE: [SecurityMiddleware, SessionMiddleware, CommonMiddleware, CsrfViewMiddleware, XFrameOptionsMiddleware],',
      "  STATIC_URL: '/static/',",
      "  STATICFILES_DIRS: ['static'],",
    ]) {
      expect(first.split('\n')).toContain(line);
    }
    expect(first).toContain('SECURITY WARNING');
  });

  it('urls.ts has an empty urlpatterns; gwi.ts exports the application', async () => {
    const dir = await startProject('mysite', undefined, { cwd: tmp });
    const urls = await read(dir, 'mysite', 'urls.ts');
    expect(urls).toMatch(/\nexport const urlpatterns = \[\];\n$/);
    expect(urls).toContain("path('', home, { name: 'home' })");
    const gwi = await read(dir, 'mysite', 'gwi.ts');
    expect(gwi).toContain("import { getGwiApplication } from 'gwi';");
    expect(gwi).toMatch(/\nexport const application = getGwiApplication\(\);\n$/);
  });

  it('getRandomSecretKey(): 50 characters from Django alphabet, different each time', () => {
    const keys = new Set(Array.from({ length: 20 }, () => getRandomSecretKey()));
    expect(keys.size).toBe(20);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${KEY_CHAR}{50}$`));
  });

  it('renderTemplate() replaces {{ variable }} with or without spaces and refuses an unknown one', () => {
    const context: TemplateContext = { project_name: 'mysite', package_name: 'mysite', secret_key: 'k', gwi_version: '1.2.3', gwi_dependency: '^1.2.3' };
    expect(renderTemplate('{{ project_name }}/{{project_name}} gwi {{  gwi_version }} { x }', context)).toBe('mysite/mysite gwi 1.2.3 { x }');
    expect(() => renderTemplate('{{ nope }}', context, 'a.ts-tpl')).toThrow("a.ts-tpl: unknown template variable 'nope'");
    expect(() => renderTemplate('{{ constructor }}', context)).toThrow("unknown template variable 'constructor'");
  });

  it('every -tpl file of the template only uses known variables', async () => {
    const context: TemplateContext = { project_name: 'p', package_name: 'p', secret_key: 'k', gwi_version: VERSION, gwi_dependency: `^${VERSION}` };
    const files = (await listFiles(PROJECT_TEMPLATE)).filter((file) => file.endsWith('-tpl'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) renderTemplate(await read(PROJECT_TEMPLATE, file), context, file);
  });

  it('modes: files 0o644 and folders 0o755, less the umask (Django test_honor_umask)', async () => {
    for (const [mask, fileMode, dirMode] of [
      [0o022, 0o644, 0o755],
      [0o077, 0o600, 0o700],
    ] as const) {
      const dir = await withUmask(mask, () => startProject('mysite', `umask${mask.toString(8)}`, { cwd: tmp }));
      for (const file of PROJECT_FILES) expect((await stat(path.join(dir, file))).mode & 0o777, file).toBe(fileMode);
      for (const folder of ['.', 'mysite', 'static']) expect((await stat(path.join(dir, folder))).mode & 0o777, folder).toBe(dirMode);
    }
  });
});

describe('target directory', () => {
  it("without one, <cwd>/<name> is made; a second run fails with '<abs path>' already exists", async () => {
    const dir = await startProject('mysite', undefined, { cwd: tmp });
    const settingsBefore = await read(dir, 'mysite', 'settings.ts');
    const err = await failure(startProject('mysite', undefined, { cwd: tmp }));
    expect(err.message).toBe(`'${path.join(tmp, 'mysite')}' already exists`);
    expect(await read(dir, 'mysite', 'settings.ts')).toBe(settingsBefore);
  });

  it('without one, an existing empty folder of that name is refused too', async () => {
    await mkdir(path.join(tmp, 'mysite'));
    const err = await failure(startProject('mysite', undefined, { cwd: tmp }));
    expect(err.message).toBe(`'${path.join(tmp, 'mysite')}' already exists`);
    expect(await readdir(path.join(tmp, 'mysite'))).toEqual([]);
  });

  it('defaults to process.cwd()', async () => {
    const previous = process.cwd();
    process.chdir(tmp);
    try {
      expect(await startProject('mysite')).toBe(path.join(tmp, 'mysite'));
    } finally {
      process.chdir(previous);
    }
    expect(await listFiles(path.join(tmp, 'mysite'))).toEqual(PROJECT_FILES);
  });

  it('a missing one is made, parents included, relative to cwd (as Django 6.0)', async () => {
    const dir = await startProject('mysite', 'a/b/c', { cwd: tmp });
    expect(dir).toBe(path.join(tmp, 'a', 'b', 'c'));
    expect(await listFiles(dir)).toEqual(PROJECT_FILES);
  });

  it('an absolute one, and ~ for the home folder', async () => {
    const absolute = path.join(tmp, 'abs');
    expect(await startProject('mysite', absolute, { cwd: os.tmpdir() })).toBe(absolute);
    const home = process.env.HOME;
    process.env.HOME = tmp;
    try {
      expect(await startProject('mysite', '~/athome', { cwd: os.tmpdir() })).toBe(path.join(tmp, 'athome'));
    } finally {
      process.env.HOME = home;
    }
    expect(await listFiles(path.join(tmp, 'athome'))).toEqual(PROJECT_FILES);
  });

  it("'.' and a non-empty folder are fine; what is there stays", async () => {
    await writeFile(path.join(tmp, 'notes.txt'), 'mine');
    await mkdir(path.join(tmp, 'static'));
    await writeFile(path.join(tmp, 'static', 'logo.svg'), '<svg/>');
    expect(await startProject('mysite', '.', { cwd: tmp })).toBe(tmp);
    expect(await listFiles(tmp)).toEqual([...PROJECT_FILES, 'notes.txt', 'static/logo.svg'].sort());
    expect(await read(tmp, 'notes.txt')).toBe('mine');
  });

  it('a link to a folder is a folder, as DIRECTORY and in its place in the template', async () => {
    await mkdir(path.join(tmp, 'real', 'assets'), { recursive: true });
    await symlink(path.join(tmp, 'real'), path.join(tmp, 'linked'));
    await symlink(path.join(tmp, 'real', 'assets'), path.join(tmp, 'real', 'static'));
    expect(await startProject('mysite', 'linked', { cwd: tmp })).toBe(path.join(tmp, 'linked'));
    expect(await readdir(path.join(tmp, 'real', 'assets'))).toEqual(['.gitkeep']);
  });

  it('a file that would be overwritten fails the command before anything is written', async () => {
    // tsconfig.json comes last: Django would have written the others already.
    await writeFile(path.join(tmp, 'tsconfig.json'), '{}');
    const err = await failure(startProject('mysite', '.', { cwd: tmp }));
    expect(err.message).toBe(
      `${path.join(tmp, 'tsconfig.json')} already exists. Overlaying a project into an existing directory won't replace conflicting files.`,
    );
    expect(await readdir(tmp)).toEqual(['tsconfig.json']);
    expect(await read(tmp, 'tsconfig.json')).toBe('{}');
  });

  it('a second project into the same folder fails (Django test_simple_project_different_directory)', async () => {
    const dir = await startProject('mysite', 'othertestproject', { cwd: tmp });
    const before = await listFiles(dir);
    const err = await failure(startProject('mysite', 'othertestproject', { cwd: tmp }));
    expect(err.message).toMatch(/ already exists\. Overlaying a project into an existing directory won't replace conflicting files\.$/);
    expect(err.message.startsWith(dir + path.sep)).toBe(true);
    expect(await listFiles(dir)).toEqual(before);
  });

  it('a file, or a dangling symlink, where the template has a folder is a conflict too', async () => {
    await writeFile(path.join(tmp, 'static'), 'not a folder');
    let err = await failure(startProject('mysite', '.', { cwd: tmp }));
    expect(err.message).toBe(
      `${path.join(tmp, 'static')} already exists. Overlaying a project into an existing directory won't replace conflicting files.`,
    );
    await rm(path.join(tmp, 'static'));
    await symlink(path.join(tmp, 'nowhere'), path.join(tmp, 'README.md'));
    err = await failure(startProject('mysite', '.', { cwd: tmp }));
    expect(err.message).toBe(
      `${path.join(tmp, 'README.md')} already exists. Overlaying a project into an existing directory won't replace conflicting files.`,
    );
    expect((await readdir(tmp)).sort()).toEqual(['README.md']);
    expect((await lstat(path.join(tmp, 'README.md'))).isSymbolicLink()).toBe(true);
  });

  it('a target that is a file is refused', async () => {
    await writeFile(path.join(tmp, 'afile'), '');
    const err = await failure(startProject('mysite', 'afile', { cwd: tmp }));
    expect(err.message).toBe(`'${path.join(tmp, 'afile')}' already exists and is not a directory`);
  });

  it('a folder that cannot be made is a CommandError with the system message', async () => {
    await writeFile(path.join(tmp, 'afile'), '');
    const err = await failure(startProject('mysite', 'afile/inside', { cwd: tmp }));
    expect(err.message).toMatch(/^ENOTDIR: not a directory, \w+ '\/.*afile\/inside'$/);
    expect(err.cause).toBeInstanceOf(Error);
  });
});

describe('the new project', () => {
  it('loads its settings, and its application serves the welcome page with the middleware headers', async () => {
    const dir = await startProject('mysite', undefined, { cwd: tmp });
    await writeFile(path.join(dir, 'static', 'hello.txt'), 'hello');
    // As runserver: the settings module named by package.json (the environment kept out).
    await loadSettings({ cwd: dir, env: {} });
    expect(settings.SETTINGS_MODULE).toBe('mysite/settings');
    expect(settings.BASE_DIR).toBe(dir);
    expect(settings.DEBUG).toBe(true);
    expect(settings.SECRET_KEY).toBe(`gwi-insecure-${secretKeyOf(await read(dir, 'mysite', 'settings.ts'))}`);
    expect(settings.ROOT_URLCONF).toBe('mysite/urls');
    expect(settings.MIDDLEWARE.map((m) => (typeof m === 'string' ? m : m.name))).toEqual([
      'SecurityMiddleware',
      'SessionMiddleware',
      'CommonMiddleware',
      'CsrfViewMiddleware',
      'XFrameOptionsMiddleware',
    ]);

    served = await serve(StaticFilesHandler(await getInternalGwiApplication()));
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(home.text).toContain('The install worked successfully!');
    expect(home.text).toContain('mysite/urls.ts');
    expect(home.headers['x-frame-options']).toBe('DENY');
    expect(home.headers['x-content-type-options']).toBe('nosniff');
    expect(home.headers['referrer-policy']).toBe('same-origin');

    const file = await get('/static/hello.txt');
    expect(file.status).toBe(200);
    expect(file.text).toBe('hello');
  });

  it('type-checks under its own tsconfig.json', async () => {
    const dir = await startProject('mysite', undefined, { cwd: tmp });
    const { config } = ts.readConfigFile(path.join(dir, 'tsconfig.json'), ts.sys.readFile);
    // What `npm install` would give it: gwi (here, its source), vitest and @types/node.
    const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dir, {
      paths: {
        gwi: [path.join(REPO, 'src', 'index.ts')],
        'gwi/test': [path.join(REPO, 'src', 'test.ts')],
        vitest: [path.join(REPO, 'node_modules', 'vitest', 'dist', 'index.d.ts')],
        'vitest/config': [path.join(REPO, 'node_modules', 'vitest', 'config.d.ts')],
      },
      typeRoots: [path.join(REPO, 'node_modules', '@types')],
    });
    expect(parsed.errors).toEqual([]);
    expect(parsed.fileNames.map((file) => path.relative(dir, file)).sort()).toEqual([
      'mysite/gwi.ts',
      'mysite/settings.ts',
      'mysite/tests.test.ts',
      'mysite/urls.ts',
      'vitest.config.ts',
    ]);
    const program = ts.createProgram(parsed.fileNames, parsed.options);
    const messages = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(messages).toEqual([]);
  });
});
