// .env files as node's --env-file reads them, and how runserver loads them: the shell wins, a later file
// wins over an earlier one, a missing file is skipped, a malformed line is a warning with its file:line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envFilesOf, loadEnvFiles, parseEnv } from '../../src/runserver/env-files.js';

describe('parseEnv', () => {
  it.each([
    ['A=1', { A: '1' }],
    ['A = spaced  ', { A: 'spaced' }],
    ['export B=2', { B: '2' }],
    ['C=', { C: '' }],
    ['D=bare # a comment', { D: 'bare' }],
    ['E=a#b', { E: 'a#b' }],
    ["F='single # kept'", { F: 'single # kept' }],
    ['G="line\\nnext \\"q\\""', { G: 'line\nnext "q"' }],
    ['H=`back`', { H: 'back' }],
    ['I="one\ntwo"\nJ=3', { I: 'one\ntwo', J: '3' }],
    ["K='x\ny'", { K: 'x\ny' }],
    ['# comment\n\n   \nL=4', { L: '4' }],
    ['M=1\nM=2', { M: '2' }],
    ['a.b-c=5', { 'a.b-c': '5' }],
  ])('%j', (text, values) => {
    expect(parseEnv(text)).toEqual({ values, malformed: [] });
  });

  it('leaves out the lines that are not KEY=value, and an unclosed quote, with their line numbers', () => {
    expect(parseEnv('A=1\nnot a line\n9BAD=x\nB=2\nC="open\nstill')).toEqual({ values: { A: '1', B: '2' }, malformed: [2, 3, 6] });
  });
});

describe('loadEnvFiles', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gwi-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("sets what the shell has not, a later file winning; skips a missing file; warns with file:line", () => {
    writeFileSync(path.join(dir, 'a.env'), 'A=from a\nSHELL_SET=from a\nBOTH=a\n');
    writeFileSync(path.join(dir, 'b.env'), 'BOTH=b\noops\n');
    const env: NodeJS.ProcessEnv = { SHELL_SET: 'shell' };
    const warnings: string[] = [];
    const read = loadEnvFiles([path.join(dir, 'a.env'), path.join(dir, 'missing.env'), path.join(dir, 'b.env')], env, (m) => warnings.push(m));
    expect(env).toEqual({ SHELL_SET: 'shell', A: 'from a', BOTH: 'b' });
    expect(read).toEqual([path.join(dir, 'a.env'), path.join(dir, 'b.env')]);
    expect(warnings).toEqual([`Warning: ${path.relative(process.cwd(), path.join(dir, 'b.env'))}:2: not a KEY=value line, left out.`]);
  });

  it('envFilesOf: those --env-file named, from the working folder, else the project\'s .env', () => {
    expect(envFilesOf(undefined, '/p')).toEqual(['/p/.env']);
    expect(envFilesOf([], '/p')).toEqual(['/p/.env']);
    expect(envFilesOf(['x.env', '/abs/y.env'], '/p', '/cwd')).toEqual(['/cwd/x.env', '/abs/y.env']);
  });
});
