// The dev servers that bench/memory.mjs and bench/soak.mjs start, each on a tiny app in a folder of its
// own (made with bench/projects.mjs) whose only page answers `200` with a "version" string held in one
// file — the file a reload rewrites: gwi runserver, Django's runserver, node --watch, tsx watch.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';
import { DJANGO_MISSING, djangoVersion, GWI_BIN, makeDjangoProject, makeGwiProject, PYTHON, readVersion, TSX_CLI } from './projects.mjs';


const gwiVersionViews = (version) => `import { HttpResponse } from 'gwi';

export const VERSION = '${version}';

export const version = (): HttpResponse => new HttpResponse(VERSION, { contentType: 'text/plain' });
`;

const GWI_VERSION_URLS = `import { path } from 'gwi';
import { version } from './views.js';

export const urlpatterns = [path('', version)];
`;

const djangoVersionViews = (version) => `from django.http import HttpResponse

VERSION = '${version}'


def version(request):
    return HttpResponse(VERSION, content_type='text/plain')
`;

const DJANGO_VERSION_URLS = `from django.urls import path

from . import views

urlpatterns = [path('', views.version)]
`;

/**
 * The source of a node:http server on 127.0.0.1:$PORT answering every request `200` with `body`, a
 * JavaScript expression (over what the `imports` lines bring in).
 */
export const nodeHttpServer = ({ imports = '', contentType, body }) => `import http from 'node:http';
${imports}
http
  .createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': '${contentType}' });
    res.end(${body});
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

const nodeVersionServer = (ext) =>
  nodeHttpServer({ imports: `import { VERSION } from './app.${ext}';\n`, contentType: 'text/plain', body: 'VERSION' });

const nodeVersionApp = (version) => `export const VERSION = '${version}';\n`;

/** The node:http app of `node --watch` and `tsx watch`: server.<ext> imports the version from app.<ext>. */
function nodeServer(name, label, ext, argv) {
  return {
    name,
    label,
    prepare({ dir, port }) {
      writeFileSync(join(dir, `server.${ext}`), nodeVersionServer(ext));
      return {
        ...argv,
        cwd: dir,
        env: { ...process.env, PORT: String(port) },
        file: join(dir, `app.${ext}`),
        source: nodeVersionApp,
      };
    },
  };
}

/**
 * Each dev server: `prepare({ dir, port })` writes its app into the empty folder `dir` and returns how
 * to run it — `{ version, command, args, shown, cwd, env, file, source }`, `source(version)` being the
 * text of `file` that serves `version` (write it before starting) — or `{ skip: reason }`.
 */
export const DEV_SERVERS = {
  gwi: {
    name: 'gwi',
    label: 'gwi runserver',
    prepare({ dir, port }) {
      const project = makeGwiProject(dir, 'benchsite', { 'benchsite/views.ts': gwiVersionViews('v0'), 'benchsite/urls.ts': GWI_VERSION_URLS });
      return {
        version: `gwi ${readVersion(join(ROOT, 'package.json'))} (this checkout's dist/)`,
        command: process.execPath,
        args: [GWI_BIN, 'runserver', `127.0.0.1:${port}`],
        shown: '`gwi runserver`',
        cwd: project,
        env: { ...process.env, GWI_RUNSERVER_HIDE_WARNING: 'true' },
        file: join(project, 'benchsite', 'views.ts'),
        source: gwiVersionViews,
      };
    },
  },
  django: {
    name: 'django',
    label: 'Django runserver',
    prepare({ dir, port }) {
      const version = djangoVersion();
      if (version === null) return { skip: DJANGO_MISSING };
      const project = makeDjangoProject(dir, 'benchdj', { 'benchdj/urls.py': DJANGO_VERSION_URLS });
      return {
        version: `Django ${version} (StatReloader)`,
        command: PYTHON,
        args: ['manage.py', 'runserver', `127.0.0.1:${port}`],
        shown: '`python3 manage.py runserver`',
        cwd: project,
        // No .pyc: their mtime check has 1 s resolution, so a save within the same second could load stale bytecode.
        env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
        file: join(project, 'benchdj', 'views.py'),
        source: djangoVersionViews,
      };
    },
  },
  'node-watch': nodeServer('node-watch', 'node --watch', 'mjs', {
    version: `node ${process.version}`,
    command: process.execPath,
    args: ['--watch', 'server.mjs'],
    shown: '`node --watch server.mjs`',
  }),
  tsx: nodeServer('tsx', 'tsx watch', 'ts', {
    version: `tsx ${readVersion(join(ROOT, 'node_modules', 'tsx', 'package.json'))}`,
    command: process.execPath,
    args: [TSX_CLI, 'watch', 'server.ts'],
    shown: '`tsx watch server.ts`',
  }),
};
