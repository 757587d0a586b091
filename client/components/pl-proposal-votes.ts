import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { endsInPunctuation } from '../../shared/result-text';
import { describeChoices } from '../data/ballot-draft';
import type { ProposalStore } from '../data/proposal-store';
import type { Proposal, Vote } from '../data/proposals';
import { t } from '../i18n';
import { cssProps } from '../ui/css-props';
import { initials } from '../ui/format';
import { markdown, markdownStyles } from '../ui/markdown';
import { sharedStyles } from '../ui/styles';
import { linklikeStyles, sectionStyles, votesStyles } from './pl-proposal-card.styles';

/**
 * A hue, 0–359, that is always the same for the same user id (FNV-1a over its
 * UTF-16 units), so a voter's avatar keeps its colour across lists and visits.
 */
function avatarHue(userId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 360;
}

/**
 * "How people voted" on a proposal card: who voted what, each voter with an
 * avatar (initials in a circle whose colour comes from their id), with their reasons,
 * behind a button that loads them through the store. Says so instead when
 * votes are anonymous. Hides itself (the `hidden` attribute) while there is
 * nothing to show: no votes yet, or results hidden until the close.
 */
@customElement('pl-proposal-votes')
export class PlProposalVotes extends LitElement {
  static override styles = [
    sharedStyles,
    markdownStyles,
    sectionStyles,
    linklikeStyles,
    votesStyles,
    css`
      .votes li {
        display: grid;
        grid-template-columns: 28px minmax(0, 1fr);
        column-gap: var(--pl-space-1);
        align-items: start;
      }
      .avatar {
        display: inline-grid;
        place-items: center;
        width: 28px;
        height: 28px;
        border-radius: 50%;
        /* Light and dark tints of the voter's hue; the text keeps contrast on both. */
        background: hsl(var(--avatar-hue, 160) 55% 86%);
        color: hsl(var(--avatar-hue, 160) 60% 22%);
        font-size: 0.7rem;
        font-weight: var(--pl-weight-bold);
      }
      @media (prefers-color-scheme: dark) {
        .avatar {
          background: hsl(var(--avatar-hue, 160) 40% 30%);
          color: hsl(var(--avatar-hue, 160) 70% 90%);
        }
      }
      .vote {
        min-width: 0;
        overflow-wrap: anywhere;
      }
    `,
  ];

  /** The proposal whose votes to show. */
  @property({ attribute: false }) proposal: Proposal | null = null;

  /** The proposal's store, asked for the votes. */
  @property({ attribute: false }) store: ProposalStore | null = null;

  /** The votes, from the store; null until loaded. */
  @property({ attribute: false }) votes: Vote[] | null = null;

  @state() private showVotes = false;

  /** What the section shows: the anonymity notice, the list, or (no votes yet, results hidden) nothing. */
  #showing(): 'anonymous' | 'list' | null {
    const p = this.proposal;
    if (!p || p.voterCount === 0) return null;
    if (p.anonymous) return 'anonymous';
    return p.resultsHiddenUntilClosed && !p.closedAt ? null : 'list';
  }

  protected override willUpdate(): void {
    // An empty section would still take its gap and its rule in the card.
    this.hidden = this.#showing() === null;
  }

  override render() {
    const p = this.proposal;
    const showing = this.#showing();
    if (!p || !showing) return nothing;
    if (showing === 'anonymous') {
      return html`<section aria-label=${t('How people voted')}>
        <p class="small muted">${t('Votes are anonymous: nobody, facilitators included, can see who voted what.')}</p>
      </section>`;
    }
    const votes = this.votes;
    return html`<section aria-label=${t('How people voted')}>
      <div>
        <button
          class="linklike"
          type="button"
          aria-expanded=${this.showVotes ? 'true' : 'false'}
          aria-controls="votes"
          @click=${this.#toggleVotes}
        >
          ${this.showVotes ? t('Hide how people voted') : t('Show how people voted ({count})', { count: p.voterCount })}
        </button>
      </div>
      <div id="votes" ?hidden=${!this.showVotes}>
        ${
          votes === null
            ? html`<p class="small muted" aria-busy="true">${t('Loading…')}</p>`
            : html`<ul class="votes">
              ${votes.map(
                (v) => html`<li>
                  ${this.#avatar(v)}
                  <div class="vote">
                    ${this.#who(v)} <span>${describeChoices(p, v.choices)}</span>
                    ${
                      v.weight > 1
                        ? html`<span
                            class="badge"
                            title=${
                              v.voter
                                ? t('Members who delegate to {name} count with this vote', {
                                    name: v.voter.name,
                                  })
                                : t('Members who delegate to this voter count with this vote')
                            }
                            >${t('counts for {weight}', { weight: v.weight })}</span
                          >`
                        : nothing
                    }
                    ${v.reason ? html`<div class="reason small muted markdown">${markdown(v.reason)}</div>` : nothing}
                  </div>
                </li>`,
              )}
            </ul>`
        }
      </div>
    </section>`;
  }

  #avatar(v: Vote) {
    const name = v.voter?.name ?? t('Anonymous');
    const hue = v.voter ? String(avatarHue(v.voter.id)) : '0';
    return html`<span
      class="avatar"
      aria-hidden="true"
      data-hue=${hue}
      style=${cssProps({ '--avatar-hue': hue })}
    >${initials(name)}</span>`;
  }

  /** "Ada Okafor:", but "Jo Smith Jr." without a colon after its full stop. */
  #who(v: Vote) {
    const name = v.voter?.name ?? t('Anonymous');
    return html`<span class="who">${name}</span>${endsInPunctuation(name) ? '' : ':'}`;
  }

  #toggleVotes() {
    this.showVotes = !this.showVotes;
    if (this.showVotes) void this.store?.loadVotes();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-proposal-votes': PlProposalVotes;
  }
}
