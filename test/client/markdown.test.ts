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

describe('images (marked stage)', () => {
  // Every viewer's browser would fetch an image from another host: a tracking pixel tells its
  // owner who read the comment and when. Only images of the page's own origin load.
  const ORIGIN = 'https://vote.example.coop';
  const onSite = createMarked(Marked, ORIGIN);
  const renderOnSite = (src: string) => onSite.parse(src, { async: false }) as string;

  test('an image from another host becomes a link to it, naming the host, not an <img>', () => {
    const out = renderOnSite('![the plan](https://tracker.example.net/pixel.png?who=ada "Plan")');
    expect(out).not.toContain('<img');
    expect(out).toContain(
      '<a href="https://tracker.example.net/pixel.png?who=ada" class="foreign-image" title="Plan">the plan (image on tracker.example.net)</a>',
    );
  });

  test('without alt text the link still says what it is', () => {
    expect(renderOnSite('![](http://tracker.example.net/p.gif)')).toContain(
      '>Image on tracker.example.net</a>',
    );
  });

  test.each([
    ['another scheme', 'http://vote.example.coop/a.png'],
    ['another port', 'https://vote.example.coop:8443/a.png'],
    ['a subdomain', 'https://img.vote.example.coop/a.png'],
    ['a protocol-relative URL', '//tracker.example.net/a.png'],
  ])('%s is another origin', (_, url) => {
    expect(renderOnSite(`![x](${url})`)).not.toContain('<img');
  });

  test('images of the same origin load, absolute or relative', () => {
    expect(renderOnSite('![chart](https://vote.example.coop/files/chart.png)')).toContain(
      '<img src="https://vote.example.coop/files/chart.png" alt="chart">',
    );
    expect(renderOnSite('![chart](/files/chart.png "Chart")')).toContain(
      '<img src="/files/chart.png" alt="chart" title="Chart">',
    );
  });

  test('a foreign image inside a link is text, not a link inside a link', () => {
    const out = renderOnSite('[![badge](https://ci.example.net/badge.svg)](https://ci.example.net/build)');
    expect(out).not.toContain('<img');
    expect(out).toBe('<p><a href="https://ci.example.net/build">badge (image on ci.example.net)</a></p>\n');
  });

  test('unsafe image URLs stay dropped, keeping the alt text', () => {
    const out = renderOnSite('![a](javascript:alert(1)) ![b](data:image/png;base64,AAAA)');
    expect(out).not.toMatch(/<img|href=/);
    expect(out).toContain('a');
    expect(out).toContain('b');
  });
});
