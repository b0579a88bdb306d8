// The DEBUG response for an exception (Django's technical_500_response): the exception report, as HTML
// or as plain text for clients that do not accept HTML.
import type { GwiRequest } from '../http/request.js';
import { HttpResponse } from '../http/response.js';
import { technical500Data } from './exception-reporter.js';
import { renderTechnical500 } from './technical-500-html.js';
import { renderTechnical500Text } from './technical-500-text.js';

/** Django's request.accepts('text/html'): no Accept header, `*\/*` or `text/*` count as yes. */
function acceptsHtml(accept: unknown): boolean {
  if (typeof accept !== 'string' || accept.trim() === '') return true;
  return accept.split(',').some((part) => {
    const type = (part.split(';')[0] ?? '').trim().toLowerCase();
    return type === 'text/html' || type === 'text/*' || type === '*/*';
  });
}

/** The DEBUG response for an exception: HTML, or plain text when the client does not accept HTML. */
export function technical500Response(request: GwiRequest | null, error: unknown, statusCode = 500): HttpResponse {
  const data = technical500Data(request, error);
  if (request && !acceptsHtml(request.META.HTTP_ACCEPT)) {
    return new HttpResponse(renderTechnical500Text(data), { status: statusCode, contentType: 'text/plain; charset=utf-8' });
  }
  return new HttpResponse(renderTechnical500(data), { status: statusCode, contentType: 'text/html; charset=utf-8' });
}
