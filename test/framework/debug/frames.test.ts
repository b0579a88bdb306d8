import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import vm from 'node:vm';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFromText, extractFrames, parseStack } from '../../../src/framework/debug/frames.js';
import { isLibraryFile } from '../../../src/framework/utils/module-loading.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gwi-frames-'));
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// TypeScript-only lines above the throw, so TS and JS line numbers differ.
const BOOM_TS = [
  'interface Order {', //          1
  '  id: number;', //              2
  '  total: number;', //           3
  '}', //                          4
  '', //                           5
  'type Handler = (order: Order) => number;', // 6
  '', //                           7
  'export const checkout: Handler = (order: Order): number => {', // 8
  '  const total: number = order.total;', // 9
  "  if (total > 0) throw new Error('checkout failed for ' + order.id);", // 10
  '  return total;', //           11
  '};', //                        12
  '',
].join('\n');
const THROW_LINE = 10;

/** Compiles BOOM_TS as `dist/<name>.js` next to `src/<name>.ts`, with an inline or external map. */
function compile(name: string, mapKind: 'inline' | 'external'): { source: string; output: string } {
  const source = path.join(dir, 'src', `${name}.ts`);
  const output = path.join(dir, 'dist', `${name}.js`);
  mkdirSync(path.dirname(source), { recursive: true });
  mkdirSync(path.dirname(output), { recursive: true });
  writeFileSync(source, BOOM_TS);
  const result = ts.transpileModule(BOOM_TS, {
    fileName: source,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      sourceMap: mapKind === 'external',
      inlineSourceMap: mapKind === 'inline',
      inlineSources: true,
      sourceRoot: '../src',
    },
  });
  let code = result.outputText;
  if (mapKind === 'external') {
    code = code.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${name}.js.map`);
    const map = JSON.parse(result.sourceMapText as string) as { sources: string[] };
    map.sources = [`${name}.ts`];
    writeFileSync(`${output}.map`, JSON.stringify(map));
  }
  writeFileSync(output, code);
  return { source, output };
}

/** Runs `node [args] runner` in a child and returns the stack it printed (a real V8 stack). */
function stackFromChild(runnerName: string, importPath: string, args: string[] = []): string {
  const runner = path.join(dir, runnerName);
  writeFileSync(
    runner,
    `import { checkout } from ${JSON.stringify(pathToFileURL(importPath).href)};\n` +
      'try { checkout({ id: 7, total: 3 }); } catch (e) { process.stdout.write(e.stack); }\n',
  );
  return execFileSync(process.execPath, [...args, runner], { cwd: process.cwd(), encoding: 'utf8' });
}

describe('parseStack', () => {
  it.each([
    ['    at boom (/app/src/a.ts:10:9)', { functionName: 'boom', file: '/app/src/a.ts', line: 10, column: 9 }],
    ['    at /app/src/a.ts:3:1', { functionName: '<anonymous>', file: '/app/src/a.ts', line: 3, column: 1 }],
    ['    at async Promise.all (index 0)', { functionName: 'async Promise.all', file: null, line: null, column: null }],
    ['    at new Foo (file:///app/src/x%20y.ts:2:5)', { functionName: 'new Foo', file: '/app/src/x y.ts', line: 2, column: 5 }],
    ['    at async handler (file:///app/src/v.ts:4:11)', { functionName: 'async handler', file: '/app/src/v.ts', line: 4, column: 11 }],
    [
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      { functionName: 'process.processTicksAndRejections', file: 'node:internal/process/task_queues', line: 95, column: 5 },
    ],
    ['    at Array.map (<anonymous>)', { functionName: 'Array.map', file: null, line: null, column: null }],
    ['    at JSON.parse (native)', { functionName: 'JSON.parse', file: null, line: null, column: null }],
    [
      '    at eval (eval at run (/app/a.js:1:1), <anonymous>:1:7)',
      { functionName: 'eval', file: null, line: null, column: null },
    ],
    ['    at Obj.fn [as alias] (/app/a.js:5:6)', { functionName: 'Obj.fn [as alias]', file: '/app/a.js', line: 5, column: 6 }],
  ])('%s', (line, expected) => {
    expect(parseStack(`Error: x\n${line}`)).toEqual([expected]);
  });

  it('skips a multi-line message, even one with "at" in it', () => {
    const stack = 'Error: first line\n    at the start of the second line, but it is the message\nstill the message\n    at f (/a.js:1:2)';
    expect(parseStack(stack)).toEqual([{ functionName: 'f', file: '/a.js', line: 1, column: 2 }]);
  });
});

describe('isLibraryFile', () => {
  it.each([
    ['/app/node_modules/gwi/dist/index.js', true],
    ['node:internal/process/task_queues', true],
    [null, true],
    ['<anonymous>', true],
    ['/app/src/views.ts', false],
    // gwi's own code, wherever it runs from (here: this checkout).
    [path.resolve('src/framework/handlers/base.ts'), true],
    [path.resolve('dist/index.js'), true],
    [path.resolve('test/framework/debug/frames.test.ts'), false],
  ])('%s → %s', (file, expected) => expect(isLibraryFile(file)).toBe(expected));
});

describe('contextFromText', () => {
  const text = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n');

  it('gives 7 lines on each side', () => {
    expect(contextFromText(text, 15)).toEqual({
      preContextLineno: 8,
      preContext: ['line 8', 'line 9', 'line 10', 'line 11', 'line 12', 'line 13', 'line 14'],
      contextLine: 'line 15',
      postContext: ['line 16', 'line 17', 'line 18', 'line 19', 'line 20', 'line 21', 'line 22'],
    });
  });

  it('is cut at the start and the end of the file', () => {
    expect(contextFromText(text, 2)).toMatchObject({ preContextLineno: 1, preContext: ['line 1'], contextLine: 'line 2' });
    expect(contextFromText(text, 30)?.postContext).toEqual([]);
    expect(contextFromText('a\r\nb\r\nc', 2)).toMatchObject({ preContext: ['a'], contextLine: 'b', postContext: ['c'] });
  });

  it('is null for a line the file does not have', () => {
    expect(contextFromText(text, 31)).toBeNull();
    expect(contextFromText(text, 0)).toBeNull();
  });

  it('shortens minified lines', () => {
    const context = contextFromText('x'.repeat(5000), 1);
    expect(context?.contextLine.length).toBeLessThan(600);
  });
});

describe('extractFrames', () => {
  it('shows the TypeScript line of a .ts module (vitest compiles it; the stack names the .ts file)', async () => {
    const file = path.join(dir, 'direct.ts');
    writeFileSync(file, BOOM_TS);
    const mod = (await import(pathToFileURL(file).href)) as { checkout: (order: { id: number; total: number }) => number };
    let error: unknown;
    try {
      mod.checkout({ id: 7, total: 3 });
    } catch (err) {
      error = err;
    }
    const [frame] = extractFrames(error);
    expect(frame).toMatchObject({ file, line: THROW_LINE, library: false });
    expect(frame?.context?.contextLine).toBe("  if (total > 0) throw new Error('checkout failed for ' + order.id);");
    expect(frame?.context?.preContext).toContain('type Handler = (order: Order) => number;');
    expect(frame?.context?.preContextLineno).toBe(THROW_LINE - 7);
  });

  it('maps a compiled file through its inline source map to the TypeScript source', () => {
    const { source, output } = compile('inline', 'inline');
    const stack = stackFromChild('run-inline.mjs', output);
    const [frame] = extractFrames({ stack });
    expect(frame?.generated?.file).toBe(output);
    expect(frame).toMatchObject({ file: source, line: THROW_LINE, library: false });
    expect(frame?.context?.contextLine).toContain("throw new Error('checkout failed for ' + order.id)");
    expect(frame?.context?.preContext).toContain('type Handler = (order: Order) => number;');
  });

  it('maps through an external .js.map file, and falls back to sourcesContent when the source is gone', () => {
    const { source, output } = compile('external', 'external');
    const stack = stackFromChild('run-external.mjs', output);
    expect(extractFrames({ stack })[0]).toMatchObject({ file: source, line: THROW_LINE });
    rmSync(source);
    const [frame] = extractFrames({ stack });
    expect(frame).toMatchObject({ file: source, line: THROW_LINE });
    expect(frame?.context?.contextLine).toContain('checkout failed');
  });

  it('does not map twice when the runtime already did (tsx enables source maps)', () => {
    const file = path.join(dir, 'tsx-run.ts');
    writeFileSync(file, BOOM_TS);
    const stack = stackFromChild('run-tsx.mjs', file, ['--import', 'tsx']);
    expect(stack).toContain(`${file}:${THROW_LINE}:`);
    const [frame] = extractFrames({ stack });
    expect(frame).toMatchObject({ file, line: THROW_LINE, generated: null });
    expect(frame?.context?.contextLine).toContain('checkout failed');
  });

  it('reads the context of a plain .js file without a map from the file itself', () => {
    const file = path.join(dir, 'plain.js');
    const code = ['// plain JavaScript', 'function plain() {', "  throw new TypeError('plain failure');", '}', 'plain();', ''].join('\n');
    writeFileSync(file, code);
    let error: unknown;
    try {
      vm.runInThisContext(code, { filename: file });
    } catch (err) {
      error = err;
    }
    const frames = extractFrames(error);
    expect(frames[0]).toMatchObject({ functionName: 'plain', file, line: 3, column: 9, generated: null });
    expect(frames[0]?.context).toEqual({
      preContextLineno: 1,
      preContext: ['// plain JavaScript', 'function plain() {'],
      contextLine: "  throw new TypeError('plain failure');",
      postContext: ['}', 'plain();', ''],
    });
  });

  it('marks node_modules and node: frames as library frames and reads no source for node: ones', () => {
    const stack = [
      'Error: x',
      `    at view (${path.join(dir, 'plain.js')}:3:9)`,
      '    at wrapped (/app/node_modules/gwi/dist/handler.js:10:3)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
    ].join('\n');
    const frames = extractFrames({ stack });
    expect(frames.map((f) => f.library)).toEqual([false, true, true]);
    expect(frames[2]?.context).toBeNull();
  });

  it('gives no frames for a thrown value without a stack', () => {
    expect(extractFrames('just a string')).toEqual([]);
    expect(extractFrames(null)).toEqual([]);
  });
});
