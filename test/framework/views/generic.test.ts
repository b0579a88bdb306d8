// Class-based views (Django's tests/generic_views/test_base.py ViewTest): asView(), dispatch by method,
// HEAD falling back to GET, OPTIONS, 405 with Allow and its log line.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { setRequestLogStream, type LogStream } from '../../../src/framework/utils/log.js';
import { GwiRequest } from '../../../src/framework/http/request.js';
import { HttpResponse, type HttpResponseBase } from '../../../src/framework/http/response.js';
import { BaseView, View } from '../../../src/framework/views/generic.js';
import { setupTestingDefaults } from '../../../src/gateway/util.js';

const request = (method: string, pathInfo = '/items/') => new GwiRequest(setupTestingDefaults({ REQUEST_METHOD: method, PATH_INFO: pathInfo }));
const textOf = (response: HttpResponseBase) => (response as HttpResponse).text;

class SimpleView extends View {
  get(): HttpResponse {
    return new HttpResponse('This is a simple view');
  }
}

class SimplePostView extends SimpleView {
  post(): HttpResponse {
    return new HttpResponse('posted');
  }
}

class CustomizableView extends SimpleView {
  parameter: Record<string, unknown> = {};
  greeting = 'hello';
  override get(): HttpResponse {
    return new HttpResponse(`${this.greeting} ${JSON.stringify(this.parameter)}`);
  }
}

class AsyncView extends View {
  async get(req: GwiRequest, kwargs: Record<string, unknown>): Promise<HttpResponse> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return new HttpResponse(`async ${req.method} ${String(kwargs.id)} ${this.kwargs === kwargs} ${this.request === req}`);
  }
}

let log: string[];
let previous: LogStream;
beforeEach(() => {
  configureSettings({ DEBUG: true });
  log = [];
  previous = setRequestLogStream({ write: (text: string) => log.push(text) });
});
afterEach(() => {
  setRequestLogStream(previous);
  resetSettings();
});

describe('asView', () => {
  it('returns a View function that knows its class and options', () => {
    const view = CustomizableView.asView({ greeting: 'hi' });
    expect(typeof view).toBe('function');
    expect(view.name).toBe('CustomizableView');
    expect(view.viewClass).toBe(CustomizableView);
    expect(view.viewInitkwargs).toEqual({ greeting: 'hi' });
    expect(View).toBe(BaseView);
  });

  it('sets the options on each new instance, after the class fields', async () => {
    const view = CustomizableView.asView({ greeting: 'hi', parameter: { a: 1 } });
    expect(textOf(await view(request('GET'), {}))).toBe('hi {"a":1}');
    expect(textOf(await CustomizableView.asView()(request('GET'), {}))).toBe('hello {}');
  });

  it.each([
    [{ get: 1 }, 'The method name get is not accepted as a keyword argument to CustomizableView().'],
    [{ post: 1 }, 'The method name post is not accepted as a keyword argument to CustomizableView().'],
    [
      { unknown: 1 },
      "CustomizableView() received an invalid keyword 'unknown'. asView only accepts arguments that are already attributes of the class.",
    ],
  ])('refuses %j', (initkwargs, message) => {
    expect(() => CustomizableView.asView(initkwargs)).toThrow(new TypeError(message));
  });

  it('passes the kwargs and keeps request and kwargs on the instance; async handlers work', async () => {
    expect(textOf(await AsyncView.asView()(request('GET'), { id: 7 }))).toBe('async GET 7 true true');
  });

  it('needs setup() to call super', () => {
    class BrokenSetup extends SimpleView {
      override setup(): void {}
    }
    expect(() => BrokenSetup.asView()(request('GET'), {})).toThrow(
      new TypeError("BrokenSetup instance has no 'request' attribute. Did you override setup() and forget to call super?"),
    );
  });
});

describe('dispatch', () => {
  it.each([
    [SimpleView, 'GET', 200, 'This is a simple view'],
    [SimpleView, 'get', 200, 'This is a simple view'],
    [SimpleView, 'HEAD', 200, 'This is a simple view'],
    [SimplePostView, 'POST', 200, 'posted'],
    [SimplePostView, 'GET', 200, 'This is a simple view'],
  ])('%o answers %s with %i', async (cls, method, status, text) => {
    const response = await cls.asView()(request(method), {});
    expect([response.statusCode, textOf(response)]).toEqual([status, text]);
  });

  it('prefers an explicit head()', async () => {
    class WithHead extends SimpleView {
      head(): HttpResponse {
        return new HttpResponse('', { headers: { 'X-Head': 'yes' } });
      }
    }
    const response = await WithHead.asView()(request('HEAD'), {});
    expect(response.headers.get('X-Head')).toBe('yes');
  });

  it.each([
    [SimpleView, 'POST', 'GET, HEAD, OPTIONS'],
    [SimpleView, 'DELETE', 'GET, HEAD, OPTIONS'],
    [SimpleView, 'BREW', 'GET, HEAD, OPTIONS'],
    [SimplePostView, 'PUT', 'GET, POST, HEAD, OPTIONS'],
  ])('%o answers %s with 405 and Allow: %s, and logs it', async (cls, method, allow) => {
    const response = await cls.asView()(request(method, '/items/x'), {});
    expect(response.statusLine).toBe('405 Method Not Allowed');
    expect(response.headers.get('Allow')).toBe(allow);
    expect(log).toEqual([`Method Not Allowed (${method}): /items/x\n`]);
  });

  it('escapes the logged path and logs nothing without DEBUG (as Django’s console handler)', async () => {
    await SimpleView.asView()(request('POST', '/a\x1b[31m'), {});
    expect(log).toEqual(['Method Not Allowed (POST): /a\\x1b[31m\n']);
    configureSettings({ DEBUG: false });
    const response = await SimpleView.asView()(request('POST'), {});
    expect(response.statusCode).toBe(405);
    expect(log).toHaveLength(1);
  });

  it('refuses methods left out of httpMethodNames', async () => {
    class NoDelete extends SimplePostView {
      static override httpMethodNames = ['get', 'post'];
      delete(): HttpResponse {
        return new HttpResponse('deleted');
      }
    }
    const response = await NoDelete.asView()(request('DELETE'), {});
    expect([response.statusCode, response.headers.get('Allow')]).toEqual([405, 'GET, POST']);
    expect(() => NoDelete.asView({ post: 1 })).toThrow('The method name post is not accepted');
  });

  it('answers OPTIONS with Allow and an empty body', async () => {
    const response = await SimplePostView.asView()(request('OPTIONS'), {});
    expect(response.statusLine).toBe('200 OK');
    expect(response.headerList()).toEqual([
      ['Content-Type', 'text/html; charset=utf-8'],
      ['Allow', 'GET, POST, HEAD, OPTIONS'],
      ['Content-Length', '0'],
    ]);
    expect((response as HttpResponse).content.length).toBe(0);
  });

  it('uses a new instance per request', async () => {
    class Counter extends View {
      count = 0;
      get(): HttpResponse {
        this.count++;
        return new HttpResponse(String(this.count));
      }
    }
    const view = Counter.asView();
    expect([textOf(await view(request('GET'), {})), textOf(await view(request('GET'), {}))]).toEqual(['1', '1']);
  });
});
