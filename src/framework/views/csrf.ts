// The page a request refused by the CSRF checks gets (Django's views/csrf.py csrf_failure and its
// csrf_403.html): why, in the visitor's words; with DEBUG on, the reason and how to fix the form.
import { settings } from '../conf/settings.js';
import { escapeHtml } from '../debug/html.js';
import type { GwiRequest } from '../http/request.js';
import { HttpResponseForbidden } from '../http/response.js';
import { REASON_NO_CSRF_COOKIE, REASON_NO_REFERER } from '../middleware/csrf-reasons.js';

const NO_REFERER = [
  'You are seeing this message because this HTTPS site requires a “Referer header” to be sent by your web browser, but ' +
    'none was sent. This header is required for security reasons, to ensure that your browser is not being hijacked by ' +
    'third parties.',
  'If you have configured your browser to disable “Referer” headers, please re-enable them, at least for this site, or ' +
    'for HTTPS connections, or for “same-origin” requests.',
  'If you are using the <meta name="referrer" content="no-referrer"> tag or including the “Referrer-Policy: no-referrer” ' +
    'header, please remove them. The CSRF protection requires the “Referer” header to do strict referer checking. If ' +
    'you’re concerned about privacy, use alternatives like <a rel="noreferrer" …> for links to third-party sites.',
];

const NO_COOKIE = [
  'You are seeing this message because this site requires a CSRF cookie when submitting forms. This cookie is required ' +
    'for security reasons, to ensure that your browser is not being hijacked by third parties.',
  'If you have configured your browser to disable cookies, please re-enable them, at least for this site, or for ' +
    '“same-origin” requests.',
];

// Django's help list, told in gwi's terms: no template tag, the view puts the token in the form.
const HELP = `
  <p>In general, this can occur when there is a genuine Cross Site Request Forgery, or when gwi’s
  CSRF mechanism has not been used correctly.  For POST forms, you need to ensure:</p>

  <ul>
    <li>Your browser is accepting cookies.</li>

    <li>The view that shows the form calls <code>getCsrfToken(request)</code>, which has the
    CSRF cookie set on its response.</li>

    <li>Each POST form that targets an internal URL has a hidden <code>csrfmiddlewaretoken</code>
    input holding that token (a script sends it in the <code>X-CSRFToken</code> header instead).</li>

    <li>If you are not using <code>CsrfViewMiddleware</code>, then you must use
    <code>csrfProtect</code> on any views that call <code>getCsrfToken</code>, as well as those that
    accept the POST data.</li>

    <li>The form has a valid CSRF token. After logging in to another browser
    tab or hitting the back button after a login, you may need to reload the
    page with the form, because the token is rotated after a login.</li>
  </ul>

  <p>You’re seeing the help section of this page because you have <code>DEBUG =
  true</code> in your gwi settings file. Change that to <code>false</code>,
  and only the initial error message will be displayed.  </p>

  <p>You can customize this page using the CSRF_FAILURE_VIEW setting.</p>
`;

// Django's stylesheet for this page, as it is.
const STYLE = `
    html * { padding:0; margin:0; }
    body * { padding:10px 20px; }
    body * * { padding:0; }
    body { font:small sans-serif; background:#eee; color:#000; }
    body>div { border-bottom:1px solid #ddd; }
    h1 { font-weight:normal; margin-bottom:.4em; }
    h1 span { font-size:60%; color:#666; font-weight:normal; }
    #info { background:#f6f6f6; }
    #info ul { margin: 0.5em 4em; }
    #info p, #summary p { padding-top:10px; }
    #summary { background: #ffc; }
    #explanation { background:#eee; border-bottom: 0px none; }
  `;

const paragraphs = (texts: readonly string[]): string => texts.map((text) => `  <p>${escapeHtml(text)}</p>\n`).join('');

/** The page: the explanation the reason calls for, then the help (DEBUG) or where to find more. */
export function renderCsrfFailure(reason: string, debug: boolean): string {
  const summary =
    `  <h1>Forbidden <span>(403)</span></h1>\n  <p>CSRF verification failed. Request aborted.</p>\n` +
    (reason === REASON_NO_REFERER ? paragraphs(NO_REFERER) : '') +
    (reason === REASON_NO_CSRF_COOKIE ? paragraphs(NO_COOKIE) : '');
  const details = debug
    ? '<div id="info">\n  <h2>Help</h2>\n' +
      (reason ? `    <p>Reason given for failure:</p>\n    <pre>\n    ${escapeHtml(reason)}\n    </pre>\n` : '') +
      `${HELP}</div>\n`
    : '<div id="explanation">\n  <p><small>More information is available with DEBUG=true.</small></p>\n</div>\n';
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n' +
    '  <meta http-equiv="content-type" content="text/html; charset=utf-8">\n' +
    '  <meta name="robots" content="NONE,NOARCHIVE">\n' +
    `  <title>403 Forbidden</title>\n  <style>${STYLE}</style>\n</head>\n<body>\n` +
    `<div id="summary">\n${summary}</div>\n${details}</body>\n</html>\n`
  );
}

/** Django's csrf_failure: the default CSRF_FAILURE_VIEW, called as `view(request, { reason })`. */
export function csrfFailure(_request: GwiRequest, { reason = '' }: { reason?: string } = {}): HttpResponseForbidden {
  return new HttpResponseForbidden(renderCsrfFailure(reason, settings.DEBUG));
}
