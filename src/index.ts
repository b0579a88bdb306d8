// gwi's public API: the GWI contract, its validator and helpers, the reference server and the request log.
import type { SessionBase } from './framework/sessions/backends/base.js';
import type { ResolverMatch } from './framework/urls/resolver-match.js';

export type {
  Application,
  Body,
  Closable,
  Environ,
  ErrorStream,
  FileLike,
  FileWrapperFactory,
  Header,
  HeaderList,
  InputStream,
  StartResponse,
  Write,
} from './gateway/types.js';
export { validator, GwiAssertionError, type ValidatorOptions } from './gateway/validate.js';
export {
  applicationUri,
  formatDateTime,
  guessScheme,
  isHopByHop,
  requestUri,
  setupTestingDefaults,
  shiftPathInfo,
} from './gateway/util.js';
export { Headers } from './gateway/headers.js';
export { FileWrapper, fileWrapper, fileLikeFromHandle } from './gateway/file-wrapper.js';
export { BufferedInput, BytesInput } from './gateway/input.js';
export { StreamErrors, StringErrors } from './gateway/error-stream.js';

export { BaseServer, type ServeOptions, type HandleOptions } from './server/base-server.js';
export { GwiServer, makeServer, type Exchange, type ServerOptions } from './server/gwi-server.js';
export { SERVER_SOFTWARE, SERVER_VERSION } from './server/software.js';
export { ServerHandler, ERROR_BODY, ERROR_STATUS } from './server/server-handler.js';
export { run, type RunOptions } from './server/run.js';
export { toNodeListener, type NodeListener, type NodeListenerOptions } from './server/node-listener.js';
export { demoApp } from './server/demo-app.js';

export { ServerLog, type ParsedRequest, type ServerLogOptions } from './log/server-log.js';
export {
  colorize,
  colorStyle,
  makeStyle,
  PALETTES,
  parseColorSetting,
  shouldColor,
  type Palette,
  type Role,
  type Style,
} from './log/termcolors.js';
export { VERSION } from './version.js';

// The framework (Django's names): settings, the handler, middleware, URLs, requests, responses, views.
export { DEFAULTS, type MiddlewareSpec, type Settings, type ViewSpec } from './framework/conf/global-settings.js';
export {
  configureSettings,
  defineSettings,
  loadSettings,
  locateSettings,
  resetSettings,
  settings,
  settingsConfigured,
  type ConfiguredSettings,
  type SettingsInput,
} from './framework/conf/settings.js';
export {
  BadRequest,
  DisallowedHost,
  DisallowedRedirect,
  Http404,
  ImproperlyConfigured,
  MiddlewareNotUsed,
  MultiPartParserError,
  PermissionDenied,
  RequestDataTooBig,
  SuspiciousOperation,
  TooManyFieldsSent,
  TooManyFilesSent,
} from './framework/exceptions.js';
export { BaseHandler } from './framework/handlers/base.js';
export { GwiHandler, getGwiApplication } from './framework/handlers/gwi.js';
export { getInternalGwiApplication } from './framework/handlers/application.js';
export type {
  GetResponse,
  Middleware,
  MiddlewareFactory,
  MiddlewareFunction,
  MiddlewareHooks,
  MiddlewareObject,
} from './framework/handlers/middleware.js';
export { SecurityMiddleware } from './framework/middleware/security.js';
export { CommonMiddleware } from './framework/middleware/common.js';
export { XFrameOptionsMiddleware, xframeOptionsExempt } from './framework/middleware/clickjacking.js';
export { SessionMiddleware } from './framework/sessions/middleware.js';
export { SessionBase } from './framework/sessions/backends/base.js';
export { SessionStore } from './framework/sessions/backends/signed-cookies.js';
export * as signing from './framework/signing.js';
export { CsrfViewMiddleware, getCsrfToken, rotateToken, type CsrfFailureView } from './framework/middleware/csrf.js';
export { csrfExempt, csrfProtect, ensureCsrfCookie, requiresCsrfToken } from './framework/views/decorators/csrf.js';
export { GwiRequest, RawPostDataException } from './framework/http/request.js';
export { HttpHeaders } from './framework/http/headers.js';
export { MultiValueDict, QueryDict } from './framework/http/query-dict.js';
export { UploadedFile } from './framework/http/uploaded-file.js';
export {
  HttpResponse,
  HttpResponseBadRequest,
  HttpResponseBase,
  HttpResponseForbidden,
  HttpResponseGone,
  HttpResponseNotAllowed,
  HttpResponseNotFound,
  HttpResponseNotModified,
  HttpResponsePermanentRedirect,
  HttpResponseRedirect,
  HttpResponseServerError,
  isResponse,
  JsonResponse,
  StreamingHttpResponse,
  type ContentChunk,
  type JsonResponseOptions,
  type ResponseOptions,
} from './framework/http/response.js';
export { BadHeaderError, ResponseHeaders } from './framework/http/response-headers.js';
export { FileResponse, type FileResponseOptions } from './framework/http/file-response.js';
export { CookieError, type CookieOptions, type SameSite } from './framework/http/cookies.js';
export { BaseView, View, type ClassView } from './framework/views/generic.js';
export { clearUrlCaches, getScriptPrefix, resolve, reverse, setScriptPrefix } from './framework/urls/base.js';
export { include, path, rePath } from './framework/urls/conf.js';
export { registerConverter, type Converter } from './framework/urls/converters.js';
export { NoReverseMatch, Resolver404 } from './framework/urls/exceptions.js';
export { ResolverMatch } from './framework/urls/resolver-match.js';
export { getResolver, URLPattern, URLResolver, type UrlConf, type UrlConfModule } from './framework/urls/resolvers.js';
export { gotRequestException, requestFinished, requestStarted, Signal } from './framework/signals.js';
export { StaticFilesHandler } from './framework/staticfiles/handlers.js';
export * as checks from './framework/checks/index.js';
export { badRequest, pageNotFound, permissionDenied, serverError } from './framework/views/defaults.js';
export { csrfFailure } from './framework/views/csrf.js';
export { technical404Response } from './framework/debug/technical-404.js';
export { technical500Response } from './framework/debug/technical-500.js';
export { welcomePageResponse } from './framework/debug/welcome.js';
export { loadFailureResponse } from './framework/debug/load-failure.js';
/** Django's escape(): text made safe inside HTML text and quoted attributes. */
export { escapeHtml as escape } from './framework/debug/html.js';

// request.resolverMatch (Django's request.resolver_match) and request.session are declared here, not in
// http/request.ts: their types are the urls and sessions packages', which take a GwiRequest, and http/
// imports nothing of either. './index.js' is this module: tsup's bundled index.d.ts keeps the name an
// augmentation gives, and only this one names the same module in src/ and in dist/.
declare module './index.js' {
  interface GwiRequest {
    /** The URL resolution, set by the handler (null until then). */
    resolverMatch: ResolverMatch | null;
    /** The session (Django's request.session), set by SessionMiddleware: without it there is none. */
    session: SessionBase;
  }
}
