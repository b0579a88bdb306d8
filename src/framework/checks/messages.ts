// System-check messages (Django's django.core.checks.messages): the levels DEBUG..CRITICAL and the
// CheckMessage a check returns, with a class for each level.
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
