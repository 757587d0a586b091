import { html, nothing, type TemplateResult } from 'lit';
import { getDefaults, Lexer, type Token, type Tokens } from 'marked';
import { t } from '../i18n';
import { decodeEntities } from './entities';
import { withMentions } from './markdown-plain';

/*
 * Markdown to Lit templates. marked only tokenises (its lexer); this module
 * turns the tokens into templates itself, so no HTML string made from what
 * people typed ever reaches the page, and there is nothing to sanitise: text
 * is always text, and the only elements are the ones written below. On top
 * of that:
 *
 * - raw HTML in the source shows as the text it is;
 * - links and images keep their URL only when `safeUrl` accepts it (http,
 *   https, mailto or relative); otherwise their text stays, unlinked;
 * - every link opens in a new tab, without an opener or a referrer;
 * - images load only from the page's own origin (see `#image`);
 * - `@handle` mentions are marked as such.
 *
 * The markup is what marked's own HTML renderer makes (GitHub-flavoured, a
 * single newline a line break), so `markdownStyles` applies unchanged.
 * client/ui/markdown.ts loads this module (and marked with it) on first use.
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

/** An optional attribute's value, trimmed as attribute values have always been here; absent when empty. */
const attribute = (value: string | null | undefined) => (value ? value.trim() : nothing);

const checkbox = (checked: boolean) => html`<input type="checkbox" disabled ?checked=${checked}> `;

/** What the tokens of one source render with. */
interface Options {
  /** The page's origin: images from anywhere else do not load. */
  ownOrigin: string;
  /** Base for relative image URLs. */
  base: string;
  /** Links (and images) as their text only: a notification's line is itself a link. */
  textOnlyLinks: boolean;
}

class TemplateRenderer {
  #insideLink = false;

  constructor(private readonly options: Options) {}

  blocks(tokens: Token[]): unknown[] {
    return tokens.map((token) => this.#block(token));
  }

  inline(tokens: Token[]): unknown[] {
    return tokens.map((token) => this.#inline(token));
  }

  #block(token: Token): unknown {
    switch (token.type) {
      case 'space':
      case 'def':
        return nothing;
      case 'paragraph':
        return html`<p>${this.inline(token.tokens ?? [])}</p>`;
      case 'heading':
        return this.#heading(token as Tokens.Heading);
      case 'code':
        return this.#code(token as Tokens.Code);
      case 'blockquote':
        return html`<blockquote>${this.blocks(token.tokens ?? [])}</blockquote>`;
      case 'hr':
        return html`<hr>`;
      case 'list':
        return this.#list(token as Tokens.List);
      case 'checkbox':
        return checkbox((token as Tokens.Checkbox).checked);
      case 'html':
        return this.#html(token as Tokens.HTML);
      case 'table':
        return this.#table(token as Tokens.Table);
      case 'text':
        return token.tokens ? this.inline(token.tokens) : this.#text(token as Tokens.Text);
      default:
        return token.raw; // a token this renderer does not know: its source, as text
    }
  }

  #inline(token: Token): unknown {
    switch (token.type) {
      case 'text':
        return token.tokens ? this.inline(token.tokens) : this.#text(token as Tokens.Text);
      case 'escape':
        return (token as Tokens.Escape).text;
      case 'html':
        return this.#html(token as Tokens.Tag);
      case 'link':
        return this.#link(token as Tokens.Link);
      case 'image':
        return this.#image(token as Tokens.Image);
      case 'strong':
        return html`<strong>${this.inline(token.tokens ?? [])}</strong>`;
      case 'em':
        return html`<em>${this.inline(token.tokens ?? [])}</em>`;
      case 'del':
        return html`<del>${this.inline(token.tokens ?? [])}</del>`;
      case 'codespan':
        return html`<code>${(token as Tokens.Codespan).text}</code>`;
      case 'br':
        // A notification's line has no room for a break (nor did its old allow-list).
        return this.options.textOnlyLinks ? nothing : html`<br>`;
      case 'checkbox':
        return checkbox((token as Tokens.Checkbox).checked);
      default:
        return token.raw;
    }
  }

  /** Text as written: its character references decoded (raw-HTML runs included), mentions marked. */
  #text(token: Tokens.Text): unknown {
    return withMentions(decodeEntities(token.text));
  }

  /** Raw HTML shows as text: inline as it stands, a block as a paragraph of its lines. */
  #html(token: Tokens.HTML | Tokens.Tag): unknown {
    if (!token.block) return token.text;
    const lines = token.text.replace(/\n+$/, '').split('\n');
    return html`<p>${lines.map((line, i) => (i === 0 ? line : [html`<br>`, line]))}</p>`;
  }

  #heading({ depth, tokens }: Tokens.Heading): TemplateResult {
    const content = this.inline(tokens);
    switch (depth) {
      case 1:
        return html`<h1>${content}</h1>`;
      case 2:
        return html`<h2>${content}</h2>`;
      case 3:
        return html`<h3>${content}</h3>`;
      case 4:
        return html`<h4>${content}</h4>`;
      case 5:
        return html`<h5>${content}</h5>`;
      default:
        return html`<h6>${content}</h6>`;
    }
  }

  #code({ text, lang }: Tokens.Code): TemplateResult {
    const language = (lang ?? '').match(/^\S*/)?.[0];
    // As marked writes it: one newline at the end, none for an empty block.
    const code = text ? `${text.replace(/\n$/, '')}\n` : '';
    return html`<pre><code class=${language ? `language-${language}` : nothing}>${code}</code></pre>`;
  }

  #list({ ordered, start, items }: Tokens.List): TemplateResult {
    const body = items.map((item) => html`<li>${this.blocks(item.tokens)}</li>`);
    if (!ordered) return html`<ul>${body}</ul>`;
    return html`<ol start=${start !== 1 && start !== '' ? start : nothing}>${body}</ol>`;
  }

  #table({ header, rows }: Tokens.Table): TemplateResult {
    const cell = ({ header: isHeader, align, tokens }: Tokens.TableCell) =>
      isHeader
        ? html`<th align=${align ?? nothing}>${this.inline(tokens)}</th>`
        : html`<td align=${align ?? nothing}>${this.inline(tokens)}</td>`;
    const body = rows.length
      ? html`<tbody>${rows.map((row) => html`<tr>${row.map(cell)}</tr>`)}</tbody>`
      : nothing;
    return html`<table><thead><tr>${header.map(cell)}</tr></thead>${body}</table>`;
  }

  #link({ href, title, tokens }: Tokens.Link): unknown {
    const outer = this.#insideLink;
    this.#insideLink = true;
    let content: unknown[];
    try {
      content = this.inline(tokens);
    } finally {
      this.#insideLink = outer;
    }
    if (!safeUrl(href) || this.options.textOnlyLinks) return content;
    return html`<a href=${href.trim()} title=${attribute(title)} target="_blank" rel="noopener noreferrer">${content}</a>`;
  }

  /**
   * An image from another origin would be fetched by every reader's browser,
   * telling its host who read the text and when (a tracking pixel), so it
   * becomes a link that opens it in a new tab instead. The server's
   * Content-Security-Policy (`img-src 'self'`) would block it anyway.
   */
  #image({ href, title, text }: Tokens.Image): unknown {
    if (!safeUrl(href)) return text;
    let url: URL;
    try {
      url = new URL(href.trim(), this.options.base);
    } catch {
      return text;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return text;
    if (url.origin === this.options.ownOrigin) {
      if (this.options.textOnlyLinks) return nothing;
      return html`<img src=${href.trim()} alt=${text.trim()} title=${attribute(title)} loading="lazy" referrerpolicy="no-referrer">`;
    }
    const label = text
      ? t('{text} (image on {host})', { text, host: url.host })
      : t('Image on {host}', { host: url.host });
    // A link inside a link is not HTML; the outer link already leads somewhere.
    if (this.#insideLink || this.options.textOnlyLinks) return label;
    return html`<a href=${href.trim()} class="foreign-image" title=${attribute(title)} target="_blank" rel="noopener noreferrer">${label}</a>`;
  }
}

/** Renders Markdown to templates; see {@link createRenderer}. */
export interface MarkdownRenderer {
  /** A document: paragraphs, lists, code blocks, tables… */
  block(source: string): TemplateResult;
  /**
   * One line of inline Markdown (emphasis, code, mentions) for a notification:
   * links and images as their text, since the line itself is a link.
   */
  inline(source: string): TemplateResult;
}

/**
 * A renderer whose images load only from `pageOrigin` (the page's own by
 * default; tests in Node pass one, or none: relative URLs are still the page's).
 */
export function createRenderer(
  pageOrigin: string | null = globalThis.location?.origin ?? null,
): MarkdownRenderer {
  const base = pageOrigin ?? 'http://page.invalid';
  const ownOrigin = new URL(base).origin;
  // A fresh options object for each run: marked's lexer keeps its tokenizer on it.
  const lexerOptions = () => ({ ...getDefaults(), gfm: true, breaks: true });
  return {
    block(source) {
      const tokens = Lexer.lex(source, lexerOptions());
      const renderer = new TemplateRenderer({ ownOrigin, base, textOnlyLinks: false });
      return html`${renderer.blocks(tokens)}`;
    },
    inline(source) {
      const tokens = Lexer.lexInline(source, lexerOptions());
      const renderer = new TemplateRenderer({ ownOrigin, base, textOnlyLinks: true });
      return html`${renderer.inline(tokens)}`;
    },
  };
}
