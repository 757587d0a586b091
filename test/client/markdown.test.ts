import fc from 'fast-check';
import { nothing } from 'lit';
import { describe, expect, test } from 'vitest';
import { decodeEntities } from '../../client/ui/entities';
import { snippet } from '../../client/ui/markdown';
import { plainInlineMarkdown, plainMarkdown } from '../../client/ui/markdown-plain';
import { createRenderer, safeUrl } from '../../client/ui/markdown-templates';

/*
 * The renderer makes Lit templates, not HTML; `toHtml` writes a template out
 * the way Lit would build it in the DOM (text escaped, attributes quoted,
 * `nothing` dropping an attribute, `?attr` a boolean one), so the tests can
 * read what an element would hold. test/browser/xss.test.ts and
 * test/browser/threads.test.ts check the rendering in Chromium.
 */
interface TemplateLike {
  strings: readonly string[];
  values: readonly unknown[];
}
const isTemplate = (v: unknown): v is TemplateLike =>
  typeof v === 'object' && v !== null && '_$litType$' in v && 'strings' in v;
const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, '&quot;');

function toHtml(value: unknown): string {
  if (value === nothing || value === null || value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.map(toHtml).join('');
  if (!isTemplate(value)) return escapeText(String(value));
  let out = value.strings[0]!;
  value.values.forEach((v, i) => {
    const attr = /\s(\??)([\w-]+)=$/.exec(out);
    if (attr) {
      out = out.slice(0, attr.index);
      if (attr[1] === '?') out += v ? ` ${attr[2]}` : '';
      else if (v !== nothing) out += ` ${attr[2]}="${escapeAttr(String(v))}"`;
    } else out += toHtml(v);
    out += value.strings[i + 1]!;
  });
  return out;
}

const renderer = createRenderer(null);
const render = (src: string) => toHtml(renderer.block(src));
const renderInline = (src: string) => toHtml(renderer.inline(src));

/** Every tag the output opens, by name. */
const tags = (out: string) => new Set([...out.matchAll(/<([a-z][a-z0-9]*)/g)].map((m) => m[1]));
/** The tags Markdown makes; nothing else may ever appear. */
const MARKDOWN_TAGS = new Set(
  'a p br strong em del code pre blockquote ul ol li h1 h2 h3 h4 h5 h6 hr table thead tbody tr th td img span input'.split(
    ' ',
  ),
);
/** The href and src values in the output, as the attribute holds them. */
const urls = (out: string) =>
  [...out.matchAll(/\s(?:href|src)="([^"]*)"/g)].map((m) =>
    m[1]!
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&'),
  );
const onlyMarkdownTags = (out: string) =>
  expect([...tags(out)].filter((t) => !MARKDOWN_TAGS.has(t!))).toEqual([]);

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

describe('markdown as templates', () => {
  test('renders ordinary Markdown', () => {
    const out = render(
      '# Title\n\n**bold** and _em_ and ~~gone~~\n\n- one\n- two\n\n`code`\n\n> quoted\n\n---',
    );
    expect(out).toContain('<h1>Title</h1>');
    expect(out).toContain('<strong>bold</strong>');
    expect(out).toContain('<em>em</em>');
    expect(out).toContain('<del>gone</del>');
    expect(out).toContain('<ul><li>one</li><li>two</li></ul>');
    expect(out).toContain('<p><code>code</code></p>');
    expect(out).toContain('<blockquote><p>quoted</p></blockquote>');
    expect(out).toContain('<hr>');
  });

  test('keeps single line breaks, as people type them in comments', () => {
    expect(render('line one\nline two')).toBe('<p>line one<br>line two</p>');
  });

  test('nests lists, keeps an ordered list’s start and makes task lists of read-only boxes', () => {
    expect(render('- a\n  - b\n    - c\n- d')).toBe(
      '<ul><li>a<ul><li>b<ul><li>c</li></ul></li></ul></li><li>d</li></ul>',
    );
    expect(render('3. three\n4. four')).toBe('<ol start="3"><li>three</li><li>four</li></ol>');
    expect(render('1. one')).toBe('<ol><li>one</li></ol>');
    expect(render('- [x] done\n- [ ] to do')).toBe(
      '<ul><li><input type="checkbox" disabled checked> done</li><li><input type="checkbox" disabled> to do</li></ul>',
    );
    // A loose list: each item's text is a paragraph.
    expect(render('- a\n\n- b')).toBe('<ul><li><p>a</p></li><li><p>b</p></li></ul>');
  });

  test('code blocks keep their text as text, and name their language', () => {
    expect(render('```js\nconst a = "<script>alert(1)</script>";\n```')).toBe(
      '<pre><code class="language-js">const a = "&lt;script&gt;alert(1)&lt;/script&gt;";\n</code></pre>',
    );
    expect(render('    indented <b>code</b>')).toBe(
      '<pre><code>indented &lt;b&gt;code&lt;/b&gt;\n</code></pre>',
    );
    expect(render('use `<img src=x onerror=alert(1)>` here')).toBe(
      '<p>use <code>&lt;img src=x onerror=alert(1)&gt;</code> here</p>',
    );
  });

  test('tables, with their alignment', () => {
    expect(render('| a | b |\n|:--|--:|\n| 1 | 2 |')).toBe(
      '<table><thead><tr><th align="left">a</th><th align="right">b</th></tr></thead><tbody><tr><td align="left">1</td><td align="right">2</td></tr></tbody></table>',
    );
  });

  test('shows raw HTML as text', () => {
    const out = render(
      '<img src=x onerror=alert(1)>\n\nand <script>alert(1)</script> inline <b onclick="x()">b</b>\n\n<div>\n<svg onload=alert(2)>\n</div>',
    );
    onlyMarkdownTags(out);
    expect(tags(out)).not.toContain('img');
    expect(out).toContain('<p>&lt;img src=x onerror=alert(1)&gt;</p>');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('&lt;b onclick="x()"&gt;b&lt;/b&gt;');
    // A block of HTML: its lines, as text, in a paragraph.
    expect(out).toContain('<p>&lt;div&gt;<br>&lt;svg onload=alert(2)&gt;<br>&lt;/div&gt;</p>');
  });

  test('text after an inline <pre> or <code> stays text too', () => {
    const out = render('a <code>&lt;b&gt;bold&lt;/b&gt; <i>x</i></code>');
    onlyMarkdownTags(out);
    expect(out).toBe('<p>a &lt;code&gt;&lt;b&gt;bold&lt;/b&gt; &lt;i&gt;x&lt;/i&gt;&lt;/code&gt;</p>');
  });

  test('decodes character references into text, once', () => {
    expect(render('AT&amp;T &#60;b&#62; &#x3C;i&#x3E; &amp;lt; &#38;amp; 5 & 6')).toBe(
      '<p>AT&amp;T &lt;b&gt; &lt;i&gt; &amp;lt; &amp;amp; 5 &amp; 6</p>',
    );
  });

  test('drops links and images with unsafe URLs, keeping their text', () => {
    const out = render(
      '[x](javascript:alert(1)) [y](data:text/html,hi) [v](vbscript:msgbox) [t](java\tscript:alert(2)) ![pic](data:image/png;base64,AAAA) <javascript:alert(1)> [r](javascript&colon;alert(3))',
    );
    onlyMarkdownTags(out);
    for (const text of ['x', 'y', 'v', 't', 'pic']) expect(out).toContain(text);
    // A reference in a URL is not decoded (nor would the attribute decode it): a harmless relative path.
    expect(urls(out)).toEqual(['javascript&colon;alert(3)']);
    expect(new URL(urls(out)[0]!, 'https://vote.example.coop/t/1').protocol).toBe('https:');
    expect(render('[x](javascript:alert(1))')).toBe('<p>x</p>');
  });

  test('keeps safe links, opening in a new tab without an opener or referrer', () => {
    const out = render(
      '[site](https://example.org "Home") and https://example.org/auto and <mailto:ada@example.org> and [here](/threads/1#c)',
    );
    expect(out).toContain(
      '<a href="https://example.org" title="Home" target="_blank" rel="noopener noreferrer">site</a>',
    );
    expect(out).toContain(
      '<a href="https://example.org/auto" target="_blank" rel="noopener noreferrer">https://example.org/auto</a>',
    );
    expect(out).toContain('href="mailto:ada@example.org"');
    expect(out).toContain('<a href="/threads/1#c" target="_blank" rel="noopener noreferrer">here</a>');
  });

  test('a URL or title cannot break out of its attribute', () => {
    const out = render('[a](https://example.org/"onmouseover="x "t\\"itle")');
    expect(out).not.toMatch(/\sonmouseover=/);
  });

  test('marks @mentions but not email addresses', () => {
    const out = render('thanks @bea-l and ada@example.org, (@cy) and **@dan**');
    expect(out).toContain('thanks <span class="mention">@bea-l</span> and');
    expect(out).not.toContain('<span class="mention">@example');
    expect(out).toContain('(<span class="mention">@cy</span>)');
    expect(out).toContain('<strong><span class="mention">@dan</span></strong>');
  });
});

describe('images', () => {
  // Every viewer's browser would fetch an image from another host: a tracking pixel tells its
  // owner who read the comment and when. Only images of the page's own origin load.
  const ORIGIN = 'https://vote.example.coop';
  const onSite = createRenderer(ORIGIN);
  const renderOnSite = (src: string) => toHtml(onSite.block(src));

  test('an image from another host becomes a link to it, naming the host, not an <img>', () => {
    const out = renderOnSite('![the plan](https://tracker.example.net/pixel.png?who=ada "Plan")');
    expect(out).not.toContain('<img');
    expect(out).toContain(
      '<a href="https://tracker.example.net/pixel.png?who=ada" class="foreign-image" title="Plan" target="_blank" rel="noopener noreferrer">the plan (image on tracker.example.net)</a>',
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

  test('images of the same origin load, lazily and without a referrer, absolute or relative', () => {
    expect(renderOnSite('![chart](https://vote.example.coop/files/chart.png)')).toContain(
      '<img src="https://vote.example.coop/files/chart.png" alt="chart" loading="lazy" referrerpolicy="no-referrer">',
    );
    expect(renderOnSite('![chart](/files/chart.png "Chart")')).toContain(
      '<img src="/files/chart.png" alt="chart" title="Chart" loading="lazy" referrerpolicy="no-referrer">',
    );
  });

  test('a foreign image inside a link is text, not a link inside a link', () => {
    const out = renderOnSite('[![badge](https://ci.example.net/badge.svg)](https://ci.example.net/build)');
    expect(out).toBe(
      '<p><a href="https://ci.example.net/build" target="_blank" rel="noopener noreferrer">badge (image on ci.example.net)</a></p>',
    );
  });

  test('unsafe image URLs stay dropped, keeping the alt text', () => {
    const out = renderOnSite('![a](javascript:alert(1)) ![b](data:image/png;base64,AAAA)');
    expect(out).toBe('<p>a b</p>');
  });
});

describe('a notification’s line (inline)', () => {
  const onSite = createRenderer('https://vote.example.coop');
  const line = (src: string) => toHtml(onSite.inline(src));

  test('keeps emphasis, code and mentions; links and images are their text', () => {
    expect(line('**Ada** said `x` to @bea about [the plan](https://example.org)')).toBe(
      '<strong>Ada</strong> said <code>x</code> to <span class="mention">@bea</span> about the plan',
    );
    expect(line('![pic](/files/a.png) ![far](https://tracker.example.net/p.png) ![bad](javascript:x)')).toBe(
      ' far (image on tracker.example.net) bad',
    );
  });

  test('is one line: no blocks, no breaks, raw HTML as text', () => {
    expect(renderInline('# not a heading\nnext <b>x</b>')).toBe('# not a headingnext &lt;b&gt;x&lt;/b&gt;');
  });
});

describe('plain text, drawn without the parser', () => {
  const plain = (src: string) => toHtml(plainMarkdown(src));

  test('paragraphs, line breaks and mentions, as the renderer draws them', () => {
    const src = 'Comment 3 on 0: I think so.\nWhat about it, @bea?\n\n\nA second thought (@cy).\n';
    expect(plain(src)).toBe(
      '<p>Comment 3 on 0: I think so.<br>What about it, <span class="mention">@bea</span>?</p><p>A second thought (<span class="mention">@cy</span>).</p>',
    );
    expect(plain(src)).toBe(render(src));
    // Spaces before a line break go with it; those at the end of a paragraph stay.
    expect(plain('I agree.  \nBefore May. ')).toBe('<p>I agree.<br>Before May. </p>');
    expect(plain('I agree.  \nBefore May. ')).toBe(render('I agree.  \nBefore May. '));
    expect(toHtml(plainInlineMarkdown('Ada replied to @bea'))).toBe(renderInline('Ada replied to @bea'));
  });

  test.each([
    ['emphasis', 'a *b*'],
    ['a link', '[a](https://example.org)'],
    ['a bare URL', 'see https://example.org'],
    ['a www address', 'see www.example.org'],
    ['an email address', 'write to ada@example.org'],
    ['raw HTML', 'a <b>b</b>'],
    ['a reference', 'AT&amp;T'],
    ['a list', 'intro\n- one'],
    ['an ordered list', '1. one'],
    ['a heading', '# Title'],
    ['a quote', '> quoted'],
    ['indented code', '    code'],
    ['a setext underline', 'Title\n==='],
    ['a table without pipes', 'Title\n:---'],
    ['a table', 'a | b'],
    ['a tab', 'a\tb'],
    ['a carriage return', 'a\r\nb'],
    ['a no-break space', 'a\u00a0b'],
  ])('leaves %s to the renderer', (_, src) => {
    expect(plainMarkdown(src)).toBeNull();
  });

  test('whatever it accepts, it draws exactly as the renderer does', () => {
    // Text made of the characters that matter at the edges of plain text: mentions, punctuation,
    // digits and line starts that could begin a block, URL-ish and email-ish runs, blank lines.
    // The pieces, between the ¦ marks.
    const piece = fc.constantFrom(
      ...'a¦Bea¦ ¦  ¦\n¦\n\n¦@bea¦@¦.¦:¦:---¦---¦/¦//¦-¦+¦=¦#¦>¦(¦)¦!¦?¦,¦\'¦"¦1¦12¦1.¦2)¦www¦x@y¦%¦$¦^¦{¦}¦;¦*¦_¦|'.split(
        '¦',
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const src = pieces.join('');
        if (plainMarkdown(src) !== null) expect(plain(src)).toBe(render(src));
        if (plainInlineMarkdown(src) !== null)
          expect(toHtml(plainInlineMarkdown(src))).toBe(renderInline(src));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('search snippets', () => {
  test('only the marks become elements; the rest is text, references decoded', () => {
    const out = toHtml(
      snippet('a <mark>fund</mark> &lt;script&gt;alert(1)&lt;/script&gt; <img src=x> &amp; <MARK>b</MARK>'),
    );
    expect(out).toBe('a <mark>fund</mark> &lt;script&gt;alert(1)&lt;/script&gt;  &amp; <mark>b</mark>');
  });
});

describe('decodeEntities', () => {
  test('numeric and common named references, in one pass', () => {
    expect(decodeEntities('&#60;&#x3e;&amp;lt;&quot;&apos;&nbsp;&#0;&#xD800;')).toBe(
      '<>&lt;"\'\u00a0\ufffd\ufffd',
    );
  });

  test('leaves what is not a reference as it is', () => {
    expect(decodeEntities('AT&T &amp &unknown; 5 & 6')).toBe('AT&T &amp &unknown; 5 & 6');
  });
});
