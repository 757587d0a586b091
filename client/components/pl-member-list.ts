import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Membership, Role } from '../data/groups';
import { t } from '../i18n';
import { fireEvent, type PlEvent } from '../ui/fire-event';
import { initials } from '../ui/format';
import { sharedStyles } from '../ui/styles';
import type { MenuItem } from './pl-menu-button';
import './pl-menu-button';

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
 * A group's members with their roles. Facilitators get a "⋯" menu on each row
 * to change a role or remove someone; the element only asks, through events.
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
        flex: none;
        margin-left: auto;
      }
    `,
  ];

  /** The members to show, in order. */
  @property({ attribute: false }) members: Membership[] = [];

  /** The viewer's user id: their row says "(you)" and offers no removal. */
  @property() myId = '';

  /** Whether the viewer may change roles (the group's `changeRoles` permission). */
  @property({ type: Boolean }) canChangeRoles = false;

  /** Whether the viewer may remove members (the group's `removeMember` permission). */
  @property({ type: Boolean }) canRemove = false;

  /** A member whose change is in flight: their menu is disabled. */
  @property() busyUserId: string | null = null;

  override render() {
    return html`<ul aria-label=${t('Members')}>
      ${this.members.map((m) => this.#row(m))}
    </ul>`;
  }

  #row(m: Membership) {
    const me = m.user.id === this.myId;
    const facilitator = m.role === 'facilitator';
    const actions = this.#actionsFor(m);
    return html`<li data-user-id=${m.user.id}>
      <span class="avatar" aria-hidden="true">${initials(m.user.name)}</span>
      <div class="who">
        <div class="name">
          ${m.user.name}${me ? html` <span class="muted">${t('(you)')}</span>` : nothing}
          <span class="badge ${facilitator ? 'accent' : ''}">${facilitator ? t('Facilitator') : t('Member')}</span>
        </div>
        <div class="sub muted small">@${m.user.handle}${m.user.email ? html` · ${m.user.email}` : nothing}</div>
      </div>
      ${
        actions.length > 0
          ? html`<pl-menu-button
            class="actions"
            label=${t('More actions for {name}', { name: m.user.name })}
            .items=${actions}
            ?disabled=${this.busyUserId === m.user.id}
            @pl-menu-select=${(e: PlEvent<'pl-menu-select'>) => this.#chosen(m, e.detail.id)}
          ></pl-menu-button>`
          : nothing
      }
    </li>`;
  }

  /**
   * What the viewer may do to this member. Nobody removes themself here (they
   * leave from the group page), and the only facilitator is not offered
   * stepping down, which would leave the group without one.
   */
  #actionsFor(m: Membership): MenuItem[] {
    const me = m.user.id === this.myId;
    const actions: MenuItem[] = [];
    if (this.canChangeRoles) {
      if (m.role === 'member') actions.push({ id: 'facilitator', label: t('Make facilitator') });
      else if (!me) actions.push({ id: 'member', label: t('Make member') });
      else if (this.members.some((o) => o.role === 'facilitator' && o.user.id !== m.user.id)) {
        actions.push({ id: 'member', label: t('Step down as facilitator') });
      }
    }
    if (this.canRemove && !me) actions.push({ id: 'remove', label: t('Remove from group'), danger: true });
    return actions;
  }

  #chosen(m: Membership, action: string) {
    const { id: userId, name } = m.user;
    if (action === 'remove') fireEvent(this, 'pl-remove-member', { userId, name });
    else fireEvent(this, 'pl-role-change', { userId, name, role: action as Role });
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
