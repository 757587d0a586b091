import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { type Delegation, delegate, listDelegations, undelegate } from '../data/delegations';
import type { Membership } from '../data/groups';
import { t, tMarkup } from '../i18n';
import { ActionState } from '../ui/action-state';
import { sharedStyles } from '../ui/styles';

/**
 * Group-wide delegation on the group page: whom the viewer's vote follows in
 * every proposal of the group (unless they vote, or delegate otherwise on one
 * proposal), a way to change or stop it, and every delegation in the group,
 * which members can see ("Ana → Ben"), so a delegate's weight is never hidden.
 */
@customElement('pl-group-delegation')
export class PlGroupDelegation extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
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
      ul {
        margin: var(--pl-space-1) 0 0;
        padding-left: var(--pl-space-3);
      }
    `,
  ];

  @property() groupId = '';
  /** The group's members, to choose a delegate from. */
  @property({ attribute: false }) members: Membership[] = [];
  /** The signed-in viewer. */
  @property() myId = '';

  @state() private delegations: Delegation[] | null = null;

  readonly #action = new ActionState(this);

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('groupId') && this.groupId) void this.#load();
  }

  override render() {
    const mine = this.delegations?.find((d) => d.from.id === this.myId && d.proposalId === null) ?? null;
    const others = this.members.filter((m) => m.user.id !== this.myId);
    const groupWide = (this.delegations ?? []).filter((d) => d.proposalId === null);
    return html`<h2 id="delegation-heading">${t('Delegation')}</h2>
      <p class="small">
        ${
          mine
            ? tMarkup(
                'In this group your vote follows {name}’s, unless you vote yourself.',
                {},
                { name: html`<strong>${mine.to.name}</strong>` },
              )
            : t('You vote for yourself. You can let a member you trust vote for you on every proposal here.')
        }
      </p>
      <form @submit=${this.#delegate}>
        <label class="small"
          >${t('Let my vote in this group follow')}
          <select name="delegateId" ?disabled=${this.#action.busy}>
            ${others.map(
              (m) =>
                html`<option value=${m.user.id} ?selected=${mine?.to.id === m.user.id}>${m.user.name}</option>`,
            )}
          </select></label
        >
        <button type="submit" class="secondary" ?disabled=${this.#action.busy || others.length === 0}>
          ${mine ? t('Change') : t('Delegate')}
        </button>
        ${
          mine
            ? html`<button type="button" class="secondary" ?disabled=${this.#action.busy} @click=${this.#undelegate}>
                ${t('Stop delegating')}
              </button>`
            : nothing
        }
      </form>
      ${this.#action.render()}
      ${
        groupWide.length > 0
          ? html`<ul class="small" aria-label=${t('Delegations in this group')}>
              ${groupWide.map((d) => html`<li>${d.from.name} → ${d.to.name}</li>`)}
            </ul>`
          : nothing
      }`;
  }

  async #load() {
    try {
      this.delegations = await listDelegations(this.groupId);
    } catch {
      this.delegations = [];
    }
  }

  async #delegate(event: SubmitEvent) {
    event.preventDefault();
    const select = (event.target as HTMLFormElement).querySelector('select');
    if (!select?.value) return;
    const name = this.members.find((m) => m.user.id === select.value)?.user.name ?? t('them');
    await this.#run(async () => {
      await delegate({ groupId: this.groupId }, select.value);
      return t('Your vote in this group now follows {name}’s, unless you vote yourself.', { name });
    });
  }

  async #undelegate() {
    await this.#run(async () => {
      await undelegate({ groupId: this.groupId });
      return t('You no longer delegate in this group.');
    });
  }

  #run(action: () => Promise<string>) {
    return this.#action.run(action, () => this.#load());
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-group-delegation': PlGroupDelegation;
  }
}
