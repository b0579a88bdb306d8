// Settings: where the module is found (--settings, GWI_SETTINGS_MODULE, package.json), what a broken one
// says (with the file and line at fault), the checks on names and values, and the `settings` object.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../../src/framework/conf/global-settings.js';
import {
  configureSettings,
  defineSettings,
  loadSettings,
  locateSettings,
  resetSettings,
  settings,
  settingsConfigured,
  validateSettings,
} from '../../../src/framework/conf/settings.js';
import { ImproperlyConfigured } from '../../../src/framework/exceptions.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'settings');
const PROJECT = path.join(FIXTURES, 'project');
const BROKEN = path.join(FIXTURES, 'broken');

const THREE_WAYS =
  'give a settings module with --settings mysite/settings, the GWI_SETTINGS_MODULE environment variable, ' +
  'or "gwi": { "settings": "mysite/settings" } in package.json';

/** The error `promise` rejects with, for assertions on its message and cause. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return err as Error;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return err as Error;
  }
  throw new Error('expected an exception');
}

afterEach(() => resetSettings());

describe('locateSettings', () => {
  it('takes --settings before GWI_SETTINGS_MODULE before package.json', () => {
    const env = { GWI_SETTINGS_MODULE: 'mysite/env_settings' };
    expect(locateSettings({ settings: 'mysite/cli_settings', env, cwd: PROJECT })).toEqual({
      module: 'mysite/cli_settings',
      file: path.join(PROJECT, 'mysite', 'cli_settings.ts'),
      root: PROJECT,
      source: '--settings',
    });
    expect(locateSettings({ env, cwd: PROJECT })).toEqual({
      module: 'mysite/env_settings',
      file: path.join(PROJECT, 'mysite', 'env_settings.ts'),
      root: PROJECT,
      source: 'GWI_SETTINGS_MODULE',
    });
    expect(locateSettings({ env: {}, cwd: PROJECT })).toEqual({
      module: 'mysite/settings',
      file: path.join(PROJECT, 'mysite', 'settings.ts'),
      root: PROJECT,
      source: 'package.json',
    });
  });

  it.each(['mysite.settings', 'mysite/settings', 'mysite/settings.ts', './mysite/settings.ts'])('understands %s', (name) => {
    const location = locateSettings({ settings: name, env: {}, cwd: PROJECT });
    expect(location.module).toBe('mysite/settings');
    expect(location.file).toBe(path.join(PROJECT, 'mysite', 'settings.ts'));
  });

  it('finds the project root above the working directory', () => {
    expect(locateSettings({ env: {}, cwd: path.join(PROJECT, 'mysite') }).root).toBe(PROJECT);
  });

  it('names the three ways to give settings when none is given', () => {
    const error = thrown(() => locateSettings({ env: {}, cwd: BROKEN }));
    expect(error).toBeInstanceOf(ImproperlyConfigured);
    expect(error.message).toBe(`No settings module was found: ${THREE_WAYS}.`);
  });

  it('says which settings module does not exist and who named it', () => {
    expect(() => locateSettings({ settings: 'mysite.nope', env: {}, cwd: PROJECT })).toThrow(
      new ImproperlyConfigured(`Settings module 'mysite/nope' (from --settings) was not found: there is no ${PROJECT}/mysite/nope.ts.`),
    );
    expect(() => locateSettings({ env: { GWI_SETTINGS_MODULE: 'nope' }, cwd: PROJECT })).toThrow(
      new ImproperlyConfigured(`Settings module 'nope' (from GWI_SETTINGS_MODULE) was not found: there is no ${PROJECT}/nope.ts.`),
    );
  });
});

describe('loadSettings', () => {
  it('imports, checks and installs the settings, recording the module and the project root', async () => {
    const loaded = await loadSettings({ env: {}, cwd: PROJECT });
    expect(loaded.SETTINGS_MODULE).toBe('mysite/settings');
    expect(settings.SETTINGS_MODULE).toBe('mysite/settings');
    expect(settings.BASE_DIR).toBe(PROJECT);
    expect(settings.DEBUG).toBe(true);
    expect(settings.ALLOWED_HOSTS).toEqual(['testserver']);
    expect(settings.SECRET_KEY).toBe('from package.json');
    expect(settings.GWI_APPLICATION).toBe('mysite/gwi#application');
    // Everything the module leaves out keeps Django's default.
    expect(settings.APPEND_SLASH).toBe(DEFAULTS.APPEND_SLASH);
    expect(settings.X_FRAME_OPTIONS).toBe('DENY');
  });

  it('records the module as normalized whatever form named it', async () => {
    await loadSettings({ settings: 'mysite.cli_settings', env: {}, cwd: PROJECT });
    expect(settings.SETTINGS_MODULE).toBe('mysite/cli_settings');
    expect(settings.SECRET_KEY).toBe('from --settings');
    await loadSettings({ env: { GWI_SETTINGS_MODULE: 'mysite/env_settings.ts' }, cwd: PROJECT });
    expect(settings.SETTINGS_MODULE).toBe('mysite/env_settings');
    expect(settings.SECRET_KEY).toBe('from GWI_SETTINGS_MODULE');
  });

  it('reports an error thrown while the module runs, at the line of the throw', async () => {
    const error = await rejection(loadSettings({ settings: 'throws', env: {}, cwd: BROKEN }));
    expect(error).toBeInstanceOf(ImproperlyConfigured);
    expect(error.message).toBe(
      `Settings module 'throws' could not be imported: Error: the settings module failed: port is NaN (${BROKEN}/throws.ts:4:7)`,
    );
    expect((error.cause as Error).message).toBe('the settings module failed: port is NaN');
    expect(settingsConfigured()).toBe(false);
  });

  it('reports an import of a missing module, at the import', async () => {
    const error = await rejection(loadSettings({ settings: 'missing_import', env: {}, cwd: BROKEN }));
    const file = `${BROKEN}/missing_import.ts`;
    expect(error.message).toBe(
      `Settings module 'missing_import' could not be imported: Error: Cannot find module './does-not-exist.js' imported from ${file} (${file}:3:1)`,
    );
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ERR_MODULE_NOT_FOUND');
  });

  describe('with a syntax error', () => {
    let dir: string | null = null;
    afterEach(() => {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
      dir = null;
    });

    it('reports it as a SyntaxError at its line and column', async () => {
      // A broken file cannot live in the repository: the type check would fail on it.
      dir = mkdtempSync(path.join(tmpdir(), 'gwi-settings-'));
      writeFileSync(path.join(dir, 'package.json'), '{ "type": "module", "gwi": { "settings": "settings" } }\n');
      writeFileSync(path.join(dir, 'settings.ts'), "// Settings with a typo.\nconst debug = true;\nconst hosts = = ['x'];\nexport default { DEBUG: debug, ALLOWED_HOSTS: hosts };\n");
      const error = await rejection(loadSettings({ env: {}, cwd: dir }));
      expect(error).toBeInstanceOf(ImproperlyConfigured);
      expect(error.message).toBe(`Settings module 'settings' could not be imported: SyntaxError: Unexpected token (${dir}/settings.ts:3:15)`);
      expect(error.cause).toBeInstanceOf(Error);
    });
  });

  it('reports a module without a default export', async () => {
    await expect(loadSettings({ settings: 'no_default', env: {}, cwd: BROKEN })).rejects.toThrow(
      new ImproperlyConfigured("Settings module 'no_default' has no default export: end it with export default defineSettings({ ... })."),
    );
    await expect(loadSettings({ settings: 'not_an_object', env: {}, cwd: BROKEN })).rejects.toThrow(
      new ImproperlyConfigured("The default export of settings module 'not_an_object' must be an object of settings (got 'DEBUG = true')."),
    );
  });

  it('suggests the setting an unknown name meant', async () => {
    await expect(loadSettings({ settings: 'unknown_setting', env: {}, cwd: BROKEN })).rejects.toThrow(
      new ImproperlyConfigured("Unknown setting 'DEBG' in unknown_setting. Did you mean 'DEBUG'?"),
    );
  });

  it('reports an unknown name given to defineSettings() where the module calls it', async () => {
    const error = await rejection(loadSettings({ settings: 'unknown_defined', env: {}, cwd: BROKEN }));
    expect(error.message).toBe(
      "Settings module 'unknown_defined' could not be imported: ImproperlyConfigured: Unknown setting 'DEBG' in settings. " +
        `Did you mean 'DEBUG'? (${BROKEN}/unknown_defined.ts:4:16)`,
    );
  });

  it('says what type a mistyped value must have', async () => {
    await expect(loadSettings({ settings: 'mistyped_value', env: {}, cwd: BROKEN })).rejects.toThrow(
      new ImproperlyConfigured("The DEBUG setting in mistyped_value must be a boolean (got 'yes')."),
    );
  });
});

describe('the settings object', () => {
  it('refuses to be read before settings are configured', () => {
    expect(settingsConfigured()).toBe(false);
    expect(() => settings.DEBUG).toThrow(
      new ImproperlyConfigured(
        `Requested setting DEBUG, but settings are not configured. You must either ${THREE_WAYS}, or call configureSettings() before accessing settings.`,
      ),
    );
    // Probes by await and util.inspect are not setting reads.
    expect((settings as unknown as { then?: unknown }).then).toBeUndefined();
    expect(Object.keys(settings)).toEqual([]);
  });

  it('is installed by configureSettings() and forgotten by resetSettings()', () => {
    const configured = configureSettings({ DEBUG: true, SECRET_KEY: 's' }, 'tests');
    expect(settingsConfigured()).toBe(true);
    expect(configured).toMatchObject({ DEBUG: true, SECRET_KEY: 's', SETTINGS_MODULE: 'tests', BASE_DIR: process.cwd() });
    expect(settings.DEBUG).toBe(true);
    expect(settings.DATA_UPLOAD_MAX_MEMORY_SIZE).toBe(2621440);
    expect({ ...settings }).toEqual(configured);
    expect('DEBUG' in settings).toBe(true);
    expect(Object.hasOwn(settings, 'DEBUG')).toBe(true);
    expect(Object.hasOwn(settings, 'NOT_A_SETTING')).toBe(false);
    expect(configureSettings().SETTINGS_MODULE).toBeNull();
    expect(settings.DEBUG).toBe(false);
    resetSettings();
    expect(settingsConfigured()).toBe(false);
    expect(() => settings.SECRET_KEY).toThrow(ImproperlyConfigured);
  });

  it('is read-only', () => {
    configureSettings({ DEBUG: false });
    expect(() => {
      (settings as { DEBUG: boolean }).DEBUG = true;
    }).toThrow(new TypeError('Cannot assign to setting DEBUG: settings are read-only (call configureSettings() to replace them).'));
    expect(settings.DEBUG).toBe(false);
  });

  it('checks what configureSettings() is given', () => {
    expect(() => configureSettings({ DEBUG: 'yes' } as never)).toThrow(
      new ImproperlyConfigured("The DEBUG setting in configureSettings() must be a boolean (got 'yes')."),
    );
    expect(() => configureSettings({ debug: true } as never)).toThrow(
      new ImproperlyConfigured("Unknown setting 'debug' in configureSettings(). Did you mean 'DEBUG'?"),
    );
    expect(settingsConfigured()).toBe(false);
  });
});

describe('validateSettings', () => {
  it.each<[Record<string, unknown>, string]>([
    [{ ALLOWED_HOST: [] }, "Unknown setting 'ALLOWED_HOST' in settings. Did you mean 'ALLOWED_HOSTS'?"],
    [{ SOMETHING_ELSE: 1 }, "Unknown setting 'SOMETHING_ELSE' in settings."],
    // Object.prototype's names are not settings either.
    [{ constructor: 1 }, "Unknown setting 'constructor' in settings."],
    [{ ALLOWED_HOSTS: 'localhost' }, "The ALLOWED_HOSTS setting in settings must be an array of strings (got 'localhost')."],
    [{ DATA_UPLOAD_MAX_MEMORY_SIZE: -1 }, 'The DATA_UPLOAD_MAX_MEMORY_SIZE setting in settings must be a whole number ≥ 0 (got -1).'],
    [{ STATIC_URL: 3 }, 'The STATIC_URL setting in settings must be a string (got 3).'],
    [{ SECURE_PROXY_SSL_HEADER: ['X-Forwarded-Proto'] }, "The SECURE_PROXY_SSL_HEADER setting in settings must be null or a [header, value] pair (got [ 'X-Forwarded-Proto' ])."],
    [{ MIDDLEWARE: [1] }, 'The MIDDLEWARE setting in settings must be an array of middleware factories or import strings (got [ 1 ]).'],
    [{ ROOT_URLCONF: {} }, "The ROOT_URLCONF setting in settings must be a module name ('mysite/urls') or a module with urlpatterns (got {})."],
    [{ SECRET_KEY_FALLBACKS: 'old-key' }, "The SECRET_KEY_FALLBACKS setting in settings must be an array of strings (got 'old-key')."],
    [{ SESSION_COOKIE_SAMESITE: false }, "The SESSION_COOKIE_SAMESITE setting in settings must be 'Lax', 'Strict', 'None' or null (got false)."],
    [{ SESSION_COOKIE_AGE: 1.5 }, 'The SESSION_COOKIE_AGE setting in settings must be a whole number ≥ 0 (got 1.5).'],
  ])('rejects %o', (values, message) => {
    expect(() => validateSettings(values)).toThrow(new ImproperlyConfigured(message));
  });

  it('accepts every default and null where a setting allows it', () => {
    expect(validateSettings({ ...DEFAULTS })).toEqual(DEFAULTS);
    expect(() => validateSettings({ STATIC_URL: null, DATA_UPLOAD_MAX_NUMBER_FIELDS: null, ROOT_URLCONF: { urlpatterns: [] } })).not.toThrow();
    expect(() => validateSettings({ SESSION_COOKIE_SAMESITE: null, SESSION_COOKIE_DOMAIN: null })).not.toThrow();
    expect(() => validateSettings({ SESSION_COOKIE_SAMESITE: 'strict' })).not.toThrow();
  });
});

describe('defineSettings', () => {
  it('returns its settings, checked at run time and typed at compile time', () => {
    const values = defineSettings({ DEBUG: true, ALLOWED_HOSTS: ['example.com'] });
    expect(values).toEqual({ DEBUG: true, ALLOWED_HOSTS: ['example.com'] });
    // The type checker rejects these lines; at run time, the same check throws.
    // @ts-expect-error DEBG is not a setting
    expect(() => defineSettings({ DEBUG: true, DEBG: true })).toThrow(new ImproperlyConfigured("Unknown setting 'DEBG' in settings. Did you mean 'DEBUG'?"));
    // @ts-expect-error DEBUG is a boolean
    expect(() => defineSettings({ DEBUG: 'yes' })).toThrow(new ImproperlyConfigured("The DEBUG setting in settings must be a boolean (got 'yes')."));
  });
});
