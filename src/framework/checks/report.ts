// What a command prints after running the checks (Django's BaseCommand.check()): the issues grouped by
// level, the count line, and SystemCheckError when they must stop the command.
import type { Style } from '../../log/termcolors.js';
import { CRITICAL, ERROR, INFO, WARNING, type CheckMessage } from './messages.js';

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
