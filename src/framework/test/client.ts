// The test client (Django's django.test.Client): requests run in-process through the GWI contract, without a
// socket, against any GWI application or the project's own; it keeps cookies and follows redirects on request.
import { quoteLatin1 } from '../../gateway/latin1.js';
import type { Application, Environ } from '../../gateway/types.js';
import { loadSettings, settingsConfigured } from '../conf/settings.js';
import { getInternalGwiApplication } from '../handlers/application.js';
import { DONT_ENFORCE_CSRF_CHECKS } from '../middleware/csrf.js';
import { GwiRequest } from '../http/request.js';
import { gotRequestException } from '../signals.js';
import { captureRequest } from './captured-requests.js';
import { storeCookies } from './cookie-jar.js';
import { BaseRequestFactory, type RequestFactoryOptions, type RequestOptions } from './request-factory.js';
import { runApplication } from './run-application.js';
import { TestResponse } from './test-response.js';
import { setupTestEnvironment, TEST_HOST } from './utils.js';

export interface ClientOptions extends RequestFactoryOptions {
  /** Throw what a view threw, instead of returning the error page (default true, as in Django). */
  raiseRequestException?: boolean;
  /** Let CsrfViewMiddleware check this client's requests (default false, as Django's enforce_csrf_checks). */
  enforceCsrfChecks?: boolean;
}

export interface ClientRequestOptions extends RequestOptions {
  /** Follow redirects: the last response comes back, with the chain in `redirectChain`. */
  follow?: boolean;
}

/** A redirect loop, or more than 20 redirects, while following them. */
export class RedirectCycleError extends Error {
  override name = 'RedirectCycleError';
  readonly lastResponse: TestResponse;
  readonly redirectChain: TestResponse['redirectChain'];

  constructor(message: string, lastResponse: TestResponse) {
    super(message);
    this.lastResponse = lastResponse;
    this.redirectChain = lastResponse.redirectChain;
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Firefox's network.http.redirection-limit, as Django has it.
const MAX_REDIRECTS = 20;
const ABSOLUTE_URL = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\//;

/**
 * `new Client(application)`, or `new Client()` for the project's GWI_APPLICATION (its settings loaded first,
 * as runserver loads them); `await client.get('/')` gives a TestResponse.
 */
export class Client extends BaseRequestFactory<TestResponse, ClientRequestOptions> {
  readonly raiseRequestException: boolean;
  readonly enforceCsrfChecks: boolean;
  #application: Promise<Application> | null;

  constructor(application?: Application | null, { raiseRequestException = true, enforceCsrfChecks = false, ...defaults }: ClientOptions = {}) {
    super(defaults);
    this.raiseRequestException = raiseRequestException;
    this.enforceCsrfChecks = enforceCsrfChecks;
    this.#application = application ? Promise.resolve(application) : null;
  }

  #getApplication(): Promise<Application> {
    this.#application ??= (async () => {
      if (!settingsConfigured()) await loadSettings();
      return getInternalGwiApplication();
    })();
    return this.#application;
  }

  /** Runs the environ through the application: the response, with the cookies it set kept for the next requests. */
  protected async request(environ: Environ): Promise<TestResponse> {
    const application = await this.#getApplication();
    if (!this.enforceCsrfChecks) environ[DONT_ENFORCE_CSRF_CHECKS] = true;
    setupTestEnvironment();
    // Django's store_exc_info: the exception behind this request's 500, thrown once the response is complete.
    const exceptions: unknown[] = [];
    const storeException = (_sender: unknown, { request, exception }: { request: unknown; exception: unknown }): void => {
      if (request instanceof GwiRequest && request.environ === environ) exceptions.push(exception);
    };
    gotRequestException.connect(storeException);
    const [answer, request] = await captureRequest(environ, () => runApplication(application, environ)).finally(() =>
      gotRequestException.disconnect(storeException),
    );
    if (exceptions.length > 0 && this.raiseRequestException) throw exceptions[0];
    const response = new TestResponse(answer, environ, request);
    storeCookies(this.cookies, response.headers.getAll('Set-Cookie'));
    return response;
  }

  override async generic(method: string, path: string, data: string | Uint8Array = '', options?: ClientRequestOptions): Promise<TestResponse> {
    const response = await super.generic(method, path, data, options);
    return options?.follow ? this.#handleRedirects(response, data, options) : response;
  }

  /**
   * Django's _handle_redirects: 301, 302 and 303 become a GET of the Location; 307 and 308 repeat the method
   * (and a body) there. An absolute Location sets the scheme, host and port of the next requests.
   */
  async #handleRedirects(first: TestResponse, data: string | Uint8Array, options: ClientRequestOptions): Promise<TestResponse> {
    let response = first;
    const chain = response.redirectChain;
    const extra: Record<string, unknown> = { ...options.extra };
    let secure = options.secure ?? false;
    while (REDIRECT_STATUSES.has(response.statusCode)) {
      const location = response.headers.get('Location') ?? '';
      chain.push([location, response.statusCode]);
      const previous = response.environ;
      // A relative Location is relative to the path it answered (the host of the base is never used).
      const url = new URL(location, `http://${TEST_HOST}${quoteLatin1(previous.PATH_INFO)}`);
      if (ABSOLUTE_URL.test(location)) {
        secure = url.protocol === 'https:';
        Object.assign(extra, { SERVER_NAME: url.hostname, HTTP_HOST: url.host });
        if (url.port) extra.SERVER_PORT = url.port;
        else delete extra.SERVER_PORT;
      }
      const keepMethod = response.statusCode === 307 || response.statusCode === 308;
      const method = keepMethod ? previous.REQUEST_METHOD : 'GET';
      const body = keepMethod && method !== 'GET' && method !== 'HEAD' ? data : '';
      response = await super.generic(method, url.pathname + url.search, body, {
        ...options,
        query: undefined,
        contentType: body.length > 0 ? options.contentType : undefined,
        secure,
        extra: { ...extra },
      });
      response.redirectChain = chain;
      const last = chain[chain.length - 1] as [string, number];
      if (chain.slice(0, -1).some(([url, status]) => url === last[0] && status === last[1])) {
        throw new RedirectCycleError('Redirect loop detected.', response);
      }
      if (chain.length > MAX_REDIRECTS) throw new RedirectCycleError('Too many redirects.', response);
    }
    return response;
  }
}
