// The system-check registry (Django's django.core.checks.registry): checks registered with their tags,
// run in registration order; the built-in checks are registered here, on the default registry.
import { checkStaticfilesDirs } from '../staticfiles/checks.js';
import { checkCsrfCookieSecure, checkCsrfFailureView, checkCsrfMiddleware } from './csrf.js';
import type { CheckMessage } from './messages.js';
import { checkAllowedHosts, checkSecretKey } from './security.js';
import { checkSessionCookieHttponly, checkSessionCookieSecure } from './sessions.js';
import { checkUrlConfig } from './urls.js';

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

registry.register(checkStaticfilesDirs, 'staticfiles');
registry.register(checkUrlConfig, 'urls');
registry.register(checkSecretKey, { tags: ['security'], deploy: true });
registry.register(checkAllowedHosts, { tags: ['security'], deploy: true });
registry.register(checkSessionCookieSecure, { tags: ['security'], deploy: true });
registry.register(checkSessionCookieHttponly, { tags: ['security'], deploy: true });
registry.register(checkCsrfMiddleware, { tags: ['security'], deploy: true });
registry.register(checkCsrfCookieSecure, { tags: ['security'], deploy: true });
registry.register(checkCsrfFailureView, 'security');
