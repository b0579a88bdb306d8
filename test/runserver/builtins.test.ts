// Which of node's own modules a server process loads. An ES import of node:http builds its module facade,
// which reads every export, and on Node >= 22 one of them loads undici, ~35 ms of every start-up
// (nodejs/node#57649): gwi takes node:http through process.getBuiltinModule instead.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildIfStale } from '../cli/gwi-process.js';
import { httpText } from '../helpers/http.js';
import { copyReloaderProject, killEverything, runserver, type ProjectCopy } from '../reloader/processes.js';

let project: ProjectCopy;

beforeAll(() => buildIfStale(), 120_000);
beforeEach(() => {
  project = copyReloaderProject();
});
afterEach(async () => {
  await killEverything();
  project.remove();
});

describe("a server process's built-in modules", () => {
  it('leave out undici: a served request, its response and the reloader need node:http without its ES facade', async () => {
    project.write(
      'mysite/views.ts',
      "import { JsonResponse } from 'gwi';\n" +
        'const loaded = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;\n' +
        "export const index = () => new JsonResponse({ undici: loaded.filter((name) => name.includes('undici')), http: loaded.includes('NativeModule http') });\n",
    );
    const gwi = runserver(project.dir, ['0']);
    const port = await gwi.started();
    const answer = JSON.parse((await httpText(port, '/')).body) as { undici: string[]; http: boolean };
    // node:http itself is loaded (it serves), so the list says something.
    expect(answer).toEqual({ undici: [], http: true });
  }, 30_000);
});
