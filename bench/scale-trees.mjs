// The projects of bench/scale.mjs: `gwi startproject` grown along one dimension at a time — TypeScript
// modules in import chains that the page runs, a heavy package the page imports, data files that are not
// code — with a node:http server on the same page beside it, and all of it compiled to JavaScript once.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { nodeHttpServer } from './dev-servers.mjs';
import { makeGwiProject, packageName } from './projects.mjs';

/** Modules per chain: a project's modules import each other in chains this deep. */
export const CHAIN_LENGTH = 10;
const FILES_PER_DATA_FOLDER = 1000;

/**
 * The trees: the base (10 modules, no dependency, no data files), then one dimension varied at a time,
 * and the worst case, all at once. `dependency`: a peer of bench/projects.mjs installPeer (its npm spec).
 */
export const TREES = {
  base: { modules: 10, dependency: null, files: 0 },
  'modules-100': { modules: 100, dependency: null, files: 0 },
  'modules-1000': { modules: 1000, dependency: null, files: 0 },
  vite: { modules: 10, dependency: 'vite@8', files: 0 },
  files: { modules: 10, dependency: null, files: 20_000 },
  worst: { modules: 1000, dependency: 'vite@8', files: 20_000 },
};

/** A tree in a few words: `1,000 modules + vite + 20,000 files`. */
export function describeTree({ modules, dependency, files }) {
  return [`${modules.toLocaleString('en-US')} modules`, ...(dependency ? [packageName(dependency)] : []),
    ...(files ? [`${files.toLocaleString('en-US')} files`] : [])].join(' + ');
}

const pad = (n) => String(n).padStart(3, '0');

/** Link `index` of chain `chain`: it imports the next link and returns how deep the chain went. */
function chainModule(chain, index) {
  const next = index + 1 < CHAIN_LENGTH ? index + 1 : null;
  const body = next === null
    ? '  return { depth: 1, path: String(seed) };'
    : `  const rest = link${next}(seed + ${index});\n  return { depth: rest.depth + 1, path: \`${chain}.${index}/\${rest.path}\` };`;
  return `// Link ${index} of chain ${chain}: the page runs the chain from its head; each link imports the next.
${next === null ? '' : `import { link${next} } from './m${next}.js';\n`}
export interface Link${index} {
  depth: number;
  path: string;
}

export function link${index}(seed: number): Link${index} {
${body}
}
`;
}

/**
 * The page module (page.ts, and build/page.js for the tools that run JavaScript): its HTML shows `version`
 * in `<body data-version>` (lib.mjs shownVersion), the modules its chains counted and the dependency's
 * version. No TypeScript-only syntax, so that the same text serves as both.
 */
export function pageSource(version, { modules, dependency }) {
  const chains = Array.from({ length: modules / CHAIN_LENGTH }, (_, c) => c);
  const name = dependency && packageName(dependency);
  return `// The page of the scaling benchmark's project: it runs every chain of modules${name ? ` and shows ${name}'s version` : ''}.
${chains.map((c) => `import { link0 as chain${c} } from './chain/c${pad(c)}/m0.js';`).join('\n')}
${name ? `import { version as dependencyVersion } from '${name}';\n` : ''}
export const VERSION = '${version}';

const modules = [${chains.map((c) => `chain${c}`).join(', ')}].reduce((sum, head) => sum + head(0).depth, 0);

export function page() {
  return \`<!DOCTYPE html><html><head><title>scale</title></head><body data-version="\${VERSION}"><p>\${modules} modules${name ? ` · ${name} \${dependencyVersion}` : ''}</p></body></html>\`;
}
`;
}

const GWI_VIEWS = `import { HttpResponse } from 'gwi';
import { page } from '../page.js';

export const index = (): HttpResponse => new HttpResponse(page());
`;

const GWI_URLS = `import { path } from 'gwi';
import { index } from './views.js';

export const urlpatterns = [path('', index)];
`;

const PAGE_SERVER = nodeHttpServer({ imports: "import { page } from './page.js';\n", contentType: 'text/html; charset=utf-8', body: 'page()' });

function write(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** TypeScript's own transpiler, file by file: the types erased, nothing checked, the imports kept. */
const COMPILER_OPTIONS = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 };

/**
 * Makes the tree `spec` (of TREES) in the empty folder `dir`: `gwi startproject benchsite` whose view
 * returns the page (page.ts); the chains in chain/c000/m0.ts …; server.ts, a node:http server of the page
 * (for tsx watch); node_modules/<dependency>, a link to the peer installed (`peer`: installPeer's answer);
 * data/d00/f000.json …; and build/, the JavaScript of page.ts, server.ts and the chains, module for module
 * (TypeScript's transpileModule; for nodemon and node --watch). Returns `{ root, page, builtPage }` (the
 * page's two files).
 */
export function makeScaleTree(dir, spec, peer) {
  const root = makeGwiProject(dir, 'benchsite', { 'benchsite/views.ts': GWI_VIEWS, 'benchsite/urls.ts': GWI_URLS });
  const sources = new Map([[join(root, 'page.ts'), pageSource('v0', spec)], [join(root, 'server.ts'), PAGE_SERVER]]);
  for (let c = 0; c < spec.modules / CHAIN_LENGTH; c++) {
    for (let m = 0; m < CHAIN_LENGTH; m++) sources.set(join(root, 'chain', `c${pad(c)}`, `m${m}.ts`), chainModule(c, m));
  }
  for (const [file, text] of sources) {
    write(file, text);
    const built = join(root, 'build', relative(root, file).replace(/\.ts$/, '.js'));
    write(built, ts.transpileModule(text, { compilerOptions: COMPILER_OPTIONS }).outputText);
  }
  if (spec.dependency) {
    mkdirSync(join(root, 'node_modules'));
    symlinkSync(peer.dir, join(root, 'node_modules', packageName(spec.dependency)), 'dir');
  }
  for (let i = 0; i < spec.files; i++) {
    const folder = `d${String(Math.floor(i / FILES_PER_DATA_FOLDER)).padStart(2, '0')}`;
    write(join(root, 'data', folder, `f${pad(i % FILES_PER_DATA_FOLDER)}.json`), `${JSON.stringify({ id: i, name: `item ${i}`, tags: ['scale', folder] })}\n`);
  }
  return { root, page: join(root, 'page.ts'), builtPage: join(root, 'build', 'page.js') };
}

/** A one-file TypeScript server in `dir` (server.ts, answering `ok`): the reference launch of tsx watch. */
export function makeOneFileServer(dir) {
  writeFileSync(join(dir, 'server.ts'), nodeHttpServer({ contentType: 'text/plain', body: "'ok'" }));
}
