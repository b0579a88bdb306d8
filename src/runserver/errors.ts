// The error a command raises to stop with a message and no stack trace (Django's CommandError).

/** Printed by the CLI as `CommandError: <message>` on stderr; the process exits with `returncode`. */
export class CommandError extends Error {
  override name = 'CommandError';
  readonly returncode: number;

  constructor(message: string, { returncode = 1, cause }: { returncode?: number; cause?: unknown } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.returncode = returncode;
  }
}

/**
 * A CommandError found before anything could serve: no settings module, or DEBUG off without
 * ALLOWED_HOSTS. The reloader exits on it at start-up (as Django does) instead of showing a page.
 */
export class SetupError extends CommandError {}

/** A system error while binding or serving (port in use, ...): Django prints it as `Error: <message>`. */
export class BindError extends CommandError {
  override name = 'Error';
}

const SYSTEM_ERROR_TEXTS: Readonly<Record<string, string>> = {
  EACCES: "You don't have permission to access that port.",
  EADDRINUSE: 'That port is already in use.',
  EADDRNOTAVAIL: "That IP address can't be assigned to.",
};

/**
 * Django's `except OSError` around run(): a system error (node's errors with a `code` and a `syscall`,
 * name look-ups included) becomes a BindError with Django's words, or node's message for other codes.
 * Anything else is returned unchanged.
 */
export function asBindError(err: unknown): unknown {
  if (!(err instanceof Error) || !('syscall' in err)) return err;
  const { code } = err as NodeJS.ErrnoException;
  if (typeof code !== 'string') return err;
  return new BindError(SYSTEM_ERROR_TEXTS[code] ?? err.message, { cause: err });
}
