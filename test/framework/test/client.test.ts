// The test client (Django's django.test.Client): over a plain GWI application (the environ it builds, the
// bodies it sends, the GWI contract it keeps, cookies and redirects) and over gwi's own handler (the request
// and the resolved view exposed, a view's exception thrown, the project's application found from its settings).
import { Buffer } from 'node:buffer';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings, settings, type SettingsInput } from '../../../src/framework/conf/settings.js';
import { getGwiApplication } from '../../../src/framework/handlers/gwi.js';
import { GwiRequest } from '../../../src/framework/http/request.js';
import { HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse } from '../../../src/framework/http/response.js';
import { requestFinished } from '../../../src/framework/signals.js';
import { clearUrlCaches } from '../../../src/framework/urls/base.js';
import { path as route } from '../../../src/framework/urls/conf.js';
import type { View } from '../../../src/framework/views/generic.js';
import type { Application, HeaderList } from '../../../src/gateway/types.js';
import { Client, RedirectCycleError } from '../../../src/framework/test/client.js';
import { BOUNDARY, MULTIPART_CONTENT } from '../../../src/framework/test/request-body.js';
import { CsrfViewMiddleware } from '../../../src/framework/middleware/csrf.js';

const PROJECT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'project');

afterEach(() => {
  resetSettings();
  clearUrlCaches();
});

/** What the echo application saw: the environ's strings and the body it read. */
interface Echo {
  environ: Record<string, string>;
  body: string;
}

/** Answers with the environ's string values and the body, as JSON. */
const echo: Application = async (environ, startResponse) => {
  const body = Buffer.from(await environ['gwi.input'].read()).toString('latin1');
  const strings = Object.fromEntries(Object.entries(environ).filter(([, value]) => typeof value === 'string'));
  startResponse('200 OK', [['Content-Type', 'application/json']]);
  return [Buffer.from(JSON.stringify({ environ: strings, body }))];
};

/** An application answering `status` with `headers` and `body`, for one test. */
function answering(status: string, headers: HeaderList, body = ''): Application {
  return (_environ, startResponse) => {
    startResponse(status, headers);
    return [Buffer.from(body)];
  };
}

describe('the client over a GWI application', () => {
  it('builds the environ as a server would, with Django test client values', async () => {
    const response = await new Client(echo).get('/caf%C3%A9/');
    const { environ } = response.json() as Echo;
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '',
      PATH_INFO: '/caf\u00c3\u00a9/', // the path's bytes as latin-1
      QUERY_STRING: '',
      SERVER_NAME: 'testserver',
      SERVER_PORT: '80',
      SERVER_PROTOCOL: 'HTTP/1.1',
      HTTP_HOST: 'testserver',
      REMOTE_ADDR: '127.0.0.1',
      'gwi.url_scheme': 'http',
    });
    expect(environ).not.toHaveProperty('CONTENT_TYPE');
    expect(environ).not.toHaveProperty('HTTP_COOKIE');
    expect(response.environ['gwi.version']).toEqual([1, 0]);
    expect(typeof response.environ['gwi.file_wrapper']).toBe('function');
    // A path given as text is sent in UTF-8, as a browser sends it.
    expect(((await new Client(echo).get('/café/')).json() as Echo).environ.PATH_INFO).toBe('/caf\u00c3\u00a9/');
  });

  it('sends GET data as the query string; without data, the path keeps its own', async () => {
    const client = new Client(echo);
    const query = async (...args: Parameters<Client['get']>) => ((await client.get(...args)).json() as Echo).environ.QUERY_STRING;
    expect(await query('/search/', { q: 'a b', tag: ['x', 'é'] })).toBe('q=a+b&tag=x&tag=%C3%A9');
    expect(await query('/search/?page=2&q=caf\u00e9')).toBe('page=2&q=caf\u00c3\u00a9');
    expect(await query('/search/?page=2', { q: 'x' })).toBe('q=x');
    expect(await query('/search/', null, { query: { page: 3 } })).toBe('page=3');
    await expect(client.get('/', { a: 1 }, { query: { b: 2 } })).rejects.toThrow('The query option and data are mutually exclusive.');
  });

  it('sends headers by their HTTP names, latin-1 values as they are and others in UTF-8; the client has its own', async () => {
    const client = new Client(echo, { headers: { 'X-Client': 'everywhere', Accept: 'text/html' } });
    const response = await client.get('/', null, {
      headers: { Accept: 'application/json', 'X-Name': 'café', 'X-Sign': '€', 'Content-Type': 'text/plain' },
      extra: { REMOTE_ADDR: '10.0.0.1' },
    });
    expect((response.json() as Echo).environ).toMatchObject({
      HTTP_X_CLIENT: 'everywhere',
      HTTP_ACCEPT: 'application/json',
      HTTP_X_NAME: 'caf\u00e9',
      HTTP_X_SIGN: '\u00e2\u0082\u00ac',
      CONTENT_TYPE: 'text/plain',
      REMOTE_ADDR: '10.0.0.1',
    });
  });

  it('sends https when secure', async () => {
    const { environ } = (await new Client(echo).get('/', null, { secure: true })).json() as Echo;
    expect(environ).toMatchObject({ 'gwi.url_scheme': 'https', SERVER_PORT: '443' });
  });

  it('posts form data as multipart/form-data by default, files included', async () => {
    const file = new File(['hello\n'], 'notes.txt', { type: 'text/plain' });
    const bytes = Object.assign(Buffer.from([0, 1, 2]), { name: '/tmp/data.bin' });
    const response = await new Client(echo).post('/upload/', { title: 'Hi', tags: ['a', 'b'], file, raw: bytes, blob: new Blob(['x']) });
    const { environ, body } = response.json() as Echo;
    expect(environ.CONTENT_TYPE).toBe(MULTIPART_CONTENT);
    expect(environ.CONTENT_LENGTH).toBe(String(body.length));
    expect(body).toBe(
      [
        `--${BOUNDARY}`, 'Content-Disposition: form-data; name="title"', '', 'Hi',
        `--${BOUNDARY}`, 'Content-Disposition: form-data; name="tags"', '', 'a',
        `--${BOUNDARY}`, 'Content-Disposition: form-data; name="tags"', '', 'b',
        `--${BOUNDARY}`, 'Content-Disposition: form-data; name="file"; filename="notes.txt"', 'Content-Type: text/plain', '', 'hello\n',
        `--${BOUNDARY}`, 'Content-Disposition: form-data; name="raw"; filename="data.bin"', 'Content-Type: application/octet-stream', '', '\x00\x01\x02',
        `--${BOUNDARY}`, 'Content-Disposition: form-data; name="blob"; filename="blob"', 'Content-Type: application/octet-stream', '', 'x',
        `--${BOUNDARY}--`, '',
      ].join('\r\n'),
    );
    await expect(new Client(echo).post('/', { title: null })).rejects.toThrow(
      "Cannot encode null for key 'title' as POST data. Did you mean to pass an empty string or omit the value?",
    );
  });

  it('posts JSON for a JSON content type, and text or bytes as they are; put and the others default to octet-stream', async () => {
    const client = new Client(echo);
    const sent = async (response: Promise<{ json(): unknown }>) => {
      const { environ, body } = (await response).json() as Echo;
      return [environ.REQUEST_METHOD, environ.CONTENT_TYPE, body];
    };
    expect(await sent(client.post('/', { a: [1, 'é'] }, { contentType: 'application/json' }))).toEqual(['POST', 'application/json', '{"a":[1,"\u00c3\u00a9"]}']);
    expect(await sent(client.post('/', 'a=1&b=2', { contentType: 'application/x-www-form-urlencoded' }))).toEqual([
      'POST',
      'application/x-www-form-urlencoded',
      'a=1&b=2',
    ]);
    expect((await sent(client.post('/', { a: 'x y' }, { contentType: 'application/x-www-form-urlencoded' })))[2]).toBe('a=x+y');
    expect(await sent(client.put('/', Buffer.from([0xff])))).toEqual(['PUT', 'application/octet-stream', '\u00ff']);
    expect(await sent(client.patch('/', 'é', { contentType: 'text/plain; charset=latin-1' }))).toEqual(['PATCH', 'text/plain; charset=latin-1', '\u00e9']);
    expect(await sent(client.delete('/', [1], { contentType: 'application/vnd.api+json' }))).toEqual(['DELETE', 'application/vnd.api+json', '[1]']);
    const options = (await client.options('/')).json() as Echo;
    expect([options.environ.REQUEST_METHOD, options.environ.CONTENT_TYPE]).toEqual(['OPTIONS', undefined]);
    await expect(client.put('/', { a: 1 })).rejects.toThrow('Cannot send object data as application/octet-stream');
  });

  it('gives the status, headers and body, as bytes, text and JSON', async () => {
    const response = await new Client(answering('201 Created', [['Content-Type', 'text/plain; charset=latin-1'], ['X-A', '1'], ['x-a', '2']], 'caf\u00e9')).get('/');
    expect([response.statusCode, response.reasonPhrase]).toEqual([201, 'Created']);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=latin-1');
    expect(response.headers.getAll('X-A')).toEqual(['1', '2']);
    expect(response.content).toEqual(Buffer.from('caf\u00e9'));
    expect(response.charset).toBe('latin-1');
    expect(response.text()).toBe('caf\u00c3\u00a9');
    expect(() => response.json()).toThrow('Content-Type header is "text/plain; charset=latin-1", not "application/json"');
    expect(response.request).toBeNull();
    expect(response.resolverMatch).toBeNull();
  });

  it('sends no body for HEAD, 204 and 304, as servers do', async () => {
    const app = answering('200 OK', [['Content-Length', '5']], 'hello');
    const head = await new Client(app).head('/');
    expect([head.statusCode, head.content.length, head.headers.get('Content-Length')]).toEqual([200, 0, '5']);
    expect((await new Client(answering('204 No Content', [], 'x')).get('/')).content.length).toBe(0);
    expect((await new Client(answering('304 Not Modified', [], 'x')).get('/')).content.length).toBe(0);
  });

  it('reads an async body and write() calls whole, and closes the body once', async () => {
    let closed = 0;
    const app: Application = (_environ, startResponse) => {
      const write = startResponse('200 OK', []);
      void write(Buffer.from('a'));
      return Object.assign(
        (async function* () {
          yield Buffer.from('b');
          yield new Uint8Array([0x63]);
        })(),
        { close: () => void closed++ },
      );
    };
    expect((await new Client(app).get('/')).text()).toBe('abc');
    expect(closed).toBe(1);
  });

  it('passes on what the body throws, once the body is closed; an application that never starts a response is an error', async () => {
    let closed = 0;
    const failing: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      return Object.assign(
        (function* () {
          yield Buffer.from('a');
          throw new Error('broken body');
        })(),
        { close: () => void closed++ },
      );
    };
    await expect(new Client(failing).get('/')).rejects.toThrow('broken body');
    expect(closed).toBe(1);
    await expect(new Client(() => []).get('/')).rejects.toThrow('The application returned without calling startResponse()');
  });

  it('keeps startResponse rules: a second call needs excInfo, which is thrown again once body bytes exist', async () => {
    const replaced: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      startResponse('500 Internal Server Error', [], new Error('handled'));
      return [Buffer.from('error page')];
    };
    expect((await new Client(replaced).get('/')).statusCode).toBe(500);
    const twice: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      startResponse('200 OK', []);
      return [];
    };
    await expect(new Client(twice).get('/')).rejects.toThrow('Headers already set!');
    const late: Application = (_environ, startResponse) =>
      (function* () {
        startResponse('200 OK', []);
        yield Buffer.from('sent');
        startResponse('500 Internal Server Error', [], new Error('too late'));
      })();
    await expect(new Client(late).get('/')).rejects.toThrow('too late');
  });

  it('keeps the cookies responses set and sends them back; an expired one is deleted', async () => {
    const cookies: Record<string, string[]> = {
      '/set/': ['a=1; Path=/', 'b="x y"; Max-Age=3600; Path=/', 'c=3'],
      '/delete/': ['a=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/', 'c=; expires=Thu, 01 Jan 1970 00:00:00 GMT'],
    };
    const app: Application = (environ, startResponse) => {
      const setCookies = cookies[environ.PATH_INFO] ?? [];
      startResponse('200 OK', setCookies.map((value): [string, string] => ['Set-Cookie', value]));
      return [Buffer.from(environ.HTTP_COOKIE ?? '')];
    };
    const client = new Client(app);
    expect((await client.get('/set/')).text()).toBe('');
    expect(Object.fromEntries(client.cookies)).toEqual({ a: '1', b: 'x y', c: '3' });
    expect((await client.get('/')).text()).toBe('a=1; b="x y"; c=3');
    await client.get('/delete/');
    expect(Object.fromEntries(client.cookies)).toEqual({ b: 'x y' });
    client.cookies.set('d', 'new');
    expect((await client.get('/')).text()).toBe('b="x y"; d=new');
  });

  it('follows redirects on request: 302 as a GET, 307 repeating the method and body, relative and absolute Locations', async () => {
    const locations: Record<string, [string, string]> = {
      '/old/': ['302 Found', '/middle/?step=1'],
      '/middle/': ['301 Moved Permanently', 'next/'],
      '/middle/next/': ['303 See Other', 'https://example.com:8443/end/'],
      '/keep/': ['307 Temporary Redirect', '/kept/?q=1'],
    };
    const app: Application = async (environ, startResponse) => {
      const target = locations[environ.PATH_INFO];
      if (target) {
        startResponse(target[0], [['Location', target[1]]]);
        return [];
      }
      return echo(environ, startResponse);
    };
    const client = new Client(app);
    const unfollowed = await client.post('/old/', { a: '1' });
    expect([unfollowed.statusCode, unfollowed.headers.get('Location'), unfollowed.redirectChain]).toEqual([302, '/middle/?step=1', []]);

    const followed = await client.post('/old/', { a: '1' }, { follow: true, headers: { 'X-Kept': 'yes' } });
    expect(followed.redirectChain).toEqual([
      ['/middle/?step=1', 302],
      ['next/', 301],
      ['https://example.com:8443/end/', 303],
    ]);
    const { environ, body } = followed.json() as Echo;
    expect(environ).toMatchObject({
      REQUEST_METHOD: 'GET',
      PATH_INFO: '/end/',
      QUERY_STRING: '',
      HTTP_HOST: 'example.com:8443',
      SERVER_NAME: 'example.com',
      SERVER_PORT: '8443',
      'gwi.url_scheme': 'https',
      HTTP_X_KEPT: 'yes',
    });
    expect(body).toBe('');

    const kept = await client.put('/keep/', '{"a":1}', { follow: true, contentType: 'application/json' });
    expect((kept.json() as Echo).environ).toMatchObject({ REQUEST_METHOD: 'PUT', PATH_INFO: '/kept/', QUERY_STRING: 'q=1', CONTENT_TYPE: 'application/json' });
    expect((kept.json() as Echo).body).toBe('{"a":1}');
  });

  it('stops a redirect loop, and more than 20 redirects, with a RedirectCycleError', async () => {
    const loop = new Client(answering('302 Found', [['Location', '/a/']]));
    const error = await loop.get('/a/', null, { follow: true }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RedirectCycleError);
    expect((error as RedirectCycleError).message).toBe('Redirect loop detected.');
    expect((error as RedirectCycleError).redirectChain).toEqual([
      ['/a/', 302],
      ['/a/', 302],
    ]);
    const growing: Application = (environ, startResponse) => {
      startResponse('302 Found', [['Location', `${environ.PATH_INFO}x/`]]);
      return [];
    };
    const tooMany = await new Client(growing).get('/', null, { follow: true }).catch((err: unknown) => err);
    expect((tooMany as RedirectCycleError).message).toBe('Too many redirects.');
    expect((tooMany as RedirectCycleError).lastResponse.redirectChain).toHaveLength(21);
  });
});

/** gwi's handler over these routes and settings (ALLOWED_HOSTS left to the client). */
function framework(urlpatterns: unknown[], extra: SettingsInput = {}): Application {
  configureSettings({ DEBUG: false, ROOT_URLCONF: { urlpatterns }, ...extra });
  return getGwiApplication();
}

describe('the client over gwi’s handler', () => {
  it('exposes the request the handler made and the view it resolved', async () => {
    const article: View = (request, kwargs) => new JsonResponse({ year: kwargs.year, page: request.GET.get('page') });
    const client = new Client(framework([route('articles/<int:year>/', article, { name: 'article' })]));
    const response = await client.get('/articles/2026/', { page: 2 });
    expect(response.json()).toEqual({ year: 2026, page: '2' });
    expect(response.request).toBeInstanceOf(GwiRequest);
    expect(response.request?.environ).toBe(response.environ);
    expect(response.request?.getFullPath()).toBe('/articles/2026/?page=2');
    expect(response.resolverMatch?.func).toBe(article);
    expect(response.resolverMatch?.urlName).toBe('article');
    expect(response.resolverMatch?.kwargs).toEqual({ year: 2026 });
  });

  it('skips CSRF checks unless asked to enforce them, as Django\'s client', async () => {
    const thanks: View = () => new HttpResponse('thanks');
    const app = framework([route('', thanks)], { MIDDLEWARE: [CsrfViewMiddleware] });
    expect((await new Client(app).post('/', { name: 'x' })).statusCode).toBe(200);
    const strict = await new Client(app, { enforceCsrfChecks: true, raiseRequestException: false }).post('/', { name: 'x' });
    expect(strict.statusCode).toBe(403);
    expect(strict.text()).toContain('CSRF verification failed. Request aborted.');
  });

  it("allows the client's host, 'testserver', as Django's test runner does", async () => {
    const host: View = (request) => new HttpResponse(request.getHost());
    const client = new Client(framework([route('', host)], { ALLOWED_HOSTS: ['example.com'] }));
    expect((await client.get('/')).text()).toBe('testserver');
    expect(settings.ALLOWED_HOSTS).toEqual(['example.com', 'testserver']);
    // Another host is still checked.
    expect((await client.get('/', null, { headers: { Host: 'evil.test' } })).statusCode).toBe(400);
  });

  it('posts form fields and files the view reads as request.POST and request.FILES', async () => {
    const upload: View = async (request) => {
      const [post, files] = [await request.post(), await request.files()];
      const file = files.get('file');
      return new JsonResponse({
        title: post.get('title'),
        tags: post.getList('tags'),
        file: file && { name: file.name, type: file.contentType, content: (await file.read()).toString() },
      });
    };
    const client = new Client(framework([route('upload/', upload)]));
    const response = await client.post('/upload/', { title: 'Été', tags: ['a', 'b'], file: new File(['data'], 'a.csv') });
    expect(response.json()).toEqual({ title: 'Été', tags: ['a', 'b'], file: { name: 'a.csv', type: 'text/csv', content: 'data' } });
  });

  it('posts JSON and urlencoded forms', async () => {
    const view: View = async (request) =>
      new JsonResponse({ type: request.contentType, post: Object.fromEntries(await request.post()), body: (await request.body()).toString() });
    const client = new Client(framework([route('', view)]));
    expect((await client.post('/', { a: 1 }, { contentType: 'application/json' })).json()).toEqual({ type: 'application/json', post: {}, body: '{"a":1}' });
    expect((await client.post('/', { a: 'x' }, { contentType: 'application/x-www-form-urlencoded' })).json()).toEqual({
      type: 'application/x-www-form-urlencoded',
      post: { a: 'x' },
      body: 'a=x',
    });
  });

  it('keeps the cookies the views set across requests', async () => {
    const counter: View = (request) => {
      const visits = Number(request.COOKIES.visits ?? 0) + 1;
      const response = new HttpResponse(String(visits));
      if (visits < 3) response.setCookie('visits', String(visits));
      else response.deleteCookie('visits');
      return response;
    };
    const client = new Client(framework([route('', counter)]));
    expect([(await client.get('/')).text(), (await client.get('/')).text(), (await client.get('/')).text()]).toEqual(['1', '2', '3']);
    expect(client.cookies.has('visits')).toBe(false);
    expect((await client.get('/')).text()).toBe('1');
  });

  it('follows the views’ redirects; the last response has its own request and view', async () => {
    const done: View = () => new HttpResponse('done');
    const client = new Client(
      framework([route('start/', () => new HttpResponseRedirect('/done/')), route('done/', done, { name: 'done' })]),
    );
    const response = await client.get('/start/', null, { follow: true });
    expect([response.statusCode, response.text(), response.redirectChain]).toEqual([200, 'done', [['/done/', 302]]]);
    expect(response.resolverMatch?.func).toBe(done);
    expect(response.request?.path).toBe('/done/');
  });

  it("throws the view's exception, or gives the 500 page with raiseRequestException off", async () => {
    const urls = [
      route('boom/', () => {
        throw new Error('view failed');
      }),
    ];
    await expect(new Client(framework(urls)).get('/boom/')).rejects.toThrow('view failed');
    const response = await new Client(framework(urls), { raiseRequestException: false }).get('/boom/');
    expect(response.statusCode).toBe(500);
    expect(response.text()).toContain('Server Error (500)');
  });

  it('has the request but no view when middleware answered first; HEAD has no body', async () => {
    const shortCircuit = () => () => new HttpResponse('from middleware');
    const client = new Client(framework([route('', () => new HttpResponse('view'))], { MIDDLEWARE: [shortCircuit] }));
    const response = await client.get('/');
    expect(response.text()).toBe('from middleware');
    expect(response.request).toBeInstanceOf(GwiRequest);
    expect(response.resolverMatch).toBeNull();
    const head = await client.head('/');
    expect([head.statusCode, head.content.length]).toEqual([200, 0]);
  });

  it('closes each response once: requestFinished is sent once per request, streaming responses too', async () => {
    const finished: unknown[] = [];
    const receiver = (sender: unknown) => void finished.push(sender);
    requestFinished.connect(receiver);
    try {
      const client = new Client(
        framework([route('', () => new HttpResponse('whole')), route('stream/', () => new StreamingHttpResponse(['a', 'b']))]),
      );
      expect((await client.get('/')).text()).toBe('whole');
      expect((await client.get('/stream/')).text()).toBe('ab');
      expect(finished).toHaveLength(2);
    } finally {
      requestFinished.disconnect(receiver);
    }
  });
});

describe('new Client() without an application', () => {
  it("loads the project's settings and serves its GWI_APPLICATION, as runserver does", async () => {
    const previous = process.cwd();
    process.chdir(PROJECT);
    try {
      const client = new Client();
      const response = await client.get('/hello/world/');
      expect([response.statusCode, response.text()]).toEqual([200, 'hello from mysite']);
      expect(settings.SETTINGS_MODULE).toBe('mysite/settings');
      expect(response.resolverMatch?.urlName).toBe('hello');
      expect(response.resolverMatch?.kwargs).toEqual({ name: 'world' });
      expect(response.request?.getHost()).toBe('testserver');
    } finally {
      process.chdir(previous);
    }
  });
});
