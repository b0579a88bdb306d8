// The project's views, one per thing the example shows; the home page links to each of them.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  escape,
  type GwiRequest,
  Http404,
  HttpResponse,
  HttpResponseNotFound,
  HttpResponseRedirect,
  JsonResponse,
  reverse,
  StreamingHttpResponse,
  View,
} from 'gwi';
import { csrfTokenInput, page } from './html.js';

/** The home page: a link to every demo. */
export function home(_request: GwiRequest): HttpResponse {
  const links: [href: string, label: string][] = [
    [`${reverse('article', { kwargs: { id: 42 } })}?format=short`, 'JSON from a view with a path parameter'],
    [`${reverse('greeting')}?name=Ada`, 'A class-based view (GET here, POST JSON to it)'],
    [reverse('form'), 'A form: POST and back'],
    [reverse('upload'), 'A file upload (multipart/form-data)'],
    [reverse('stream'), 'A streaming response'],
    [reverse('polls:index'), 'An app included with a namespace'],
    [reverse('missing'), 'A view raising Http404'],
    [reverse('boom'), 'A view throwing an Error: the debug page'],
    [reverse('go'), 'A redirect'],
    [reverse('visits'), 'A session: this browser\'s visits, counted in a signed cookie'],
    ['/nowhere/', 'A URL nothing matches: the technical 404 page'],
    ['/form', 'A URL without its trailing slash (APPEND_SLASH)'],
    ['/static/style.css', 'A static file'],
  ];
  const items = links.map(([href, label]) => `<li><a href="${escape(href)}">${escape(label)}</a></li>`);
  return new HttpResponse(
    page(
      'Home',
      `<h1>It works!</h1>\n<p>Each link shows one part of gwi.</p>\n<ul class="demos">\n${items.join('\n')}\n</ul>\n` +
        '<h2>Fetched by static/app.js</h2>\n<pre id="json-demo">(loading…)</pre>',
    ),
  );
}

/** JSON built from the path parameter (a number: `<int:id>`) and the query string. */
export function article(request: GwiRequest, kwargs: Record<string, unknown>): JsonResponse {
  const id = kwargs.id as number;
  return new JsonResponse({
    id,
    title: `Article ${id}`,
    url: reverse('article', { kwargs: { id } }),
    query: Object.fromEntries(request.GET.items()),
  });
}

/** A class-based view: GET and POST go to their own methods, any other method is a 405. */
export class GreetingView extends View {
  /** Can be changed per route: GreetingView.asView({ greeting: 'Hi' }). */
  greeting = 'Hello';

  get(request: GwiRequest): HttpResponse {
    const name = request.GET.get('name', 'world');
    return new HttpResponse(page('Greeting', `<h1>${escape(this.greeting)}, ${escape(name)}!</h1>`));
  }

  /** A script sends the CSRF token in the X-CSRFToken header: the csrftoken cookie's value, or getCsrfToken()'s. */
  async post(request: GwiRequest): Promise<JsonResponse> {
    const data = await request.json();
    const name = typeof data === 'object' && data !== null && 'name' in data ? String(data.name) : 'world';
    return new JsonResponse({ greeting: `${this.greeting}, ${name}!` }, { status: 201 });
  }
}

const TOPICS = ['routing', 'middleware', 'static files'];

/** GET shows the form; POST reads it and shows back what was sent, escaped. */
export async function contactForm(request: GwiRequest): Promise<HttpResponse> {
  if (request.method === 'POST') {
    const data = await request.post();
    const topics = data.getList('topic').map((topic) => `<li>${escape(topic)}</li>`);
    return new HttpResponse(
      page(
        'Thanks',
        `<h1>Thanks, <span class="name">${escape(data.get('name', ''))}</span>!</h1>\n` +
          `<p>You wrote:</p>\n<blockquote class="message">${escape(data.get('message', ''))}</blockquote>\n` +
          `<p>Topics:</p>\n<ul class="topics">${topics.join('')}</ul>`,
      ),
    );
  }
  const boxes = TOPICS.map((topic) => `<label><input type="checkbox" name="topic" value="${escape(topic)}"> ${escape(topic)}</label>`);
  return new HttpResponse(
    page(
      'Contact',
      `<h1>Contact</h1>\n<form method="post" action="${escape(reverse('form'))}">\n${csrfTokenInput(request)}\n` +
        '<p><label>Name <input name="name" required></label></p>\n' +
        '<p><label>Message <textarea name="message"></textarea></label></p>\n' +
        `<p>${boxes.join('\n')}</p>\n<p><button type="submit">Send</button></p>\n</form>`,
    ),
  );
}

/** Counts this browser's visits in its session (a signed cookie: nothing is stored on the server); POST forgets them. */
export function visits(request: GwiRequest): HttpResponse {
  if (request.method === 'POST') {
    request.session.flush();
    return new HttpResponseRedirect(reverse('visits'));
  }
  const count = Number(request.session.get('visits', 0)) + 1;
  request.session.set('visits', count);
  return new HttpResponse(
    page(
      'Visits',
      `<h1>Visits</h1>\n<p class="visits">You have seen this page ${count} time${count === 1 ? '' : 's'}.</p>\n` +
        `<form method="post">\n${csrfTokenInput(request)}\n<button type="submit">Forget me</button>\n</form>`,
    ),
  );
}

/** GET shows the form; POST hashes the uploaded file as it reads it (large files are on disk, not in memory). */
export async function upload(request: GwiRequest): Promise<HttpResponse> {
  if (request.method === 'POST') {
    const file = (await request.files()).get('file');
    if (!file) return new HttpResponse(page('Upload', '<p class="error">No file was sent.</p>'), { status: 400 });
    const hash = createHash('sha256');
    for await (const chunk of file.chunks()) hash.update(chunk);
    return new HttpResponse(
      page(
        'Uploaded',
        '<h1>Uploaded</h1>\n<dl>\n' +
          `<dt>Name</dt><dd class="name">${escape(file.name)}</dd>\n` +
          `<dt>Type</dt><dd class="type">${escape(file.contentType)}</dd>\n` +
          `<dt>Size</dt><dd class="size">${file.size}</dd>\n` +
          `<dt>SHA-256</dt><dd class="sha256">${hash.digest('hex')}</dd>\n` +
          `<dt>Note</dt><dd class="note">${escape(request.POST.get('note', ''))}</dd>\n</dl>`,
      ),
    );
  }
  return new HttpResponse(
    page(
      'Upload',
      `<h1>Upload a file</h1>\n<form method="post" action="${escape(reverse('upload'))}" enctype="multipart/form-data">\n${csrfTokenInput(request)}\n` +
        '<p><input type="file" name="file" required></p>\n<p><label>Note <input name="note"></label></p>\n' +
        '<p><button type="submit">Upload</button></p>\n</form>',
    ),
  );
}

async function* countdown(): AsyncGenerator<string> {
  for (let n = 5; n > 0; n--) {
    yield `${n}...\n`;
    // The pause makes each line arrive on its own: watch it with `curl -N`.
    await sleep(20);
  }
  yield 'Lift-off!\n';
}

/** A body produced while it is sent: no Content-Length, so HTTP/1.1 clients get it chunked. */
export function stream(_request: GwiRequest): StreamingHttpResponse {
  return new StreamingHttpResponse(countdown(), { contentType: 'text/plain; charset=utf-8' });
}

/** Http404 from a view: the 404 page (with DEBUG, the technical one shows this message). */
export function missing(_request: GwiRequest): HttpResponse {
  throw new Http404('There is nothing here, on purpose.');
}

/** Any other error is a 500: with DEBUG, the page shows this file and line, and the source around it. */
export function boom(_request: GwiRequest): HttpResponse {
  throw new Error('Something broke (on purpose).');
}

/** A 302 to another page, found by its name. */
export function go(_request: GwiRequest): HttpResponseRedirect {
  return new HttpResponseRedirect(reverse('article', { kwargs: { id: 7 } }));
}

/** The 404 page with DEBUG off (handler404 in mysite/urls.ts). */
export function notFound(request: GwiRequest): HttpResponse {
  return new HttpResponseNotFound(page('Not found', `<h1>Not found</h1>\n<p>Nothing lives at <code>${escape(request.path)}</code>.</p>`));
}
