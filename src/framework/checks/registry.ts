// The system-check framework (Django's django.core.checks): messages with levels, a registry of checks,
// the built-in checks, and the report runserver prints before it starts serving.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { Style } from '../../log/termcolors.js';
import { settings } from '../conf/settings.js';

export const DEBUG = 10;
export const INFO = 20;
export const WARNING = 30;
export const ERROR = 40;
export const CRITICAL = 50;

export interface CheckMessageOptions {
  hint?: string | null;
  /** What the message is about; printed with String(obj), '?' when there is none. */
  obj?: unknown;
  /** 'app.W001': what SILENCED_SYSTEM_CHECKS-style lists refer to. */
  id?: string | null;
}

/** One finding of a check. */
export class CheckMessage {
  readonly level: number;
  readonly msg: string;
  readonly hint: string | null;
  readonly obj: unknown;
  readonly id: string | null;

  constructor(level: number, msg: string, { hint = null, obj = null, id = null }: CheckMessageOptions = {}) {
    if (!Number.isInteger(level)) throw new TypeError('The first argument should be level.');
    this.level = level;
    this.msg = msg;
    this.hint = hint;
    this.obj = obj;
    this.id = id;
  }

  /** True from `level` up: by default ERROR and CRITICAL stop runserver. */
  isSerious(level = ERROR): boolean {
    return this.level >= level;
  }

  /** Django's format: `?: (staticfiles.W004) The directory ...`, the hint on a tab-indented line. */
  toString(): string {
    const obj = this.obj === null || this.obj === undefined ? '?' : String(this.obj);
    const id = this.id ? `(${this.id}) ` : '';
    const hint = this.hint ? `\n\tHINT: ${this.hint}` : '';
    return `${obj}: ${id}${this.msg}${hint}`;
  }
}

export class Debug extends CheckMessage {
  constructor(msg: string, options?: CheckMessageOptions) {
    super(DEBUG, msg, options);
  }
}

export class Info extends CheckMessage {
  constructor(msg: string, options?: CheckMessageOptions) {
    super(INFO, msg, options);
  }
}

export class Warning extends CheckMessage {
  constructor(msg: string, options?: CheckMessageOptions) {
    super(WARNING, msg, options);
  }
}

// Named CheckError here so that this module keeps the global Error; exported as Django's `Error`.
class CheckError extends CheckMessage {
  constructor(msg: string, options?: CheckMessageOptions) {
    super(ERROR, msg, options);
  }
}
export { CheckError as Error };

export class Critical extends CheckMessage {
  constructor(msg: string, options?: CheckMessageOptions) {
    super(CRITICAL, msg, options);
  }
}

/** A check returns its findings (an empty array when all is well). */
export type Check = () => readonly CheckMessage[] | Promise<readonly CheckMessage[]>;

export interface RegisterOptions {
  tags?: readonly string[];
  /** Only run with includeDeployment (Django's `check --deploy`). */
  deploy?: boolean;
}

export interface RunChecksOptions {
  /** Run only the checks carrying one of these tags. */
  tags?: readonly string[];
  includeDeployment?: boolean;
}

/** A set of checks with their tags (Django's CheckRegistry); `register`/`runChecks` use the default one. */
export class CheckRegistry {
  readonly #checks = new Map<Check, { tags: readonly string[]; deploy: boolean }>();

  /** `register(check, 'urls')`, or `register(check, { tags: ['security'], deploy: true })`. */
  register(check: Check, ...rest: [RegisterOptions] | string[]): Check {
    const [first] = rest;
    const options: RegisterOptions = typeof first === 'object' ? first : { tags: rest as string[] };
    this.#checks.set(check, { tags: options.tags ?? [], deploy: options.deploy ?? false });
    return check;
  }

  /** The registered checks: the ordinary ones, then (when asked) the deployment ones, as Django orders them. */
  getChecks(includeDeployment = false): Check[] {
    const entries = [...this.#checks];
    const ordinary = entries.filter(([, meta]) => !meta.deploy);
    const deploy = includeDeployment ? entries.filter(([, meta]) => meta.deploy) : [];
    return [...ordinary, ...deploy].map(([check]) => check);
  }

  /** Runs the checks (one after the other, in registration order) and collects their messages. */
  async runChecks({ tags, includeDeployment = false }: RunChecksOptions = {}): Promise<CheckMessage[]> {
    let checks = this.getChecks(includeDeployment);
    if (tags !== undefined) checks = checks.filter((check) => this.#checks.get(check)?.tags.some((tag) => tags.includes(tag)));
    const messages: CheckMessage[] = [];
    for (const check of checks) {
      const found: unknown = await check();
      if (!Array.isArray(found)) {
        throw new TypeError(
          `The function ${check.name || 'anonymous'} did not return an array. ` +
            'All functions registered with the checks registry must return an array.',
        );
      }
      messages.push(...(found as CheckMessage[]));
    }
    return messages;
  }
}

/** The registry runserver's checks run from; the built-in checks are on it. */
export const registry = new CheckRegistry();

export function register(check: Check, ...rest: [RegisterOptions] | string[]): Check {
  return registry.register(check, ...rest);
}

export function runChecks(options?: RunChecksOptions): Promise<CheckMessage[]> {
  return registry.runChecks(options);
}

/** Raised by the caller when the report is serious: its message is the report text. */
export class SystemCheckError extends Error {
  override name = 'SystemCheckError';
}

export interface CheckReportOptions {
  /** Check ids to hide and count as silenced (Django's SILENCED_SYSTEM_CHECKS). */
  silenced?: readonly string[];
  /** Colours for the issue lines and the SystemCheckError header; none by default. */
  style?: Pick<Style, 'ERROR' | 'WARNING'>;
}

export interface CheckReport {
  /** The text Django prints, without its final newline. */
  text: string;
  /** A visible ERROR or CRITICAL: runserver must not serve (throw SystemCheckError(text)). */
  serious: boolean;
  /** Issues shown: 0 → the text goes to stdout, otherwise to stderr. */
  visible: number;
}

const GROUPS: readonly [name: string, min: number, max: number][] = [
  ['CRITICALS', CRITICAL, Infinity],
  ['ERRORS', ERROR, CRITICAL],
  ['WARNINGS', WARNING, ERROR],
  ['INFOS', INFO, WARNING],
  ['DEBUGS', -Infinity, INFO],
];

const plain = (text: string): string => text;

/** Django's BaseCommand.check(display_num_errors=True) output for these messages. */
export function formatCheckReport(messages: readonly CheckMessage[], { silenced = [], style }: CheckReportOptions = {}): CheckReport {
  const isSilenced = (message: CheckMessage): boolean => message.id !== null && silenced.includes(message.id);
  const error = style?.ERROR ?? plain;
  const warning = style?.WARNING ?? plain;
  let body = '';
  let visible = 0;
  for (const [name, min, max] of GROUPS) {
    const issues = messages.filter((m) => m.level >= min && m.level < max && !isSilenced(m));
    if (issues.length === 0) continue;
    visible += issues.length;
    const lines = issues.map((m) => (m.isSerious() ? error(String(m)) : warning(String(m)))).sort();
    body += `\n${name}:\n${lines.join('\n')}\n`;
  }
  const header = visible ? 'System check identified some issues:\n' : '';
  const count = visible === 0 ? 'no issues' : visible === 1 ? '1 issue' : `${visible} issues`;
  const footer = `${visible ? '\n' : ''}System check identified ${count} (${messages.length - visible} silenced).`;
  const serious = messages.some((m) => m.isSerious() && !isSilenced(m));
  const text = serious ? error(`SystemCheckError: ${header}`) + body + footer : header + body + footer;
  return { text, serious, visible };
}

// Built-in checks -----------------------------------------------------------------------------------------

function isDirectory(dir: string): boolean {
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** staticfiles.W004: each STATICFILES_DIRS entry (relative ones from BASE_DIR) must be a directory. */
export function checkStaticfilesDirs(): CheckMessage[] {
  return settings.STATICFILES_DIRS.filter((dir) => !isDirectory(path.resolve(settings.BASE_DIR, dir))).map(
    (dir) => new Warning(`The directory '${dir}' in the STATICFILES_DIRS setting does not exist.`, { id: 'staticfiles.W004' }),
  );
}

/** urls.W002 and friends, for the ROOT_URLCONF (loaded here, as runserver's checks run before any request). */
export async function checkUrls(): Promise<CheckMessage[]> {
  // Imported when run: urls/resolvers.ts builds its warnings with the classes above.
  const { checkUrlConfig } = await import('../urls/resolvers.js');
  return checkUrlConfig();
}

/** security.W009 (deployment): signing needs a secret. */
export function checkSecretKey(): CheckMessage[] {
  if (settings.SECRET_KEY) return [];
  return [
    new Warning('Your SECRET_KEY is empty. Signing and password-reset tokens need a long, random SECRET_KEY.', {
      id: 'security.W009',
    }),
  ];
}

/** security.W020 (deployment): with DEBUG off, every Host header is refused while ALLOWED_HOSTS is empty. */
export function checkAllowedHosts(): CheckMessage[] {
  if (settings.DEBUG || settings.ALLOWED_HOSTS.length > 0) return [];
  return [new Warning('ALLOWED_HOSTS must not be empty in deployment.', { id: 'security.W020' })];
}

registry.register(checkStaticfilesDirs, 'staticfiles');
registry.register(checkUrls, 'urls');
registry.register(checkSecretKey, { tags: ['security'], deploy: true });
registry.register(checkAllowedHosts, { tags: ['security'], deploy: true });
