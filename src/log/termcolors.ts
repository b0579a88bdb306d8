// Terminal colours by role, as django.utils.termcolors: palettes, the DJANGO_COLORS syntax (read from
// GWI_COLORS) and the decision whether a stream gets colour at all; picocolors writes the codes.
import picocolors from 'picocolors';

type Paint = (text: string) => string;

// shouldColor() decides whether a stream gets colour; picocolors' own look at NO_COLOR, FORCE_COLOR, argv
// and process.stdout must not, so it is only ever asked for the codes.
const colors = picocolors.createColors(true);

const FG = {
  black: colors.black, red: colors.red, green: colors.green, yellow: colors.yellow,
  blue: colors.blue, magenta: colors.magenta, cyan: colors.cyan, white: colors.white,
};
export type Color = keyof typeof FG;

const BG: Record<Color, Paint> = {
  black: colors.bgBlack, red: colors.bgRed, green: colors.bgGreen, yellow: colors.bgYellow,
  blue: colors.bgBlue, magenta: colors.bgMagenta, cyan: colors.bgCyan, white: colors.bgWhite,
};

const OPTS = {
  bold: colors.bold,
  underscore: colors.underline,
  // picocolors has no blink, so this one attribute is written by hand: SGR 5 on, 25 off.
  blink: (text: string) => `\x1b[5m${text}\x1b[25m`,
  reverse: colors.inverse,
  conceal: colors.hidden,
};
export type Opt = keyof typeof OPTS;

const ROLES = [
  'ERROR', 'SUCCESS', 'WARNING', 'NOTICE',
  'SQL_FIELD', 'SQL_COLTYPE', 'SQL_KEYWORD', 'SQL_TABLE',
  'HTTP_INFO', 'HTTP_SUCCESS', 'HTTP_REDIRECT', 'HTTP_NOT_MODIFIED',
  'HTTP_BAD_REQUEST', 'HTTP_NOT_FOUND', 'HTTP_SERVER_ERROR',
  'MIGRATE_HEADING', 'MIGRATE_LABEL',
] as const;
export type Role = (typeof ROLES)[number];

export interface StyleSpec {
  fg?: Color;
  bg?: Color;
  opts?: Opt[];
}
export type Palette = Record<Role, StyleSpec>;
export type PaletteName = 'dark' | 'light' | 'nocolor';
export type Style = Record<Role, (text: string) => string>;

function isColor(name: string): name is Color {
  return Object.hasOwn(FG, name);
}

function isOpt(name: string): name is Opt {
  return Object.hasOwn(OPTS, name);
}

function isRole(name: string): name is Role {
  return (ROLES as readonly string[]).includes(name);
}

function isPaletteName(name: string): name is PaletteName {
  return Object.hasOwn(PALETTES, name);
}

function freezePalette(palette: Palette): Readonly<Palette> {
  for (const spec of Object.values(palette)) {
    if (spec.opts) Object.freeze(spec.opts);
    Object.freeze(spec);
  }
  return Object.freeze(palette);
}

const NOCOLOR: Palette = {
  ERROR: {}, SUCCESS: {}, WARNING: {}, NOTICE: {},
  SQL_FIELD: {}, SQL_COLTYPE: {}, SQL_KEYWORD: {}, SQL_TABLE: {},
  HTTP_INFO: {}, HTTP_SUCCESS: {}, HTTP_REDIRECT: {}, HTTP_NOT_MODIFIED: {},
  HTTP_BAD_REQUEST: {}, HTTP_NOT_FOUND: {}, HTTP_SERVER_ERROR: {},
  MIGRATE_HEADING: {}, MIGRATE_LABEL: {},
};

const DARK: Palette = {
  ERROR: { fg: 'red', opts: ['bold'] },
  SUCCESS: { fg: 'green', opts: ['bold'] },
  WARNING: { fg: 'yellow', opts: ['bold'] },
  NOTICE: { fg: 'red' },
  SQL_FIELD: { fg: 'green', opts: ['bold'] },
  SQL_COLTYPE: { fg: 'green' },
  SQL_KEYWORD: { fg: 'yellow' },
  SQL_TABLE: { opts: ['bold'] },
  HTTP_INFO: { opts: ['bold'] },
  HTTP_SUCCESS: {},
  HTTP_REDIRECT: { fg: 'green' },
  HTTP_NOT_MODIFIED: { fg: 'cyan' },
  HTTP_BAD_REQUEST: { fg: 'red', opts: ['bold'] },
  HTTP_NOT_FOUND: { fg: 'yellow' },
  HTTP_SERVER_ERROR: { fg: 'magenta', opts: ['bold'] },
  MIGRATE_HEADING: { fg: 'cyan', opts: ['bold'] },
  MIGRATE_LABEL: { opts: ['bold'] },
};

/** Django's three palettes; frozen, so use `parseColorSetting` for a palette to modify. */
export const PALETTES: Readonly<Record<PaletteName, Readonly<Palette>>> = Object.freeze({
  dark: freezePalette(DARK),
  // light differs from dark in four roles only.
  light: freezePalette({
    ...DARK,
    SQL_KEYWORD: { fg: 'blue' },
    HTTP_REDIRECT: { fg: 'green', opts: ['bold'] },
    HTTP_NOT_MODIFIED: { fg: 'green' },
    HTTP_NOT_FOUND: { fg: 'red' },
  }),
  nocolor: freezePalette(NOCOLOR),
});

function copySpec(spec: StyleSpec): StyleSpec {
  return spec.opts ? { ...spec, opts: [...spec.opts] } : { ...spec };
}

/**
 * The picocolors spans for a spec, fg outermost, then bg, then the opts in their order. Without any of
 * them it is a reset: Django's empty prefix `\x1b[m` is SGR 0 too (HTTP_SUCCESS).
 */
function painter(spec: StyleSpec): Paint {
  const layers: Paint[] = [];
  if (spec.fg) layers.push(FG[spec.fg]);
  if (spec.bg) layers.push(BG[spec.bg]);
  for (const opt of spec.opts ?? []) layers.push(OPTS[opt]);
  if (layers.length === 0) return colors.reset;
  return (text) => layers.reduceRight((inner, paint) => paint(inner), text);
}

// Never in a painter's own codes, so it marks where the text goes.
const MARK = '\0';

/**
 * Django's colorize(): text in the spec's colours and attributes, each closed after it; `noreset` leaves
 * them on for what follows (only the opening codes of picocolors' span).
 */
export function colorize(text: string, { noreset = false, ...spec }: StyleSpec & { noreset?: boolean }): string {
  const paint = painter(spec);
  if (!noreset) return paint(text);
  const [open = ''] = paint(MARK).split(MARK);
  return open + text;
}

/** One `role=fg[/bg][,opt...]` definition; empty when nothing in it is known. */
function parseDefinition(instructions: string): StyleSpec {
  const [colors = '', ...opts] = instructions.split(',');
  const [fg = '', bg] = colors.split('/');
  const spec: StyleSpec = {};
  if (isColor(fg)) spec.fg = fg;
  if (bg !== undefined && isColor(bg)) spec.bg = bg;
  // Django stores the options reversed, so `bold,blink` opens blink before bold.
  const known = opts.reverse().filter(isOpt);
  if (known.length > 0) spec.opts = known;
  return spec;
}

function isEmptySpec(spec: StyleSpec): boolean {
  return !spec.fg && !spec.bg && !spec.opts?.length;
}

/**
 * Parses a DJANGO_COLORS value: empty gives the dark palette; otherwise palette names and role
 * definitions apply in order over `nocolor`, unknown parts are ignored, and a result without any
 * colour is `null` (no escape codes at all).
 */
export function parseColorSetting(config: string): Palette | null {
  if (!config) return copyPalette(PALETTES.dark);
  const palette = copyPalette(NOCOLOR);
  for (const part of config.toLowerCase().split(';')) {
    if (isPaletteName(part)) {
      Object.assign(palette, copyPalette(PALETTES[part]));
      continue;
    }
    const fields = part.split('=');
    // Django crashes on a second '='; a bad setting should cost colour, not the server.
    if (fields.length !== 2) continue;
    const [role = '', instructions = ''] = fields;
    const name = role.toUpperCase();
    const spec = parseDefinition(instructions);
    if (isRole(name) && !isEmptySpec(spec)) palette[name] = spec;
  }
  return ROLES.every((role) => isEmptySpec(palette[role])) ? null : palette;
}

function copyPalette(palette: Readonly<Palette>): Palette {
  const copy = {} as Palette;
  for (const role of ROLES) copy[role] = copySpec(palette[role]);
  return copy;
}

const identity: Paint = (text) => text;

/** One function per role; `null` (no colour) makes every role the identity. */
export function makeStyle(palette: Palette | null): Style {
  const style = {} as Style;
  for (const role of ROLES) style[role] = palette === null ? identity : painter(palette[role]);
  return style;
}

export interface ColorOptions {
  stream: { isTTY?: boolean };
  env?: Record<string, string | undefined>;
  noColor?: boolean;
  forceColor?: boolean;
}

/** The flags win, then NO_COLOR, then FORCE_COLOR, then whether the stream is a terminal. */
export function shouldColor({ stream, env = process.env, noColor = false, forceColor = false }: ColorOptions): boolean {
  if (noColor) return false;
  if (forceColor) return true;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true;
}

/** Django's color_style(), for a given stream: the GWI_COLORS palette when colour applies. */
export function colorStyle(options: ColorOptions): Style {
  const env = options.env ?? process.env;
  return makeStyle(shouldColor(options) ? parseColorSetting(env.GWI_COLORS ?? '') : null);
}
