import { css } from 'lit';

/**
 * Styles of the proposal card and of the sections it is made of, each
 * element taking the sheets it renders (shadow roots do not share rules).
 */

/** A section of the card: a column of its parts. */
export const sectionStyles = css`
  section {
    display: flex;
    flex-direction: column;
    gap: var(--pl-space-1);
  }
`;

/** A button that reads as a link ("Who has not voted?"). */
export const linklikeStyles = css`
  button.linklike {
    min-height: 32px;
    padding: 0 var(--pl-space-half);
    margin-left: calc(-1 * var(--pl-space-half));
    background: transparent;
    border-color: transparent;
    color: var(--pl-color-accent);
    text-decoration: underline;
    text-underline-offset: 0.15em;
    font-weight: var(--pl-weight-medium);
  }
  button.linklike:hover {
    background: var(--pl-color-accent-soft);
    color: var(--pl-color-accent-hover);
  }
`;

/** `<pl-proposal-card>`: the header, the caller's own vote, and the rule between sections. */
export const cardStyles = css`
  article {
    display: flex;
    flex-direction: column;
    gap: var(--pl-space-3);
  }
  header {
    display: flex;
    flex-direction: column;
    gap: var(--pl-space-1);
  }
  .badges {
    display: flex;
    flex-wrap: wrap;
    gap: var(--pl-space-half);
  }
  .badge.open {
    background: var(--pl-color-accent-soft);
    color: var(--pl-color-accent-hover);
  }
  .badge.closed {
    background: var(--pl-color-text);
    color: var(--pl-color-surface);
  }
  h2 {
    overflow-wrap: anywhere;
  }
  .meta {
    display: flex;
    flex-wrap: wrap;
    gap: 2px var(--pl-space-1);
  }
  .countdown {
    font-weight: var(--pl-weight-medium);
    color: var(--pl-color-text);
  }
  .details {
    max-width: 70ch;
  }
  /* The sections are the card's own <section>s and the elements that each render one. */
  :is(section, pl-proposal-participation, pl-proposal-results, pl-proposal-votes, pl-proposal-manage)
    + :is(section, pl-proposal-participation, pl-proposal-results, pl-proposal-votes, pl-proposal-manage) {
    border-top: 1px solid var(--pl-color-border);
    padding-top: var(--pl-space-3);
  }
  .mine {
    padding: 10px 12px;
    border-radius: var(--pl-radius-sm);
    background: var(--pl-color-surface-muted);
  }
`;

/** `<pl-proposal-participation>`: the count, the meter and who has not voted. */
export const participationStyles = css`
  .verdict {
    margin: 0 0 var(--pl-space-1);
    padding: var(--pl-space-1) var(--pl-space-2);
    border-radius: var(--pl-radius-sm);
    border-left: 4px solid var(--pl-color-border-strong);
    background: var(--pl-color-surface-muted);
    font-weight: 600;
  }
  .verdict-passed {
    border-left-color: var(--pl-color-accent);
    background: var(--pl-color-accent-soft);
  }
  .verdict-failed {
    border-left-color: var(--pl-color-danger);
    background: var(--pl-color-danger-soft);
  }
  .verdict-no_quorum {
    border-left-color: var(--pl-color-warning);
    background: var(--pl-color-warning-soft);
  }
  .participation {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--pl-space-1);
  }
  .meter {
    height: 8px;
    border-radius: var(--pl-radius-pill);
    background: var(--pl-color-surface-muted);
    overflow: hidden;
  }
  .meter span {
    display: block;
    height: 100%;
    background: var(--pl-color-accent);
    transition: width 240ms ease;
  }
  .names {
    display: flex;
    flex-wrap: wrap;
    gap: var(--pl-space-half);
    list-style: none;
    margin: 0;
    padding: 0;
  }
  @media (prefers-reduced-motion: reduce) {
    .meter span {
      transition: none;
    }
  }
`;

/** `<pl-proposal-results>`. */
export const resultsStyles = css`
  pl-irv-rounds {
    margin-top: var(--pl-space-2);
  }
`;

/** `<pl-proposal-votes>`: who voted what. */
export const votesStyles = css`
  .votes {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: var(--pl-space-1);
  }
  .votes li {
    padding: var(--pl-space-1) 0;
    border-bottom: 1px solid var(--pl-color-border);
  }
  .votes li:last-child {
    border-bottom: 0;
  }
  .votes .who {
    font-weight: var(--pl-weight-medium);
  }
  .votes .reason {
    margin-top: 2px;
  }
`;

/** `<pl-proposal-manage>`: the buttons and the close, outcome and reopen forms. */
export const manageStyles = css`
  .manage {
    display: flex;
    flex-wrap: wrap;
    gap: var(--pl-space-1);
  }
  .panel {
    display: flex;
    flex-direction: column;
    gap: var(--pl-space-2);
    padding: var(--pl-space-2);
    border: 1px solid var(--pl-color-border);
    border-radius: var(--pl-radius-sm);
    background: var(--pl-color-bg);
  }
  .panel h3 {
    font-size: var(--pl-text-md);
  }
`;
