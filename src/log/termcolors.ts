// Terminal colours by role, as django.utils.termcolors: palettes, the DJANGO_COLORS syntax (read from
// GWI_COLORS) and the decision whether a stream gets colour at all.

const COLORS = ['black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white'] as const;
export type Color = (typeof COLORS)[number];

const OPT_CODES = { bold: '1', underscore: '4', blink: '5', reverse: '7', conceal: '8' } as const;
export type Opt = keyof typeof OPT_CODES;

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
  return (COLORS as readonly string[]).includes(name);
}

function isOpt(name: string): name is Opt {
  return Object.hasOwn(OPT_CODES, name);
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
 * Wraps text in one SGR sequence: fg (3N), bg (4N), then opts in the given order. Without any code the
 * prefix is the empty `\x1b[m`, as Django emits for HTTP_SUCCESS.
 */
export function colorize(text: string, spec: StyleSpec & { noreset?: boolean }): string {
  const codes: string[] = [];
  if (spec.fg) codes.push(`3${COLORS.indexOf(spec.fg)}`);
  if (spec.bg) codes.push(`4${COLORS.indexOf(spec.bg)}`);
  for (const opt of spec.opts ?? []) codes.push(OPT_CODES[opt]);
  return `\x1b[${codes.join(';')}m${text}${spec.noreset ? '' : '\x1b[0m'}`;
}

/** One `role=fg[/bg][,opt...]` definition; empty when nothing in it is known. */
function parseDefinition(instructions: string): StyleSpec {
  const [colors = '', ...opts] = instructions.split(',');
  const [fg = '', bg] = colors.split('/');
  const spec: StyleSpec = {};
  if (isColor(fg)) spec.fg = fg;
  if (bg !== undefined && isColor(bg)) spec.bg = bg;
  // Django stores the options reversed, so `bold,blink` gives `\x1b[..;5;1m`.
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

const identity = (text: string): string => text;

/** One function per role; `null` (no colour) makes every role the identity. */
export function makeStyle(palette: Palette | null): Style {
  const style = {} as Style;
  for (const role of ROLES) {
    if (palette === null) {
      style[role] = identity;
    } else {
      // The request log calls these per line, so the SGR prefix is built once.
      const prefix = colorize('', { ...palette[role], noreset: true });
      style[role] = (text) => `${prefix}${text}\x1b[0m`;
    }
  }
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
