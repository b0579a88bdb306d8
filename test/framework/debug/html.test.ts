import { describe, expect, it } from 'vitest';
import { escapeHtml, metaTable, PAGE_CSS, renderPage, varsTable } from '../../../src/framework/debug/html.js';

const XSS = '<script>alert(1)</script>';
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';

describe('escapeHtml', () => {
  it.each([
    ['<b>', '&lt;b&gt;'],
    ['a & b', 'a &amp; b'],
    [`"quoted" 'single'`, '&quot;quoted&quot; &#x27;single&#x27;'],
    ['&amp;', '&amp;amp;'],
    [42, '42'],
    [null, 'null'],
    ['plain', 'plain'],
  ])('%s → %s', (input, expected) => expect(escapeHtml(input)).toBe(expected));
});

describe('renderPage', () => {
  const page = renderPage({ title: XSS, tone: 'error', header: '<h1>Hi</h1>', main: '<p>main</p>', footer: '<p>foot</p>' });

  it('is a complete, self-contained HTML5 document', () => {
    expect(page.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain(`<style>${PAGE_CSS}</style>`);
    expect(page).toContain('<body class="error">');
    expect(page.trimEnd().endsWith('</html>')).toBe(true);
    // No scripts, and nothing loaded from elsewhere.
    expect(page).not.toMatch(/<script|<link|<img|<iframe|src=|url\(|@import|https?:\/\//i);
  });

  it('escapes the title and leaves the (trusted) parts alone', () => {
    expect(page).toContain(`<title>${ESCAPED}</title>`);
    expect(page).not.toContain(XSS);
    expect(page).toContain('<header>\n<h1>Hi</h1>\n</header>');
    expect(page).toContain('<main>\n<p>main</p>\n</main>');
  });

  it('leaves out empty parts', () => {
    const bare = renderPage({ title: 't', tone: 'welcome', header: 'h' });
    expect(bare).not.toContain('<main>');
    expect(bare).not.toContain('<footer>');
  });
});

describe('tables', () => {
  it('escape labels and values', () => {
    const html = metaTable([[XSS, XSS]]) + varsTable([[XSS, XSS]], 'none');
    expect(html).not.toContain(XSS);
    expect(html.split(ESCAPED)).toHaveLength(5);
  });

  it('say when there is nothing to show', () => {
    expect(varsTable([], 'No GET data')).toBe('<p class="empty">No GET data</p>');
  });
});
