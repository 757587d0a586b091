import { html, type TemplateResult } from 'lit';

/*
 * Markdown that is only text: most comments are a few sentences with no
 * Markdown in them, and they need no parser to be shown. `plainMarkdown`
 * recognises such a text, conservatively (any character that could start
 * Markdown, any text GitHub-flavoured Markdown would make a link of, any
 * unusual space sends it to the full renderer), and draws exactly what the
 * full renderer would: paragraphs, a line break for each newline, mentions
 * marked. So a page of plain comments never loads marked; the first one with
 * Markdown in it does (client/ui/markdown.ts). test/client/markdown.test.ts
 * checks the two agree on every text this accepts.
 */

/**
 * `@handle` at the start or after a space, a bracket, `>`, `;` or a character
 * HTML would escape (`&<"'`), not inside an email address or a word.
 */
const MENTION = /(^|[\s([{>;&<"'])@([a-z0-9_-]{2,30})(?![a-z0-9_@-])/gi;

/** Text with its `@handle` mentions marked. */
export function withMentions(text: string): unknown {
  if (!text.includes('@')) return text;
  const parts: unknown[] = [];
  let from = 0;
  for (const match of text.matchAll(MENTION)) {
    const at = match.index + match[1]!.length;
    parts.push(text.slice(from, at), html`<span class="mention">@${match[2]}</span>`);
    from = at + 1 + match[2]!.length;
  }
  parts.push(text.slice(from));
  return parts;
}

/** Characters that start Markdown within a line: escapes, code, emphasis, strikethrough, links, HTML, references, tables. */
const INLINE_SYNTAX = /[\\`*_~[\]<&|]/;
/** What GitHub-flavoured Markdown links by itself: URLs, `www.` addresses, email addresses. */
const AUTOLINK = /:\/\/|www\.|[\w.+-]@/i;
/** Whitespace other than spaces and newlines (tabs, carriage returns, no-break spaces…), and NUL. */
const ODD_SPACE = /[^\S \n]|\0/;
/**
 * Line starts that make a block: indentation (code; lines of spaces too), headings, quotes,
 * lists, setext underlines, the `:---` row that makes a table of the line above.
 */
const BLOCK_START = /^(?:[ #>=+:-]|\d+[.)])/;

/**
 * A text with no Markdown in it as the Markdown renderer draws it (its
 * paragraphs, a `<br>` for each newline within one, mentions marked), or
 * null when it may hold Markdown and needs the full renderer.
 */
export function plainMarkdown(source: string): TemplateResult | null {
  if (INLINE_SYNTAX.test(source) || AUTOLINK.test(source) || ODD_SPACE.test(source)) return null;
  const paragraphs: string[][] = [];
  let current: string[] | null = null;
  for (const line of source.split('\n')) {
    if (line === '') {
      current = null;
      continue;
    }
    if (BLOCK_START.test(line)) return null;
    if (!current) {
      current = [];
      paragraphs.push(current);
    }
    current.push(line);
  }
  // Spaces before a line break go with the break; those that end a paragraph stay, as written.
  const line = (text: string, i: number, lines: string[]) =>
    withMentions(i < lines.length - 1 ? text.trimEnd() : text);
  return html`${paragraphs.map(
    (lines) =>
      html`<p>${lines.map((text, i) => (i === 0 ? line(text, i, lines) : [html`<br>`, line(text, i, lines)]))}</p>`,
  )}`;
}

/**
 * One line with no Markdown in it, as the inline renderer draws it (a
 * notification's text, mentions marked), or null when it needs that renderer.
 */
export function plainInlineMarkdown(source: string): TemplateResult | null {
  if (INLINE_SYNTAX.test(source) || AUTOLINK.test(source) || ODD_SPACE.test(source) || source.includes('\n'))
    return null;
  return html`${withMentions(source)}`;
}
