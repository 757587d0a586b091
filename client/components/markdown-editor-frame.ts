import { css, html, nothing, type TemplateResult } from 'lit';
import { t } from '../i18n';

/*
 * What <pl-markdown-editor> looks like before any of its behaviour: the
 * frame (label, Write/Preview tabs, text area, hint, buttons) and its styles.
 * The editor draws itself with these, and <pl-composer> draws the same frame
 * while the editor's code has not loaded yet, so nothing moves when it swaps.
 */

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.userAgent);

/** The hint under the text: Markdown, and what Ctrl/Cmd+Enter does (`submitHint`, if anything). */
export function editorHint(submitHint: string): TemplateResult {
  return html`<p class="hint" id="editor-hint">
    ${t('Markdown is supported.')}${
      submitHint ? html` <kbd>${isMac ? '⌘' : 'Ctrl'}</kbd>+<kbd>Enter</kbd> ${submitHint}.` : nothing
    }
  </p>`;
}

/** The paper clip of "Attach a file". */
export const attachIcon = html`<svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">
  <path d="M21 12.5l-8.5 8.5a5.5 5.5 0 0 1-7.8-7.8l9-9a3.7 3.7 0 0 1 5.2 5.2l-9 9a1.8 1.8 0 0 1-2.6-2.6l8.3-8.3" />
</svg>`;

/** The frame's styles (the editor adds those of its mention list and uploads). */
export const editorFrameStyles = css`
  .composer {
    position: relative;
    border: 1px solid var(--pl-color-border-strong);
    border-radius: var(--pl-radius);
    background: var(--pl-color-surface);
  }
  .composer:focus-within {
    border-color: var(--pl-color-focus);
    box-shadow: 0 0 0 2px color-mix(in srgb, var(--pl-color-focus) 25%, transparent);
  }
  .composer.disabled {
    background: var(--pl-color-surface-muted);
  }
  .top {
    display: flex;
    align-items: center;
    flex-wrap: wrap;
    gap: var(--pl-space-1);
    padding: 6px 8px 0 12px;
    border-bottom: 1px solid var(--pl-color-border);
  }
  .top label {
    flex: 1;
    font-size: var(--pl-text-sm);
  }
  [role='tablist'] {
    display: flex;
    gap: 2px;
  }
  [role='tab'] {
    min-height: 32px;
    padding: 0 12px;
    border: 0;
    border-bottom: 2px solid transparent;
    border-radius: 0;
    background: transparent;
    color: var(--pl-color-text-muted);
    font-size: var(--pl-text-sm);
  }
  [role='tab']:hover {
    background: transparent;
    color: var(--pl-color-text);
  }
  [role='tab'][aria-selected='true'] {
    border-bottom-color: var(--pl-color-accent);
    color: var(--pl-color-text);
  }
  [role='tabpanel'] {
    position: relative;
  }
  textarea {
    display: block;
    min-height: 112px;
    border: 0;
    border-radius: 0;
    background: transparent;
    resize: vertical;
  }
  :host([compact]) textarea {
    min-height: 80px;
  }
  textarea:focus-visible {
    outline: none;
  }
  .preview {
    min-height: 112px;
    padding: var(--pl-space-1) 12px;
  }
  .bottom {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--pl-space-1);
    padding: 8px 8px 8px 12px;
    border-top: 1px solid var(--pl-color-border);
  }
  .bottom .hint {
    flex: 1 1 200px;
  }
  .buttons {
    flex-wrap: nowrap;
    margin-left: auto;
  }
  kbd {
    font-family: var(--pl-font-mono);
    font-size: 0.8em;
    padding: 0 4px;
    border: 1px solid var(--pl-color-border);
    border-radius: 4px;
  }
  .errors {
    padding: 0 12px 8px;
  }
  .attach {
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }
`;
