// `gwi startproject` and `gwi check` from the command line, as a user runs them: exit codes and output.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildIfStale, cleanEnv, runGwi } from './gwi-process.js';

beforeAll(() => buildIfStale(), 120_000);

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gwi-commands-'));
  dirs.push(dir);
  return dir;
}

describe('gwi startproject', () => {
  it('writes a project quietly and exits 0', async () => {
    const cwd = tempDir();
    const result = await runGwi(['startproject', 'mysite'], { cwd, env: cleanEnv() });
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const manifest = JSON.parse(readFileSync(path.join(cwd, 'mysite', 'package.json'), 'utf8')) as { gwi: { settings: string } };
    expect(manifest.gwi.settings).toBe('mysite/settings');
  });

  it('answers a missing name with the usage line and exit 2', async () => {
    const result = await runGwi(['startproject'], { cwd: tempDir(), env: cleanEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'Usage: gwi startproject [options] [name] [directory]\ngwi startproject: error: You must provide a project name.\n',
    );
  });

  it.each([
    [['startproject', '7testproject'], "CommandError: '7testproject' is not a valid project name. Please make sure the name is a valid identifier.\n"],
    [['startproject', 'fs'], "CommandError: 'fs' conflicts with the name of an existing Node.js module and cannot be used as a project name. Please try another name.\n"],
  ])('%j → one CommandError line and exit 1', async (args, message) => {
    const result = await runGwi(args, { cwd: tempDir(), env: cleanEnv() });
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: message });
  });

  it('refuses an existing project folder', async () => {
    const cwd = tempDir();
    await runGwi(['startproject', 'mysite'], { cwd, env: cleanEnv() });
    const result = await runGwi(['startproject', 'mysite'], { cwd, env: cleanEnv() });
    expect(result).toMatchObject({ code: 1, stderr: `CommandError: '${path.join(cwd, 'mysite')}' already exists\n` });
  });
});

describe('gwi check', () => {
  it('reports no issues for a new project, on stdout', async () => {
    const cwd = tempDir();
    await runGwi(['startproject', 'mysite'], { cwd, env: cleanEnv() });
    const result = await runGwi(['check'], { cwd: path.join(cwd, 'mysite'), env: cleanEnv() });
    expect(result).toMatchObject({ code: 0, stdout: 'System check identified no issues (0 silenced).\n', stderr: '' });
  });

  it('shows warnings on stderr in Django format, and the deployment checks with --deploy', async () => {
    const cwd = tempDir();
    await runGwi(['startproject', 'mysite'], { cwd, env: cleanEnv() });
    const project = path.join(cwd, 'mysite');
    const settingsFile = path.join(project, 'mysite', 'settings.ts');
    const text = readFileSync(settingsFile, 'utf8')
      .replace(/DEBUG: true/, 'DEBUG: false')
      .replace(/STATICFILES_DIRS: \[[^\]]*\]/, "STATICFILES_DIRS: ['missing']");
    writeFileSync(settingsFile, text);
    const plain = await runGwi(['check'], { cwd: project, env: cleanEnv() });
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe(
      'System check identified some issues:\n\nWARNINGS:\n' +
        "?: (staticfiles.W004) The directory 'missing' in the STATICFILES_DIRS setting does not exist.\n\n" +
        'System check identified 1 issue (0 silenced).\n',
    );
    const deploy = await runGwi(['check', '--deploy'], { cwd: project, env: cleanEnv() });
    expect(deploy.stderr).toContain('?: (security.W020) ALLOWED_HOSTS must not be empty in deployment.');
  });

  it('says so in one line when no settings module can be found', async () => {
    const result = await runGwi(['check'], { cwd: tempDir(), env: cleanEnv() });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^CommandError: No settings module was found: .*\n$/);
  });
});

describe('gwi runserver (auto-reloader on) refuses to start as Django does', () => {
  it('exits 1 with one line when no settings module can be found', async () => {
    const result = await runGwi(['runserver', '0'], { cwd: tempDir(), env: cleanEnv() });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^CommandError: No settings module was found: .*\n$/);
  });

  it('exits 1 when DEBUG is off and ALLOWED_HOSTS is empty', async () => {
    const cwd = tempDir();
    await runGwi(['startproject', 'mysite'], { cwd, env: cleanEnv() });
    const project = path.join(cwd, 'mysite');
    const settingsFile = path.join(project, 'mysite', 'settings.ts');
    writeFileSync(settingsFile, readFileSync(settingsFile, 'utf8').replace(/DEBUG: true/, 'DEBUG: false'));
    const result = await runGwi(['runserver', '0'], { cwd: project, env: cleanEnv() });
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'CommandError: You must set settings.ALLOWED_HOSTS if DEBUG is False.\n' });
  });
});
