import { css } from 'lit';

/** The thread page's own look; its header and edit form style themselves. */
export const threadPageStyles = css`
  :host {
    /* Older pages are put in above what is being read; the page keeps the reader's place itself. */
    overflow-anchor: none;
  }
  .messages:empty {
    display: none;
  }
  .messages {
    margin-bottom: var(--pl-space-2);
  }
  .proposal-form {
    margin-bottom: var(--pl-space-3);
  }
  .proposal-form .form-head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: var(--pl-space-1);
    margin-bottom: var(--pl-space-2);
  }
  .timeline {
    margin-bottom: var(--pl-space-3);
  }
  .older {
    display: flex;
    justify-content: center;
    padding: var(--pl-space-1) 0 var(--pl-space-2);
  }
  .start {
    text-align: center;
    padding: var(--pl-space-1) 0 var(--pl-space-2);
  }
  ol.rows,
  ol.replies {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  ol.rows > li {
    margin-bottom: var(--pl-space-1);
  }
  .conversation {
    background: var(--pl-color-surface);
    border: 1px solid var(--pl-color-border);
    border-radius: var(--pl-radius);
  }
  ol.replies {
    margin: 0 12px 8px 60px;
    border-left: 2px solid var(--pl-color-border);
  }
  @media (max-width: 480px) {
    ol.replies {
      margin-left: 24px;
    }
  }
  .reply-composer {
    margin: 0 12px 12px 60px;
  }
  @media (max-width: 480px) {
    .reply-composer {
      margin-left: 12px;
    }
  }
  .orphan-note {
    padding: 8px 12px 0;
  }
  .event {
    display: flex;
    align-items: center;
    gap: var(--pl-space-1);
    padding: 4px 12px;
    font-size: var(--pl-text-sm);
    color: var(--pl-color-text-muted);
  }
  .event::before {
    content: '';
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--pl-color-border-strong);
    flex: none;
  }
  .divider {
    display: flex;
    align-items: center;
    gap: var(--pl-space-1);
    margin: var(--pl-space-2) 0;
    color: var(--pl-color-accent-hover);
    font-size: var(--pl-text-sm);
    font-weight: var(--pl-weight-bold);
    scroll-margin-top: 96px;
  }
  .divider::before,
  .divider::after {
    content: '';
    flex: 1;
    border-top: 2px solid var(--pl-color-accent);
  }
  .composer-wrap {
    scroll-margin-bottom: var(--pl-space-4);
  }
  /* What stays at the bottom of the viewport while the timeline scrolls: the "new below" button and the open proposals' bar. */
  .dock {
    position: sticky;
    bottom: 0;
    z-index: 1;
    /* A column: the margins of what it holds stay inside the box that sticks. */
    display: flex;
    flex-direction: column;
    pointer-events: none;
  }
  .live {
    display: flex;
    justify-content: center;
    margin-bottom: var(--pl-space-2);
  }
  .live button {
    pointer-events: auto;
    box-shadow: var(--pl-shadow-lg);
    border-radius: var(--pl-radius-pill);
  }
  .sentinel {
    height: 1px;
  }
`;
