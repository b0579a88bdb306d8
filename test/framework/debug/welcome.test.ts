import { afterEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { renderWelcome, welcomePageResponse } from '../../../src/framework/debug/welcome.js';
import { VERSION } from '../../../src/version.js';

afterEach(() => resetSettings());

describe('welcome page', () => {
  it('congratulates and says why it is shown', () => {
    const html = renderWelcome({ gwiVersion: '1.2.3', urlconf: 'mysite/urls' });
    expect(html).toContain('<title>The install worked successfully! Congratulations!</title>');
    expect(html).toContain('<h1>The install worked successfully! Congratulations!</h1>');
    expect(html).toContain('You are seeing this page because <code>DEBUG = true</code> is in your settings file and you have not configured any URLs.');
    expect(html).toContain('<p class="version">gwi 1.2.3</p>');
    expect(html).toContain('<code>mysite/urls.ts</code>');
    expect(html).not.toMatch(/<script|src=|https?:\/\//i);
  });

  it('is a 200 naming the ROOT_URLCONF file', () => {
    configureSettings({ DEBUG: true, ROOT_URLCONF: 'shop/urls' });
    const response = welcomePageResponse();
    expect(response.statusCode).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    const html = response.content.toString('utf8');
    expect(html).toContain('<code>shop/urls.ts</code>');
    expect(html).toContain(`gwi ${VERSION}`);
  });

  it('works before settings are configured', () => {
    expect(welcomePageResponse().content.toString('utf8')).toContain('<code>your URLconf</code>');
  });
});
