// The reads a load begun in a burst of saves holds back (held-reads.ts): the loader thread's side and the
// main thread's, over a real MessageChannel; and the blocking kind (hooks in the importing thread), on
// real files.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlockingHeldReads, HeldReads, QUIET_MS, ReadHolder } from '../../src/runserver/held-reads.js';

const ROOT = path.join(path.sep, 'home', 'ada', 'mysite');
const file = (...parts: string[]): string => path.join(ROOT, ...parts);
const url = (...parts: string[]): string => pathToFileURL(file(...parts)).href;

let channel: MessageChannel;
let reads: HeldReads;
let holder: ReadHolder;

beforeEach(() => {
  channel = new MessageChannel();
  reads = new HeldReads(channel.port2);
  holder = new ReadHolder(channel.port1);
});

afterEach(() => {
  channel.port1.close();
  channel.port2.close();
});

/** Whether `waiting` is still unsettled after the ports have had their turns. */
async function stillWaiting(waiting: Promise<void>): Promise<boolean> {
  let settled = false;
  void waiting.then(() => (settled = true));
  await sleep(20);
  return !settled;
}

describe('held reads', () => {
  it("a held file's read waits until the burst is over; the others are read at once", async () => {
    await holder.hold([file('views.ts')]);
    const waiting = reads.beforeRead(url('views.ts'));
    expect(waiting).toBeInstanceOf(Promise);
    expect(reads.beforeRead(url('settings.ts'))).toBeUndefined();
    expect(await stillWaiting(waiting as Promise<void>)).toBe(true);

    expect(await holder.settle([file('views.ts')])).toBe(false);
    await waiting;
    // Over: nothing waits any more.
    expect(reads.beforeRead(url('views.ts'))).toBeUndefined();
  });

  it('a file read before it was held, and changed in the burst, leaves the load stale', async () => {
    expect(reads.beforeRead(url('config.ts'))).toBeUndefined();
    await holder.hold([file('views.ts')]);
    await holder.hold([file('config.ts')]);
    expect(await holder.settle([file('views.ts'), file('config.ts')])).toBe(true);
  });

  it('a file read before, that the burst did not change, leaves it fresh', async () => {
    expect(reads.beforeRead(url('config.ts'))).toBeUndefined();
    await holder.hold([file('views.ts')]);
    expect(await holder.settle([file('views.ts')])).toBe(false);
  });

  it('a folder made again stands for every file under it; a query string is not part of the file', async () => {
    expect(reads.beforeRead(`${url('pages', 'home.ts')}?tsx-namespace=1`)).toBeUndefined();
    await holder.hold([file('lib')]);
    expect(reads.beforeRead(url('lib', 'x.ts'))).toBeInstanceOf(Promise);
    expect(reads.beforeRead(url('library.ts'))).toBeUndefined();
    expect(await holder.settle([file('lib'), file('pages')])).toBe(true);
  });

  it("packages' files and node's own modules are never held nor counted", async () => {
    await holder.hold([ROOT]);
    expect(reads.beforeRead(url('node_modules', 'vite', 'index.js'))).toBeUndefined();
    expect(reads.beforeRead('node:fs')).toBeUndefined();
    expect(await holder.settle([ROOT])).toBe(false);
  });
});

describe('held reads that block (hooks in the importing thread)', () => {
  let dir: string;
  let blocking: BlockingHeldReads;
  const inDir = (name: string): string => path.join(dir, name);
  const urlOf = (name: string): string => pathToFileURL(inDir(name)).href;
  /** Dates `name` `ago` ms back. */
  const dated = (name: string, ago: number): void => {
    const when = (Date.now() - ago) / 1000;
    utimesSync(inDir(name), when, when);
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gwi-held-'));
    blocking = new BlockingHeldReads();
    for (const name of ['views.ts', 'settings.ts']) writeFileSync(inDir(name), `// ${name}\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** How long beforeRead(`name`) blocked, in ms. */
  function readTook(name: string): number {
    const started = performance.now();
    blocking.beforeRead(urlOf(name));
    return performance.now() - started;
  }

  it("a held file's read waits until it has not been written for the quiet time; others and old files go at once", async () => {
    await blocking.hold([inDir('views.ts')]);
    writeFileSync(inDir('views.ts'), '// saved now\n');
    expect(readTook('views.ts')).toBeGreaterThanOrEqual(QUIET_MS - 6);
    expect(readTook('settings.ts')).toBeLessThan(QUIET_MS / 2);
    dated('views.ts', 1000);
    expect(readTook('views.ts')).toBeLessThan(QUIET_MS / 2);
  });

  it('a held file written again after its read leaves the load stale; read once quiet and unchanged, it does not', async () => {
    await blocking.hold([inDir('views.ts')]);
    dated('views.ts', 1000);
    blocking.beforeRead(urlOf('views.ts'));
    expect(await blocking.settle([inDir('views.ts')])).toBe(false);

    await blocking.hold([inDir('views.ts')]);
    blocking.beforeRead(urlOf('views.ts'));
    writeFileSync(inDir('views.ts'), '// saved again\n');
    expect(await blocking.settle([inDir('views.ts')])).toBe(true);
  });

  it('a file read before it was held and changed in the burst leaves the load stale; one the burst left alone does not', async () => {
    blocking.beforeRead(urlOf('settings.ts'));
    await blocking.hold([inDir('views.ts')]);
    expect(await blocking.settle([inDir('views.ts')])).toBe(false);
    expect(await blocking.settle([inDir('views.ts'), dir])).toBe(true);
  });

  it('a held file that is gone is read at once (node says it is missing); made again in the burst, the load is stale', async () => {
    await blocking.hold([inDir('gone.ts')]);
    expect(readTook('gone.ts')).toBeLessThan(QUIET_MS / 2);
    writeFileSync(inDir('gone.ts'), '// back\n');
    expect(await blocking.settle([inDir('gone.ts')])).toBe(true);
  });
});
