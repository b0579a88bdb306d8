import type http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings, type SettingsInput } from '../../../src/framework/conf/settings.js';
import { BadRequest, Http404, MiddlewareNotUsed, PermissionDenied, SuspiciousOperation } from '../../../src/framework/exceptions.js';
import { getGwiApplication, GwiHandler } from '../../../src/framework/handlers/gwi.js';
import type { GetResponse, MiddlewareFunction } from '../../../src/framework/handlers/middleware.js';
import { CommonMiddleware } from '../../../src/framework/middleware/common.js';
import { CsrfViewMiddleware } from '../../../src/framework/middleware/csrf.js';
import { SessionMiddleware } from '../../../src/framework/sessions/middleware.js';
import { SecurityMiddleware } from '../../../src/framework/middleware/security.js';
import { XFrameOptionsMiddleware } from '../../../src/framework/middleware/clickjacking.js';
import type { GwiRequest } from '../../../src/framework/http/request.js';
import {
  HttpResponse,
  HttpResponseNotFound,
  JsonResponse,
  StreamingHttpResponse,
  type HttpResponseBase,
} from '../../../src/framework/http/response.js';
import { FileResponse } from '../../../src/framework/http/file-response.js';
import { gotRequestException, requestFinished, requestStarted } from '../../../src/framework/signals.js';
import { clearUrlCaches } from '../../../src/framework/urls/base.js';
import { path as route } from '../../../src/framework/urls/conf.js';
import type { View } from '../../../src/framework/views/generic.js';
import type { Body, StartResponse } from '../../../src/gateway/types.js';
import { setupTestingDefaults } from '../../../src/gateway/util.js';
import { captureRequestLog } from '../../helpers/request-log.js';
import { serve, waitFor, type Served } from '../../helpers/serve.js';
import { httpRequest, type RequestOptions } from '../../helpers/http.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

async function request(served: Served, target: string, options: Omit<RequestOptions, 'host'> = {}): Promise<Reply> {
  const reply = await httpRequest(served.port, target, { ...options, host: served.host });
  return { status: reply.status, headers: reply.headers, rawHeaders: reply.rawHeaders, body: reply.bytes.toString('utf8') };
}

let served: Served | null = null;
const requestLog = captureRequestLog();

afterEach(async () => {
  await served?.close();
  served = null;
  resetSettings();
  clearUrlCaches();
});

async function site(urlpatterns: unknown[], extra: SettingsInput = {}): Promise<Served> {
  configureSettings({ DEBUG: false, ALLOWED_HOSTS: ['127.0.0.1', 'localhost'], ROOT_URLCONF: { urlpatterns }, ...extra });
  served = await serve(getGwiApplication());
  return served;
}

const text = (body: string): View => () => new HttpResponse(body, { contentType: 'text/plain' });

describe('the GWI handler', () => {
  it('routes to a view with converted path parameters and returns its response as the body', async () => {
    const s = await site([
      route('articles/<int:year>/<slug:slug>/', (_request, kwargs) => new JsonResponse({ year: kwargs.year, slug: kwargs.slug, type: typeof kwargs.year })),
    ]);
    const reply = await request(s, '/articles/2026/hello-world/');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ year: 2026, slug: 'hello-world', type: 'number' });
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(reply.body)));
    expect(s.log()).toBe(`[22/Nov/2026 04:35:45] "GET /articles/2026/hello-world/ HTTP/1.1" 200 ${reply.body.length}\n`);
  });

  it('sends Set-Cookie headers after the response headers, one per cookie (then the computed length)', async () => {
    const s = await site([
      route('', () => {
        const response = new HttpResponse('ok', { contentType: 'text/plain' });
        response.setCookie('a', '1', { httponly: true, samesite: 'Lax' });
        response.deleteCookie('b');
        return response;
      }),
    ]);
    const reply = await request(s, '/');
    const names = reply.rawHeaders.filter((_, i) => i % 2 === 0);
    expect(names.slice(2)).toEqual(['Content-Type', 'Set-Cookie', 'Set-Cookie', 'Content-Length']);
    expect(reply.headers['set-cookie']).toEqual([
      'a=1; HttpOnly; Path=/; SameSite=Lax',
      'b=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/',
    ]);
  });

  it('streams a StreamingHttpResponse with chunked encoding and sends requestFinished after the last chunk', async () => {
    const events: string[] = [];
    const started = (_sender: unknown, args: { environ: Record<string, unknown> }) => void events.push(`started ${String(args.environ.PATH_INFO)}`);
    const finished = () => void events.push('finished');
    requestStarted.connect(started);
    requestFinished.connect(finished);
    try {
      const s = await site([
        route('stream/', () =>
          new StreamingHttpResponse(
            (async function* () {
              events.push('chunk 1');
              yield 'one,';
              await new Promise((resolve) => setTimeout(resolve, 10));
              events.push('chunk 2');
              yield 'two';
            })(),
            { contentType: 'text/plain' },
          ),
        ),
      ]);
      const reply = await request(s, '/stream/');
      expect(reply.body).toBe('one,two');
      expect(reply.headers['transfer-encoding']).toBe('chunked');
      await waitFor(() => events.includes('finished'));
      expect(events).toEqual(['started /stream/', 'chunk 1', 'chunk 2', 'finished']);
    } finally {
      requestStarted.disconnect(started);
      requestFinished.disconnect(finished);
    }
  });

  it('serves a FileResponse through gwi.file_wrapper with type, length and disposition', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gwi-file-'));
    const file = path.join(dir, 'report.txt');
    writeFileSync(file, 'x'.repeat(10_000));
    const s = await site([route('download/', () => new FileResponse(file, { asAttachment: true }))]);
    const reply = await request(s, '/download/');
    expect(reply.body).toBe('x'.repeat(10_000));
    expect(reply.headers['content-type']).toBe('text/plain');
    expect(reply.headers['content-length']).toBe('10000');
    expect(reply.headers['content-disposition']).toBe('attachment; filename="report.txt"');
  });

  it('runs async views and async middleware', async () => {
    const delay: (getResponse: GetResponse) => MiddlewareFunction = (getResponse) => async (req) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await getResponse(req);
      response.headers.set('X-Delayed', 'yes');
      return response;
    };
    const s = await site(
      [
        route('', async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return new HttpResponse('async', { contentType: 'text/plain' });
        }),
      ],
      { MIDDLEWARE: [delay] },
    );
    const reply = await request(s, '/');
    expect(reply.body).toBe('async');
    expect(reply.headers['x-delayed']).toBe('yes');
  });
});

describe('exceptions become responses', () => {
  const raising = (error: unknown): View => () => {
    throw error;
  };
  const patterns = [
    route('missing/', raising(new Http404('No such article'))),
    route('forbidden/', raising(new PermissionDenied())),
    route('bad/', raising(new BadRequest('Malformed thing'))),
    route('sus/', raising(new SuspiciousOperation('sus op'))),
    route('boom/', raising(new Error('boom'))),
    route('nothing/', (() => undefined) as unknown as View),
  ];

  it.each([
    ['/nope', 404, 'Not Found', 'Not Found: /nope'],
    ['/missing/', 404, 'Not Found', 'Not Found: /missing/'],
    ['/forbidden/', 403, '403 Forbidden', 'Forbidden (Permission denied): /forbidden/'],
    ['/bad/', 400, 'Bad Request (400)', 'Malformed thing: /bad/'],
    ['/sus/', 400, 'Bad Request (400)', 'sus op'],
    ['/boom/', 500, 'Server Error (500)', 'Internal Server Error: /boom/'],
    ['/nothing/', 500, 'Server Error (500)', 'Internal Server Error: /nothing/'],
  ])('%s → %i with the plain page (DEBUG off: no log lines)', async (target, status, title) => {
    const s = await site(patterns);
    const reply = await request(s, target);
    expect(reply.status).toBe(status);
    expect(reply.body).toContain(`<title>${title}</title>`);
    expect(requestLog()).toBe('');
    expect(s.log()).toMatch(new RegExp(`"GET ${target} HTTP/1\\.1" ${status} \\d+\\n$`));
  });

  it.each([
    ['/nope', 404, 'Not Found: /nope\n'],
    ['/forbidden/', 403, 'Forbidden (Permission denied): /forbidden/\n'],
    ['/boom/', 500, 'Internal Server Error: /boom/\n'],
    ['/nothing/', 500, 'Internal Server Error: /nothing/\n'],
  ])('%s → %i with the debug page and the django.request log line when DEBUG is on', async (target, status, firstLine) => {
    const s = await site(patterns, { DEBUG: true });
    const reply = await request(s, target);
    expect(reply.status).toBe(status);
    expect(requestLog().startsWith(firstLine)).toBe(true);
    if (status === 500) expect(requestLog()).toContain('    at ');
    if (target === '/nothing/') {
      expect(reply.body).toContain("didn&#x27;t return an HttpResponse object. It returned undefined instead.");
    }
  });

  it('gives the same responses for what an async view or a middleware throws, synchronously or not', async () => {
    const rejecting = (error: unknown): View => async () => {
      await Promise.resolve();
      throw error;
    };
    const failing = (getResponse: GetResponse): MiddlewareFunction => (req) => {
      if (req.path === '/middleware-sync/') throw new PermissionDenied();
      if (req.path === '/middleware-async/') return Promise.reject(new PermissionDenied());
      return getResponse(req);
    };
    const s = await site(
      [
        route('missing/', rejecting(new Http404('No such article'))),
        route('forbidden/', rejecting(new PermissionDenied())),
        route('bad/', rejecting(new BadRequest('Malformed thing'))),
        route('boom/', rejecting(new Error('boom'))),
        route('nothing/', (async () => undefined) as unknown as View),
      ],
      { MIDDLEWARE: [SecurityMiddleware, CommonMiddleware, failing, XFrameOptionsMiddleware] },
    );
    const expected: [string, number][] = [
      ['/nope', 404],
      ['/missing/', 404],
      ['/forbidden/', 403],
      ['/bad/', 400],
      ['/boom/', 500],
      ['/nothing/', 500],
      ['/middleware-sync/', 403],
      ['/middleware-async/', 403],
    ];
    for (const [target, status] of expected) {
      const reply = await request(s, target);
      expect([target, reply.status]).toEqual([target, status]);
      // The error response still went through the middleware above the failure.
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('sends gotRequestException for an uncaught error, with the request', async () => {
    const seen: string[] = [];
    const receiver = (_sender: unknown, args: { request: unknown; exception: unknown }) =>
      void seen.push(`${(args.request as GwiRequest).path} ${(args.exception as Error).message}`);
    gotRequestException.connect(receiver);
    try {
      const s = await site(patterns);
      await request(s, '/boom/');
      expect(seen).toEqual(['/boom/ boom']);
    } finally {
      gotRequestException.disconnect(receiver);
    }
  });

  it('uses the URLconf handler404 and falls back to the default 500 when a handler fails', async () => {
    configureSettings({
      ALLOWED_HOSTS: ['127.0.0.1'],
      ROOT_URLCONF: {
        urlpatterns: [route('boom/', raising(new Error('boom')))],
        handler404: () => new HttpResponseNotFound('custom 404', { contentType: 'text/plain' }),
        handler500: () => {
          throw new Error('handler broke');
        },
      } as unknown as { urlpatterns: unknown[] },
    });
    served = await serve(getGwiApplication());
    expect((await request(served, '/x')).body).toBe('custom 404');
    const reply = await request(served, '/boom/');
    expect(reply.status).toBe(500);
    expect(reply.body).toContain('<h1>Server Error (500)</h1>');
  });

  it('answers 400 for a Host header outside ALLOWED_HOSTS, with the security log line under DEBUG', async () => {
    const s = await site([route('', (req) => new HttpResponse(req.getHost()))], { DEBUG: true, ALLOWED_HOSTS: ['good.example'] });
    const reply = await request(s, '/', { headers: { Host: 'evil.example' } });
    expect(reply.status).toBe(400);
    expect(requestLog().split('\n')[0]).toBe(
      "Invalid HTTP_HOST header: 'evil.example'. You may need to add 'evil.example' to ALLOWED_HOSTS.",
    );
    expect((await request(s, '/', { headers: { Host: 'good.example' } })).body).toBe('good.example');
  });

  it('answers 400 when the body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE, without buffering it', async () => {
    const s = await site(
      [route('upload/', async (req) => new HttpResponse(String((await req.body()).length)))],
      { DATA_UPLOAD_MAX_MEMORY_SIZE: 1000 },
    );
    const reply = await request(s, '/upload/', { method: 'POST', body: 'x'.repeat(5000), headers: { 'Content-Type': 'application/octet-stream' } });
    expect(reply.status).toBe(400);
    expect((await request(s, '/upload/', { method: 'POST', body: 'x'.repeat(999) })).body).toBe('999');
  });
});

describe('a synchronous request path', () => {
  it('answers without a promise when the middleware (processView hooks too) and the view are synchronous, and with one otherwise', async () => {
    configureSettings({
      ALLOWED_HOSTS: ['testserver'],
      SECRET_KEY: 'x'.repeat(50),
      ROOT_URLCONF: { urlpatterns: [route('', text('now')), route('later/', async () => new HttpResponse('later'))] },
      // startproject's: CsrfViewMiddleware has a processView hook.
      MIDDLEWARE: [SecurityMiddleware, SessionMiddleware, CommonMiddleware, CsrfViewMiddleware, XFrameOptionsMiddleware],
    });
    const handler = new GwiHandler();
    await handler.ready();
    const statuses: string[] = [];
    const startResponse: StartResponse = (status) => {
      statuses.push(status);
      return async () => undefined;
    };
    const environ = (pathInfo: string) => setupTestingDefaults({ SERVER_NAME: 'testserver', PATH_INFO: pathInfo });

    // The first request waits for the URLconf to load.
    await (await handler.application(environ('/'), startResponse)).close?.();
    const now = handler.application(environ('/'), startResponse) as Body;
    expect(Array.isArray(now)).toBe(true);
    expect(Buffer.concat([...(now as Iterable<Uint8Array>)]).toString()).toBe('now');
    expect(now.close?.()).toBeUndefined();

    const later = handler.application(environ('/later/'), startResponse);
    expect(later).toBeInstanceOf(Promise);
    const body = await later;
    expect(Buffer.concat([...(body as Iterable<Uint8Array>)]).toString()).toBe('later');
    await body.close?.();
    expect(statuses).toEqual(['200 OK', '200 OK', '200 OK']);
  });
});

describe('the welcome page', () => {
  it('answers an empty URLconf with the welcome page (200) when DEBUG is on', async () => {
    const s = await site([], { DEBUG: true });
    const reply = await request(s, '/');
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('The install worked successfully!');
    expect(requestLog()).toBe('');
  });
});

describe('middleware', () => {
  /** A middleware that records every call and hook, in order. */
  function recorder(name: string, calls: string[], options: { shortCircuitView?: boolean; handleException?: boolean } = {}) {
    const factory = (getResponse: GetResponse): MiddlewareFunction => {
      calls.push(`${name} init`);
      const middleware: MiddlewareFunction = async (req) => {
        calls.push(`${name} before`);
        const response = await getResponse(req);
        calls.push(`${name} after`);
        return response;
      };
      middleware.processView = (_req, view, _args, kwargs) => {
        calls.push(`${name} processView ${view.name} ${JSON.stringify(kwargs)}`);
        return options.shortCircuitView ? new HttpResponse(`from ${name}`) : undefined;
      };
      middleware.processException = (_req, exception) => {
        calls.push(`${name} processException ${(exception as Error).message}`);
        return options.handleException ? new HttpResponse(`handled by ${name}`, { status: 503 }) : undefined;
      };
      middleware.processTemplateResponse = (_req, response) => {
        calls.push(`${name} processTemplateResponse`);
        return response;
      };
      return middleware;
    };
    Object.defineProperty(factory, 'name', { value: name });
    return factory;
  }

  it('builds the chain once, in reverse order, and calls every hook in Django order', async () => {
    const calls: string[] = [];
    class Rendered extends HttpResponse {
      render(): HttpResponseBase {
        calls.push('render');
        return this;
      }
    }
    const view: View = function page() {
      calls.push('view');
      return new Rendered('page');
    };
    const s = await site([route('page/<int:n>/', view)], {
      MIDDLEWARE: [recorder('A', calls), recorder('B', calls), recorder('C', calls)],
    });
    expect((await request(s, '/page/7/')).body).toBe('page');
    expect(calls).toEqual([
      'C init',
      'B init',
      'A init',
      'A before',
      'B before',
      'C before',
      'A processView page {"n":7}',
      'B processView page {"n":7}',
      'C processView page {"n":7}',
      'view',
      'C processTemplateResponse',
      'B processTemplateResponse',
      'A processTemplateResponse',
      'render',
      'C after',
      'B after',
      'A after',
    ]);
    calls.length = 0;
    await request(s, '/page/8/');
    expect(calls.filter((call) => call.endsWith('init'))).toEqual([]);
  });

  it('waits for a processView hook that answers later, and stops at the first response, sync or async', async () => {
    const calls: string[] = [];
    const hook = (name: string, answer: 'later' | 'now' | 'nothing', response?: string) => {
      const factory = (getResponse: GetResponse): MiddlewareFunction => {
        const middleware: MiddlewareFunction = (req) => getResponse(req);
        middleware.processView = () => {
          calls.push(name);
          const result = response === undefined ? undefined : new HttpResponse(response);
          return answer === 'later' ? new Promise((resolve) => setTimeout(() => resolve(result), 5)) : result;
        };
        return middleware;
      };
      return factory;
    };
    const view = function page() {
      calls.push('view');
      return new HttpResponse('view');
    };
    const s = await site([route('page/', view)], {
      MIDDLEWARE: [hook('A', 'later'), hook('B', 'now'), hook('C', 'later', 'from C'), hook('D', 'now')],
    });
    expect((await request(s, '/page/')).body).toBe('from C');
    expect(calls).toEqual(['A', 'B', 'C']);
    await s.close();

    calls.length = 0;
    const s2 = await site([route('page/', view)], { MIDDLEWARE: [hook('A', 'later'), hook('B', 'now')] });
    expect((await request(s2, '/page/')).body).toBe('view');
    expect(calls).toEqual(['A', 'B', 'view']);
    await s2.close();
  });

  it('stops at the first processView that returns a response, and lets processException handle errors in reverse order', async () => {
    const calls: string[] = [];
    const s = await site(
      [
        route('short/', function short() {
          calls.push('view');
          return new HttpResponse('view');
        }),
      ],
      { MIDDLEWARE: [recorder('A', calls), recorder('B', calls, { shortCircuitView: true }), recorder('C', calls)] },
    );
    expect((await request(s, '/short/')).body).toBe('from B');
    expect(calls).not.toContain('view');
    expect(calls).not.toContain('C processView short {}');

    const calls2: string[] = [];
    const s2 = await site(
      [
        route('fail/', () => {
          throw new Error('view failed');
        }),
      ],
      { MIDDLEWARE: [recorder('A', calls2, { handleException: true }), recorder('B', calls2)] },
    );
    await s.close();
    const reply = await request(s2, '/fail/');
    expect(reply.status).toBe(503);
    expect(reply.body).toBe('handled by A');
    expect(calls2.filter((call) => call.includes('processException'))).toEqual([
      'B processException view failed',
      'A processException view failed',
    ]);
  });

  it('leaves out a middleware that throws MiddlewareNotUsed', async () => {
    function Unused(): MiddlewareFunction {
      throw new MiddlewareNotUsed('not today');
    }
    const s = await site([route('', text('ok'))], { DEBUG: true, MIDDLEWARE: [Unused] });
    expect((await request(s, '/')).body).toBe('ok');
    expect(requestLog()).toBe("MiddlewareNotUsed('Unused'): not today\n");
  });

  it('fails the request with ImproperlyConfigured when a factory returns nothing', async () => {
    function Empty(): MiddlewareFunction {
      return undefined as unknown as MiddlewareFunction;
    }
    const s = await site([route('', text('ok'))], { MIDDLEWARE: [Empty] });
    const reply = await request(s, '/');
    expect(reply.status).toBe(500);
    expect(s.stderr()).toContain('ImproperlyConfigured: Middleware factory Empty returned undefined.');
  });

  it('accepts a class with call() and hook methods', async () => {
    class Stamp {
      constructor(private readonly getResponse: GetResponse) {}
      async call(req: GwiRequest): Promise<HttpResponseBase> {
        const response = await this.getResponse(req);
        response.headers.set('X-Stamp', req.method);
        return response;
      }
    }
    const s = await site([route('', text('ok'))], { MIDDLEWARE: [Stamp as never] });
    expect((await request(s, '/')).headers['x-stamp']).toBe('GET');
  });

  it('adds the security, frame and length headers of the built-in middleware in Django order', async () => {
    const s = await site([route('version/', text('v0'))], {
      MIDDLEWARE: [SecurityMiddleware, CommonMiddleware, XFrameOptionsMiddleware],
    });
    const reply = await request(s, '/version/');
    const pairs: string[] = [];
    for (let i = 0; i < reply.rawHeaders.length; i += 2) pairs.push(`${reply.rawHeaders[i]}: ${reply.rawHeaders[i + 1]}`);
    expect(pairs.slice(2)).toEqual([
      'Content-Type: text/plain',
      'X-Frame-Options: DENY',
      'Content-Length: 2',
      'X-Content-Type-Options: nosniff',
      'Referrer-Policy: same-origin',
      'Cross-Origin-Opener-Policy: same-origin',
    ]);
  });

  it('redirects /x to /x/ with APPEND_SLASH when only /x/ exists, keeping the query', async () => {
    const s = await site([route('docs/', text('docs'))], { MIDDLEWARE: [CommonMiddleware] });
    const reply = await request(s, '/docs?page=2');
    expect(reply.status).toBe(301);
    expect(reply.headers.location).toBe('/docs/?page=2');
    expect((await request(s, '/other')).status).toBe(404);
  });
});
