import { Marked } from 'marked';
import { describe, expect, test } from 'vitest';
import { createMarked, escapeHtml, safeUrl } from '../../client/ui/markdown';

// DOMPurify needs a DOM, so here only the first gate runs (marked, configured);
// test/browser/threads.test.ts checks the whole pipeline in Chromium.
const marked = createMarked(Marked);
const render = (src: string) => marked.parse(src, { async: false }) as string;

describe('safeUrl', () => {
  test.each([
    'https://example.org/a?b=c#d',
    'http://example.org',
    'mailto:ada@example.org',
    '/threads/1',
    '#top',
    '?q=x',
    'relative/path',
  ])('allows %s', (url) => expect(safeUrl(url)).toBe(true));

  test.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\u0001javascript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD4=',
    'DATA:image/png;base64,AAAA',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '\\\\evil.example/share',
    '',
  ])('refuses %j', (url) => expect(safeUrl(url)).toBe(false));
});

describe('markdown (marked stage)', () => {
  test('renders ordinary Markdown', () => {
    const out = render('**bold** and _em_\n\n- one\n- two\n\n`code`');
    expect(out).toContain('<strong>bold</strong>');
    expect(out).toContain('<em>em</em>');
    expect(out).toContain('<li>one</li>');
    expect(out).toContain('<code>code</code>');
  });

  test('keeps single line breaks, as people type them in comments', () => {
    expect(render('line one\nline two')).toContain('line one<br>line two');
  });

  test('shows raw HTML as text', () => {
    const out = render(
      '<img src=x onerror=alert(1)>\n\nand <script>alert(1)</script> inline <b onclick="x()">b</b>',
    );
    expect(out).not.toMatch(/<img|<script|<b /);
    expect(out).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(out).toContain('&#60;script&#62;');
  });

  test('drops links and images with unsafe URLs, keeping their text', () => {
    const out = render(
      '[x](javascript:alert(1)) [y](data:text/html,hi) ![pic](data:image/png;base64,AAAA) <javascript:alert(1)>',
    );
    expect(out).not.toMatch(/href=|src=/);
    expect(out).toContain('x');
    expect(out).toContain('pic');
  });

  test('keeps safe links', () => {
    const out = render('[site](https://example.org "Home") and https://example.org/auto');
    expect(out).toContain('<a href="https://example.org" title="Home">site</a>');
    expect(out).toContain('href="https://example.org/auto"');
  });

  test('escapes attribute breakouts in URLs and titles', () => {
    const out = render('[a](https://example.org/"onmouseover="x "t\\"itle")');
    expect(out).not.toMatch(/"\s*onmouseover=/);
  });

  test('marks @mentions but not email addresses', () => {
    const out = render('thanks @bea-l and ada@example.org');
    expect(out).toContain('<span class="mention">@bea-l</span>');
    expect(out).not.toContain('<span class="mention">@example');
  });

  test('escapeHtml', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
