// What gwi's servers call themselves: the environ's SERVER_SOFTWARE and the Server header's value.
import { VERSION } from '../version.js';

export const SERVER_SOFTWARE = `gwi/${VERSION}`;
export const SERVER_VERSION = `${SERVER_SOFTWARE} Node.js/${process.versions.node}`;
