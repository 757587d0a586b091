import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { describeChoices } from '../data/ballot-draft';
import { delegate, isFollowedVote, ownVote, undelegate } from '../data/delegations';
import type { Membership } from '../data/groups';
import type { ProposalStore } from '../data/proposal-store';
import type { Proposal } from '../data/proposals';
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
    return html`<div class="delegation" role="group" aria-label="Delegation">
      <p class="status small">${this.#status(p)}</p>
      ${
        isFollowedVote(p.myVote)
          ? html`<div class="row">
              <button type="button" class="secondary" ?disabled=${this.#action.busy} @click=${this.#voteMyself}>
                Vote this myself
              </button>
            </div>`
          : nothing
      }
      <form @submit=${this.#delegate}>
        <label class="small"
          >Let my vote on this proposal follow
          <select name="delegateId" ?disabled=${this.#action.busy}>
            ${others.map(
              (m) =>
                html`<option value=${m.user.id} ?selected=${mine?.delegate.id === m.user.id}>${m.user.name}</option>`,
            )}
          </select></label
        >
        <button type="submit" class="secondary" ?disabled=${this.#action.busy || others.length === 0}>Delegate</button>
        ${
          mine?.proposalOnly
            ? html`<button type="button" class="secondary" ?disabled=${this.#action.busy} @click=${this.#undelegate}>
                Stop delegating on this proposal
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
      const through = vote.via ? `, through ${vote.via.name}` : '';
      return html`Your vote follows <strong>${vote.delegatedTo.name}</strong>’s${through}:
        <strong>${describeChoices(p, vote.choices)}</strong>. Vote yourself and yours counts instead.`;
    }
    const own = ownVote(vote);
    if (own) {
      const carried = own.weight - 1;
      return carried > 0
        ? html`Your vote carries <strong>${own.weight} members</strong>: you and ${carried}
            ${carried === 1 ? 'member who delegates' : 'members who delegate'} to you.`
        : 'You voted yourself: your vote counts as your own.';
    }
    if (mine)
      return html`Your vote follows <strong>${mine.delegate.name}</strong>${mine.proposalOnly ? ' on this proposal' : ' in this group'},
        who has not voted yet (nor has anyone they delegate to). Until someone in the chain votes, yours does not count.`;
    return 'You can vote yourself, or let a member you trust vote for you on this proposal.';
  }

  async #voteMyself() {
    const p = this.proposal;
    if (!p || !isFollowedVote(p.myVote) || !this.store) return;
    await this.#run(async () => {
      await this.store!.vote({ choices: p.myVote!.choices });
      return 'Your vote is in: it is your own now.';
    });
  }

  async #delegate(event: SubmitEvent) {
    event.preventDefault();
    const p = this.proposal;
    const select = (event.target as HTMLFormElement).querySelector('select');
    if (!p || !select?.value) return;
    const name = this.members.find((m) => m.user.id === select.value)?.user.name ?? 'them';
    await this.#run(async () => {
      await delegate({ proposalId: p.id }, select.value);
      return `On this proposal your vote now follows ${name}’s, unless you vote yourself.`;
    });
  }

  async #undelegate() {
    const p = this.proposal;
    if (!p) return;
    await this.#run(async () => {
      await undelegate({ proposalId: p.id });
      return 'You no longer delegate on this proposal.';
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
