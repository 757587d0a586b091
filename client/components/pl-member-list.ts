import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Membership, Role } from '../data/groups';
import { fireEvent } from '../ui/fire-event';
import { initials } from '../ui/format';
import { sharedStyles } from '../ui/styles';

/** Detail of `pl-role-change`. */
export interface RoleChangeDetail {
  userId: string;
  name: string;
  role: Role;
}

/** Detail of `pl-remove-member`. */
export interface RemoveMemberDetail {
  userId: string;
  name: string;
}

/**
 * A group's members with their roles. Facilitators get buttons to change a
 * role and to remove someone; the element only asks, through events.
 *
 * @fires pl-role-change - {@link RoleChangeDetail}: make someone a member or a facilitator
 * @fires pl-remove-member - {@link RemoveMemberDetail}: remove someone from the group
 */
@customElement('pl-member-list')
export class PlMemberList extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: var(--pl-space-1) var(--pl-space-2);
        padding: 12px 0;
        border-top: 1px solid var(--pl-color-border);
      }
      li:first-child {
        border-top: 0;
        padding-top: var(--pl-space-half);
      }
      li:last-child {
        padding-bottom: 0;
      }
      .avatar {
        display: inline-grid;
        place-items: center;
        flex: none;
        width: 40px;
        height: 40px;
        border-radius: 50%;
        background: var(--pl-color-accent-soft);
        color: var(--pl-color-accent-hover);
        font-weight: var(--pl-weight-bold);
        font-size: var(--pl-text-sm);
      }
      .who {
        flex: 1 1 200px;
        min-width: 0;
      }
      .name {
        font-weight: var(--pl-weight-medium);
        overflow-wrap: anywhere;
      }
      .name .badge {
        margin-left: var(--pl-space-half);
        vertical-align: 1px;
      }
      .sub {
        overflow-wrap: anywhere;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-1);
        margin-left: auto;
      }
      @media (max-width: 480px) {
        .actions {
          flex-basis: 100%;
          margin-left: 0;
          padding-left: 56px;
        }
      }
    `,
  ];

  /** The members to show, in order. */
  @property({ attribute: false }) members: Membership[] = [];

  /** The viewer's user id: their row says "(you)" and offers no Remove. */
  @property() myId = '';

  /** Whether the viewer may change roles (the group's `changeRoles` permission). */
  @property({ type: Boolean }) canChangeRoles = false;

  /** Whether the viewer may remove members (the group's `removeMember` permission). */
  @property({ type: Boolean }) canRemove = false;

  /** A member whose change is in flight: their buttons are disabled. */
  @property() busyUserId: string | null = null;

  override render() {
    return html`<ul aria-label="Members">
      ${this.members.map((m) => this.#row(m))}
    </ul>`;
  }

  #row(m: Membership) {
    const me = m.user.id === this.myId;
    const busy = this.busyUserId === m.user.id;
    const facilitator = m.role === 'facilitator';
    const roleTarget: Role = facilitator ? 'member' : 'facilitator';
    const roleAction = facilitator ? (me ? 'Step down' : 'Make member') : 'Make facilitator';
    return html`<li data-user-id=${m.user.id}>
      <span class="avatar" aria-hidden="true">${initials(m.user.name)}</span>
      <div class="who">
        <div class="name">
          ${m.user.name}${me ? html` <span class="muted">(you)</span>` : nothing}
          <span class="badge ${facilitator ? 'accent' : ''}">${facilitator ? 'Facilitator' : 'Member'}</span>
        </div>
        <div class="sub muted small">@${m.user.handle}${m.user.email ? html` · ${m.user.email}` : nothing}</div>
      </div>
      ${
        this.canChangeRoles || this.canRemove
          ? html`<div class="actions">
            ${
              this.canChangeRoles
                ? html`<button
              class="secondary small"
              type="button"
              aria-label="${roleAction}: ${m.user.name}"
              ?disabled=${busy}
              @click=${() => fireEvent(this, 'pl-role-change', { userId: m.user.id, name: m.user.name, role: roleTarget })}
            >
              ${roleAction}
            </button>`
                : nothing
            }
            ${
              me || !this.canRemove
                ? nothing
                : html`<button
                  class="danger small"
                  type="button"
                  aria-label="Remove: ${m.user.name}"
                  ?disabled=${busy}
                  @click=${() => fireEvent(this, 'pl-remove-member', { userId: m.user.id, name: m.user.name })}
                >
                  Remove
                </button>`
            }
          </div>`
          : nothing
      }
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-member-list': PlMemberList;
  }
  interface PlEvents {
    'pl-role-change': RoleChangeDetail;
    'pl-remove-member': RemoveMemberDetail;
  }
}
