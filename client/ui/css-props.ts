import { type AttributePart, noChange } from 'lit';
import { Directive, directive, type PartInfo, PartType } from 'lit/directive.js';

/**
 * Inline style properties set through the CSSOM (`element.style`), never by
 * writing a `style` attribute: `style=${cssProps({ width: '40%' })}`. Lit's
 * own styleMap writes the attribute on first render, which the server's
 * Content-Security-Policy blocks (style-src has no 'unsafe-inline'), so a bar
 * would keep its default width.
 */
class CssProps extends Directive {
  #names = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ATTRIBUTE || part.name !== 'style') {
      throw new Error('cssProps belongs in a style attribute and alone in it');
    }
  }

  render(_props: Record<string, string>): unknown {
    return noChange;
  }

  override update(part: AttributePart, [props]: [Record<string, string>]): unknown {
    const { style } = part.element as HTMLElement;
    for (const name of this.#names) if (!(name in props)) style.removeProperty(name);
    for (const [name, value] of Object.entries(props)) style.setProperty(name, value);
    this.#names = new Set(Object.keys(props));
    return noChange;
  }
}

/** See {@link CssProps}. */
export const cssProps = directive(CssProps);
