// The banner's text (reference §1.4), with a fixed clock.
import { describe, expect, it } from 'vitest';
import { bannerDate, formatBanner, PRODUCTION_WARNING } from '../../src/runserver/banner.js';

describe('bannerDate', () => {
  it.each([
    [new Date(2026, 10, 22, 4, 35, 45), 'November 22, 2026 - 04:35:45'],
    [new Date(2027, 0, 3, 23, 5, 9), 'January 03, 2027 - 23:05:09'],
  ])('%s', (date, text) => {
    expect(bannerDate(date)).toBe(text);
  });
});

describe('formatBanner', () => {
  const options = { now: new Date(2026, 10, 22, 4, 35, 45), version: '0.1.0', settingsModule: 'mysite/settings', host: '127.0.0.1', port: 8000 };

  it('prints the four lines and a blank line', () => {
    expect(formatBanner({ ...options, platform: 'linux' })).toBe(
      'November 22, 2026 - 04:35:45\n' +
        "gwi version 0.1.0, using settings 'mysite/settings'\n" +
        'Starting development server at http://127.0.0.1:8000/\n' +
        'Quit the server with CONTROL-C.\n\n',
    );
  });

  it('says https with a certificate (runserver --https)', () => {
    expect(formatBanner({ ...options, protocol: 'https' })).toContain('Starting development server at https://127.0.0.1:8000/\n');
  });

  it('says where the debugger listens before the last line (--inspect)', () => {
    const inspector = 'Debugger listening on ws://127.0.0.1:9229/id (the serving process; it follows reloads)';
    expect(formatBanner({ ...options, inspector, platform: 'linux' })).toContain(
      `Starting development server at http://127.0.0.1:8000/\n${inspector}\nQuit the server with CONTROL-C.\n\n`,
    );
  });

  it('ends with how to see the shortcuts when they are on', () => {
    expect(formatBanner({ ...options, shortcuts: true, platform: 'linux' })).toContain(
      'Quit the server with CONTROL-C.\nPress h + Enter to show the shortcuts.\n\n',
    );
  });

  it('says CTRL-BREAK on Windows', () => {
    expect(formatBanner({ ...options, platform: 'win32' })).toContain('Quit the server with CTRL-BREAK.\n\n');
  });

  it("quotes the settings module as Python's repr", () => {
    expect(formatBanner({ ...options, settingsModule: "it's/settings" })).toContain(`using settings "it's/settings"\n`);
    expect(formatBanner({ ...options, settingsModule: null })).toContain('using settings None\n');
  });

  it('has the production warning in two lines', () => {
    expect(PRODUCTION_WARNING.split('\n')).toEqual([
      'WARNING: This is a development server. Do not use it in a production setting. Use a production GWI server instead.',
      'For more information on production servers see the "Production" section of gwi\'s README.md.',
    ]);
  });
});
