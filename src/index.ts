// gwi's public API: the GWI contract, its validator and helpers, the reference server and the request log.
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
export { GwiServer, makeServer, SERVER_SOFTWARE, SERVER_VERSION, type Exchange, type ServerOptions } from './server/gwi-server.js';
export { ServerHandler, ERROR_BODY, ERROR_STATUS } from './server/server-handler.js';
export { run, type RunOptions } from './server/run.js';
export { demoApp } from './server/demo-app.js';

export { ServerLog, type ServerLogOptions } from './log/server-log.js';
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
