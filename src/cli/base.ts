// What every gwi command shares (Django's BaseCommand): the help texts, the exit status of a usage error,
// how an error is printed, and how a serving command stops on Ctrl-C.
import { inspect } from 'node:util';
import { SystemCheckError } from '../framework/checks/report.js';
import type { Style } from '../log/termcolors.js';
import { CommandError } from '../runserver/errors.js';
import type { Output } from '../runserver/options.js';

export const VERSION_HELP = "Show program's version number and exit.";
export const HELP_HELP = 'Show this help message and exit.';

/** The process exit status for a parse error: argparse's 2, not commander's 1. */
export const USAGE_ERROR = 2;

/**
 * Prints an error the way Django's run_from_argv does and returns the exit status: a CommandError as
 * one line, in the ERROR style when stderr is a terminal; a SystemCheckError as its report. Anything
 * else is a crash, shown with its stack.
 */
export function reportError(err: unknown, stderr: Output, style: Pick<Style, 'ERROR'>): number {
  if (err instanceof SystemCheckError) {
    stderr.write(`${err.message}\n`);
    return 1;
  }
  if (err instanceof CommandError) {
    const line = `${err.name}: ${err.message}\n`;
    stderr.write(stderr.isTTY ? style.ERROR(line) : line);
    return err.returncode;
  }
  stderr.write(`${inspect(err)}\n`);
  return 1;
}

/** Stops on SIGINT/SIGTERM (quietly, as Django on Ctrl-C); a second signal exits at once. */
export function stopOnSignals(): AbortSignal {
  const controller = new AbortController();
  const stop = (): void => {
    if (controller.signal.aborted) process.exit(0);
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return controller.signal;
}
