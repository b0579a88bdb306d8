// getInternalGwiApplication (Django's get_internal_wsgi_application): GWI_APPLICATION imported relative to
// BASE_DIR, the framework's handler when it is null, and an ImproperlyConfigured for anything else.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Application, Body, HeaderList } from '../../../src/gateway/types.js';
import { setupTestingDefaults } from '../../../src/gateway/util.js';
import { getInternalGwiApplication } from '../../../src/framework/handlers/application.js';
import { configureSettings, resetSettings } from '../../../src/framework/conf/settings.js';
import { ImproperlyConfigured } from '../../../src/framework/exceptions.js';

const PROJECT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'settings', 'project');

afterEach(() => resetSettings());

/** Calls a GWI application in-process and collects its answer. */
async function call(gwiApplication: Application): Promise<{ status: string; headers: HeaderList; body: string }> {
  let status = '';
  let headers: HeaderList = [];
  const body: Body = await gwiApplication(setupTestingDefaults({}), (s, h) => {
    [status, headers] = [s, h];
    return async () => {};
  });
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  await body.close?.();
  return { status, headers, body: Buffer.concat(chunks).toString('utf8') };
}

async function failure(gwiApplication: string): Promise<ImproperlyConfigured> {
  configureSettings({ GWI_APPLICATION: gwiApplication, BASE_DIR: PROJECT });
  try {
    await getInternalGwiApplication();
  } catch (err) {
    expect(err).toBeInstanceOf(ImproperlyConfigured);
    return err as ImproperlyConfigured;
  }
  throw new Error(`${gwiApplication} loaded`);
}

describe('getInternalGwiApplication', () => {
  it('imports the application GWI_APPLICATION names, relative to BASE_DIR', async () => {
    configureSettings({ GWI_APPLICATION: 'mysite/gwi#application', BASE_DIR: PROJECT });
    const { status, body } = await call(await getInternalGwiApplication());
    expect(status).toBe('200 OK');
    expect(body).toBe('from mysite/gwi');
  });

  it("takes Django's dotted form too", async () => {
    configureSettings({ GWI_APPLICATION: 'mysite.gwi.application', BASE_DIR: PROJECT });
    expect((await getInternalGwiApplication()).name).toBe('application');
  });

  it("is the framework's handler when GWI_APPLICATION is null", async () => {
    configureSettings({ DEBUG: true, ALLOWED_HOSTS: ['127.0.0.1'], ROOT_URLCONF: null, BASE_DIR: PROJECT });
    const { status, body } = await call(await getInternalGwiApplication());
    // An empty URLconf with DEBUG: the framework's welcome page.
    expect(status).toBe('200 OK');
    expect(body).toContain('The install worked successfully!');
  });

  it.each([
    ['mysite/nope#application', "No module named 'mysite/nope' (looked for {PROJECT}/mysite/nope.ts and friends)."],
    ['mysite/gwi#nothing', 'Module "mysite/gwi" does not define a "nothing" attribute/class'],
    ['mysite/broken_gwi#application', 'the GWI module is broken'],
    ['mysite/gwi', "mysite/gwi doesn't look like a module path: use 'module/path#exportName'."],
  ])('cannot load %s: the real error is the cause', async (gwiApplication, cause) => {
    const error = await failure(gwiApplication);
    expect(error.message).toBe(`GWI application '${gwiApplication}' could not be loaded; Error importing module.`);
    expect((error.cause as Error).message).toBe(cause.replace('{PROJECT}', PROJECT));
  });

  it.each([
    ['mysite/gwi#notAnApp', "GWI application 'mysite/gwi#notAnApp' is not a function (environ, startResponse): it is 42."],
    ['mysite/gwi#handler', "GWI application 'mysite/gwi#handler' is not a function (environ, startResponse): it is an instance of GwiHandler."],
  ])('refuses %s, which is not an application', async (gwiApplication, message) => {
    const error = await failure(gwiApplication);
    expect(error.message).toBe(message);
    expect(error.cause).toBeUndefined();
  });
});
