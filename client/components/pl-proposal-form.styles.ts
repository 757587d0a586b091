import { css } from 'lit';

/** Fieldsets without a frame and checkbox rows: the proposal form's, and its decision rules'. */
export const proposalFieldsetStyles = css`
      fieldset {
        margin: 0;
        padding: 0;
        border: 0;
        min-width: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
      legend {
        padding: 0;
        margin-bottom: var(--pl-space-1);
      }
      .check {
        display: flex;
        gap: 12px;
        align-items: flex-start;
      }
      .check label {
        display: block;
      }
`;

/** The new-proposal form's layout: kinds as cards, option rows with their tools. */
export const proposalFormStyles = css`
      form {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-3);
      }
      .kinds {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(210px, 1fr));
        gap: var(--pl-space-1);
      }
      .kind {
        display: flex;
        gap: 10px;
        align-items: flex-start;
        padding: 10px 12px;
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius-sm);
        font-weight: normal;
        cursor: pointer;
      }
      .kind:has(input:checked) {
        border-color: var(--pl-color-accent);
        background: var(--pl-color-accent-soft);
      }
      .kind input {
        margin-top: 3px;
        width: 18px;
        height: 18px;
        flex: none;
        accent-color: var(--pl-color-accent);
      }
      .kind strong {
        display: block;
        font-weight: var(--pl-weight-medium);
      }
      .options {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: var(--pl-space-1);
      }
      .option {
        display: grid;
        grid-template-columns: 2.2ch minmax(0, 1fr) auto;
        gap: var(--pl-space-1);
        align-items: start;
      }
      .option .n {
        padding-top: 9px;
        color: var(--pl-color-text-muted);
        font-variant-numeric: tabular-nums;
      }
      .option .inputs {
        display: grid;
        gap: var(--pl-space-half);
      }
      .meeting .option .inputs {
        grid-template-columns: minmax(0, 1fr) minmax(0, 220px);
      }
      .option .tools {
        display: flex;
        gap: 2px;
      }
      .option .tools button {
        width: 36px;
        padding: 0;
        min-height: var(--pl-control-height);
      }
      @media (max-width: 560px) {
        .meeting .option .inputs {
          grid-template-columns: minmax(0, 1fr);
        }
        .option {
          grid-template-columns: minmax(0, 1fr) auto;
        }
        .option .n {
          display: none;
        }
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(180px, 1fr));
        gap: var(--pl-space-2);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--pl-space-2);
      }
    `;
