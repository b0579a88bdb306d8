// runserver's startup banner (Django's on_bind): pure text, printed once the socket listens.
import { pyRepr } from '../gateway/py-repr.js';
import { clockTime, MONTH_NAMES, pad2 } from '../log/local-time.js';

/** strftime('%B %d, %Y - %X') in the C locale, local time: `November 22, 2026 - 04:35:45`. */
export function bannerDate(date: Date): string {
  return `${MONTH_NAMES[date.getMonth()]} ${pad2(date.getDate())}, ${date.getFullYear()} - ${clockTime(date)}`;
}

export const PRODUCTION_WARNING =
  'WARNING: This is a development server. Do not use it in a production setting. ' +
  'Use a production GWI server instead.\n' +
  'For more information on production servers see the "Production" section of gwi\'s README.md.';

export interface BannerOptions {
  now: Date;
  version: string;
  /** settings.SETTINGS_MODULE ('mysite/settings'), printed as Python's repr; null prints None. */
  settingsModule: string | null;
  /** The host as the URL shows it (see displayAddr). */
  host: string;
  /** The port actually bound. */
  port: number;
  /** 'https' with a certificate (Django's runserver has `protocol` too); default 'http'. */
  protocol?: string;
  /** Where the debugger listens (--inspect): a line before the last one. */
  inspector?: string | undefined;
  platform?: NodeJS.Platform;
  /** The keyboard shortcuts are on: one more line says how to see them. */
  shortcuts?: boolean;
}

/** The four banner lines (five with --inspect, with the shortcuts) and the blank line Django's print() leaves after them. */
export function formatBanner(options: BannerOptions): string {
  const { now, version, settingsModule, host, port, protocol = 'http', inspector, platform = process.platform, shortcuts = false } = options;
  const quit = platform === 'win32' ? 'CTRL-BREAK' : 'CONTROL-C';
  const module = settingsModule === null ? 'None' : pyRepr(settingsModule);
  return (
    `${bannerDate(now)}\n` +
    `gwi version ${version}, using settings ${module}\n` +
    `Starting development server at ${protocol}://${host}:${port}/\n` +
    (inspector ? `${inspector}\n` : '') +
    `Quit the server with ${quit}.\n` +
    (shortcuts ? 'Press h + Enter to show the shortcuts.\n' : '') +
    '\n'
  );
}
