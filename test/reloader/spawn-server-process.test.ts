// `gwi runserver`'s first server process, spawned before the CLI loads: taken by a command spawned exactly
// as it was (with what it said meanwhile), killed when the command differs.
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { discardEarly, serverProcessChild, spawnEarly, type SpawnCommand } from '../../src/reloader/spawn-server-process.js';
import { childPids, commandLine, isRunning, waitUntil } from './processes.js';

// A stand-in server process: says hello at once (before anyone takes it), then waits.
const script = path.join(os.tmpdir(), `gwi-early-${process.pid}.mjs`);
writeFileSync(script, "process.send({ type: 'hello', runMain: process.env.RUN_MAIN });\nsetInterval(() => {}, 1000);\n");

const command = (env: NodeJS.ProcessEnv = { PATH: process.env.PATH }): SpawnCommand => ({ args: [script], env, stdin: 'ignore' });
const pids: number[] = [];

afterAll(() => rmSync(script, { force: true }));

afterEach(() => {
  discardEarly();
  for (const pid of pids.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
});

describe('the early server process', () => {
  it('is taken by the same command, with the messages it sent before', async () => {
    spawnEarly(command());
    // Time to say hello with nobody listening but the early start.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { child, messages, exit } = serverProcessChild(command());
    pids.push(child.pid as number);
    expect(messages).toEqual([{ type: 'hello', runMain: 'true' }]);
    expect(exit).toBeNull();
    expect(isRunning(child.pid as number)).toBe(true);
    // Taken once: the next command spawns its own.
    const next = serverProcessChild(command());
    pids.push(next.child.pid as number);
    expect(next.child.pid).not.toBe(child.pid);
    expect(next.messages).toEqual([]);
  });

  it('is killed, and a new one spawned, when the command differs (another environment)', async () => {
    spawnEarly(command());
    const taken = serverProcessChild(command({ PATH: process.env.PATH, GWI_COLORS: 'nocolor' }));
    pids.push(taken.child.pid as number);
    expect(taken.messages).toEqual([]);
    const hello = await new Promise((resolve) => taken.child.once('message', resolve));
    expect(hello).toEqual({ type: 'hello', runMain: 'true' });
    // Exactly one stand-in still runs: the new one.
    expect(await waitUntil(() => countStandIns() === 1, 2000)).toBe(true);
  });

  it('says it exited if it did before it was taken', async () => {
    spawnEarly({ ...command(), args: ['-e', 'process.exit(3)'] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const { exit } = serverProcessChild({ ...command(), args: ['-e', 'process.exit(3)'] });
    expect(exit).toEqual([3, null]);
  });
});

/** Processes of this test running the stand-in script. */
function countStandIns(): number {
  return childPids(process.pid).filter((pid) => commandLine(pid).includes(script)).length;
}
