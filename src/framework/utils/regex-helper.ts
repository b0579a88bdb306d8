// Django's utils/regex_helper.normalize: a URL pattern's regex → the templates reverse() fills in, one per
// combination of optional groups, with the parameters each one needs.
import { ImproperlyConfigured } from '../exceptions.js';

/** Literal URL text, or the place of a parameter's value. */
export type Token = string | { param: string };
/** One way to build a URL: its tokens, and the parameters that must all be given (no more, no fewer). */
export interface NormalForm {
  tokens: Token[];
  params: string[];
}

class Group {
  constructor(
    readonly name: string,
    /** null for a backreference: it repeats a parameter without being one. */
    readonly param: string | null,
  ) {}
}
class NonCapture {
  constructor(readonly items: Elem[]) {}
}
class Choice {
  constructor(readonly options: (Group | NonCapture | null)[]) {}
}
type Elem = string | Group | NonCapture | Choice;

// Escapes: a representative character, or null for zero-width assertions.
const ESCAPE_MAPPINGS: Readonly<Record<string, string | null>> = { A: null, b: null, B: null, d: '0', D: 'x', s: ' ', S: 'x', w: 'x', W: '!', Z: null };

const END = Symbol('end of pattern');

class Cursor {
  readonly #chars: [string, boolean][] = [];
  #i = 0;

  constructor(pattern: string) {
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i] as string;
      if (ch !== '\\') {
        this.#chars.push([ch, false]);
        continue;
      }
      const escaped = pattern[++i];
      if (escaped === undefined) break;
      const representative = Object.hasOwn(ESCAPE_MAPPINGS, escaped) ? ESCAPE_MAPPINGS[escaped] : escaped;
      if (representative !== null && representative !== undefined) this.#chars.push([representative, true]);
    }
  }

  next(): [string, boolean] {
    const item = this.#chars[this.#i++];
    if (item === undefined) throw END;
    return item;
  }

  peek(): [string, boolean] | undefined {
    return this.#chars[this.#i];
  }

  /** Skips to the ')' closing the current group. */
  walkToEnd(ch: string): void {
    let nesting = ch === '(' ? 1 : 0;
    for (let item = this.#chars[this.#i++]; item !== undefined; item = this.#chars[this.#i++]) {
      const [c, escaped] = item;
      if (escaped) continue;
      if (c === '(') nesting++;
      else if (c === ')') {
        if (!nesting) return;
        nesting--;
      }
    }
  }

  /** The minimum count of the quantifier starting at `ch`; a lazy '?' after it is consumed. */
  quantifier(ch: string): number {
    let count: number;
    if (ch === '{') {
      let text = '';
      for (let [c] = this.next(); c !== '}'; [c] = this.next()) text += c;
      count = Number.parseInt(text.split(',')[0] ?? '', 10) || 0;
    } else {
      count = ch === '+' ? 1 : 0;
    }
    if (this.peek()?.[0] === '?') this.#i++;
    return count;
  }
}

function containsGroup(elem: Elem): boolean {
  return elem instanceof Group || (elem instanceof NonCapture && elem.items.some(containsGroup));
}

/**
 * The templates a regex can be reversed with: one per combination of optional groups. Repeats keep their
 * minimum count, classes their first character; alternation ('|') cannot be reversed and gives a single
 * empty form, as in Django. Both (?P<name>…) and JavaScript's (?<name>…) are named groups.
 */
export function normalize(pattern: string): NormalForm[] {
  const cursor = new Cursor(pattern);
  let result: Elem[] = [];
  const nonCapturingGroups: number[] = [];
  let numArgs = 0;
  try {
    for (let [ch, escaped] = cursor.next(); ; [ch, escaped] = cursor.next()) {
      if (escaped) result.push(ch);
      else if (ch === '.') result.push('.');
      else if (ch === '|') return [{ tokens: [], params: [] }];
      else if (ch === '^') continue;
      else if (ch === '$') break;
      else if (ch === ')') {
        const start = nonCapturingGroups.pop() ?? 0;
        result = [...result.slice(0, start), new NonCapture(result.slice(start))];
      } else if (ch === '[') {
        result.push(cursor.next()[0]);
        let item = cursor.next();
        while (item[1] || item[0] !== ']') item = cursor.next();
      } else if (ch === '(') {
        [ch, escaped] = cursor.next();
        if (ch !== '?' || escaped) {
          const name = `_${numArgs++}`;
          result.push(new Group(name, name));
          cursor.walkToEnd(ch);
          continue;
        }
        [ch] = cursor.next();
        const after = cursor.peek()?.[0];
        let terminal: string;
        if (ch === '<' && after !== '=' && after !== '!') terminal = '>';
        else if ('!=<'.includes(ch)) {
          cursor.walkToEnd(ch);
          continue;
        } else if (ch === ':') {
          nonCapturingGroups.push(result.length);
          continue;
        } else if (ch !== 'P') {
          throw new ImproperlyConfigured(`Non-reversible reg-exp portion: '(?${ch}'`);
        } else {
          [ch] = cursor.next();
          if (ch !== '<' && ch !== '=') throw new ImproperlyConfigured(`Non-reversible reg-exp portion: '(?P${ch}'`);
          terminal = ch === '<' ? '>' : ')';
        }
        let name = '';
        for ([ch] = cursor.next(); ch !== terminal; [ch] = cursor.next()) name += ch;
        if (terminal === ')') {
          result.push(new Group(name, null));
        } else {
          result.push(new Group(name, name));
          cursor.walkToEnd(ch);
        }
      } else if ('*?+{'.includes(ch)) {
        const count = cursor.quantifier(ch);
        const last = result.at(-1);
        if (last === undefined) continue;
        if (count === 0) {
          // An optional group: the URL can be built without it or with it once.
          if (containsGroup(last)) result[result.length - 1] = new Choice([null, last as Group | NonCapture]);
          else result.pop();
        } else {
          for (let i = 1; i < count; i++) result.push(last);
        }
      } else {
        result.push(ch);
      }
    }
  } catch (error) {
    if (error !== END) throw error;
  }
  const [templates, params] = flatten(result);
  return templates.map((tokens, i) => ({ tokens, params: params[i] ?? [] }));
}

function flatten(source: readonly Elem[] | Group | NonCapture | null): [Token[][], string[][]] {
  if (source === null) return [[[]], [[]]];
  if (source instanceof Group) return [[[{ param: source.name }]], [source.param === null ? [] : [source.param]]];
  const items = source instanceof NonCapture ? source.items : source;
  let results: Token[][] = [[]];
  let resultArgs: string[][] = [[]];
  let last = 0;
  items.forEach((elem, pos) => {
    if (typeof elem === 'string') return;
    const piece: Token[] = items.slice(last, pos) as string[];
    let param: string | null = null;
    if (elem instanceof Group) {
      piece.push({ param: elem.name });
      param = elem.param;
    }
    last = pos + 1;
    results = results.map((r) => [...r, ...piece]);
    if (param) resultArgs = resultArgs.map((a) => [...a, param]);
    if (elem instanceof Choice || elem instanceof NonCapture) {
      const inner = elem instanceof NonCapture ? [elem] : elem.options;
      const innerResults: Token[][] = [];
      const innerArgs: string[][] = [];
      for (const item of inner) {
        const [r, a] = flatten(item);
        innerResults.push(...r);
        innerArgs.push(...a);
      }
      const nextResults: Token[][] = [];
      const nextArgs: string[][] = [];
      results.forEach((r, i) => {
        innerResults.forEach((ir, j) => {
          nextResults.push([...r, ...ir]);
          nextArgs.push([...(resultArgs[i] ?? []), ...(innerArgs[j] ?? [])]);
        });
      });
      results = nextResults;
      resultArgs = nextArgs;
    }
  });
  const tail = items.slice(last) as string[];
  return [results.map((r) => [...r, ...tail]), resultArgs];
}
