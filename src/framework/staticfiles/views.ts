// Serving one static file (Django's staticfiles serve() and views/static.py): the file, a 304 when the
// client's copy is fresh, or the site's 404.
import { formatDateTime } from '../../gateway/util.js';
import { settings } from '../conf/settings.js';
import { technical404Response } from '../debug/technical-404.js';
import { pageNotFound } from '../views/defaults.js';
import { Http404 } from '../exceptions.js';
import type { GwiRequest } from '../http/request.js';
import { FileResponse, guessType } from '../http/file-response.js';
import { HttpResponseNotModified, type HttpResponseBase } from '../http/response.js';
import { parseHttpDate } from '../utils/http.js';
import { findStaticFile } from './finders.js';

/** Django's was_modified_since: true unless If-Modified-Since is valid and not older than the file. */
export function wasModifiedSince(header: string | undefined, mtimeMs: number): boolean {
  if (header === undefined) return true;
  const since = parseHttpDate(header);
  return since === null || Math.floor(mtimeMs / 1000) > since;
}

/** A 404 as the rest of the site gives it: the technical page with DEBUG, the plain one without. */
function notFound(request: GwiRequest, message: string): HttpResponseBase {
  return settings.DEBUG ? technical404Response(request, new Http404(message)) : pageNotFound(request);
}

/** Django's staticfiles serve(): the file, a 304 for a fresh If-Modified-Since, or a 404. */
export async function serveStatic(request: GwiRequest, relative: string, roots: readonly string[]): Promise<HttpResponseBase> {
  const found = await findStaticFile(relative, roots);
  if (found === 'directory') return notFound(request, 'Directory indexes are not allowed here.');
  if (found === null) return notFound(request, `'${relative}' could not be found`);
  const { path: file, name, stats } = found;
  if (!wasModifiedSince(request.META.HTTP_IF_MODIFIED_SINCE, stats.mtimeMs)) return new HttpResponseNotModified();
  // Django's serve(): a compressed file goes out as what it holds, with its Content-Encoding.
  const { type, encoding } = guessType(name);
  const response = new FileResponse(file, { filename: name, contentType: type ?? 'application/octet-stream' });
  response.headers.set('Last-Modified', formatDateTime(Math.floor(stats.mtimeMs / 1000) * 1000));
  if (encoding !== null) response.headers.set('Content-Encoding', encoding);
  return response;
}
