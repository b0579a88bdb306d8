// SGR escape sequences in tests: Django's termcolors bytes as the reference, picocolors-style spans, and
// what a terminal shows for a string of them (so differing bytes can be proved to look the same).
import type { StyleSpec } from '../../src/log/termcolors.js';

const COLOR_NUMBERS = { black: 0, red: 1, green: 2, yellow: 3, blue: 4, magenta: 5, cyan: 6, white: 7 } as const;
export const COLOR_NAMES = Object.keys(COLOR_NUMBERS) as (keyof typeof COLOR_NUMBERS)[];
const DJANGO_OPT_CODES = { bold: 1, underscore: 4, blink: 5, reverse: 7, conceal: 8 } as const;

/** django.utils.termcolors.colorize(text, fg=, bg=, opts=) as Django writes it: one SGR, then ESC[0m. */
export function djangoColorize(text: string, spec: StyleSpec): string {
  const codes: number[] = [];
  if (spec.fg) codes.push(30 + COLOR_NUMBERS[spec.fg]);
  if (spec.bg) codes.push(40 + COLOR_NUMBERS[spec.bg]);
  for (const opt of spec.opts ?? []) codes.push(DJANGO_OPT_CODES[opt]);
  return `\x1b[${codes.join(';')}m${text}\x1b[0m`;
}

/** An attribute's SGR code and the code that ends it. */
export type Code = readonly [on: number, off: number];
export const RESET: Code = [0, 0];
export const BOLD: Code = [1, 22];
export const UNDERLINE: Code = [4, 24];
export const BLINK: Code = [5, 25];
export const INVERSE: Code = [7, 27];
export const HIDDEN: Code = [8, 28];
export const RED: Code = [31, 39];
export const GREEN: Code = [32, 39];
export const YELLOW: Code = [33, 39];
export const BLUE: Code = [34, 39];
export const MAGENTA: Code = [35, 39];
export const CYAN: Code = [36, 39];
export const WHITE: Code = [37, 39];
export const BG_BLUE: Code = [44, 49];
export const BG_BLACK: Code = [40, 49];

/** picocolors' bytes for plain text: each code opened in order, each closed in reverse by its own off code. */
export function span(text: string, ...codes: Code[]): string {
  const sgr = (n: number): string => `\x1b[${n}m`;
  return codes.map(([on]) => sgr(on)).join('') + text + codes.map(([, off]) => sgr(off)).reverse().join('');
}

export interface SgrState {
  fg: number | null;
  bg: number | null;
  bold: boolean;
  underline: boolean;
  blink: boolean;
  reverse: boolean;
  conceal: boolean;
}
type Flag = Exclude<keyof SgrState, 'fg' | 'bg'>;

const DEFAULT: SgrState = { fg: null, bg: null, bold: false, underline: false, blink: false, reverse: false, conceal: false };
const FLAGS: Record<number, [Flag, boolean]> = {
  1: ['bold', true], 22: ['bold', false],
  4: ['underline', true], 24: ['underline', false],
  5: ['blink', true], 25: ['blink', false],
  7: ['reverse', true], 27: ['reverse', false],
  8: ['conceal', true], 28: ['conceal', false],
};

function apply(state: SgrState, code: number): SgrState {
  if (code === 0) return { ...DEFAULT };
  if (code >= 30 && code <= 37) return { ...state, fg: code - 30 };
  if (code === 39) return { ...state, fg: null };
  if (code >= 40 && code <= 47) return { ...state, bg: code - 40 };
  if (code === 49) return { ...state, bg: null };
  const flag = FLAGS[code];
  if (!flag) throw new Error(`no SGR ${code} in this interpreter`);
  return { ...state, [flag[0]]: flag[1] };
}

/** What a terminal shows, starting from the default state: runs of text with their state, then the state left. */
export function render(bytes: string): { runs: [text: string, state: SgrState][]; after: SgrState } {
  const runs: [string, SgrState][] = [];
  let state = { ...DEFAULT };
  for (const part of bytes.split(/(\x1b\[[\d;]*m)/)) {
    const sgr = /^\x1b\[([\d;]*)m$/.exec(part);
    if (sgr) {
      // An empty parameter (ESC[m, or ESC[;1m's first) is 0.
      for (const code of (sgr[1] ?? '').split(';')) state = apply(state, Number(code || 0));
    } else if (part) {
      const last = runs.at(-1);
      if (last && JSON.stringify(last[1]) === JSON.stringify(state)) last[0] += part;
      else runs.push([part, state]);
    }
  }
  return { runs, after: state };
}
