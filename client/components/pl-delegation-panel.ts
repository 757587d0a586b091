import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { describeChoices } from '../data/ballot-draft';
import { delegate, isFollowedVote, ownVote, undelegate } from '../data/delegations';
import type { Membership } from '../data/groups';
import type { ProposalStore } from '../data/proposal-store';
import type { Proposal } from '../data/proposals';
import { t, tMarkup } from '../i18n';
import { ActionState } from '../ui/action-state';
import { sharedStyles } from '../ui/styles';

/**
 * Delegation on an open proposal: whose vote the viewer's follows and what it
 * is (with "Vote this myself" to take it over in one click), how many members
 * a delegate's vote carries, and a way to let someone else's vote count for
 * the viewer's on this proposal. Shown only where the group allows delegation
 * and the proposal is not anonymous.
 */
@customElement('pl-delegation-panel')
export class PlDelegationPanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .status {
        margin: 0 0 var(--pl-space-1);
      }
      form {
        display: flex;
        flex-wrap: wrap;
        align-items: end;
        gap: var(--pl-space-1);
      }
      label {
        display: grid;
        gap: var(--pl-space-half);
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-1);
        margin-top: var(--pl-space-1);
      }
    `,
  ];

  /** The proposal, as the viewer sees it (`myVote`, `myDelegate`). */
  @property({ attribute: false }) proposal: Proposal | null = null;
  /** Its store: votes and refreshes go through it. */
  @property({ attribute: false }) store: ProposalStore | null = null;
  /** The group's members, to choose a delegate from. */
  @property({ attribute: false }) members: Membership[] = [];
  /** The signed-in viewer. */
  @property() myId = '';

  readonly #action = new ActionState(this);

  override render() {
    const p = this.proposal;
    if (!p?.delegation || p.closedAt || p.myVote === undefined) return nothing;
    const others = this.members.filter((m) => m.user.id !== this.myId);
    const mine = p.myDelegate ?? null;
    return html`<div class="delegation" role="group" aria-label=${t('Delegation')}>
      <p class="status small">${this.#status(p)}</p>
      ${
        isFollowedVote(p.myVote)
          ? html`<div class="row">
              <button type="button" class="secondary" ?disabled=${this.#action.busy} @click=${this.#voteMyself}>
                ${t('Vote this myself')}
              </button>
            </div>`
          : nothing
      }
      <form @submit=${this.#delegate}>
        <label class="small"
          >${t('Let my vote on this proposal follow')}
          <select name="delegateId" ?disabled=${this.#action.busy}>
            ${others.map(
              (m) =>
                html`<option value=${m.user.id} ?selected=${mine?.delegate.id === m.user.id}>${m.user.name}</option>`,
            )}
          </select></label
        >
        <button type="submit" class="secondary" ?disabled=${this.#action.busy || others.length === 0}>${t('Delegate')}</button>
        ${
          mine?.proposalOnly
            ? html`<button type="button" class="secondary" ?disabled=${this.#action.busy} @click=${this.#undelegate}>
                ${t('Stop delegating on this proposal')}
              </button>`
            : nothing
        }
      </form>
      ${this.#action.render()}
    </div>`;
  }

  #status(p: Proposal) {
    const vote = p.myVote;
    const mine = p.myDelegate ?? null;
    if (isFollowedVote(vote)) {
      const name = html`<strong>${vote.delegatedTo.name}</strong>`;
      const choices = html`<strong>${describeChoices(p, vote.choices)}</strong>`;
      return vote.via
        ? tMarkup(
            'Your vote follows {name}’s, through {via}: {choices}. Vote yourself and yours counts instead.',
            { via: vote.via.name },
            { name, choices },
          )
        : tMarkup(
            'Your vote follows {name}’s: {choices}. Vote yourself and yours counts instead.',
            {},
            { name, choices },
          );
    }
    const own = ownVote(vote);
    if (own) {
      const carried = own.weight - 1;
      return carried > 0
        ? tMarkup(
            'Your vote carries {members}: you and {carried, plural, one {# member who delegates} other {# members who delegate}} to you.',
            { carried },
            {
              members: html`<strong>${t('{count, plural, one {# member} other {# members}}', { count: own.weight })}</strong>`,
            },
          )
        : t('You voted yourself: your vote counts as your own.');
    }
    if (mine) {
      const name = html`<strong>${mine.delegate.name}</strong>`;
      return mine.proposalOnly
        ? tMarkup(
            'Your vote follows {name} on this proposal, who has not voted yet (nor has anyone they delegate to). Until someone in the chain votes, yours does not count.',
            {},
            { name },
          )
        : tMarkup(
            'Your vote follows {name} in this group, who has not voted yet (nor has anyone they delegate to). Until someone in the chain votes, yours does not count.',
            {},
            { name },
          );
    }
    return t('You can vote yourself, or let a member you trust vote for you on this proposal.');
  }

  async #voteMyself() {
    const p = this.proposal;
    if (!p || !isFollowedVote(p.myVote) || !this.store) return;
    await this.#run(async () => {
      await this.store!.vote({ choices: p.myVote!.choices });
      return t('Your vote is in: it is your own now.');
    });
  }

  async #delegate(event: SubmitEvent) {
    event.preventDefault();
    const p = this.proposal;
    const select = (event.target as HTMLFormElement).querySelector('select');
    if (!p || !select?.value) return;
    const name = this.members.find((m) => m.user.id === select.value)?.user.name;
    await this.#run(async () => {
      await delegate({ proposalId: p.id }, select.value);
      return name
        ? t('On this proposal your vote now follows {name}’s, unless you vote yourself.', { name })
        : t('On this proposal your vote now follows theirs, unless you vote yourself.');
    });
  }

  async #undelegate() {
    const p = this.proposal;
    if (!p) return;
    await this.#run(async () => {
      await undelegate({ proposalId: p.id });
      return t('You no longer delegate on this proposal.');
    });
  }

  #run(action: () => Promise<string>) {
    return this.#action.run(action, () => this.store?.refresh() ?? Promise.resolve());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-delegation-panel': PlDelegationPanel;
  }
}
