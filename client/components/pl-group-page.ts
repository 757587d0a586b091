import { consume } from '@lit/context';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { splitErrors } from '../data/api';
import { sessionContext, streamContext } from '../data/context';
import { type GroupStore, groupStore } from '../data/group-store';
import type { Membership } from '../data/groups';
import type { Session } from '../data/session';
import { StoreController } from '../data/store-controller';
import type { StreamClient } from '../data/stream';
import { TopicController } from '../data/topic-controller';
import { t } from '../i18n';
import { navigate } from '../router';
import { sharedStyles } from '../ui/styles';
import type { PlConfirmDialog } from './pl-confirm-dialog';
import type { RemoveMemberDetail, RoleChangeDetail } from './pl-member-list';
import type { PlSuccessorDialog } from './pl-successor-dialog';
import './pl-group-delegation';
import './pl-confirm-dialog';
import './pl-group-files';
import './pl-invite-panel';
import './pl-member-list';
import './pl-successor-dialog';
import './pl-thread-list';

/**
 * A group: what it is for, its members and their roles, inviting, and leaving.
 * Follows `group:<id>` on the live stream, so joins, departures, role changes
 * and edits made elsewhere appear without a reload.
 */
@customElement('pl-group-page')
export class PlGroupPage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .head {
        display: flex;
        flex-wrap: wrap;
        align-items: flex-start;
        justify-content: space-between;
        gap: var(--pl-space-2);
        margin-bottom: var(--pl-space-3);
      }
      .crumb {
        margin-bottom: var(--pl-space-half);
        font-size: var(--pl-text-sm);
      }
      .title {
        min-width: 0;
        flex: 1 1 320px;
      }
      h1 {
        overflow-wrap: anywhere;
      }
      .description {
        margin-top: var(--pl-space-1);
        white-space: pre-line;
        overflow-wrap: anywhere;
        max-width: 70ch;
      }
      .meta {
        margin-top: var(--pl-space-1);
      }
      .main-col {
        gap: var(--pl-space-3);
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr) 340px;
        gap: var(--pl-space-3);
        align-items: start;
      }
      @media (max-width: 860px) {
        .layout {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      .members-head {
        display: flex;
        align-items: center;
        gap: var(--pl-space-1);
        margin-bottom: var(--pl-space-1);
      }
      aside {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-3);
      }
      .messages:empty {
        display: none;
      }
      .messages {
        margin-bottom: var(--pl-space-2);
      }
      .leave p {
        margin: var(--pl-space-half) 0 var(--pl-space-2);
      }
    `,
  ];

  /** The group to show. */
  @property() groupId = '';

  @consume({ context: sessionContext })
  private session?: Session;

  @consume({ context: streamContext })
  private stream?: StreamClient;

  @state() private notice: string | null = null;
  @state() private error: string | null = null;
  @state() private busyUserId: string | null = null;
  @query('pl-confirm-dialog') private confirm!: PlConfirmDialog;
  @query('pl-successor-dialog') private successor!: PlSuccessorDialog;

  readonly #group = new StoreController(this, () => this.#store());
  /** Follows `group:<id>` while the page is shown; the store absorbs what arrives. */
  protected readonly liveTopic = new TopicController(this, {
    stream: () => this.stream,
    topic: () => (this.groupId ? `group:${this.groupId}` : null),
    onEvent: (event) => this.#store()?.absorb(event),
    onReset: () => void this.#store()?.refresh(),
    // Dropped from the topic (removed from the group, say): the refetch shows what is left to see.
    onError: () => void this.#store()?.refresh(),
  });

  #store(): GroupStore | undefined {
    return this.groupId ? groupStore(this.groupId) : undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('groupId') && this.groupId) {
      this.notice = null;
      this.error = null;
      void this.#store()!.refresh();
    }
  }

  protected override updated(): void {
    const group = this.#group.value?.group;
    if (group) document.title = `${group.name} · Plenary`;
  }

  override render() {
    const data = this.#group.value;
    if (!data || (data.status === 'loading' && !data.group)) {
      return html`<h1 tabindex="-1">${t('Group')}</h1>
        <p class="muted" aria-busy="true">${t('Loading the group…')}</p>`;
    }
    if (!data.group) {
      const gone = data.error?.status === 404;
      return html`<h1 tabindex="-1">${gone ? t('Group not found') : t('The group could not be loaded')}</h1>
        <p class="muted">
          ${
            gone
              ? t('It does not exist, or you are not (or no longer) a member.')
              : (data.error?.message ?? t('Something went wrong.'))
          }
          <a href="/">${t('Back to your groups')}</a>
        </p>`;
    }
    const { group, members } = data;
    const me = this.session?.user;
    const may = group.permissions;
    return html`
      <div class="head">
        <div class="title">
          <p class="crumb"><a href="/">${t('Your groups')}</a></p>
          <h1 tabindex="-1">${group.name}</h1>
          ${group.description ? html`<p class="description">${group.description}</p>` : nothing}
          <p class="meta muted small">
            ${t(
              '{count, plural, one {# member} other {# members}} · You are {role, select, facilitator {a facilitator} other {a member}}',
              { count: group.memberCount, role: group.myRole },
            )}
          </p>
        </div>
        <a class="button secondary" href="/groups/${encodeURIComponent(group.id)}/decisions">${t('Decision log')}</a>
        ${
          may.updateGroup
            ? html`<a class="button secondary" href="/groups/${encodeURIComponent(group.id)}/settings">${t('Group settings')}</a>`
            : nothing
        }
        ${
          // A download the server names and sends as an attachment; the router leaves /api/ links alone.
          may.exportGroup
            ? html`<a class="button secondary" href="/api/v1/groups/${encodeURIComponent(group.id)}/export" download
              >${t('Export group')}</a
            >`
            : nothing
        }
      </div>
      <div class="messages">
        ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
        ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
        ${
          data.error && data.status === 'ready'
            ? html`<p class="alert" role="alert">${t('Could not refresh the group: {error}', { error: data.error.message })}</p>`
            : nothing
        }
      </div>
      <div class="layout">
        <div class="stack main-col">
        <section class="card" aria-label=${t('Threads')}>
          <pl-thread-list .group=${group}></pl-thread-list>
        </section>
        <section class="card" aria-labelledby="members-heading">
          <div class="members-head">
            <h2 id="members-heading">${t('Members')}</h2>
            <span class="badge">${members.length}</span>
          </div>
          <pl-member-list
            .members=${members}
            .myId=${me?.id ?? ''}
            .canChangeRoles=${may.changeRoles}
            .canRemove=${may.removeMember}
            .busyUserId=${this.busyUserId}
            @pl-role-change=${this.#changeRole}
            @pl-remove-member=${this.#remove}
          ></pl-member-list>
        </section>
        ${
          group.settings.delegation
            ? html`<section class="card" aria-labelledby="delegation-heading">
                <pl-group-delegation
                  .groupId=${group.id}
                  .members=${members}
                  .myId=${me?.id ?? ''}
                ></pl-group-delegation>
              </section>`
            : nothing
        }
        <section class="card" aria-label=${t('Files')}>
          <pl-group-files .groupId=${group.id}></pl-group-files>
        </section>
        </div>
        <aside>
          ${
            may.invite
              ? html`<pl-invite-panel
                class="card"
                .groupId=${group.id}
                .groupName=${group.name}
                .canInviteFacilitators=${may.inviteFacilitator}
                .canListInvitations=${may.listInvitations}
              ></pl-invite-panel>`
              : nothing
          }
          ${this.#leaveCard()}
        </aside>
      </div>
      <pl-confirm-dialog></pl-confirm-dialog>
      <pl-successor-dialog></pl-successor-dialog>
    `;
  }

  /** Leaving as the only facilitator first names a successor; leaving as the only member empties the group. */
  #leaveCard() {
    const { standing } = this.#departure();
    return html`<section class="card leave" aria-labelledby="leave-heading">
      <h2 id="leave-heading">${t('Leave this group')}</h2>
      ${
        standing === 'sole-facilitator'
          ? html`<p class="muted small">
              ${t('You are its only facilitator. Before you leave, name someone to take over.')}
            </p>
            <button class="danger" type="button" @click=${this.#leave}>${t('Name a facilitator and leave')}</button>`
          : html`<p class="muted small">
              ${
                standing === 'last-member'
                  ? t('You are its only member: if you leave, the group is left without anyone.')
                  : t(
                      'You will stop seeing its threads and decisions. You can come back with a new invitation.',
                    )
              }
            </p>
            <button class="danger" type="button" @click=${this.#leave}>${t('Leave group')}</button>`
      }
    </section>`;
  }

  /**
   * Where the viewer's leaving would leave the group: `sole-facilitator` when
   * others stay but no other facilitator (the server refuses that leave), and
   * `last-member` when no one else is in it.
   */
  #departure() {
    const { group, members } = this.#group.value ?? { group: null, members: [] };
    const myId = this.session?.user?.id;
    const others = members.filter((m) => m.user.id !== myId);
    const standing =
      others.length === 0
        ? ('last-member' as const)
        : group?.myRole === 'facilitator' && !others.some((m) => m.role === 'facilitator')
          ? ('sole-facilitator' as const)
          : ('one-of-many' as const);
    return { standing, others };
  }

  async #changeRole(event: CustomEvent<RoleChangeDetail>) {
    const { userId, name, role } = event.detail;
    const store = this.#store();
    if (!store) return;
    const self = userId === this.session?.user?.id;
    if (self && role === 'member') {
      const ok = await this.confirm.ask({
        title: t('Step down as facilitator?'),
        message: t(
          'You will no longer be able to manage members or settings, unless another facilitator makes you one again.',
        ),
        confirmLabel: t('Step down'),
        danger: true,
      });
      if (!ok) return;
    }
    await this.#act(
      userId,
      () => store.changeRole(userId, role),
      self
        ? t('You are now {role, select, facilitator {a facilitator} other {a member}}.', { role })
        : t('{name} is now {role, select, facilitator {a facilitator} other {a member}}.', { name, role }),
    );
  }

  async #remove(event: CustomEvent<RemoveMemberDetail>) {
    const { userId, name } = event.detail;
    const store = this.#store();
    if (!store) return;
    const ok = await this.confirm.ask({
      title: t('Remove {name}?', { name }),
      message: t('{name} will lose access to this group. They can rejoin only with a new invitation.', {
        name,
      }),
      confirmLabel: t('Remove'),
      danger: true,
    });
    if (!ok) return;
    await this.#act(
      userId,
      () => store.removeMember(userId),
      t('{name} was removed from the group.', { name }),
    );
  }

  async #leave() {
    const store = this.#store();
    const me = this.session?.user;
    const group = store?.value.group;
    if (!store || !me || !group) return;
    const { standing, others } = this.#departure();
    if (standing === 'sole-facilitator') return this.#handOverAndLeave(others);
    const facilitator = group.myRole === 'facilitator';
    const ok = await this.confirm.ask({
      title: t('Leave {group}?', { group: group.name }),
      message:
        standing === 'last-member'
          ? t(
              'You are its only member: the group would be left without anyone, and nobody could invite people into it again.',
            )
          : facilitator
            ? t(
                'You will need a new invitation to come back. Invitation links you made stop working unless another facilitator re-issues them.',
              )
            : t('You will need a new invitation to come back.'),
      confirmLabel: t('Leave group'),
      danger: true,
    });
    if (!ok) return;
    await this.#leaveNow();
  }

  /** The only facilitator names a successor, who is made a facilitator; then the leave goes through. */
  async #handOverAndLeave(candidates: Membership[]) {
    const store = this.#store();
    const group = store?.value.group;
    if (!store || !group) return;
    const successorId = await this.successor.ask({ groupName: group.name, candidates });
    if (!successorId) return;
    const name = candidates.find((m) => m.user.id === successorId)?.user.name ?? t('They');
    this.error = null;
    this.notice = null;
    try {
      await store.changeRole(successorId, 'facilitator');
    } catch (err) {
      this.error = splitErrors(err, []).form;
      return;
    }
    // Should the leave itself fail now, the successor stays a facilitator: say so beside the error.
    this.notice = t('{name} is now a facilitator.', { name });
    await this.#leaveNow();
  }

  async #leaveNow() {
    const store = this.#store();
    const me = this.session?.user;
    if (!store || !me) return;
    this.error = null;
    try {
      await store.removeMember(me.id);
      navigate('/');
    } catch (err) {
      this.error = splitErrors(err, []).form;
    }
  }

  async #act(userId: string, action: () => Promise<void>, notice: string) {
    this.busyUserId = userId;
    this.error = null;
    this.notice = null;
    try {
      await action();
      this.notice = notice;
    } catch (err) {
      this.error = splitErrors(err, []).form;
    } finally {
      this.busyUserId = null;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-group-page': PlGroupPage;
  }
}
