import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsConfigured } from '../../../src/framework/conf/settings.js';
import { loadFailureData, loadFailureResponse } from '../../../src/framework/debug/load-failure.js';

const XSS = '<script>alert(1)</script>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

let dir: string;
let file: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gwi-load-'));
  file = path.join(dir, 'urls.ts');
  writeFileSync(file, ["import { path } from 'gwi';", '', `export const urlpatterns = [ // ${XSS}`, "  path('', home", ''].join('\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadFailureResponse', () => {
  it('is a 500 naming the error and its file:line, with the source around it, escaped', () => {
    const error = new SyntaxError(`Expected ")" but found end of file ${XSS}`);
    const response = loadFailureResponse(error, { file, line: 4 });
    expect(response.statusCode).toBe(500);
    expect(response.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    const html = response.content.toString('utf8');
    expect(html).not.toContain(XSS);
    expect(html).toContain('<title>SyntaxError while loading the project</title>');
    expect(html).toContain('<h1>The project failed to load</h1>');
    expect(html).toContain(`<pre class="exception_value">SyntaxError: Expected &quot;)&quot; but found end of file ${ESCAPED}</pre>`);
    expect(html).toContain(`<tr><th scope="row">Location:</th><td>${file}:4</td></tr>`);
    expect(html).toContain('<ol class="context" start="1">');
    expect(html).toContain(`<li>export const urlpatterns = [ // ${ESCAPED}</li>`);
    expect(html).toContain('<li class="current">  path(&#x27;&#x27;, home</li>');
    expect(html).toContain('gwi reloads the project');
  });

  it('finds the location in the stack when none is given', () => {
    const error = new Error('import failed');
    const data = loadFailureData(error);
    expect(data.file).toBe(new URL(import.meta.url).pathname);
    expect(data.line).toBeGreaterThan(0);
    expect(data.context?.contextLine).toContain("new Error('import failed')");
  });

  it('shows the cause (a settings module that could not be imported)', () => {
    const error = new Error("Settings module 'mysite/settings' could not be imported", { cause: new ReferenceError('x is not defined') });
    const html = loadFailureResponse(error, {}).content.toString('utf8');
    expect(html).toContain('<h3>Caused by ReferenceError</h3>\n<pre class="exception_value">x is not defined</pre>');
  });

  it('reads no settings (they may be what failed to load)', () => {
    expect(settingsConfigured()).toBe(false);
    expect(() => loadFailureResponse(new Error('x'), { file: path.join(dir, 'missing.ts'), line: 3 })).not.toThrow();
  });
});
