import { css } from 'lit';

/** The vote form and every kind of ballot it renders (they share its shadow root). */
export const voteFormStyles = css`
  form {
    display: flex;
    flex-direction: column;
    gap: var(--pl-space-2);
  }
  fieldset {
    margin: 0;
    padding: 0;
    border: 0;
    min-width: 0;
  }
  legend {
    padding: 0;
    margin-bottom: var(--pl-space-1);
  }
  .choices {
    display: grid;
    gap: var(--pl-space-1);
  }
  .choice {
    display: flex;
    align-items: flex-start;
    gap: 12px;
    padding: 10px 12px;
    border: 1px solid var(--pl-color-border);
    border-radius: var(--pl-radius-sm);
    background: var(--pl-color-surface);
    font-weight: normal;
    cursor: pointer;
  }
  .choice:hover {
    border-color: var(--pl-color-border-strong);
  }
  .choice:has(input:checked) {
    border-color: var(--pl-color-accent);
    background: var(--pl-color-accent-soft);
  }
  .choice.block:has(input:checked) {
    border-color: var(--pl-color-danger);
    background: var(--pl-color-danger-soft);
  }
  .choice input {
    margin-top: 3px;
    flex: none;
  }
  input[type='radio'] {
    width: 18px;
    height: 18px;
    accent-color: var(--pl-color-accent);
  }
  .choice strong {
    display: block;
    font-weight: var(--pl-weight-medium);
  }
  @media (min-width: 600px) {
    .consent {
      grid-template-columns: 1fr 1fr;
    }
  }
  .rows {
    display: grid;
    gap: 12px;
  }
  .row {
    display: grid;
    gap: var(--pl-space-half);
  }
  .slider {
    display: flex;
    align-items: center;
    gap: 12px;
  }
  .slider input.range[type='range'] {
    flex: 1;
    min-height: 0;
    padding: 0;
    border: 0;
    accent-color: var(--pl-color-accent);
  }
  output {
    min-width: 3ch;
    font-variant-numeric: tabular-nums;
    font-weight: var(--pl-weight-bold);
    text-align: right;
  }
  .stepper {
    display: flex;
    align-items: center;
    gap: var(--pl-space-1);
  }
  .stepper label {
    flex: 1;
    min-width: 0;
    overflow-wrap: anywhere;
    font-weight: normal;
  }
  .stepper input.dots[type='number'] {
    width: 72px;
    flex: none;
    text-align: center;
    font-variant-numeric: tabular-nums;
  }
  .stepper button {
    width: var(--pl-control-height);
    padding: 0;
    font-size: 1.25rem;
  }
  .dots-left {
    font-weight: var(--pl-weight-medium);
  }
  .dots-left.over {
    color: var(--pl-color-danger);
  }
  .ranking {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: var(--pl-space-1);
  }
  .ranking li {
    display: flex;
    align-items: center;
    gap: var(--pl-space-1);
    padding: 6px 6px 6px 12px;
    border: 1px solid var(--pl-color-border);
    border-radius: var(--pl-radius-sm);
    background: var(--pl-color-surface);
  }
  .ranking .rank {
    flex: none;
    min-width: 2ch;
    font-weight: var(--pl-weight-bold);
    color: var(--pl-color-accent-hover);
    font-variant-numeric: tabular-nums;
  }
  .ranking .name {
    flex: 1;
    min-width: 0;
    overflow-wrap: anywhere;
  }
  .ranking button.icon {
    width: 36px;
    padding: 0;
  }
  .unranked li {
    border-style: dashed;
    background: transparent;
  }
  .sub {
    margin: var(--pl-space-2) 0 var(--pl-space-1);
    font-weight: var(--pl-weight-medium);
  }
  .empty-ranking {
    padding: 12px;
    border: 1px dashed var(--pl-color-border-strong);
    border-radius: var(--pl-radius-sm);
  }
  .slots {
    display: grid;
    gap: var(--pl-space-1);
  }
  .slot {
    padding: 10px 12px;
    border: 1px solid var(--pl-color-border);
    border-radius: var(--pl-radius-sm);
  }
  .slot legend {
    float: left;
    width: 100%;
    margin-bottom: var(--pl-space-1);
  }
  .slot legend .when {
    display: block;
    font-weight: normal;
    font-size: var(--pl-text-sm);
    color: var(--pl-color-text-muted);
  }
  .answers {
    clear: both;
    display: flex;
    flex-wrap: wrap;
    gap: var(--pl-space-1);
  }
  .answers label {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    padding: 4px 12px 4px 8px;
    border: 1px solid var(--pl-color-border);
    border-radius: var(--pl-radius-pill);
    font-weight: normal;
    cursor: pointer;
  }
  .answers label:has(input:checked) {
    border-color: var(--pl-color-accent);
    background: var(--pl-color-accent-soft);
    font-weight: var(--pl-weight-medium);
  }
  .warning {
    padding: 10px 12px;
    border-radius: var(--pl-radius-sm);
    background: var(--pl-color-warning-soft);
    color: var(--pl-color-text);
    font-size: var(--pl-text-sm);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--pl-space-1);
  }
  .live:empty {
    display: none;
  }
`;
