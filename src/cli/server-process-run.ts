// What a server process of the reloader runs (src/cli/server-process.ts imports it once node's compile
// cache is on): it takes its options from the supervisor's messages.
import { runReloaderChild } from '../reloader/child.js';
import { commandStyle } from '../runserver/options.js';
import { reportError } from './base.js';

// Errors are worded as the CLI words them (the supervisor prints a load's failure when it shows it).
const style = commandStyle({});
void runReloaderChild((err, stream) => reportError(err, stream, style));
