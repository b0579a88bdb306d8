// The system-check framework: Django's message format, the registry, the built-in checks, and the exact
// report runserver prints (§1.5 of the runserver reference).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CheckMessage,
  Critical,
  CRITICAL,
  Debug,
  DEBUG,
  Error as CheckError,
  ERROR,
  Info,
  INFO,
  Warning,
  WARNING,
} from '../../../src/framework/checks/messages.js';
import { CheckRegistry, runChecks } from '../../../src/framework/checks/registry.js';
import { formatCheckReport, SystemCheckError } from '../../../src/framework/checks/report.js';
import { configureSettings, resetSettings, type SettingsInput } from '../../../src/framework/conf/settings.js';
import { SessionMiddleware } from '../../../src/framework/sessions/middleware.js';
import { CsrfViewMiddleware } from '../../../src/framework/middleware/csrf.js';
import { makeStyle, PALETTES } from '../../../src/log/termcolors.js';
import { clearUrlCaches } from '../../../src/framework/urls/base.js';
import { path as route } from '../../../src/framework/urls/conf.js';
import { BOLD, RED, span, YELLOW } from '../../helpers/sgr.js';

const view = (): never => {
  throw new Error('not called');
};

const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

let baseDir: string;

beforeAll(async () => {
  baseDir = await mkdtemp(path.join(tmpdir(), 'gwi-checks-'));
});

afterAll(async () => {
  await rm(baseDir, { recursive: true, force: true });
});

afterEach(() => {
  clearUrlCaches();
  resetSettings();
});

describe('CheckMessage', () => {
  it.each([
    [new Warning('Something is off.'), '?: Something is off.'],
    [new Warning('Something is off.', { id: 'app.W001' }), '?: (app.W001) Something is off.'],
    [new CheckError('Broken.', { id: 'app.E001', obj: 'mysite.urls' }), 'mysite.urls: (app.E001) Broken.'],
    [new Info('FYI.', { id: 'app.I001', hint: 'Do this.' }), '?: (app.I001) FYI.\n\tHINT: Do this.'],
    [new Critical('Down.', { obj: { toString: () => 'db' }, hint: '' }), 'db: Down.'],
  ])('prints %#', (message, text) => {
    expect(String(message)).toBe(text);
  });

  it.each([
    [new Debug('x'), DEBUG, 10, false],
    [new Info('x'), INFO, 20, false],
    [new Warning('x'), WARNING, 30, false],
    [new CheckError('x'), ERROR, 40, true],
    [new Critical('x'), CRITICAL, 50, true],
  ])('%o has level %i (%i), serious: %s', (message, level, value, serious) => {
    expect(message.level).toBe(level);
    expect(level).toBe(value);
    expect(message.isSerious()).toBe(serious);
    expect(message.isSerious(WARNING)).toBe(level >= WARNING);
  });

  it('keeps its fields and needs an integer level', () => {
    expect(new CheckMessage(35, 'm', { hint: 'h', obj: 'o', id: 'i' })).toMatchObject({ level: 35, msg: 'm', hint: 'h', obj: 'o', id: 'i' });
    expect(new Warning('m')).toMatchObject({ hint: null, obj: null, id: null });
    expect(() => new CheckMessage(1.5, 'm')).toThrow(new TypeError('The first argument should be level.'));
  });
});

describe('CheckRegistry', () => {
  it('runs checks in order, filtered by tag, deployment checks only when asked', async () => {
    const registry = new CheckRegistry();
    const a = (): CheckMessage[] => [new Warning('a')];
    const b = async (): Promise<CheckMessage[]> => [new Info('b1'), new Info('b2')];
    const deploy = (): CheckMessage[] => [new Warning('deploy')];
    const untagged = (): CheckMessage[] => [new Debug('untagged')];
    expect(registry.register(deploy, { tags: ['security'], deploy: true })).toBe(deploy);
    registry.register(a, 'urls');
    registry.register(b, 'staticfiles', 'urls');
    registry.register(untagged);
    const msgs = async (options?: Parameters<CheckRegistry['runChecks']>[0]): Promise<string[]> =>
      (await registry.runChecks(options)).map((m) => m.msg);
    expect(await msgs()).toStrictEqual(['a', 'b1', 'b2', 'untagged']);
    expect(await msgs({ includeDeployment: true })).toStrictEqual(['a', 'b1', 'b2', 'untagged', 'deploy']);
    expect(await msgs({ tags: ['staticfiles'] })).toStrictEqual(['b1', 'b2']);
    expect(await msgs({ tags: ['security'] })).toStrictEqual([]);
    expect(await msgs({ tags: ['security'], includeDeployment: true })).toStrictEqual(['deploy']);
    expect(await msgs({ tags: [] })).toStrictEqual([]);
  });

  it('refuses a check that does not return an array', async () => {
    const registry = new CheckRegistry();
    registry.register(function sloppy() {
      return new Warning('not in an array') as never;
    });
    await expect(registry.runChecks()).rejects.toThrow(
      new TypeError('The function sloppy did not return an array. All functions registered with the checks registry must return an array.'),
    );
  });
});

describe('built-in checks', () => {
  async function ids(values: SettingsInput, includeDeployment = false): Promise<string[]> {
    configureSettings({ BASE_DIR: baseDir, ...values });
    return (await runChecks({ includeDeployment })).map(String);
  }

  // CSRF protection as deployment wants it: the cases below are about the other settings.
  const csrf: SettingsInput = { MIDDLEWARE: [CsrfViewMiddleware], CSRF_COOKIE_SECURE: true };
  const secure: SettingsInput = { SECRET_KEY: 'k'.repeat(50), ALLOWED_HOSTS: ['example.com'], ...csrf };

  it('finds nothing in a good configuration, deployment checks included', async () => {
    expect(await ids({ ...secure, STATICFILES_DIRS: [baseDir, '.'], ROOT_URLCONF: { urlpatterns: [route('about/', view)] } }, true)).toStrictEqual([]);
  });

  it('staticfiles.W004: a STATICFILES_DIRS entry that is not a directory', async () => {
    expect(await ids({ STATICFILES_DIRS: ['assets', path.join(baseDir, 'gone'), '.'] })).toStrictEqual([
      "?: (staticfiles.W004) The directory 'assets' in the STATICFILES_DIRS setting does not exist.",
      `?: (staticfiles.W004) The directory '${path.join(baseDir, 'gone')}' in the STATICFILES_DIRS setting does not exist.`,
    ]);
  });

  it('urls.W002: a route starting with a slash', async () => {
    expect(await ids({ ROOT_URLCONF: { urlpatterns: [route('/about', view, { name: 'about' })] } })).toStrictEqual([
      "?: (urls.W002) Your URL pattern '/about' [name='about'] has a route beginning with a '/'. Remove this slash as it is " +
        "unnecessary. If this pattern is targeted in an include(), ensure the include() pattern has a trailing '/'.",
    ]);
  });

  it.each([
    ['empty SECRET_KEY', { ALLOWED_HOSTS: ['example.com'] }, ['?: (security.W009) Your SECRET_KEY is empty. Signing and password-reset tokens need a long, random SECRET_KEY.']],
    ['empty ALLOWED_HOSTS with DEBUG off', { SECRET_KEY: 'x' }, ['?: (security.W020) ALLOWED_HOSTS must not be empty in deployment.']],
    ['empty ALLOWED_HOSTS with DEBUG on', { SECRET_KEY: 'x', DEBUG: true }, []],
    [
      'both',
      {},
      [
        '?: (security.W009) Your SECRET_KEY is empty. Signing and password-reset tokens need a long, random SECRET_KEY.',
        '?: (security.W020) ALLOWED_HOSTS must not be empty in deployment.',
      ],
    ],
  ])('security (deployment): %s', async (_label, values, expected) => {
    expect(await ids({ ...csrf, ...(values as SettingsInput) }, true)).toStrictEqual(expected);
    // Deployment checks stay out of runserver's checks.
    expect(await ids({ ...csrf, ...(values as SettingsInput) }, false)).toStrictEqual([]);
  });

  const W003 =
    "?: (security.W003) You don't appear to be using gwi's built-in cross-site request forgery protection via the middleware " +
    "('CsrfViewMiddleware' is not in your MIDDLEWARE). Enabling the middleware is the safest approach to ensure you don't leave any holes.";
  const W016 =
    "?: (security.W016) You have 'CsrfViewMiddleware' in your MIDDLEWARE, but you have not set CSRF_COOKIE_SECURE to true. " +
    'Using a secure-only CSRF cookie makes it more difficult for network traffic sniffers to steal the CSRF token.';

  it.each([
    ['no CsrfViewMiddleware', { MIDDLEWARE: [] }, [W003]],
    ['no CsrfViewMiddleware, whatever the cookie', { MIDDLEWARE: ['mysite/missing#CsrfViewMiddleware'], CSRF_COOKIE_SECURE: false }, [W003]],
    ['the middleware with a cookie sent over HTTP too', { CSRF_COOKIE_SECURE: false }, [W016]],
    ['the middleware and a secure cookie', {}, []],
  ])('security (deployment), CSRF: %s', async (_label, values, expected) => {
    expect(await ids({ ...secure, ...(values as SettingsInput) }, true)).toStrictEqual(expected);
    expect(await ids({ ...secure, ...(values as SettingsInput) }, false)).toStrictEqual([]);
  });

  it('security (deployment), CSRF: the middleware named by an import string counts', async () => {
    await writeFile(path.join(baseDir, 'middleware.ts'), "export { CsrfViewMiddleware } from '" + pathToFileURL(path.join(SRC, 'index.ts')).href + "';\n");
    expect(await ids({ ...secure, MIDDLEWARE: ['middleware#CsrfViewMiddleware'], CSRF_COOKIE_SECURE: false }, true)).toStrictEqual([W016]);
  });

  it('security.E102: a CSRF_FAILURE_VIEW that cannot be imported', async () => {
    expect(await ids({ CSRF_FAILURE_VIEW: 'mysite/views#nowhere' })).toStrictEqual([
      "?: (security.E102) The CSRF failure view 'mysite/views#nowhere' could not be imported.",
    ]);
    expect(await ids({ CSRF_FAILURE_VIEW: () => null })).toStrictEqual([]);
  });

  const W012 =
    '?: (security.W012) SESSION_COOKIE_SECURE is not set to True. Using a secure-only session cookie makes it more ' +
    'difficult for network traffic sniffers to hijack user sessions.';
  const W015 =
    '?: (security.W015) SESSION_COOKIE_HTTPONLY is not set to True. Using an HttpOnly session cookie makes it more ' +
    'difficult for cross-site scripting attacks to hijack user sessions.';

  it.each([
    ['sessions not in use', { SESSION_COOKIE_HTTPONLY: false }, []],
    ['the defaults', { MIDDLEWARE: [SessionMiddleware, CsrfViewMiddleware] }, [W012]],
    ['a secure cookie', { MIDDLEWARE: [SessionMiddleware, CsrfViewMiddleware], SESSION_COOKIE_SECURE: true }, []],
    ['a cookie page scripts can read', { MIDDLEWARE: [SessionMiddleware, CsrfViewMiddleware], SESSION_COOKIE_SECURE: true, SESSION_COOKIE_HTTPONLY: false }, [W015]],
    ['both', { MIDDLEWARE: [SessionMiddleware, CsrfViewMiddleware], SESSION_COOKIE_HTTPONLY: false }, [W012, W015]],
  ])('session cookie (deployment): %s', async (_label, values, expected) => {
    expect(await ids({ ...secure, ...(values as SettingsInput) }, true)).toStrictEqual(expected);
    expect(await ids({ ...secure, ...(values as SettingsInput) }, false)).toStrictEqual([]);
  });
});

describe('formatCheckReport()', () => {
  const w004 = new Warning("The directory 'demo52/nonexistent_static' in the STATICFILES_DIRS setting does not exist.", {
    id: 'staticfiles.W004',
  });

  it.each([
    [[], [], 'System check identified no issues (0 silenced).', false, 0],
    [[w004], ['staticfiles.W004'], 'System check identified no issues (1 silenced).', false, 0],
    [
      [w004],
      [],
      'System check identified some issues:\n\nWARNINGS:\n' +
        "?: (staticfiles.W004) The directory 'demo52/nonexistent_static' in the STATICFILES_DIRS setting does not exist.\n\n" +
        'System check identified 1 issue (0 silenced).',
      false,
      1,
    ],
    [
      [
        new Warning('b warning', { id: 'x.W002' }),
        new Debug('a debug'),
        new Info('an info', { id: 'x.I001', hint: 'Look.' }),
        new Warning('a warning', { id: 'x.W001', obj: 'zeta' }),
        new Warning('silenced', { id: 'x.W009' }),
        new Warning('c warning', { id: 'x.W003' }),
      ],
      ['x.W009', 'x.W404'],
      'System check identified some issues:\n' +
        '\nWARNINGS:\n?: (x.W002) b warning\n?: (x.W003) c warning\nzeta: (x.W001) a warning\n' +
        '\nINFOS:\n?: (x.I001) an info\n\tHINT: Look.\n' +
        '\nDEBUGS:\n?: a debug\n' +
        '\nSystem check identified 5 issues (1 silenced).',
      false,
      5,
    ],
    [
      [new Warning('w'), new Critical('c', { id: 'x.C001' }), new CheckError('e2', { id: 'x.E002' }), new CheckError('e1', { id: 'x.E001' })],
      [],
      'SystemCheckError: System check identified some issues:\n' +
        '\nCRITICALS:\n?: (x.C001) c\n' +
        '\nERRORS:\n?: (x.E001) e1\n?: (x.E002) e2\n' +
        '\nWARNINGS:\n?: w\n' +
        '\nSystem check identified 4 issues (0 silenced).',
      true,
      4,
    ],
    // A silenced error does not stop the server.
    [[new CheckError('e', { id: 'x.E001' })], ['x.E001'], 'System check identified no issues (1 silenced).', false, 0],
  ])('report %#', (messages, silenced, text, serious, visible) => {
    expect(formatCheckReport(messages, { silenced })).toStrictEqual({ text, serious, visible });
  });

  it('colours issue lines as Django does on a terminal', () => {
    const style = makeStyle(PALETTES.dark);
    expect(formatCheckReport([w004], { style }).text).toBe(
      'System check identified some issues:\n\nWARNINGS:\n' +
        span("?: (staticfiles.W004) The directory 'demo52/nonexistent_static' in the STATICFILES_DIRS setting does not exist.", YELLOW, BOLD) +
        '\n\n' +
        'System check identified 1 issue (0 silenced).',
    );
    expect(formatCheckReport([new CheckError('e', { id: 'x.E001' })], { style }).text).toBe(
      span('SystemCheckError: System check identified some issues:\n', RED, BOLD) +
        `\nERRORS:\n${span('?: (x.E001) e', RED, BOLD)}\n\n` +
        'System check identified 1 issue (0 silenced).',
    );
  });

  it('gives SystemCheckError for the caller to throw', () => {
    const report = formatCheckReport([new CheckError('e')]);
    const error = new SystemCheckError(report.text);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SystemCheckError');
    expect(error.message).toBe('SystemCheckError: System check identified some issues:\n\nERRORS:\n?: e\n\nSystem check identified 1 issue (0 silenced).');
  });
});
