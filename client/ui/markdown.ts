import { css, html, noChange, nothing, type TemplateResult } from 'lit';
import { AsyncDirective, directive } from 'lit/async-directive.js';
import { activeLocale } from '../i18n';
import { decodeEntities } from './entities';
import { plainInlineMarkdown, plainMarkdown } from './markdown-plain';
import type { MarkdownRenderer } from './markdown-templates';

/*
 * Markdown as Lit templates (client/ui/markdown-templates.ts says how, and
 * what is kept out). That module and marked, whose lexer it uses, are fetched
 * on first use (dynamic import), so they stay out of the first screen's
 * JavaScript; until then the source shows as plain text. A text with no
 * Markdown in it needs neither (client/ui/markdown-plain.ts): it shows at once.
 */

let engine: MarkdownRenderer | null = null;
let loading: Promise<MarkdownRenderer> | null = null;

/** Fetches the renderer (once). */
export function loadMarkdown(): Promise<MarkdownRenderer> {
  if (engine) return Promise.resolve(engine);
  loading ??= import('./markdown-templates')
    .then((module) => {
      engine = module.createRenderer();
      return engine;
    })
    .catch((err) => {
      loading = null; // let a later call try again (a failed chunk fetch, say)
      throw err;
    });
  return loading;
}

/** Whether the full renderer is loaded, so {@link renderMarkdownNow} answers for any text, not only plain text. */
export function markdownReady(): boolean {
  return engine !== null;
}

const CACHE_SIZE = 500;
const blockCache = new Map<string, TemplateResult>();
const inlineCache = new Map<string, TemplateResult>();
/** The language the cached templates are in (a foreign image's link says "image on …" in it). */
let cacheLocale = '';

/** What `make` draws of `source`, kept for the next time; null (not kept) when it cannot yet. */
function cached(
  cache: Map<string, TemplateResult>,
  source: string,
  make: () => TemplateResult | null,
): TemplateResult | null {
  if (activeLocale() !== cacheLocale) {
    blockCache.clear();
    inlineCache.clear();
    cacheLocale = activeLocale();
  }
  const hit = cache.get(source);
  if (hit !== undefined) return hit;
  const made = make();
  if (made === null) return null;
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(source, made);
  return made;
}

/** Markdown as a template, if it is plain text or the renderer is loaded; null otherwise. */
export function renderMarkdownNow(source: string): TemplateResult | null {
  return cached(blockCache, source, () => plainMarkdown(source) ?? engine?.block(source) ?? null);
}

/** One line of inline Markdown (links as text), if it is plain text or the renderer is loaded; null otherwise. */
export function renderInlineMarkdownNow(source: string): TemplateResult | null {
  return cached(inlineCache, source, () => plainInlineMarkdown(source) ?? engine?.inline(source) ?? null);
}

/**
 * Renders Markdown in a template: `${markdown(comment.body)}`. Until the
 * renderer has loaded, shows the source as plain text (pre-wrapped), then
 * swaps in the rendering. Style `.markdown` and `.markdown-pending` with
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
      return now;
    }
    if (this.#source === text) return noChange;
    this.#source = text;
    loadMarkdown().then(
      () => {
        if (this.#source === text && this.isConnected) this.setValue(renderMarkdownNow(text));
      },
      () => {}, // the plain text stays
    );
    return html`<p class="markdown-pending">${text}</p>`;
  }
}

/** See {@link MarkdownDirective}. */
export const markdown = directive(MarkdownDirective);

/**
 * `${inlineMarkdown(text)}`: a notification's line (names, titles and
 * outcome statements people typed) as inline Markdown, links and images as
 * their text; the plain text until the renderer is here.
 */
class InlineMarkdownDirective extends AsyncDirective {
  #source: string | null = null;

  render(source: string): unknown {
    const now = renderInlineMarkdownNow(source);
    if (now !== null) {
      this.#source = source;
      return now;
    }
    if (this.#source === source) return noChange;
    this.#source = source;
    loadMarkdown().then(
      () => {
        if (this.#source === source && this.isConnected) this.setValue(renderInlineMarkdownNow(source));
      },
      () => {}, // the plain text stays
    );
    // The class tells tests (test/helpers/xss.ts `settle`) that rendering is still to come.
    return html`<span class="markdown-pending">${source}</span>`;
  }
}

/** See {@link InlineMarkdownDirective}. */
export const inlineMarkdown = directive(InlineMarkdownDirective);

const MARK = /(<\/?mark>)/i;

/**
 * A search snippet (server HTML: text escaped, `<mark>` around matches) as
 * text with its marks: `<mark>` and `</mark>` become `<mark>` elements,
 * anything else between angle brackets is dropped, and character references
 * are decoded into the text they stand for.
 */
export function snippet(source: string): unknown[] {
  const parts: unknown[] = [];
  let marked = false;
  for (const piece of source.split(MARK)) {
    if (MARK.test(piece)) {
      marked = piece[1] !== '/';
      continue;
    }
    const text = decodeEntities(piece.replace(/<[^>]*>/g, ''));
    if (text) parts.push(marked ? html`<mark>${text}</mark>` : text);
  }
  return parts;
}

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
