// runserver's --inspect and --inspect-brk on the command line: their value only after '=', the two
// together, and their errors as one line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectTarget } from '../../src/cli/inspect-flags.js';
import { runserverCommand } from '../../src/cli/runserver.js';
import { freePort } from '../reloader/processes.js';
import { buildIfStale, copyFixtureProject, occupyPort, runGwi } from './gwi-process.js';

describe('--inspect and --inspect-brk', () => {
  it.each([
    [['--inspect', '8001'], { inspect: '' }, ['8001']],
    [['--inspect=9230', '8001'], { inspect: '9230' }, ['8001']],
    [['8001', '--inspect-brk'], { inspectBrk: '' }, ['8001']],
    [['--inspect-brk=[::1]:9230'], { inspectBrk: '[::1]:9230' }, []],
  ])('%j: the value follows "=" only (node\'s syntax)', (args, flags, operands) => {
    const command = runserverCommand();
    expect(command.parseOptions(args).operands).toEqual(operands);
    expect(command.opts()).toMatchObject(flags);
  });

  it('together: --inspect-brk waits, at its own address or else at --inspect\'s', async () => {
    const port = await freePort();
    expect(await inspectTarget({ inspect: String(port), inspectBrk: '' })).toEqual({ host: '127.0.0.1', port, wait: true });
    expect(await inspectTarget({ inspect: '9230', inspectBrk: String(port) })).toEqual({ host: '127.0.0.1', port, wait: true });
    expect(await inspectTarget({ inspect: String(port) })).toEqual({ host: '127.0.0.1', port, wait: false });
    expect(await inspectTarget({})).toBeUndefined();
  });
});

describe('gwi runserver --inspect: errors', () => {
  let project: { dir: string; remove: () => void };

  beforeAll(() => {
    buildIfStale();
    project = copyFixtureProject();
  }, 120_000);

  afterAll(() => project.remove());

  it('a bad port: a CommandError in one line, exit 1', async () => {
    const result = await runGwi(['runserver', '--inspect=80'], { cwd: project.dir });
    expect(result).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: 'CommandError: "80" is not a valid port for --inspect: it must be 0 or in range 1024 to 65535.\n',
    });
  });

  it('a port in use: Error: The debugger cannot listen …, exit 1, nothing started', async () => {
    const busy = await occupyPort();
    try {
      const result = await runGwi(['runserver', `--inspect-brk=${busy.port}`, '0'], { cwd: project.dir });
      expect(result).toEqual({
        code: 1,
        signal: null,
        stdout: '',
        stderr: `Error: The debugger cannot listen on 127.0.0.1:${busy.port}. That port is already in use.\n`,
      });
    } finally {
      await busy.close();
    }
  });
});
