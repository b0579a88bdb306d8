// Django's termcolors behaviour: palettes, colorize, the DJANGO_COLORS syntax, and when colour applies.
import { describe, expect, it } from 'vitest';
import {
  colorize, colorStyle, makeStyle, PALETTES, parseColorSetting, shouldColor,
  type Palette, type Role, type StyleSpec,
} from '../../src/log/termcolors.js';
import {
  BG_BLACK, BG_BLUE, BLINK, BLUE, BOLD, COLOR_NAMES, CYAN, djangoColorize, GREEN, HIDDEN, INVERSE, MAGENTA, RED,
  render, RESET, span, UNDERLINE, WHITE, YELLOW, type Code,
} from '../helpers/sgr.js';

const NOCOLOR = PALETTES.nocolor;
const LIGHT = PALETTES.light;

function withRoles(base: Readonly<Palette>, roles: Partial<Record<Role, StyleSpec>>): Palette {
  return { ...base, ...roles };
}

describe('colorize', () => {
  it('opens fg, then bg, then the opts in their given order, closing each after the text', () => {
    expect(colorize('x', { fg: 'white', bg: 'blue', opts: ['bold', 'underscore'] })).toBe(span('x', WHITE, BG_BLUE, BOLD, UNDERLINE));
    expect(colorize('x', { fg: 'red', opts: ['blink', 'bold'] })).toBe(span('x', RED, BLINK, BOLD));
    expect(colorize('x', { bg: 'black', opts: ['reverse', 'conceal'] })).toBe(span('x', BG_BLACK, INVERSE, HIDDEN));
  });

  it('resets (Django\'s empty SGR) when there is no code, and leaves the codes open for noreset', () => {
    expect(colorize('', {})).toBe(span('', RESET));
    expect(colorize('ok', {})).toBe(span('ok', RESET));
    expect(colorize('', { noreset: true })).toBe('\x1b[0m');
    expect(colorize('x', { fg: 'cyan', noreset: true })).toBe('\x1b[36mx');
  });
});

describe('PALETTES', () => {
  // Codes per role, from the reference table (Django's ESC[31;1m is RED, BOLD; its empty ESC[m is RESET).
  const codes: Record<Role, [dark: Code[], light: Code[]]> = {
    ERROR: [[RED, BOLD], [RED, BOLD]],
    SUCCESS: [[GREEN, BOLD], [GREEN, BOLD]],
    WARNING: [[YELLOW, BOLD], [YELLOW, BOLD]],
    NOTICE: [[RED], [RED]],
    SQL_FIELD: [[GREEN, BOLD], [GREEN, BOLD]],
    SQL_COLTYPE: [[GREEN], [GREEN]],
    SQL_KEYWORD: [[YELLOW], [BLUE]],
    SQL_TABLE: [[BOLD], [BOLD]],
    HTTP_INFO: [[BOLD], [BOLD]],
    HTTP_SUCCESS: [[RESET], [RESET]],
    HTTP_REDIRECT: [[GREEN], [GREEN, BOLD]],
    HTTP_NOT_MODIFIED: [[CYAN], [GREEN]],
    HTTP_BAD_REQUEST: [[RED, BOLD], [RED, BOLD]],
    HTTP_NOT_FOUND: [[YELLOW], [RED]],
    HTTP_SERVER_ERROR: [[MAGENTA, BOLD], [MAGENTA, BOLD]],
    MIGRATE_HEADING: [[CYAN, BOLD], [CYAN, BOLD]],
    MIGRATE_LABEL: [[BOLD], [BOLD]],
  };
  const roles = Object.keys(codes) as Role[];

  it('has exactly the reference roles in every palette', () => {
    for (const palette of Object.values(PALETTES)) expect(Object.keys(palette).sort()).toEqual([...roles].sort());
  });

  it.each(roles)('%s gives the reference dark and light codes', (role) => {
    const [dark, light] = codes[role];
    expect(makeStyle(PALETTES.dark)[role]('t')).toBe(span('t', ...dark));
    expect(makeStyle(PALETTES.light)[role]('t')).toBe(span('t', ...light));
    expect(PALETTES.nocolor[role]).toEqual({});
  });

  it('is frozen, and parseColorSetting hands out copies', () => {
    expect(Object.isFrozen(PALETTES.dark.ERROR)).toBe(true);
    const parsed = parseColorSetting('');
    expect(parsed).toEqual(PALETTES.dark);
    parsed!.ERROR.opts!.push('blink');
    parsed!.NOTICE.fg = 'blue';
    expect(PALETTES.dark.ERROR).toEqual({ fg: 'red', opts: ['bold'] });
    expect(PALETTES.dark.NOTICE).toEqual({ fg: 'red' });
  });
});

describe('parseColorSetting', () => {
  const green: StyleSpec = { fg: 'green' };
  const blue: StyleSpec = { fg: 'blue' };
  const cases: [config: string, expected: Palette | null][] = [
    ['', PALETTES.dark],
    ['light', LIGHT],
    ['dark', PALETTES.dark],
    ['nocolor', null],
    ['error=green', withRoles(NOCOLOR, { ERROR: green })],
    ['error=green/blue', withRoles(NOCOLOR, { ERROR: { fg: 'green', bg: 'blue' } })],
    ['error=green,blink', withRoles(NOCOLOR, { ERROR: { fg: 'green', opts: ['blink'] } })],
    ['error=green,bold,blink', withRoles(NOCOLOR, { ERROR: { fg: 'green', opts: ['blink', 'bold'] } })],
    ['error=green/blue,blink', withRoles(NOCOLOR, { ERROR: { fg: 'green', bg: 'blue', opts: ['blink'] } })],
    ['error=green/blue,bold,blink', withRoles(NOCOLOR, { ERROR: { fg: 'green', bg: 'blue', opts: ['blink', 'bold'] } })],
    ['light;error=green', withRoles(LIGHT, { ERROR: green })],
    ['nocolor;error=green', withRoles(NOCOLOR, { ERROR: green })],
    ['error=green;light', LIGHT],
    ['error=green;sql_field=blue', withRoles(NOCOLOR, { ERROR: green, SQL_FIELD: blue })],
    ['light;error=green;sql_field=blue', withRoles(LIGHT, { ERROR: green, SQL_FIELD: blue })],
    [';', null],
    ['light;', LIGHT],
    [';;;', null],
    ['error=green,', withRoles(NOCOLOR, { ERROR: green })],
    ['error=green,,,', withRoles(NOCOLOR, { ERROR: green })],
    ['error=green,,blink,,', withRoles(NOCOLOR, { ERROR: { fg: 'green', opts: ['blink'] } })],
    ['unknown', null],
    ['unknown=', null],
    ['unknown=green', null],
    ['unknown=green;sql_field=blue', withRoles(NOCOLOR, { SQL_FIELD: blue })],
    ['error=', null],
    ['error=;sql_field=blue', withRoles(NOCOLOR, { SQL_FIELD: blue })],
    ['error=unknown', null],
    ['error=unknown;sql_field=blue', withRoles(NOCOLOR, { SQL_FIELD: blue })],
    ['error=green/unknown', withRoles(NOCOLOR, { ERROR: green })],
    ['error=green/blue/something', withRoles(NOCOLOR, { ERROR: { fg: 'green', bg: 'blue' } })],
    ['error=green/blue/something,blink', withRoles(NOCOLOR, { ERROR: { fg: 'green', bg: 'blue', opts: ['blink'] } })],
    ['error=green,unknown', withRoles(NOCOLOR, { ERROR: green })],
    ['error=green,unknown,blink', withRoles(NOCOLOR, { ERROR: { fg: 'green', opts: ['blink'] } })],
    ['ERROR=green', withRoles(NOCOLOR, { ERROR: green })],
    ['eRrOr=GREEN', withRoles(NOCOLOR, { ERROR: green })],
    ['error=gReEn/bLuE', withRoles(NOCOLOR, { ERROR: { fg: 'green', bg: 'blue' } })],
    ['error=green,bLiNk', withRoles(NOCOLOR, { ERROR: { fg: 'green', opts: ['blink'] } })],
    ['error=/blue', withRoles(NOCOLOR, { ERROR: { bg: 'blue' } })],
    ['error=bold', null],
    ['error=green,noreset', withRoles(NOCOLOR, { ERROR: green })],
    // Django raises ValueError on a second '='; gwi ignores that part.
    ['error=green=blue', null],
    ['error=green=blue;sql_field=blue', withRoles(NOCOLOR, { SQL_FIELD: blue })],
    ['toString', null],
    ['constructor=green', null],
  ];

  it.each(cases)('%j', (config, expected) => {
    expect(parseColorSetting(config)).toEqual(expected);
  });

  it('gives the opts in reverse order of the setting', () => {
    expect(makeStyle(parseColorSetting('error=green,bold,blink')).ERROR('e')).toBe(span('e', GREEN, BLINK, BOLD));
  });
});

describe('makeStyle', () => {
  it('gives the identity for every role when there is no palette', () => {
    const style = makeStyle(null);
    for (const fn of Object.values(style)) expect(fn('a\x1b[1mb')).toBe('a\x1b[1mb');
  });

  it('is not changed by later edits of the palette it was made from', () => {
    const palette = parseColorSetting('error=green')!;
    const style = makeStyle(palette);
    palette.ERROR = { fg: 'red' };
    expect(style.ERROR('e')).toBe(span('e', GREEN));
  });
});

describe('shouldColor', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  const cases: [name: string, options: Parameters<typeof shouldColor>[0], expected: boolean][] = [
    ['a TTY', { stream: tty, env: {} }, true],
    ['a pipe', { stream: pipe, env: {} }, false],
    ['a stream without isTTY', { stream: {}, env: {} }, false],
    ['noColor on a TTY', { stream: tty, env: {}, noColor: true }, false],
    ['noColor beats forceColor', { stream: tty, env: {}, noColor: true, forceColor: true }, false],
    ['forceColor on a pipe', { stream: pipe, env: {}, forceColor: true }, true],
    ['forceColor beats NO_COLOR', { stream: pipe, env: { NO_COLOR: '1' }, forceColor: true }, true],
    ['NO_COLOR on a TTY', { stream: tty, env: { NO_COLOR: '1' } }, false],
    ['NO_COLOR beats FORCE_COLOR', { stream: tty, env: { NO_COLOR: '1', FORCE_COLOR: '1' } }, false],
    ['an empty NO_COLOR is unset', { stream: tty, env: { NO_COLOR: '' } }, true],
    ['FORCE_COLOR=1 on a pipe', { stream: pipe, env: { FORCE_COLOR: '1' } }, true],
    ['FORCE_COLOR= (empty) on a pipe', { stream: pipe, env: { FORCE_COLOR: '' } }, true],
    ['FORCE_COLOR=3 on a pipe', { stream: pipe, env: { FORCE_COLOR: '3' } }, true],
    ['FORCE_COLOR=0 on a TTY', { stream: tty, env: { FORCE_COLOR: '0' } }, false],
    ['FORCE_COLOR=false on a TTY', { stream: tty, env: { FORCE_COLOR: 'false' } }, false],
  ];

  it.each(cases)('%s', (_name, options, expected) => {
    expect(shouldColor(options)).toBe(expected);
  });
});

describe('colorStyle', () => {
  const tty = { isTTY: true };

  it('uses the dark palette when GWI_COLORS is unset or empty', () => {
    expect(colorStyle({ stream: tty, env: {} }).HTTP_NOT_FOUND('x')).toBe(span('x', YELLOW));
    expect(colorStyle({ stream: tty, env: { GWI_COLORS: '' } }).HTTP_NOT_FOUND('x')).toBe(span('x', YELLOW));
  });

  it('reads the palette from GWI_COLORS', () => {
    expect(colorStyle({ stream: tty, env: { GWI_COLORS: 'light' } }).HTTP_NOT_FOUND('x')).toBe(span('x', RED));
    expect(colorStyle({ stream: tty, env: { GWI_COLORS: 'nocolor' } }).HTTP_NOT_FOUND('x')).toBe('x');
  });

  it('leaves every other role as a reset (Django\'s empty SGR) when GWI_COLORS only defines some roles', () => {
    const style = colorStyle({
      stream: tty,
      env: { GWI_COLORS: 'http_success=white/blue,bold;http_not_found=red,underscore' },
    });
    expect(style.HTTP_SUCCESS('"GET /version/ HTTP/1.1" 200 2')).toBe(span('"GET /version/ HTTP/1.1" 200 2', WHITE, BG_BLUE, BOLD));
    expect(style.HTTP_NOT_FOUND('"GET /nope HTTP/1.1" 404 3677')).toBe(span('"GET /nope HTTP/1.1" 404 3677', RED, UNDERLINE));
    expect(style.HTTP_NOT_MODIFIED('"GET /nm/ HTTP/1.1" 304 0')).toBe(span('"GET /nm/ HTTP/1.1" 304 0', RESET));
  });

  it('is plain whenever colour does not apply, whatever GWI_COLORS says', () => {
    expect(colorStyle({ stream: { isTTY: false }, env: { GWI_COLORS: 'light' } }).ERROR('x')).toBe('x');
    expect(colorStyle({ stream: tty, env: { GWI_COLORS: 'light' }, noColor: true }).ERROR('x')).toBe('x');
    expect(colorStyle({ stream: tty, env: { NO_COLOR: '1' } }).ERROR('x')).toBe('x');
  });

  it('colours a pipe with forceColor or FORCE_COLOR', () => {
    expect(colorStyle({ stream: { isTTY: false }, env: {}, forceColor: true }).ERROR('x')).toBe(span('x', RED, BOLD));
    expect(colorStyle({ stream: { isTTY: false }, env: { FORCE_COLOR: '1', GWI_COLORS: 'light' } }).SQL_KEYWORD('x'))
      .toBe(span('x', BLUE));
  });
});

describe('what a terminal shows', () => {
  const text = '"GET /x HTTP/1.1" 404 3';
  const tty = { isTTY: true };
  const ALL_OPTS = 'bold,underscore,blink,reverse,conceal';

  it('tells Django sequences apart that look different, and reads ESC[m as a reset', () => {
    expect(render('\x1b[31;1mx\x1b[0m')).not.toEqual(render('\x1b[31mx\x1b[0m'));
    expect(render('\x1b[31;1mx')).not.toEqual(render('\x1b[31;1mx\x1b[0m'));
    expect(render('\x1b[31;1mx\x1b[m')).toEqual(render('\x1b[31;1mx\x1b[0m'));
  });

  it.each(Object.keys(PALETTES) as (keyof typeof PALETTES)[])('is Django\'s for every role of the %s palette', (name) => {
    const style = makeStyle(PALETTES[name]);
    for (const [role, spec] of Object.entries(PALETTES[name]) as [Role, StyleSpec][]) {
      expect(render(style[role](text)), role).toEqual(render(djangoColorize(text, spec)));
    }
  });

  it.each(COLOR_NAMES)('is Django\'s for fg %s on every bg with every option from GWI_COLORS', (fg) => {
    for (const bg of COLOR_NAMES) {
      const config = `error=${fg}/${bg},${ALL_OPTS};http_info=${fg},bold,bold,underscore`;
      const style = colorStyle({ stream: tty, env: { GWI_COLORS: config } });
      const palette = parseColorSetting(config)!;
      for (const role of Object.keys(palette) as Role[]) {
        expect(render(style[role](text)), `${config} ${role}`).toEqual(render(djangoColorize(text, palette[role])));
      }
    }
  });

  it('is Django\'s for colorize, with and without noreset', () => {
    const specs: StyleSpec[] = [{}, { fg: 'cyan' }, { bg: 'black', opts: ['reverse', 'conceal'] }, { fg: 'white', bg: 'blue', opts: ['blink', 'bold', 'underscore'] }];
    for (const spec of specs) {
      expect(render(colorize(text, spec))).toEqual(render(djangoColorize(text, spec)));
      // Django's noreset: the same opening codes, and nothing closes them.
      const open = djangoColorize('', spec).slice(0, -'\x1b[0m'.length);
      expect(render(colorize(text, { ...spec, noreset: true }))).toEqual(render(open + text));
    }
  });
});
