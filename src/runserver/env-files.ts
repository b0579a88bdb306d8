// `.env` files, in node's --env-file (dotenv) format: `KEY=value` lines, `export ` allowed, `#` comments,
// values bare (an inline ` # comment` cut off), in single quotes or backquotes (as written, over several
// lines too) or in double quotes (`\n` is a newline; over several lines too). runserver loads the project's
// `.env` (or the files --env-file names) into the serving process, before the settings: variables already
// set in the shell win, as with node's --env-file; a later file wins over an earlier one.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface ParsedEnv {
  values: Record<string, string>;
  /** The lines that are neither blank, a comment nor `KEY=value` (1-based), left out. */
  malformed: number[];
}

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][\w.-]*)\s*=\s?(.*)$/;
const QUOTES = new Set(['"', "'", '`']);

/** The closing quote of a value that starts at `text[0]`, or -1 when the value goes on past this text. */
function closingQuote(text: string): number {
  const quote = text[0] as string;
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\' && quote === '"') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function unquote(quoted: string): string {
  const quote = quoted[0];
  const inner = quoted.slice(1, -1);
  return quote === '"' ? inner.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1') : inner;
}

export function parseEnv(text: string): ParsedEnv {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const malformed: number[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const match = ASSIGNMENT.exec(line);
    if (!match) {
      malformed.push(index + 1);
      continue;
    }
    const key = match[1] as string;
    let value = (match[2] as string).trimStart();
    if (QUOTES.has(value[0] as string)) {
      // A quoted value may go on over the next lines, up to its closing quote.
      let end = closingQuote(value);
      while (end < 0 && index + 1 < lines.length) {
        value += `\n${lines[++index] as string}`;
        end = closingQuote(value);
      }
      if (end < 0) {
        malformed.push(index + 1);
        continue;
      }
      values[key] = unquote(value.slice(0, end + 1));
    } else {
      values[key] = value.replace(/\s+#.*$/, '').trim();
    }
  }
  return { values, malformed };
}

/** The env files a run loads: those --env-file named (from the working folder), else the project's `.env`. */
export function envFilesOf(named: readonly string[] | undefined, root: string, cwd = process.cwd()): string[] {
  return named && named.length > 0 ? named.map((file) => path.resolve(cwd, file)) : [path.join(root, '.env')];
}

/**
 * Sets the variables of `files` (in that order: a later file wins) that `env` does not have already;
 * a file that is missing is skipped, a malformed line is a warning with its file:line. Returns the
 * files read.
 */
export function loadEnvFiles(files: readonly string[], env: NodeJS.ProcessEnv, warn: (message: string) => void): string[] {
  const fromShell = new Set(Object.keys(env));
  const read: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn(`Warning: ${file} could not be read: ${(err as Error).message}`);
      continue;
    }
    read.push(file);
    const { values, malformed } = parseEnv(text);
    for (const line of malformed) warn(`Warning: ${path.relative(process.cwd(), file) || file}:${line}: not a KEY=value line, left out.`);
    for (const [key, value] of Object.entries(values)) if (!fromShell.has(key)) env[key] = value;
  }
  return read;
}
