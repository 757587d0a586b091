import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { streamContext } from '../data/context';
import { groupStore } from '../data/group-store';
import { kindLabel, participationText } from '../data/proposal-labels';
import { type Decision, decisionsUrl, listDecisions, recordUrl } from '../data/proposals';
import { resultsSummary, winnerText } from '../data/result-view';
import { StoreController } from '../data/store-controller';
import type { StreamClient } from '../data/stream';
import { formatDateTime } from '../data/time-text';
import { TopicController } from '../data/topic-controller';
import { verdictText } from '../data/verdict-text';
import { t, tMarkup } from '../i18n';
import { defineOnDemand } from '../ui/on-demand';
import { sharedStyles } from '../ui/styles';
import './pl-irv-rounds';
import './pl-outcome';
import './pl-results-bars';

// Only consent decisions draw a pie.
const loadPie = () => import('./pl-results-pie');

/** Events after which the log may have changed. */
const LOG_KINDS = new Set(['proposal.closed', 'proposal.reopened', 'outcome.created', 'proposal.updated']);

/**
 * The page at /groups/:id/decisions: every closed proposal of the group,
 * newest decision first, with its final results and outcome, and links to
 * download the whole log as CSV, Markdown or JSON. Follows the group's topic,
 * so a decision closed elsewhere appears without a reload.
 */
@customElement('pl-decision-log')
export class PlDecisionLog extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: flex-end;
        justify-content: space-between;
        gap: var(--pl-space-2);
        margin-bottom: var(--pl-space-3);
      }
      .crumb {
        margin-bottom: var(--pl-space-half);
        font-size: var(--pl-text-sm);
      }
      h1 {
        overflow-wrap: anywhere;
      }
      .downloads {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-1);
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
      }
      article {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
      }
      /* Flex items grow to their content's widest line by default; the runoff table scrolls in its own box instead. */
      ol > li,
      article > * {
        min-width: 0;
      }
      article {
        /* An option label can be one long word; it wraps rather than widening a phone's page. */
        overflow-wrap: anywhere;
      }
      .badges {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-half);
        margin-bottom: var(--pl-space-half);
      }
      .badge.blocked {
        background: var(--pl-color-danger-soft);
        color: var(--pl-color-danger);
      }
      h2 {
        overflow-wrap: anywhere;
      }
      .meta {
        margin-top: var(--pl-space-half);
      }
      .result {
        font-weight: var(--pl-weight-medium);
      }
      details {
        border-top: 1px solid var(--pl-color-border);
        padding-top: var(--pl-space-2);
      }
      summary {
        cursor: pointer;
        font-weight: var(--pl-weight-medium);
        border-radius: var(--pl-radius-sm);
        margin-bottom: var(--pl-space-2);
      }
      .empty {
        padding: var(--pl-space-4) var(--pl-space-3);
        text-align: center;
        border: 1px dashed var(--pl-color-border-strong);
        border-radius: var(--pl-radius);
      }
    `,
  ];

  /** The group whose decisions to show. */
  @property() groupId = '';

  @consume({ context: streamContext })
  private stream?: StreamClient;

  readonly #group = new StoreController(this, () => (this.groupId ? groupStore(this.groupId) : undefined));
  readonly #decisions = new Task(this, {
    task: ([groupId], { signal }) => listDecisions(groupId!, signal),
    args: () => [this.groupId],
  });
  constructor() {
    super();
    // Attaches itself to this element; nothing else needs to hold it.
    new TopicController(this, {
      stream: () => this.stream,
      topic: () => (this.groupId ? `group:${this.groupId}` : null),
      onEvent: (event) => {
        groupStore(this.groupId).absorb(event);
        if (LOG_KINDS.has(event.kind)) void this.#decisions.run();
      },
      onReset: () => void this.#decisions.run(),
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('groupId') && this.groupId) {
      const store = groupStore(this.groupId);
      if (!store.value.group) void store.refresh();
    }
  }

  protected override updated(): void {
    const name = this.#group.value?.group?.name;
    if (name) document.title = `${t('Decision log: {group}', { group: name })} · Plenary`;
  }

  override render() {
    const group = this.#group.value?.group;
    const enc = encodeURIComponent(this.groupId);
    return html`
      <div class="head">
        <div>
          <p class="crumb"><a href="/groups/${enc}">${group?.name ?? t('Back to the group')}</a></p>
          <h1 tabindex="-1">${t('Decision log')}</h1>
          <p class="muted">${t('Every closed proposal, with its final results and outcome.')}</p>
        </div>
        <div class="downloads" role="group" aria-label=${t('Download the decision log')}>
          <a class="button secondary small" href=${decisionsUrl(this.groupId, 'csv')} download>${t('Download CSV')}</a>
          <a class="button secondary small" href=${decisionsUrl(this.groupId, 'md')} download>${t('Download Markdown')}</a>
          <a class="button secondary small" href=${decisionsUrl(this.groupId, 'json')} download>${t('Download JSON')}</a>
        </div>
      </div>
      ${this.#decisions.render({
        initial: () => html`<p class="muted" aria-busy="true">${t('Loading decisions…')}</p>`,
        pending: () =>
          this.#decisions.value
            ? this.#list(this.#decisions.value)
            : html`<p class="muted" aria-busy="true">${t('Loading decisions…')}</p>`,
        error: (err) =>
          (err as { status?: number }).status === 404
            ? html`<p class="alert" role="alert">
                ${t('This group does not exist, or you are not a member.')} <a href="/">${t('Back to your groups')}</a>
              </p>`
            : html`<p class="alert" role="alert">
                ${t('The decision log could not be loaded.')}
                <button class="secondary small" type="button" @click=${() => this.#decisions.run()}>${t('Try again')}</button>
              </p>`,
        complete: (decisions) => this.#list(decisions),
      })}
    `;
  }

  #list(decisions: Decision[]) {
    if (decisions.length === 0) {
      return html`<div class="empty">
        <p><strong>${t('No decisions yet.')}</strong></p>
        <p class="muted">${t('Proposals appear here once voting on them has closed.')}</p>
      </div>`;
    }
    return html`<ol aria-label=${t('Decisions')}>
      ${decisions.map((d) => html`<li>${this.#decision(d)}</li>`)}
    </ol>`;
  }

  #decision({ proposal: p, thread, record }: Decision) {
    const results = p.results;
    const leader = results ? winnerText(p, results) : '';
    const headingId = `decision-${p.id}`;
    if (results && p.kind === 'proposal') void defineOnDemand(loadPie);
    return html`<article class="card" aria-labelledby=${headingId}>
      <div>
        <div class="badges">
          <span class="badge">${kindLabel(p.kind)}</span>
          ${results?.blocked ? html`<span class="badge blocked">${t('Blocked')}</span>` : nothing}
          ${p.outcome ? nothing : html`<span class="badge">${t('No outcome stated yet')}</span>`}
        </div>
        <h2 id=${headingId}>${p.title}</h2>
        <p class="meta small muted">
          ${tMarkup(
            'In {thread} · Closed {date} · {participation}',
            {
              date: p.closedAt ? formatDateTime(p.closedAt) : '',
              participation: participationText(p.voterCount, p.eligibleCount, true),
            },
            { thread: html`<a href="/threads/${encodeURIComponent(thread.id)}">${thread.title}</a>` },
          )}
        </p>
      </div>
      ${
        leader || results
          ? html`<div>
            ${leader ? html`<p class="result">${leader}</p>` : nothing}
            ${verdictText(p) ? html`<p class="verdict" data-verdict=${results?.verdict ?? ''}>${verdictText(p)}</p>` : nothing}
            ${results ? html`<p class="small muted">${resultsSummary(p, results) || t('No votes were cast.')}</p>` : nothing}
          </div>`
          : nothing
      }
      <pl-outcome .proposal=${p}></pl-outcome>
      ${
        record
          ? html`<p class="record small muted">
            <a href=${recordUrl(p.id)} download="decision-${record.sequence}.json"
              >${t('Decision record #{sequence, number, ::group-off}', { sequence: record.sequence })}</a
            >
            · SHA-256 <code title=${record.hash}>${record.hash.slice(0, 12)}…</code>
            · ${tMarkup('check it with {command}', {}, { command: html`<code>npx plenary verify</code>` })}
          </p>`
          : nothing
      }
      ${
        results
          ? html`<details>
            <summary>${t('Final results')}</summary>
            ${
              p.kind === 'proposal'
                ? html`<pl-results-pie .results=${results}></pl-results-pie>`
                : html`<pl-results-bars .proposal=${p}></pl-results-bars>`
            }
            ${p.kind === 'ranked_choice' ? html`<pl-irv-rounds .proposal=${p}></pl-irv-rounds>` : nothing}
          </details>`
          : nothing
      }
    </article>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-decision-log': PlDecisionLog;
  }
}
