// runserver's --inspect and --inspect-brk as node has them: a value only after '=' (in `--inspect 8001`,
// 8001 is the addrport), and the address they name, checked at start-up.
import { Option, type Command } from 'commander';
import { claimInspector, parseInspect, type InspectTarget } from '../runserver/inspect.js';

export interface InspectFlags {
  /** '' for the flag alone. */
  inspect?: string;
  inspectBrk?: string;
}

/** An option whose value follows '=' only: the help shows it so. */
function equalsOption(name: string, description: string): Option {
  const option = new Option(`${name} [address]`, description);
  option.flags = `${name}[=[host:]port]`;
  return option;
}

/** Adds the two options to `command`. */
export function withInspectOptions(command: Command): Command {
  const parseOptions = command.parseOptions.bind(command);
  const names = ['--inspect', '--inspect-brk'];
  // commander would give an optional value the next argument: the flag alone gets an empty one instead.
  command.parseOptions = (args) => {
    const end = args.indexOf('--');
    return parseOptions(args.map((arg, i) => (names.includes(arg) && (end === -1 || i < end) ? `${arg}=` : arg)));
  };
  return command
    .addOption(equalsOption('--inspect', 'Opens the inspector of the serving process (default 127.0.0.1:9229); it follows reloads.'))
    .addOption(equalsOption('--inspect-brk', "As --inspect, and each load waits for a debugger and breaks before the project's code runs."));
}

/**
 * Where the flags say the inspector listens (undefined without them): --inspect-brk's address, else
 * --inspect's, as node takes them together. A CommandError when the value is not one, a BindError when
 * nothing can listen there.
 */
export async function inspectTarget({ inspect, inspectBrk }: InspectFlags): Promise<InspectTarget | undefined> {
  if (inspect === undefined && inspectBrk === undefined) return undefined;
  const wait = inspectBrk !== undefined;
  const target = inspectBrk ? parseInspect(inspectBrk, '--inspect-brk', wait) : parseInspect(inspect ?? '', '--inspect', wait);
  return claimInspector(target);
}
