#!/usr/bin/env node
// Launcher only: the CLI lives in dist/cli/main.js (built by `npm install` through the prepare script).
// Node's compile cache (Node ≥ 22.1; os.tmpdir()/node-compile-cache) goes on first, so that the CLI is
// compiled once, not at every start; `gwi runserver` starts its first server process before the CLI loads.
import nodeModule from 'node:module';

nodeModule.enableCompileCache?.();
if (process.argv[2] === 'runserver') (await import('../dist/cli/early-start.js')).startEarly(process.argv.slice(3));
import('../dist/cli/main.js').then(({ main }) => main(process.argv));
