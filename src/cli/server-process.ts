// A server process of the reloader (Django's RUN_MAIN child), its own entry point (dist/cli/server-process.js):
// the supervisor of `gwi runserver` starts it. Node's compile cache (Node ≥ 22.1) goes on before anything
// else is compiled: a reload's new process then skips compiling gwi, tsx and the project's packages.
import nodeModule from 'node:module';

(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import('./server-process-run.js');
