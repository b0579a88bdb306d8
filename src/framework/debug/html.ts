// HTML helpers shared by the debug pages: escaping, the one copy of their inline CSS, the page shell
// and key/value tables. Pages are self-contained: no scripts, no external requests.

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;' };

/** Django's escape(): the five HTML-special characters, so any value is safe in text and attributes. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string);
}

/** The CSS of every debug page (yellow header for errors, as Django's; gwi's own layout). */
export const PAGE_CSS = `
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", sans-serif; color: #1d1d1f; background: #fff; }
header, main, footer { padding: 16px 28px; }
header { border-bottom: 1px solid #d8d8d8; background: #f4f6f8; }
body.error header { background: #ffc; border-bottom-color: #e6e09a; }
body.welcome header { background: #0c4b33; color: #fff; border: 0; padding: 48px 28px 40px; }
footer { background: #f2f2f2; border-top: 1px solid #d8d8d8; color: #444; }
h1 { margin: 0 0 .4em; font-size: 1.65em; font-weight: 600; line-height: 1.25; }
h1 small { font-size: .6em; font-weight: 400; color: #666; }
h2 { margin: 1.4em 0 .5em; font-size: 1.25em; font-weight: 600; }
h3 { margin: 1.1em 0 .4em; font-size: 1em; font-weight: 600; }
p { margin: .5em 0; }
code, pre, kbd, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
pre.exception_value { margin: .3em 0 1em; font-size: 1.25em; color: #5a4a00; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; }
th, td { padding: 3px 10px 3px 0; text-align: left; vertical-align: top; border-bottom: 1px solid #ececec; }
thead th { font-weight: 600; color: #555; border-bottom-color: #ccc; }
table.meta th { width: 13em; font-weight: 400; color: #555; white-space: nowrap; }
table.meta td, table.vars td { overflow-wrap: anywhere; }
table.vars td:first-child { width: 16em; }
table.vars td:last-child { white-space: pre-wrap; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
p.empty { color: #777; font-style: italic; }
ol.tried li { margin: .15em 0; }
.frame { margin: .7em 0; border: 1px solid #ddd; border-radius: 4px; overflow: hidden; }
.frame .where { padding: 6px 10px; background: #f7f7f7; }
.frame .where .fn { font-weight: 600; }
.frame .where .loc { color: #555; }
.frame .where .mapped { color: #777; font-size: .85em; }
ol.context { margin: 0; padding: 6px 10px 6px 4.5em; background: #fbfbfb; border-top: 1px solid #eee; color: #444; overflow-x: auto; }
ol.context li { white-space: pre; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; line-height: 1.5; }
ol.context li::marker { color: #999; }
ol.context li.current { background: #fde2e2; color: #111; font-weight: 600; }
details.library { margin: .7em 0; color: #555; }
details.library > summary { cursor: pointer; padding: 4px 0; }
details.library .frame { opacity: .85; }
details.copy > summary { cursor: pointer; margin: 1em 0 .4em; color: #555; }
details.copy pre { padding: 10px; background: #f7f7f7; border: 1px solid #ddd; }
.cause { margin-top: 1.6em; padding-top: .6em; border-top: 2px dashed #e0d98a; }
.hint { margin: 1em 0; padding: 10px 14px; background: #eef6ff; border-left: 4px solid #5b9bd5; }
body.welcome main { max-width: 52em; }
body.welcome .version { opacity: .75; }
`;

export interface PageParts {
  title: string;
  /** `error` gets the yellow header; `welcome` the welcome page's banner. */
  tone: 'error' | 'welcome';
  /** Trusted HTML (already escaped by the caller). */
  header: string;
  main?: string;
  footer?: string;
}

/** A complete HTML5 document; `title` is escaped here, the parts must be escaped by the caller. */
export function renderPage({ title, tone, header, main = '', footer = '' }: PageParts): string {
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="robots" content="NONE,NOARCHIVE">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>${PAGE_CSS}</style>\n</head>\n` +
    `<body class="${tone}">\n<header>\n${header}\n</header>\n` +
    (main ? `<main>\n${main}\n</main>\n` : '') +
    (footer ? `<footer>\n${footer}\n</footer>\n` : '') +
    '</body>\n</html>\n'
  );
}

/** A two-column table of label → value (both escaped). */
export function metaTable(rows: readonly (readonly [string, string])[]): string {
  const body = rows.map(([label, value]) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`);
  return `<table class="meta">\n${body.join('\n')}\n</table>`;
}

/** A Variable/Value table (request data, settings), or a line saying it is empty. */
export function varsTable(rows: readonly (readonly [string, string])[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const body = rows.map(([name, value]) => `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(value)}</td></tr>`);
  return `<table class="vars">\n<thead><tr><th>Variable</th><th>Value</th></tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>`;
}
