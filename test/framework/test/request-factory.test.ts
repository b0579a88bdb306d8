// RequestFactory (Django's): GwiRequests built as the test client builds its environs, for calling a view
// directly, without URLconf or middleware.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { GwiRequest } from '../../../src/framework/http/request.js';
import { HttpResponse, JsonResponse } from '../../../src/framework/http/response.js';
import type { View } from '../../../src/framework/views/generic.js';
import { RequestFactory } from '../../../src/framework/test/request-factory.js';

beforeEach(() => configureSettings({ ALLOWED_HOSTS: ['testserver'] }));
afterEach(() => resetSettings());

/** A view that says what it was given. */
const describeRequest: View = async (request) =>
  new JsonResponse({
    method: request.method,
    path: request.path,
    get: Object.fromEntries(request.GET),
    post: Object.fromEntries(await request.post()),
    files: [...(await request.files())].map(([field, file]) => [field, file.name, file.size]),
    host: request.getHost(),
    secure: request.isSecure(),
    cookies: { ...request.COOKIES },
    accept: request.headers.get('Accept') ?? null,
  });

async function call(view: View, request: GwiRequest): Promise<Record<string, unknown>> {
  const response = (await view(request, {})) as HttpResponse;
  return JSON.parse(response.content.toString()) as Record<string, unknown>;
}

describe('RequestFactory', () => {
  it('makes a GET a view can be called with', async () => {
    const factory = new RequestFactory();
    const request = await factory.get('/hello/', { name: 'Ada' }, { headers: { Accept: 'text/html' } });
    expect(request).toBeInstanceOf(GwiRequest);
    expect(request.resolverMatch).toBeNull();
    expect(await call(describeRequest, request)).toEqual({
      method: 'GET',
      path: '/hello/',
      get: { name: 'Ada' },
      post: {},
      files: [],
      host: 'testserver',
      secure: false,
      cookies: {},
      accept: 'text/html',
    });
  });

  it('makes a multipart POST with fields and files, and sends its cookies', async () => {
    const factory = new RequestFactory();
    factory.cookies.set('sessionid', 'abc');
    const request = await factory.post('/submit/', { foo: 'bar', upload: new File(['12345'], 'five.txt') }, { secure: true });
    expect(await call(describeRequest, request)).toMatchObject({
      method: 'POST',
      post: { foo: 'bar' },
      files: [['upload', 'five.txt', 5]],
      secure: true,
      cookies: { sessionid: 'abc' },
    });
  });

  it('makes JSON and other bodies for put, patch, delete and options', async () => {
    const factory = new RequestFactory({ headers: { 'X-Requested-With': 'XMLHttpRequest' } });
    const put = await factory.put('/items/1/', { name: 'x' }, { contentType: 'application/json' });
    expect([put.method, put.contentType, await put.json()]).toEqual(['PUT', 'application/json', { name: 'x' }]);
    expect(put.headers.get('X-Requested-With')).toBe('XMLHttpRequest');
    const patch = await factory.patch('/items/1/', 'raw');
    expect([patch.method, patch.contentType, (await patch.body()).toString()]).toEqual(['PATCH', 'application/octet-stream', 'raw']);
    const remove = await factory.delete('/items/1/');
    expect([remove.method, remove.environ.CONTENT_LENGTH, (await remove.body()).length]).toEqual(['DELETE', undefined, 0]);
    expect((await factory.options('/')).method).toBe('OPTIONS');
    expect((await factory.trace('/')).method).toBe('TRACE');
    expect((await factory.head('/', { a: 1 })).GET.get('a')).toBe('1');
  });

  it('takes a method of its own with generic(), the body already encoded', async () => {
    const request = await new RequestFactory().generic('PROPFIND', '/dav/?depth=1', '<propfind/>', { contentType: 'application/xml' });
    expect([request.method, request.GET.get('depth'), request.contentType, (await request.body()).toString()]).toEqual([
      'PROPFIND',
      '1',
      'application/xml',
      '<propfind/>',
    ]);
  });

  it('gives a request a view answers as usual', async () => {
    const hello: View = (request) => new HttpResponse(`Hello, ${request.GET.get('name') ?? 'world'}!`);
    const response = (await hello(await new RequestFactory().get('/', { name: 'gwi' }), {})) as HttpResponse;
    expect(response.content.toString()).toBe('Hello, gwi!');
  });
});
