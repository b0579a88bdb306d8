// The welcome page: what a new project shows with DEBUG on and nothing in its URLconf yet
// (Django's default_urlconf, "The install worked successfully!"), in gwi's own design.
import { VERSION } from '../../version.js';
import { settings, settingsConfigured } from '../conf/settings.js';
import { HttpResponse } from '../http/response.js';
import { escapeHtml, renderPage } from './html.js';

export interface WelcomeData {
  gwiVersion: string;
  /** The URLconf module to edit ('mysite/urls'), when settings name one. */
  urlconf: string | null;
}

export function renderWelcome({ gwiVersion, urlconf }: WelcomeData): string {
  const file = urlconf ? `${urlconf}.ts` : 'your URLconf';
  const header =
    `<p class="version">gwi ${escapeHtml(gwiVersion)}</p>\n` +
    '<h1>The install worked successfully! Congratulations!</h1>\n' +
    '<p>You are seeing this page because <code>DEBUG = true</code> is in your settings file and you have not configured any URLs.</p>';
  const main =
    '<h2>Next: your first view</h2>\n' +
    `<p>Add a route to <code>urlpatterns</code> in <code>${escapeHtml(file)}</code>:</p>\n` +
    '<pre class="hint">import { HttpResponse, path } from \'gwi\';\n\n' +
    'const home = () =&gt; new HttpResponse(\'Hello, world.\');\n\n' +
    'export const urlpatterns = [path(\'\', home, { name: \'home\' })];</pre>\n' +
    '<p>Save the file: the development server reloads it at once.</p>';
  return renderPage({ title: 'The install worked successfully! Congratulations!', tone: 'welcome', header, main });
}

/** The welcome page as a response (200, as Django's). */
export function welcomePageResponse(): HttpResponse {
  let urlconf: string | null = null;
  if (settingsConfigured() && typeof settings.ROOT_URLCONF === 'string') urlconf = settings.ROOT_URLCONF;
  return new HttpResponse(renderWelcome({ gwiVersion: VERSION, urlconf }), { contentType: 'text/html; charset=utf-8' });
}
