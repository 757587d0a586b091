import { css } from 'lit';

/**
 * Styles every element shares inside its shadow root: type, buttons, form
 * controls, cards, badges. Values come from the tokens in styles/tokens.css.
 */
export const sharedStyles = css`
  :host {
    display: block;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  [hidden] {
    display: none !important;
  }

  h1,
  h2,
  h3 {
    margin: 0;
    line-height: 1.25;
    font-weight: var(--pl-weight-bold);
  }
  h1 {
    font-size: var(--pl-text-xl);
  }
  h2 {
    font-size: var(--pl-text-lg);
  }
  h3 {
    font-size: var(--pl-text-md);
  }
  p {
    margin: 0;
  }
  h1:focus {
    outline: none;
  }

  a {
    color: var(--pl-color-accent);
    text-underline-offset: 0.15em;
  }
  a:hover {
    color: var(--pl-color-accent-hover);
  }
  :focus-visible {
    outline: 3px solid var(--pl-color-focus);
    outline-offset: 2px;
  }

  .muted {
    color: var(--pl-color-text-muted);
  }
  .small {
    font-size: var(--pl-text-sm);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0, 0, 0, 0);
    white-space: nowrap;
    border: 0;
  }
  .stack {
    display: flex;
    flex-direction: column;
    gap: var(--pl-space-2);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--pl-space-1);
  }

  .card {
    background: var(--pl-color-surface);
    border: 1px solid var(--pl-color-border);
    border-radius: var(--pl-radius);
    box-shadow: var(--pl-shadow);
    padding: var(--pl-space-3);
  }
  @media (max-width: 480px) {
    .card {
      padding: var(--pl-space-2);
    }
  }

  /* Buttons: primary by default; .secondary, .danger and .ghost variants. */
  button,
  .button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: var(--pl-space-1);
    min-height: var(--pl-control-height);
    padding: 0 var(--pl-space-2);
    border: 1px solid var(--pl-color-accent);
    border-radius: var(--pl-radius-sm);
    background: var(--pl-color-accent);
    color: var(--pl-color-on-accent);
    font: inherit;
    font-weight: var(--pl-weight-medium);
    text-decoration: none;
    white-space: nowrap;
    cursor: pointer;
    transition:
      background-color 120ms ease,
      border-color 120ms ease;
  }
  button:hover,
  .button:hover {
    background: var(--pl-color-accent-hover);
    border-color: var(--pl-color-accent-hover);
    color: var(--pl-color-on-accent);
  }
  button.secondary,
  .button.secondary {
    background: var(--pl-color-surface);
    border-color: var(--pl-color-border-strong);
    color: var(--pl-color-text);
  }
  button.secondary:hover,
  .button.secondary:hover {
    background: var(--pl-color-surface-muted);
    color: var(--pl-color-text);
  }
  button.danger {
    background: var(--pl-color-surface);
    border-color: var(--pl-color-danger);
    color: var(--pl-color-danger);
  }
  button.danger:hover {
    background: var(--pl-color-danger-soft);
  }
  button.danger.solid {
    background: var(--pl-color-danger);
    color: var(--pl-color-surface);
  }
  button.ghost {
    background: transparent;
    border-color: transparent;
    color: var(--pl-color-text);
  }
  button.ghost:hover {
    background: var(--pl-color-surface-muted);
  }
  button.small,
  .button.small {
    min-height: 32px;
    padding: 0 var(--pl-space-1);
    font-size: var(--pl-text-sm);
  }
  button:disabled,
  button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: not-allowed;
  }

  /* Form controls and fields. */
  form {
    margin: 0;
  }
  /* A form's or a panel's row of buttons. */
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: var(--pl-space-1);
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: var(--pl-space-half);
  }
  label,
  legend {
    font-weight: var(--pl-weight-medium);
  }
  input:not([type='checkbox']):not([type='radio']),
  textarea,
  select {
    width: 100%;
    min-height: var(--pl-control-height);
    padding: var(--pl-space-1) 12px;
    border: 1px solid var(--pl-color-border-strong);
    border-radius: var(--pl-radius-sm);
    background: var(--pl-color-surface);
    color: var(--pl-color-text);
    font: inherit;
  }
  textarea {
    min-height: 96px;
    resize: vertical;
  }
  input:focus-visible,
  textarea:focus-visible,
  select:focus-visible {
    outline: 3px solid var(--pl-color-focus);
    outline-offset: 0;
    border-color: var(--pl-color-focus);
  }
  input[aria-invalid='true'],
  textarea[aria-invalid='true'] {
    border-color: var(--pl-color-danger);
  }
  input[type='checkbox'] {
    width: 20px;
    height: 20px;
    margin: 2px 0 0;
    flex: none;
    accent-color: var(--pl-color-accent);
  }
  .hint {
    font-size: var(--pl-text-sm);
    color: var(--pl-color-text-muted);
  }
  .field-error {
    font-size: var(--pl-text-sm);
    color: var(--pl-color-danger);
    font-weight: var(--pl-weight-medium);
  }
  .alert {
    padding: 12px var(--pl-space-2);
    border-radius: var(--pl-radius-sm);
    border: 1px solid var(--pl-color-danger);
    background: var(--pl-color-danger-soft);
    color: var(--pl-color-text);
  }
  .notice {
    padding: 12px var(--pl-space-2);
    border-radius: var(--pl-radius-sm);
    background: var(--pl-color-accent-soft);
    color: var(--pl-color-text);
  }

  .badge {
    display: inline-block;
    padding: 2px var(--pl-space-1);
    border-radius: var(--pl-radius-pill);
    background: var(--pl-color-surface-muted);
    color: var(--pl-color-text-muted);
    font-size: var(--pl-text-sm);
    font-weight: var(--pl-weight-medium);
    line-height: 1.4;
    white-space: nowrap;
  }
  .badge.accent {
    background: var(--pl-color-accent-soft);
    color: var(--pl-color-accent-hover);
  }
`;

/** The narrow centred card of the sign-in, sign-up and password pages, with a full-width submit. */
export const authFormStyles = css`
  .wrap {
    max-width: var(--pl-form-width);
    margin: var(--pl-space-4) auto 0;
  }
  @media (max-width: 600px) {
    .wrap {
      margin-top: var(--pl-space-1);
    }
  }
  h1 {
    margin-bottom: var(--pl-space-1);
  }
  .lede {
    margin-bottom: var(--pl-space-3);
  }
  form {
    display: flex;
    flex-direction: column;
    gap: var(--pl-space-2);
  }
  button[type='submit'] {
    width: 100%;
  }
`;
