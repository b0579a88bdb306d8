// The page every request gets while the project cannot be loaded (a syntax error, a broken settings
// module): the error, where it is, the source around it. It reads no settings, which may be what broke.
import { HttpResponse } from '../http/response.js';
import { sourceContext, type Frame, type SourceContext } from './frames.js';
import { escapeHtml, metaTable, renderPage } from './html.js';
import { describeExceptions, location, type ExceptionInfo } from './exception-reporter.js';
import { renderFrames } from './technical-500-html.js';

export interface LoadFailureData {
  /** The error first, then its causes. */
  exceptions: ExceptionInfo[];
  file: string | null;
  line: number | null;
  /** The source around `file:line`, when the file can be read. */
  context: SourceContext | null;
}

export interface ErrorWhere {
  file?: string | undefined;
  line?: number | undefined;
}

/** The page's data; without an explicit `where`, the first frame in the user's code says where. */
export function loadFailureData(error: unknown, where: ErrorWhere = {}): LoadFailureData {
  const exceptions = describeExceptions(error);
  let file = where.file ?? null;
  let line = where.line ?? null;
  if (file === null) {
    const frame = (exceptions[0]?.frames ?? []).find((f) => !f.library && f.file !== null);
    if (frame) [file, line] = [frame.file, frame.line];
  }
  const context = file !== null && line !== null ? sourceContext(file, line) : null;
  return { exceptions, file, line, context };
}

export function renderLoadFailure(data: LoadFailureData): string {
  const [error, ...causes] = data.exceptions;
  const type = error?.type ?? 'Error';
  const message = error?.message ?? '';
  const rows: [string, string][] = [
    ['Exception Type:', type],
    ['Exception Value:', message],
  ];
  const where = data.file === null ? null : data.line === null ? data.file : `${data.file}:${data.line}`;
  if (where) rows.push(['Location:', where]);
  const header =
    '<h1>The project failed to load</h1>\n' +
    `<pre class="exception_value">${escapeHtml(`${type}: ${message}`)}</pre>\n` +
    metaTable(rows);

  let main = '';
  if (data.context && data.file !== null) {
    const frame: Frame = {
      functionName: 'Source',
      file: data.file,
      line: data.line,
      column: null,
      library: false,
      generated: null,
      context: data.context,
    };
    main += `<h2>${escapeHtml(location(frame))}</h2>\n${renderFrames([frame])}\n`;
  }
  for (const cause of causes) {
    main += `<div class="cause">\n<h3>Caused by ${escapeHtml(cause.type)}</h3>\n<pre class="exception_value">${escapeHtml(cause.message)}</pre>\n</div>\n`;
  }
  if (error && error.frames.length > 0) main += `<h2>Stack <small>(most recent call first)</small></h2>\n${renderFrames(error.frames)}`;

  const footer =
    '<p>The development server is still running. Fix the error and save the file: gwi reloads the project, ' +
    'and this page goes away. Until then every request gets this page.</p>';
  return renderPage({ title: `${type} while loading the project`, tone: 'error', header, main, footer });
}

/** The 500 response runserver gives while the project does not load. */
export function loadFailureResponse(error: unknown, where: ErrorWhere = {}): HttpResponse {
  return new HttpResponse(renderLoadFailure(loadFailureData(error, where)), {
    status: 500,
    contentType: 'text/html; charset=utf-8',
  });
}
