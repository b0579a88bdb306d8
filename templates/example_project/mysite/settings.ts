// Settings for the example project. package.json's "gwi": { "settings": "mysite/settings" } names
// this module, so `gwi runserver` finds it; defineSettings() checks every name and value.
import {
  CommonMiddleware,
  CsrfViewMiddleware,
  defineSettings,
  SecurityMiddleware,
  SessionMiddleware,
  XFrameOptionsMiddleware,
} from 'gwi';

export default defineSettings({
  // DEBUG shows source code and settings on error pages: never turn it on in production.
  DEBUG: true,
  // Keep the real key out of the source in production (read it from the environment).
  SECRET_KEY: 'gwi-insecure-y2zc(t-je7qpmiw1cl28)xaalud(+86kvtf@rtpi1yq19c3p+_',
  // Empty with DEBUG on means localhost only (.localhost, 127.0.0.1, [::1]).
  ALLOWED_HOSTS: [],

  ROOT_URLCONF: 'mysite/urls',
  GWI_APPLICATION: 'mysite/gwi#application',

  // Outermost first: the project's own middleware is given as an import string, gwi's as values.
  // SessionMiddleware gives views request.session (kept in a signed cookie); CsrfViewMiddleware refuses a
  // POST without the token its form got from getCsrfToken() (mysite/html.ts).
  MIDDLEWARE: [
    SecurityMiddleware,
    SessionMiddleware,
    CommonMiddleware,
    CsrfViewMiddleware,
    XFrameOptionsMiddleware,
    'mysite/middleware#timingMiddleware',
  ],

  // runserver serves these folders under STATIC_URL while DEBUG is on.
  STATIC_URL: '/static/',
  STATICFILES_DIRS: ['static'],
});
