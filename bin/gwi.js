#!/usr/bin/env node
// Launcher only: the CLI lives in dist/cli/main.js (built by `npm install` through the prepare script).
import('../dist/cli/main.js').then(({ main }) => main(process.argv));
