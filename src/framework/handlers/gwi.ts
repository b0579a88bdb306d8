// GwiHandler: the framework as a GWI application (Django's WSGIHandler and get_wsgi_application): per
// request, requestStarted → GwiRequest → BaseHandler's getResponse → the response handed to the server.
import type { Application, Body, Environ, StartResponse } from '../../gateway/types.js';
import { whenReadyWith, type MaybePromise } from '../../gateway/maybe-promise.js';
import { GwiRequest } from '../http/request.js';
import { FileResponse } from '../http/file-response.js';
import type { HttpResponseBase } from '../http/response.js';
import { requestStarted } from '../signals.js';
import { BaseHandler } from './base.js';

/** The framework's GWI application: `export const application = getGwiApplication()`. */
export class GwiHandler extends BaseHandler {
  #ready: Promise<void> | null = null;
  #loaded = false;

  /** Loads the middleware once; the first request waits for it. */
  ready(): Promise<void> {
    this.#ready ??= this.loadMiddleware().then(() => {
      this.#loaded = true;
    });
    return this.#ready;
  }

  readonly application: Application = (environ: Environ, startResponse: StartResponse): MaybePromise<Body> => {
    // Once loaded, a request does not wait a microtask turn for the settled promise.
    if (!this.#loaded) return this.ready().then(() => this.#respond(environ, startResponse));
    return this.#respond(environ, startResponse);
  };

  #respond(environ: Environ, startResponse: StartResponse): MaybePromise<Body> {
    try {
      // Without receivers (as usual) the arguments object is not worth making.
      if (requestStarted.hasListeners()) requestStarted.send(GwiHandler, { environ });
      const request = new GwiRequest(environ);
      return whenReadyWith(this.getResponse(request), startGwiResponse, environ, startResponse);
    } catch (err) {
      // Callers await the application: what fails before the response exists stays a rejection.
      return Promise.reject(err);
    }
  }
}

function startGwiResponse(response: HttpResponseBase, environ: Environ, startResponse: StartResponse): Body {
  startResponse(response.statusLine, response.headerList());
  return gwiBody(response, environ);
}

/** The response as the server takes it: its close() closes the file and sends requestFinished. */
function gwiBody(response: HttpResponseBase, environ: Environ): Body {
  const fileWrapper = environ['gwi.file_wrapper'];
  if (response instanceof FileResponse && response.fileToStream && fileWrapper) {
    const body = fileWrapper(response.fileToStream, response.blockSize);
    // Django does the same swap.
    return Object.assign(body, { close: () => response.close() });
  }
  if (!response.streaming && 'content' in response) {
    // A one-element array: the server knows the length without reading twice.
    const body: Body = [response.content as Uint8Array];
    body.close = () => response.close();
    return body;
  }
  return response as unknown as Body;
}

/**
 * The project's GWI application (Django's get_wsgi_application): settings must be configured first
 * (runserver does it; elsewhere call loadSettings()).
 */
export function getGwiApplication(): Application {
  return new GwiHandler().application;
}
