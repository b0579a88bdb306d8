// gwi/test: the test client and request factory (Django's django.test), for a project's tests or any GWI
// application's: `import { Client, RequestFactory } from 'gwi/test'`.
// request.resolverMatch is declared by the package's index (a module augmentation): the index is part of
// what this entry's declarations are built from.
import type {} from './index.js';
export { Client, RedirectCycleError, type ClientOptions, type ClientRequestOptions } from './framework/test/client.js';
export {
  BaseRequestFactory,
  RequestFactory,
  type RequestFactoryOptions,
  type RequestOptions,
} from './framework/test/request-factory.js';
export { TestResponse } from './framework/test/test-response.js';
export {
  BOUNDARY,
  encodeFile,
  encodeMultipart,
  MULTIPART_CONTENT,
  type FileValue,
  type FormValue,
  type PostData,
  type QueryData,
} from './framework/test/request-body.js';
export { setupTestEnvironment } from './framework/test/utils.js';
