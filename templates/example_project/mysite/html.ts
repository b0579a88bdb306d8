// What a template engine would do for this small site: escaping, static URLs, the CSRF token of a form, and
// the layout every page shares.
import { escape, getCsrfToken, type GwiRequest, reverse, settings } from 'gwi';

/** The URL of a file in STATICFILES_DIRS (Django's {% static %}). */
export function staticUrl(name: string): string {
  return `${settings.STATIC_URL ?? '/static/'}${name}`;
}

/** The hidden input a POST form sends its CSRF token in (Django's {% csrf_token %}); CsrfViewMiddleware checks it. */
export function csrfTokenInput(request: GwiRequest): string {
  return `<input type="hidden" name="csrfmiddlewaretoken" value="${escape(getCsrfToken(request))}">`;
}

/** A whole page around `body`, which is HTML: whatever came from the request must be escaped in it. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(title)} · gwi example</title>
<link rel="stylesheet" href="${escape(staticUrl('style.css'))}">
<script src="${escape(staticUrl('app.js'))}" defer></script>
</head>
<body>
<header><a href="${escape(reverse('home'))}">gwi example</a></header>
<main>
${body}
</main>
</body>
</html>
`;
}
