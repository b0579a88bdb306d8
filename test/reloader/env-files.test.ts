// `gwi runserver` and the project's env files, as a user meets them: .env read before the settings (the
// shell's variables winning), an edit reloading the project, --env-file naming others, a malformed line a
// warning with its file:line and never a crash.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale } from '../cli/gwi-process.js';
import { httpText } from '../helpers/http.js';
import { copyReloaderProject, killEverything, runserver, waitUntil } from './processes.js';

let project: { dir: string; remove: () => void };

beforeAll(() => buildIfStale(), 120_000);

beforeEach(() => {
  project = copyReloaderProject();
  writeFileSync(
    path.join(project.dir, 'mysite', 'views.ts'),
    "import { HttpResponse } from 'gwi';\n\nexport const index = () => new HttpResponse(`${process.env.GREETING ?? 'unset'} ${process.env.OTHER ?? 'unset'}`, { contentType: 'text/plain' });\n",
  );
});

afterEach(async () => {
  await killEverything();
  project.remove();
});

const body = async (port: number): Promise<string> => (await httpText(port, '/')).body;

describe('gwi runserver: env files', () => {
  it("loads the project's .env into the server process; an edit reloads; the shell wins", async () => {
    writeFileSync(path.join(project.dir, '.env'), 'GREETING=hello\n');
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    expect(await body(port)).toBe('hello unset');
    writeFileSync(path.join(project.dir, '.env'), 'GREETING=hi again\nOTHER=more\n');
    expect(await waitUntil(async () => (await body(port)) === 'hi again more', 10_000)).toBe(true);
    await killEverything();

    const shell = runserver(project.dir, ['0'], { GREETING: 'from the shell' });
    expect(await body(await shell.started())).toBe('from the shell more');
  }, 30_000);

  it('--env-file names the files instead (repeatable, a later one wins); a malformed line is a warning, the server runs', async () => {
    writeFileSync(path.join(project.dir, '.env'), 'GREETING=not this one\n');
    writeFileSync(path.join(project.dir, 'a.env'), 'GREETING=from a\nOTHER=from a\n');
    writeFileSync(path.join(project.dir, 'b.env'), 'OTHER=from b\nthis is not a variable\n');
    const gwi = runserver(project.dir, ['--env-file', 'a.env', '--env-file', 'b.env', '0']);
    const port = await gwi.started();
    expect(await body(port)).toBe('from a from b');
    expect(gwi.stderr).toContain('Warning: b.env:2: not a KEY=value line, left out.\n');
    writeFileSync(path.join(project.dir, 'b.env'), 'OTHER=b changed\n');
    expect(await waitUntil(async () => (await body(port)) === 'from a b changed', 10_000)).toBe(true);
  }, 30_000);
});
