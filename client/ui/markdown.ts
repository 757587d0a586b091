import type { DOMPurify } from 'dompurify';
import { css, html, noChange, nothing, type TemplateResult } from 'lit';
import { AsyncDirective, directive } from 'lit/async-directive.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { Marked, MarkedExtension, Tokens } from 'marked';
import { activeLocale, t } from '../i18n';

/*
 * Markdown and server snippets to safe HTML. The server stores Markdown as
 * written, so everything rendered here passes two gates:
 *
 * 1. marked, configured to show raw HTML as text, to drop links and images
 *    whose URL is not http(s), mailto or relative, and to turn images from
 *    other origins into links (see `safeRenderers`);
 * 2. DOMPurify, with an allow-list of tags and attributes and a hook that
 *    removes any URL `safeUrl` refuses (javascript:, data:, vbscript:, …) and
 *    gives every link target="_blank" rel="noopener noreferrer".
 *
 * Both libraries are fetched on first use (dynamic import), so they stay out
 * of the first screen's JavaScript; until then the source shows as plain text.
 */

/** Schemes a link or image may use. Anything else (javascript:, data:, vbscript:, file:, …) is dropped. */
const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/**
 * True when `url` is safe to put in href/src: http(s) or mailto, or relative
 * (a path, `?query` or `#fragment`). Browsers ignore tabs, newlines and
 * leading control characters in URLs, so they are ignored here too before
 * looking for a scheme (`java\tscript:` is still javascript:).
 */
export function safeUrl(url: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  const cleaned = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  if (cleaned === '') return false;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(cleaned);
  if (!scheme) return !cleaned.startsWith('\\') && !cleaned.startsWith('/\\');
  return SAFE_SCHEMES.has(`${scheme[1]!.toLowerCase()}:`);
}

/** `&<>"'` as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `@handle` at the start or after a space or bracket, not inside an email address or a word. */
const MENTION = /(^|[\s([{>;])@([a-z0-9_-]{2,30})(?![a-z0-9_@-])/gi;

/**
 * Renderers that make the first gate: raw HTML as text, unsafe URLs gone, and
 * images only from `pageOrigin`. An image from anywhere else would be fetched
 * by every reader's browser, telling its host who read the text and when (a
 * tracking pixel), so it becomes a link that opens it in a new tab instead.
 * The server's Content-Security-Policy (`img-src 'self'`) would block it anyway.
 */
function safeRenderers(pageOrigin: string | null): MarkedExtension {
  // With no page (tests in Node), relative URLs still count as the page's own.
  const base = pageOrigin ?? 'http://page.invalid';
  const ownOrigin = new URL(base).origin;
  let insideLink = false;
  return {
    renderer: {
      html(token: Tokens.HTML | Tokens.Tag) {
        if (!token.block) return escapeHtml(token.text);
        const lines = token.text.replace(/\n+$/, '').split('\n').map(escapeHtml);
        return `<p>${lines.join('<br>')}</p>\n`;
      },
      text(token: Tokens.Text | Tokens.Escape) {
        if ('tokens' in token && token.tokens) return false; // marked's own: render the inline tokens
        // As marked escapes text (entities such as &amp; kept), then `@handle` mentions marked as such.
        const escaped =
          'escaped' in token && token.escaped
            ? token.text
            : token.text.replace(/&(?!#?\w+;)|[<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
        return escaped.replace(MENTION, '$1<span class="mention">@$2</span>');
      },
      link({ href, title, tokens }: Tokens.Link) {
        insideLink = true;
        let text: string;
        try {
          text = this.parser.parseInline(tokens);
        } finally {
          insideLink = false;
        }
        if (!safeUrl(href)) return text;
        const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
        return `<a href="${escapeHtml(href)}"${titleAttr}>${text}</a>`;
      },
      image({ href, title, text }: Tokens.Image) {
        if (!safeUrl(href)) return escapeHtml(text);
        let url: URL;
        try {
          url = new URL(href.trim(), base);
        } catch {
          return escapeHtml(text);
        }
        if (url.protocol !== 'http:' && url.protocol !== 'https:') return escapeHtml(text);
        const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
        if (url.origin === ownOrigin)
          return `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}"${titleAttr}>`;
        const label = escapeHtml(
          text
            ? t('{text} (image on {host})', { text, host: url.host })
            : t('Image on {host}', { host: url.host }),
        );
        // A link inside a link is not HTML; the outer link already leads somewhere.
        if (insideLink) return label;
        return `<a href="${escapeHtml(href)}" class="foreign-image"${titleAttr}>${label}</a>`;
      },
    },
  };
}

/**
 * A configured marked instance (exported for tests, which run it without a
 * DOM). Images load only from `pageOrigin`, the page's own by default.
 */
export function createMarked(
  MarkedClass: typeof Marked,
  pageOrigin: string | null = globalThis.location?.origin ?? null,
): Marked {
  return new MarkedClass({ gfm: true, breaks: true, async: false }, safeRenderers(pageOrigin));
}

/** Tags Markdown produces; nothing else survives sanitising. */
const ALLOWED_TAGS = [
  'a',
  'p',
  'br',
  'strong',
  'em',
  'del',
  's',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'img',
  'span',
  'input',
];
const ALLOWED_ATTR = [
  'href',
  'title',
  'alt',
  'src',
  'class',
  'start',
  'align',
  'type',
  'checked',
  'disabled',
];
const URL_ATTRS = [
  'href',
  'src',
  'xlink:href',
  'action',
  'formaction',
  'srcset',
  'poster',
  'background',
  'cite',
];

interface Engine {
  marked: Marked;
  purify: DOMPurify;
  snippets: DOMPurify;
}

let engine: Engine | null = null;
let loading: Promise<Engine> | null = null;

/** Fetches marked and DOMPurify (once) and sets them up. */
export function loadMarkdown(): Promise<Engine> {
  if (engine) return Promise.resolve(engine);
  loading ??= Promise.all([import('marked'), import('dompurify')])
    .then(([markedModule, purifyModule]) => {
      const createPurify = purifyModule.default;
      // Private instances: the hooks below apply here only, not to anyone else's DOMPurify.
      const purify = createPurify(window);
      purify.addHook('afterSanitizeAttributes', (node) => {
        const el = node as Element;
        if (typeof el.getAttribute !== 'function') return;
        for (const name of URL_ATTRS) {
          const value = el.getAttribute(name);
          if (value !== null && (name === 'srcset' || !safeUrl(value))) el.removeAttribute(name);
        }
        const tag = el.tagName.toLowerCase();
        if (tag === 'a') {
          el.setAttribute('target', '_blank');
          el.setAttribute('rel', 'noopener noreferrer');
        } else if (tag === 'img') {
          el.setAttribute('loading', 'lazy');
          el.setAttribute('referrerpolicy', 'no-referrer');
        } else if (tag === 'input') {
          // Task-list boxes only, and never editable.
          if (el.getAttribute('type') !== 'checkbox') el.remove();
          else el.setAttribute('disabled', '');
        }
      });
      const snippets = createPurify(window);
      engine = { marked: createMarked(markedModule.Marked), purify, snippets };
      return engine;
    })
    .catch((err) => {
      loading = null; // let a later call try again (a failed chunk fetch, say)
      throw err;
    });
  return loading;
}

/** Whether the renderer is loaded, so {@link renderMarkdownNow} answers. */
export function markdownReady(): boolean {
  return engine !== null;
}

const cache = new Map<string, string>();
const CACHE_SIZE = 500;
/** The language the cached HTML is in (a foreign image's link says "image on …" in it). */
let cacheLocale = '';

/** Markdown as sanitised HTML, if the renderer is loaded; null otherwise. */
export function renderMarkdownNow(source: string): string | null {
  if (!engine) return null;
  if (activeLocale() !== cacheLocale) {
    cache.clear();
    cacheLocale = activeLocale();
  }
  const hit = cache.get(source);
  if (hit !== undefined) return hit;
  const raw = engine.marked.parse(source, { async: false }) as string;
  const clean = engine.purify.sanitize(raw, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
  }) as unknown as string;
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(source, clean);
  return clean;
}

/** Markdown as sanitised HTML (loads the renderer first if need be). */
export async function renderMarkdown(source: string): Promise<string> {
  await loadMarkdown();
  return renderMarkdownNow(source)!;
}

/**
 * A search snippet (server HTML: text escaped, `<mark>` around matches) as
 * HTML that keeps the marks and nothing else. Loads DOMPurify if need be.
 */
export async function sanitizeSnippet(snippet: string): Promise<string> {
  const { snippets } = await loadMarkdown();
  return snippets.sanitize(snippet, {
    ALLOWED_TAGS: ['mark'],
    ALLOWED_ATTR: [],
    KEEP_CONTENT: true,
  }) as unknown as string;
}

/** Sanitised snippet HTML if DOMPurify is loaded; null otherwise. */
export function sanitizeSnippetNow(snippet: string): string | null {
  if (!engine) return null;
  return engine.snippets.sanitize(snippet, {
    ALLOWED_TAGS: ['mark'],
    ALLOWED_ATTR: [],
    KEEP_CONTENT: true,
  }) as unknown as string;
}

/**
 * Renders Markdown in a template: `${markdown(comment.body)}`. Until the
 * renderer has loaded, shows the source as plain text (pre-wrapped), then
 * swaps in the HTML. Style `.markdown` and `.markdown-pending` with
 * `markdownStyles`.
 */
class MarkdownDirective extends AsyncDirective {
  #source: string | null = null;

  render(source: string | null | undefined): unknown {
    const text = source ?? '';
    if (!text.trim()) return nothing;
    const now = renderMarkdownNow(text);
    if (now !== null) {
      this.#source = text;
      return unsafeHTML(now);
    }
    if (this.#source === text) return noChange;
    this.#source = text;
    loadMarkdown().then(
      () => {
        if (this.#source === text && this.isConnected) this.setValue(unsafeHTML(renderMarkdownNow(text)!));
      },
      () => {}, // the plain text stays
    );
    return pendingText(text);
  }
}

function pendingText(text: string): TemplateResult {
  return html`<p class="markdown-pending">${text}</p>`;
}

/** See {@link MarkdownDirective}. */
export const markdown = directive(MarkdownDirective);

/** Same as {@link markdown} for a search snippet: only `<mark>` survives. */
class SnippetDirective extends AsyncDirective {
  #source: string | null = null;

  render(snippet: string): unknown {
    const now = sanitizeSnippetNow(snippet);
    if (now !== null) {
      this.#source = snippet;
      return unsafeHTML(now);
    }
    if (this.#source === snippet) return noChange;
    this.#source = snippet;
    loadMarkdown().then(
      () => {
        if (this.#source === snippet && this.isConnected)
          this.setValue(unsafeHTML(sanitizeSnippetNow(snippet)!));
      },
      () => {},
    );
    // Until DOMPurify is here, the snippet's text without any tags.
    return snippet
      .replace(/<[^>]*>/g, '')
      .replace(/&(lt|gt|quot|#39|#x27|amp);/g, (_, e: string) =>
        e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : e === 'amp' ? '&' : "'",
      );
  }
}

/** See {@link SnippetDirective}. */
export const snippet = directive(SnippetDirective);

/** Styles for rendered Markdown (`.markdown`) and for its plain-text stand-in (`.markdown-pending`). */
export const markdownStyles = css`
  .markdown {
    overflow-wrap: anywhere;
    line-height: 1.55;
  }
  .markdown > :first-child {
    margin-top: 0;
  }
  .markdown > :last-child {
    margin-bottom: 0;
  }
  .markdown p,
  .markdown ul,
  .markdown ol,
  .markdown blockquote,
  .markdown pre,
  .markdown table {
    margin: 0 0 0.75em;
  }
  .markdown h1,
  .markdown h2,
  .markdown h3,
  .markdown h4,
  .markdown h5,
  .markdown h6 {
    margin: 1em 0 0.5em;
    font-size: var(--pl-text-md);
    line-height: 1.3;
  }
  .markdown h1 {
    font-size: 1.2rem;
  }
  .markdown h2 {
    font-size: 1.1rem;
  }
  .markdown ul,
  .markdown ol {
    padding-left: 1.5em;
  }
  .markdown li + li {
    margin-top: 0.2em;
  }
  .markdown blockquote {
    padding: 0 0 0 var(--pl-space-2);
    border-left: 3px solid var(--pl-color-border-strong);
    color: var(--pl-color-text-muted);
  }
  .markdown code {
    font-family: var(--pl-font-mono);
    font-size: 0.9em;
    padding: 0.1em 0.3em;
    border-radius: 4px;
    background: var(--pl-color-surface-muted);
  }
  .markdown pre {
    overflow-x: auto;
    padding: var(--pl-space-1) 12px;
    border-radius: var(--pl-radius-sm);
    background: var(--pl-color-surface-muted);
  }
  .markdown pre code {
    padding: 0;
    background: none;
  }
  .markdown img {
    max-width: 100%;
    height: auto;
  }
  .markdown .foreign-image {
    display: inline-block;
    padding: 2px 8px;
    border: 1px dashed var(--pl-color-border-strong);
    border-radius: var(--pl-radius-sm);
  }
  .markdown table {
    display: block;
    overflow-x: auto;
    border-collapse: collapse;
  }
  .markdown th,
  .markdown td {
    padding: 4px 8px;
    border: 1px solid var(--pl-color-border);
  }
  .markdown hr {
    border: 0;
    border-top: 1px solid var(--pl-color-border);
  }
  .markdown .mention {
    color: var(--pl-color-accent-hover);
    font-weight: var(--pl-weight-medium);
  }
  .markdown-pending {
    margin: 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
`;
