// Settings: located from --settings, GWI_SETTINGS_MODULE or package.json's "gwi.settings", checked key by
// key against the names of global-settings.ts, and readable everywhere as `settings`.
import path from 'node:path';
import { inspect } from 'node:util';
import { ImproperlyConfigured } from '../exceptions.js';
import { errorLocation, errorSummary, findProjectRoot, importModule, normalizeModuleName, readProjectField, resolveModuleFile } from '../utils/module-loading.js';
import { DEFAULTS, type Settings } from './global-settings.js';

/** What a settings module exports: any subset of Settings. */
export type SettingsInput = Partial<Settings>;

type Check = (value: unknown) => string | null;

const isBool: Check = (v) => (typeof v === 'boolean' ? null : 'a boolean');
const isString: Check = (v) => (typeof v === 'string' ? null : 'a string');
const orNull = (check: Check): Check => (v) => (v === null ? null : check(v));
const isCount: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? null : 'a whole number ≥ 0');
const isSameSite: Check = (v) =>
  v === null || (typeof v === 'string' && ['lax', 'strict', 'none'].includes(v.toLowerCase())) ? null : "'Lax', 'Strict', 'None' or null";
const isStrings: Check = (v) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? null : 'an array of strings');

const CHECKS: Record<keyof Settings, Check> = {
  DEBUG: isBool,
  ALLOWED_HOSTS: isStrings,
  SECRET_KEY: isString,
  SECRET_KEY_FALLBACKS: isStrings,
  ROOT_URLCONF: (v) =>
    v === null || typeof v === 'string' || (typeof v === 'object' && Array.isArray((v as { urlpatterns?: unknown }).urlpatterns))
      ? null
      : "a module name ('mysite/urls') or a module with urlpatterns",
  GWI_APPLICATION: orNull(isString),
  MIDDLEWARE: (v) =>
    Array.isArray(v) && v.every((m) => typeof m === 'string' || typeof m === 'function')
      ? null
      : 'an array of middleware factories or import strings',
  APPEND_SLASH: isBool,
  PREPEND_WWW: isBool,
  STATIC_URL: orNull(isString),
  STATICFILES_DIRS: isStrings,
  DATA_UPLOAD_MAX_MEMORY_SIZE: orNull(isCount),
  DATA_UPLOAD_MAX_NUMBER_FIELDS: orNull(isCount),
  DATA_UPLOAD_MAX_NUMBER_FILES: orNull(isCount),
  FILE_UPLOAD_MAX_MEMORY_SIZE: isCount,
  FILE_UPLOAD_TEMP_DIR: orNull(isString),
  DEFAULT_CHARSET: isString,
  USE_X_FORWARDED_HOST: isBool,
  USE_X_FORWARDED_PORT: isBool,
  SECURE_PROXY_SSL_HEADER: (v) =>
    v === null || (Array.isArray(v) && v.length === 2 && v.every((s) => typeof s === 'string')) ? null : 'null or a [header, value] pair',
  SECURE_CONTENT_TYPE_NOSNIFF: isBool,
  SECURE_REFERRER_POLICY: orNull(isString),
  SECURE_CROSS_ORIGIN_OPENER_POLICY: orNull(isString),
  X_FRAME_OPTIONS: isString,
  CSRF_COOKIE_NAME: isString,
  CSRF_COOKIE_AGE: orNull(isCount),
  CSRF_COOKIE_DOMAIN: orNull(isString),
  CSRF_COOKIE_PATH: isString,
  CSRF_COOKIE_SECURE: isBool,
  CSRF_COOKIE_HTTPONLY: isBool,
  CSRF_COOKIE_SAMESITE: (v) => (v === false || v === 'Lax' || v === 'Strict' || v === 'None' ? null : "'Lax', 'Strict', 'None' or false"),
  CSRF_HEADER_NAME: isString,
  CSRF_TRUSTED_ORIGINS: isStrings,
  CSRF_FAILURE_VIEW: (v) => (v === null || typeof v === 'string' || typeof v === 'function' ? null : 'a view function, an import string or null'),
  FORCE_SCRIPT_NAME: orNull(isString),
  SESSION_COOKIE_NAME: isString,
  SESSION_COOKIE_AGE: isCount,
  SESSION_COOKIE_DOMAIN: orNull(isString),
  SESSION_COOKIE_PATH: isString,
  SESSION_COOKIE_HTTPONLY: isBool,
  SESSION_COOKIE_SAMESITE: isSameSite,
  SESSION_COOKIE_SECURE: isBool,
  SESSION_SAVE_EVERY_REQUEST: isBool,
  SESSION_EXPIRE_AT_BROWSER_CLOSE: isBool,
  BASE_DIR: isString,
};

/** Levenshtein distance, to suggest the setting a typo meant. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

function suggestion(name: string): string {
  let best: string | null = null;
  let bestDistance = 3;
  for (const known of Object.keys(DEFAULTS)) {
    const d = distance(name.toUpperCase(), known);
    if (d < bestDistance) {
      best = known;
      bestDistance = d;
    }
  }
  return best ? ` Did you mean '${best}'?` : '';
}

/** Checks every key and value; `where` names the settings module in messages. */
export function validateSettings(values: Record<string, unknown>, where = 'settings'): SettingsInput {
  for (const [name, value] of Object.entries(values)) {
    // hasOwn: 'constructor' or 'toString' are not settings, whatever Object.prototype says.
    const check = Object.hasOwn(CHECKS, name) ? CHECKS[name as keyof Settings] : undefined;
    if (!check) throw new ImproperlyConfigured(`Unknown setting '${name}' in ${where}.${suggestion(name)}`);
    const expected = check(value);
    if (expected) throw new ImproperlyConfigured(`The ${name} setting in ${where} must be ${expected} (got ${inspect(value)}).`);
  }
  return values as SettingsInput;
}

/** Types and checks a settings module's values: `export default defineSettings({ DEBUG: true, ... })`. */
export function defineSettings<T extends SettingsInput>(values: T & Record<Exclude<keyof T, keyof Settings>, never>): T {
  validateSettings(values);
  return values;
}

/** The configured settings plus where they came from. */
export type ConfiguredSettings = Readonly<Settings> & { readonly SETTINGS_MODULE: string | null };

const THREE_WAYS =
  'give a settings module with --settings mysite/settings, the GWI_SETTINGS_MODULE environment variable, ' +
  'or "gwi": { "settings": "mysite/settings" } in package.json';

let current: ConfiguredSettings | null = null;

/**
 * The settings in force, read-only. Reading one before settings are configured is an
 * ImproperlyConfigured naming the ways to configure them (Django's LazySettings).
 */
export const settings: ConfiguredSettings = new Proxy({} as ConfiguredSettings, {
  get(_target, name) {
    if (current === null) {
      // Symbols and `then` are probes (util.inspect, await), not settings.
      if (typeof name === 'symbol' || name === 'then') return undefined;
      throw new ImproperlyConfigured(
        `Requested setting ${name}, but settings are not configured. You must either ${THREE_WAYS}, or call configureSettings() before accessing settings.`,
      );
    }
    return current[name as keyof ConfiguredSettings];
  },
  set(_target, name) {
    throw new TypeError(`Cannot assign to setting ${String(name)}: settings are read-only (call configureSettings() to replace them).`);
  },
  deleteProperty(_target, name) {
    throw new TypeError(`Cannot delete setting ${String(name)}: settings are read-only.`);
  },
  defineProperty(_target, name) {
    throw new TypeError(`Cannot define setting ${String(name)}: settings are read-only.`);
  },
  has(_target, name) {
    return current !== null && name in current;
  },
  ownKeys() {
    return current === null ? [] : Reflect.ownKeys(current);
  },
  getOwnPropertyDescriptor(_target, name) {
    const descriptor = current === null ? undefined : Reflect.getOwnPropertyDescriptor(current, name);
    // The proxy's own target is empty: a frozen property may only be reported as configurable.
    return descriptor && { ...descriptor, configurable: true };
  },
});

/**
 * The settings object in force, or the `settings` proxy while there is none (whose reads then throw
 * the same ImproperlyConfigured): for the reads made on every request, which the proxy's trap slows.
 */
export function currentSettings(): ConfiguredSettings {
  return current ?? settings;
}

/** Installs settings directly (Django's settings.configure()): tests and programmatic use. */
export function configureSettings(values: SettingsInput = {}, settingsModule: string | null = null): ConfiguredSettings {
  validateSettings(values as Record<string, unknown>, settingsModule ?? 'configureSettings()');
  current = Object.freeze({ ...DEFAULTS, BASE_DIR: process.cwd(), ...values, SETTINGS_MODULE: settingsModule });
  return current;
}

/** True once settings are configured. */
export function settingsConfigured(): boolean {
  return current !== null;
}

/** Forgets the settings (tests). */
export function resetSettings(): void {
  current = null;
}

export interface LocateOptions {
  /** The --settings option. */
  settings?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface SettingsLocation {
  module: string;
  file: string;
  root: string;
  source: '--settings' | 'GWI_SETTINGS_MODULE' | 'package.json';
}

/** Finds the settings module from --settings, then GWI_SETTINGS_MODULE, then package.json's gwi.settings. */
export function locateSettings({ settings: option, env = process.env, cwd = process.cwd() }: LocateOptions = {}): SettingsLocation {
  const root = findProjectRoot(cwd);
  let module: string | undefined;
  let source: SettingsLocation['source'];
  if (option) [module, source] = [option, '--settings'];
  else if (env.GWI_SETTINGS_MODULE) [module, source] = [env.GWI_SETTINGS_MODULE, 'GWI_SETTINGS_MODULE'];
  else [module, source] = [readProjectField(root)?.settings, 'package.json'];
  if (!module) throw new ImproperlyConfigured(`No settings module was found: ${THREE_WAYS}.`);
  const name = normalizeModuleName(module);
  const file = resolveModuleFile(name, root);
  if (file === null) {
    throw new ImproperlyConfigured(`Settings module '${name}' (from ${source}) was not found: there is no ${path.resolve(root, name)}.ts.`);
  }
  return { module: name, file, root, source };
}

/** Locates, imports and checks the settings module, and installs it as `settings`. */
export async function loadSettings(options: LocateOptions = {}): Promise<ConfiguredSettings> {
  const location = locateSettings(options);
  let exported: Record<string, unknown>;
  try {
    exported = await importModule(location.module, location.root);
  } catch (err) {
    const where = errorLocation(err);
    throw new ImproperlyConfigured(
      `Settings module '${location.module}' could not be imported: ${errorSummary(err)}${where ? ` (${where})` : ''}`,
      { cause: err },
    );
  }
  const values = exported.default;
  if (values === undefined) {
    throw new ImproperlyConfigured(
      `Settings module '${location.module}' has no default export: end it with export default defineSettings({ ... }).`,
    );
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new ImproperlyConfigured(
      `The default export of settings module '${location.module}' must be an object of settings (got ${inspect(values)}).`,
    );
  }
  return configureSettings({ BASE_DIR: location.root, ...(values as SettingsInput) }, location.module);
}
