import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { splitErrors } from '../data/api';
import type { Role } from '../data/groups';
import { createInvitation, type Invitation, listInvitations, reissueInvitation } from '../data/invitations';
import { sharedStyles } from '../ui/styles';

/**
 * Creates invitation links and copies them. Facilitators choose the role the
 * link grants and see the links already made.
 */
@customElement('pl-invite-panel')
export class PlInvitePanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      h2 {
        margin-bottom: var(--pl-space-half);
      }
      .body {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
        margin-top: var(--pl-space-2);
      }
      .copy-row {
        display: flex;
        gap: var(--pl-space-1);
      }
      .copy-row input {
        flex: 1;
        min-width: 0;
        font-family: var(--pl-font-mono);
        font-size: var(--pl-text-sm);
      }
      /* Kept in the accessibility tree (a live region must exist before it speaks), but takes no room while empty. */
      .copied:empty {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0, 0, 0, 0);
      }
      details {
        border-top: 1px solid var(--pl-color-border);
        padding-top: var(--pl-space-2);
      }
      summary {
        cursor: pointer;
        font-weight: var(--pl-weight-medium);
        border-radius: var(--pl-radius-sm);
      }
      details ul {
        list-style: none;
        margin: var(--pl-space-1) 0 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
      details li {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: var(--pl-space-1);
      }
    `,
  ];

  /** The group to invite to. */
  @property() groupId = '';

  /** The group's name, for labels. */
  @property() groupName = '';

  /** The viewer is a facilitator: may invite facilitators and list links. */
  @property({ type: Boolean }) facilitator = false;

  @state() private inviteRole: Role = 'member';
  @state() private invitation: Invitation | null = null;
  @state() private earlier: Invitation[] = [];
  @state() private busy = false;
  @state() private error: string | null = null;
  @state() private copied: string | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('groupId')) {
      this.invitation = null;
      this.copied = null;
      this.error = null;
    }
    if ((changed.has('groupId') || changed.has('facilitator')) && this.groupId && this.facilitator) {
      void this.#loadEarlier();
    }
  }

  override render() {
    const inv = this.invitation;
    return html`<section aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite people</h2>
      <p class="muted small">Anyone with the link can join until it expires (in 14 days).</p>
      <div class="body">
        ${
          this.facilitator
            ? html`<div class="field">
              <label for="invite-role">They join as</label>
              <select id="invite-role" .value=${this.inviteRole} @change=${this.#roleChanged}>
                <option value="member">Member</option>
                <option value="facilitator">Facilitator</option>
              </select>
            </div>`
            : nothing
        }
        <button type="button" ?disabled=${this.busy} @click=${this.#create}>
          ${this.busy ? 'Creating link…' : 'Create invitation link'}
        </button>
        ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
        ${
          inv
            ? html`<div class="field">
              <label for="invite-url">Invitation link (${inv.role === 'facilitator' ? 'facilitator' : 'member'})</label>
              <div class="copy-row">
                <input id="invite-url" type="text" readonly .value=${inv.url} @focus=${selectAll} />
                <button class="secondary" type="button" @click=${() => this.#copy(inv.url, 'invite-url')}>Copy</button>
              </div>
            </div>`
            : nothing
        }
        <p class="copied small muted" role="status">${this.copied ?? ''}</p>
        ${this.facilitator && this.earlier.length > 0 ? this.#earlierLinks() : nothing}
      </div>
    </section>`;
  }

  #earlierLinks() {
    return html`<details>
      <summary>Open links (${this.earlier.length})</summary>
      <ul>
        ${this.earlier.map(
          (inv) => html`<li>
            <span class="small">
              ${inv.role === 'facilitator' ? 'Facilitator' : 'Member'} link · used ${inv.uses}${inv.maxUses ? ` of ${inv.maxUses}` : ''}
              ${inv.expiresAt ? html`<span class="muted">· until ${formatDate(inv.expiresAt)}</span>` : nothing}
              ${
                inv.valid
                  ? nothing
                  : html`<span class="muted">· stopped: ${inv.issuedBy?.name ?? 'its issuer'} may no longer invite</span>`
              }
            </span>
            ${
              inv.valid
                ? html`<button class="ghost small" type="button" @click=${() => this.#copy(inv.url)}>
                  Copy<span class="sr-only"> ${inv.role} link made for ${formatDate(inv.expiresAt)}</span>
                </button>`
                : html`<button class="ghost small" type="button" @click=${() => this.#reissue(inv)}>
                  Re-issue<span class="sr-only"> ${inv.role} link as yours</span>
                </button>`
            }
          </li>`,
        )}
      </ul>
    </details>`;
  }

  #roleChanged(event: Event) {
    this.inviteRole = (event.target as HTMLSelectElement).value as Role;
  }

  async #create() {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    this.copied = null;
    try {
      this.invitation = await createInvitation(this.groupId, { role: this.inviteRole });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('#invite-url')?.focus();
      if (this.facilitator) void this.#loadEarlier();
    } catch (err) {
      this.error = splitErrors(err, []).form;
    } finally {
      this.busy = false;
    }
  }

  /** A link whose issuer was demoted or left works again, with this facilitator as its issuer. */
  async #reissue(inv: Invitation) {
    this.error = null;
    try {
      await reissueInvitation(this.groupId, inv.id);
      this.copied = 'The link works again.';
      await this.#loadEarlier();
    } catch (err) {
      this.error = splitErrors(err, []).form;
    }
  }

  async #loadEarlier() {
    try {
      const now = Date.now();
      this.earlier = (await listInvitations(this.groupId)).filter(
        (i) => (i.maxUses === null || i.uses < i.maxUses) && (!i.expiresAt || Date.parse(i.expiresAt) > now),
      );
    } catch {
      this.earlier = []; // a convenience list; the panel works without it
    }
  }

  async #copy(text: string, inputId?: string) {
    try {
      await navigator.clipboard.writeText(text);
      this.copied = 'Link copied to the clipboard.';
    } catch {
      // No clipboard permission (or an insecure origin): leave the link selected for Ctrl+C.
      const input = inputId ? this.renderRoot.querySelector<HTMLInputElement>(`#${inputId}`) : null;
      input?.focus();
      input?.select();
      this.copied = 'Copying was blocked. The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.';
    }
  }
}

function selectAll(event: FocusEvent) {
  (event.target as HTMLInputElement).select();
}

function formatDate(iso: string | null): string {
  if (!iso) return '';
  return new Date(iso).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-invite-panel': PlInvitePanel;
  }
}
