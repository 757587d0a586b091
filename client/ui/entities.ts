/*
 * HTML character references to the characters they stand for. Markdown text
 * and search snippets carry references (`&amp;`, `&#60;`, `&copy;`) that an
 * HTML parser would have turned into characters; here they are decoded into
 * plain strings, which Lit then shows as text.
 */

/** The ones people type, and the ones servers escape with; decoded without a DOM. */
const COMMON: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

const REFERENCE = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{0,31}));/g;

const named = new Map<string, string>();
let decoder: HTMLTextAreaElement | null = null;

/**
 * A named reference as the page's HTML parser reads it, through a detached
 * `<textarea>`: its contents parse as text (RCDATA: no element can come of
 * it), and the input is a single `&name;`, letters and digits only. Unknown
 * names stay as written, as they would in HTML.
 */
function namedReference(reference: string): string {
  let decoded = named.get(reference);
  if (decoded !== undefined) return decoded;
  if (typeof document === 'undefined') return reference; // tests in Node: the common ones only
  decoder ??= document.createElement('textarea');
  decoder.innerHTML = reference;
  decoded = decoder.value;
  named.set(reference, decoded);
  return decoded;
}

function numericReference(code: number): string {
  // As HTML: zero, surrogates and values past Unicode become the replacement character.
  if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(code);
}

/**
 * `text` with its character references (`&amp;`, `&#39;`, `&#x3C;`, `&copy;`)
 * decoded, in one pass: `&amp;lt;` is `&lt;`, not `<`.
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (reference, dec?: string, hex?: string, name?: string) => {
    if (dec !== undefined) return numericReference(Number.parseInt(dec, 10));
    if (hex !== undefined) return numericReference(Number.parseInt(hex, 16));
    return COMMON[name!] ?? namedReference(reference);
  });
}
