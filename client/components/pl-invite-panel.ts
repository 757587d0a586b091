import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { ApiError, splitErrors } from '../data/api';
import type { Role } from '../data/groups';
import {
  createInvitation,
  type Invitation,
  invitationState,
  inviteByEmail,
  listInvitations,
  looksLikeEmail,
  MAX_INVITATION_EMAILS,
  MAX_INVITATION_MESSAGE,
  parseEmailList,
  reissueInvitation,
  resendInvitation,
  revokeInvitation,
  type SkippedInvitation,
} from '../data/invitations';
import { activeLocale, t } from '../i18n';
import { sharedStyles } from '../ui/styles';
import type { PlConfirmDialog } from './pl-confirm-dialog';
import './pl-confirm-dialog';

/**
 * Invites people by email (up to 100 addresses at once, with a personal
 * message) or with a link to copy. Facilitators choose the role, see the
 * invitations sent by email (resend, revoke) and the links still open, with
 * their uses and expiry (copy, re-issue, revoke).
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
      .links {
        border-top: 1px solid var(--pl-color-border);
        padding-top: var(--pl-space-2);
      }
      .links ul {
        list-style: none;
        margin: var(--pl-space-1) 0 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
      .links li,
      .sent li {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: var(--pl-space-1);
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
      }
      .or {
        border-top: 1px solid var(--pl-color-border);
        padding-top: var(--pl-space-2);
      }
      .sent ul {
        list-style: none;
        margin: var(--pl-space-1) 0 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
      .sent li,
      .links li {
        flex-wrap: wrap;
        align-items: flex-start;
      }
      .links .tail {
        font-family: var(--pl-font-mono);
      }
      .links li .who,
      .sent li .who {
        flex: 1 1 12rem;
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .links li .address,
      .sent li .address {
        display: block;
        font-weight: var(--pl-weight-medium);
      }
      .links li .actions,
      .sent li .actions {
        display: flex;
        gap: var(--pl-space-half);
        flex: none;
      }
      .skipped {
        margin: var(--pl-space-half) 0 0;
        padding-left: var(--pl-space-2);
      }
    `,
  ];

  /** The group to invite to. */
  @property() groupId = '';

  /** The group's name, for labels. */
  @property() groupName = '';

  /** Whether the viewer may invite facilitators (the group's `inviteFacilitator` permission): offers the role. */
  @property({ type: Boolean }) canInviteFacilitators = false;

  /** Whether the viewer may see the group's links and emailed invitations (`listInvitations`). */
  @property({ type: Boolean }) canListInvitations = false;

  @state() private inviteRole: Role = 'member';
  @state() private invitation: Invitation | null = null;
  @state() private earlier: Invitation[] = [];
  @state() private busy = false;
  @state() private error: string | null = null;
  @state() private copied: string | null = null;
  @state() private emailsText = '';
  @state() private message = '';
  @state() private emailsError: string | null = null;
  @state() private sending = false;
  @state() private sentStatus: string | null = null;
  @state() private skipped: SkippedInvitation[] = [];
  @state() private listError: string | null = null;
  @state() private linksError: string | null = null;
  /** The invitation a Resend or Revoke is running for. */
  @state() private acting: string | null = null;
  @query('pl-confirm-dialog') private confirm!: PlConfirmDialog;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('groupId')) {
      this.invitation = null;
      this.copied = null;
      this.error = null;
      this.emailsText = '';
      this.message = '';
      this.emailsError = null;
      this.sentStatus = null;
      this.skipped = [];
      this.linksError = null;
    }
    if (
      (changed.has('groupId') || changed.has('canListInvitations')) &&
      this.groupId &&
      this.canListInvitations
    ) {
      void this.#loadEarlier();
    }
  }

  override render() {
    const inv = this.invitation;
    return html`<section aria-labelledby="invite-heading">
      <h2 id="invite-heading">${t('Invite people')}</h2>
      <div class="body">
        ${
          this.canInviteFacilitators
            ? html`<div class="field">
              <label for="invite-role">${t('They join as')}</label>
              <select id="invite-role" .value=${this.inviteRole} @change=${this.#roleChanged}>
                <option value="member">${t('Member')}</option>
                <option value="facilitator">${t('Facilitator')}</option>
              </select>
            </div>`
            : nothing
        }
        ${this.#emailForm()}
        <div class="body or">
          <h3>${t('Or share a link')}</h3>
          <p class="muted small">${t('Anyone with the link can join until it expires (in 14 days).')}</p>
          <button type="button" ?disabled=${this.busy} @click=${this.#create}>
            ${this.busy ? t('Creating link…') : t('Create invitation link')}
          </button>
          ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
          ${
            inv
              ? html`<div class="field">
                <label for="invite-url"
                  >${t('Invitation link ({role, select, facilitator {facilitator} other {member}})', { role: inv.role })}</label
                >
                <div class="copy-row">
                  <input id="invite-url" type="text" readonly .value=${inv.url} @focus=${selectAll} />
                  <button class="secondary" type="button" @click=${() => this.#copy(inv.url, 'invite-url')}>${t('Copy')}</button>
                </div>
              </div>`
              : nothing
          }
        </div>
        <p class="copied small muted" role="status">${this.copied ?? ''}</p>
        ${this.canListInvitations ? this.#sentList() : nothing}
        ${this.canListInvitations && this.#openLinks().length > 0 ? this.#earlierLinks() : nothing}
      </div>
      <pl-confirm-dialog></pl-confirm-dialog>
    </section>`;
  }

  /** The addresses typed so far, and those among them that cannot be addresses. */
  #addresses() {
    const all = parseEmailList(this.emailsText);
    return { all, bad: all.filter((e) => !looksLikeEmail(e)) };
  }

  #emailForm() {
    const { all, bad } = this.#addresses();
    const over = all.length > MAX_INVITATION_EMAILS;
    const count =
      all.length === 0
        ? ''
        : over
          ? t('{count, plural, one {# address} other {# addresses}} (at most {max} at a time)', {
              count: all.length,
              max: MAX_INVITATION_EMAILS,
            })
          : t('{count, plural, one {# address} other {# addresses}}', { count: all.length });
    const error = this.emailsError;
    const described = ['invite-emails-hint', 'invite-emails-count', error ? 'invite-emails-error' : '']
      .filter(Boolean)
      .join(' ');
    return html`<form novalidate @submit=${this.#send} aria-labelledby="invite-email-heading">
      <h3 id="invite-email-heading">${t('By email')}</h3>
      <div class="field">
        <label for="invite-emails">${t('Email addresses')}</label>
        <textarea
          id="invite-emails"
          rows="3"
          .value=${this.emailsText}
          @input=${this.#emailsInput}
          aria-invalid=${error || over || bad.length > 0 ? 'true' : 'false'}
          aria-describedby=${described}
        ></textarea>
        <p class="hint" id="invite-emails-hint">
          ${t('Separate them with commas, spaces or new lines; up to {max} at a time. Each person gets their own link.', { max: MAX_INVITATION_EMAILS })}
        </p>
        <p class=${over ? 'field-error' : 'hint'} id="invite-emails-count" aria-live="polite">${count}</p>
        ${error ? html`<p class="field-error" id="invite-emails-error">${error}</p>` : nothing}
      </div>
      <div class="field">
        <label for="invite-message">${t('Personal message (optional)')}</label>
        <textarea
          id="invite-message"
          rows="3"
          maxlength=${MAX_INVITATION_MESSAGE}
          .value=${this.message}
          @input=${(e: Event) => {
            this.message = (e.target as HTMLTextAreaElement).value;
          }}
          aria-describedby="invite-message-hint"
        ></textarea>
        <p class="hint" id="invite-message-hint">${t('Shown in the email as your words.')}</p>
      </div>
      <button type="submit" ?disabled=${this.sending}>
        ${
          this.sending
            ? t('Sending…')
            : all.length > 1
              ? t('Send {count, plural, one {# invitation} other {# invitations}}', { count: all.length })
              : t('Send invitation')
        }
      </button>
      <div role="status">
        ${this.sentStatus ? html`<p class="notice">${this.sentStatus}</p>` : nothing}
        ${
          this.skipped.length > 0
            ? html`<ul class="skipped small">
              ${this.skipped.map(
                (s) =>
                  html`<li>${
                    s.reason === 'already_member'
                      ? t('{email}: already a member', { email: s.email })
                      : t('{email}: invited less than 10 minutes ago, not sent again', { email: s.email })
                  }</li>`,
              )}
            </ul>`
            : nothing
        }
      </div>
    </form>`;
  }

  /** Invitations sent by email that nobody has accepted yet: resend or revoke them. */
  #sentList() {
    const sent = this.earlier.filter((i) => i.email !== null && invitationState(i) !== 'accepted');
    if (sent.length === 0 && !this.listError) return nothing;
    return html`<div class="sent">
      <h3 id="sent-heading">${t('Sent by email, not yet accepted ({count})', { count: sent.length })}</h3>
      ${this.listError ? html`<p class="alert" role="alert">${this.listError}</p>` : nothing}
      <ul aria-labelledby="sent-heading">
        ${sent.map((inv) => {
          const state = invitationState(inv);
          const busy = this.acting === inv.id;
          return html`<li>
            <span class="small who">
              <span class="address">${inv.email}</span>
              <span class="muted">
                ${[
                  state === 'expired'
                    ? t('expired')
                    : state === 'stopped'
                      ? stoppedText(inv)
                      : t('pending until {date}', { date: formatDate(inv.expiresAt) }),
                  inv.role === 'facilitator' ? t('facilitator') : '',
                  inv.sentAt ? t('sent {date}', { date: formatDate(inv.sentAt) }) : '',
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </span>
            </span>
            <span class="actions">
              <button
                class="ghost small"
                type="button"
                aria-label=${t('Resend the invitation to {email}', { email: inv.email ?? '' })}
                ?disabled=${busy}
                @click=${() => this.#resend(inv)}
              >
                ${t('Resend')}
              </button>
              <button
                class="ghost small"
                type="button"
                aria-label=${t('Revoke the invitation to {email}', { email: inv.email ?? '' })}
                ?disabled=${busy}
                @click=${() => this.#revoke(inv)}
              >
                ${t('Revoke')}
              </button>
            </span>
          </li>`;
        })}
      </ul>
    </div>`;
  }

  /** Links (not sent to anyone) that still let people in, or stopped only because their issuer stepped down. */
  #openLinks() {
    const now = Date.now();
    return this.earlier.filter(
      (i) =>
        i.email === null &&
        (i.maxUses === null || i.uses < i.maxUses) &&
        (!i.expiresAt || Date.parse(i.expiresAt) > now),
    );
  }

  #emailsInput(event: Event) {
    this.emailsText = (event.target as HTMLTextAreaElement).value;
    this.emailsError = null;
  }

  async #send(event: SubmitEvent) {
    event.preventDefault();
    if (this.sending) return;
    const { all, bad } = this.#addresses();
    this.sentStatus = null;
    this.skipped = [];
    if (all.length === 0) this.emailsError = t('Enter at least one email address.');
    else if (all.length > MAX_INVITATION_EMAILS) {
      this.emailsError = t(
        'That is {count, plural, one {# address} other {# addresses}}: send at most {max} at a time.',
        { count: all.length, max: MAX_INVITATION_EMAILS },
      );
    } else if (bad.length > 0) {
      this.emailsError = notAddresses(bad);
    } else this.emailsError = null;
    if (this.emailsError) {
      this.renderRoot.querySelector<HTMLTextAreaElement>('#invite-emails')?.focus();
      return;
    }
    this.sending = true;
    try {
      const message = this.message.trim();
      const { items, skipped } = await inviteByEmail(this.groupId, {
        emails: all,
        ...(this.canInviteFacilitators ? { role: this.inviteRole } : {}),
        ...(message ? { message } : {}),
      });
      this.sentStatus =
        items.length === 0
          ? t('No invitation was sent.')
          : items.length === 1
            ? t('Invitation sent to {email}.', { email: items[0]!.email })
            : t('{count, plural, one {# invitation sent.} other {# invitations sent.}}', {
                count: items.length,
              });
      this.skipped = skipped;
      this.emailsText = '';
      this.message = '';
      if (this.canListInvitations) void this.#loadEarlier();
    } catch (err) {
      this.emailsError = this.#emailsProblem(err, all);
      this.renderRoot.querySelector<HTMLTextAreaElement>('#invite-emails')?.focus();
    } finally {
      this.sending = false;
    }
  }

  /** The server's refusal in words, naming the addresses it pointed at (`/emails/3`). */
  #emailsProblem(err: unknown, sent: string[]): string {
    if (err instanceof ApiError) {
      const named = err.details.flatMap((d) => {
        const m = d.path.match(/^\/emails\/(\d+)$/);
        return m ? [sent[Number(m[1])] ?? ''] : [];
      });
      if (named.length > 0) return notAddresses(named);
    }
    return splitErrors(err, []).form ?? t('The invitations could not be sent.');
  }

  async #resend(inv: Invitation) {
    this.acting = inv.id;
    this.listError = null;
    try {
      await resendInvitation(this.groupId, inv.id);
      this.copied = t('Invitation sent again to {email}.', { email: inv.email });
      await this.#loadEarlier();
    } catch (err) {
      this.listError = splitErrors(err, []).form;
    } finally {
      this.acting = null;
    }
  }

  async #revoke(inv: Invitation) {
    this.acting = inv.id;
    this.listError = null;
    try {
      await revokeInvitation(this.groupId, inv.id);
      this.copied = t('Invitation to {email} revoked: its link no longer works.', { email: inv.email });
      await this.#loadEarlier();
    } catch (err) {
      this.listError = splitErrors(err, []).form;
    } finally {
      this.acting = null;
    }
  }

  /** The links still open, each with its uses and expiry, to copy (or re-issue) and to revoke. */
  #earlierLinks() {
    const links = this.#openLinks();
    return html`<div class="links">
      <h3 id="links-heading">${t('Open invitation links ({count})', { count: links.length })}</h3>
      ${this.linksError ? html`<p class="alert" role="alert">${this.linksError}</p>` : nothing}
      <ul aria-labelledby="links-heading">
        ${links.map((inv) => {
          const name = linkName(inv);
          const busy = this.acting === inv.id;
          return html`<li>
            <span class="small who">
              <span class="address">${t('{role, select, facilitator {Facilitator link} other {Member link}}', { role: inv.role })} <span class="tail">…${tokenTail(inv)}</span></span>
              <span class="muted">
                ${[
                  usesText(inv),
                  inv.expiresAt ? t('until {date}', { date: formatDate(inv.expiresAt) }) : '',
                  inv.issuedBy ? t('made by {name}', { name: inv.issuedBy.name }) : '',
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </span>
              ${inv.valid ? nothing : html`<span class="muted">${stoppedText(inv)}</span>`}
            </span>
            <span class="actions">
              ${
                inv.valid
                  ? html`<button
                    class="ghost small"
                    type="button"
                    aria-label=${t('Copy the {link}', { link: name })}
                    ?disabled=${busy}
                    @click=${() => this.#copy(inv.url)}
                  >
                    ${t('Copy')}
                  </button>`
                  : html`<button
                    class="ghost small"
                    type="button"
                    aria-label=${t('Re-issue the {link} as yours', { link: name })}
                    ?disabled=${busy}
                    @click=${() => this.#reissue(inv)}
                  >
                    ${t('Re-issue')}
                  </button>`
              }
              <button
                class="ghost small"
                type="button"
                aria-label=${t('Revoke the {link}', { link: name })}
                ?disabled=${busy}
                @click=${() => this.#revokeLink(inv)}
              >
                ${t('Revoke')}
              </button>
            </span>
          </li>`;
        })}
      </ul>
    </div>`;
  }

  /** Asks first: whoever was given the link can no longer join with it. */
  async #revokeLink(inv: Invitation) {
    const ok = await this.confirm.ask({
      title: t('Revoke the {link}?', { link: linkName(inv) }),
      message: t(
        'Anyone you gave it to can no longer join with it. {count, plural, =0 {Nobody has joined with it yet.} one {# person joined with it; they stay in the group.} other {# people joined with it; they stay in the group.}}',
        { count: inv.uses },
      ),
      confirmLabel: t('Revoke link'),
      danger: true,
    });
    if (!ok) return;
    this.acting = inv.id;
    this.linksError = null;
    try {
      await revokeInvitation(this.groupId, inv.id);
      this.earlier = this.earlier.filter((i) => i.id !== inv.id);
      if (this.invitation?.id === inv.id) this.invitation = null;
      this.copied = t('The {link} was revoked: it no longer lets anyone join.', { link: linkName(inv) });
      await this.#loadEarlier();
    } catch (err) {
      this.linksError = splitErrors(err, []).form;
    } finally {
      this.acting = null;
    }
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
      if (this.canListInvitations) void this.#loadEarlier();
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
      this.copied = t('The link works again.');
      await this.#loadEarlier();
    } catch (err) {
      this.error = splitErrors(err, []).form;
    }
  }

  async #loadEarlier() {
    try {
      this.earlier = await listInvitations(this.groupId);
    } catch {
      this.earlier = []; // a convenience list; the panel works without it
    }
  }

  async #copy(text: string, inputId?: string) {
    try {
      await navigator.clipboard.writeText(text);
      this.copied = t('Link copied to the clipboard.');
    } catch {
      // No clipboard permission (or an insecure origin): leave the link selected for Ctrl+C.
      const input = inputId ? this.renderRoot.querySelector<HTMLInputElement>(`#${inputId}`) : null;
      input?.focus();
      input?.select();
      this.copied = t('Copying was blocked. The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.');
    }
  }
}

function selectAll(event: FocusEvent) {
  (event.target as HTMLInputElement).select();
}

/** The end of a link's token: enough to tell links apart, and to match one against the link given out. */
function tokenTail(inv: Invitation): string {
  return inv.token.slice(-6);
}

/** "used 2 of 5", or "used 1 time" for a link without a limit. */
function usesText(inv: Invitation): string {
  return inv.maxUses === null
    ? t('used {count, plural, one {# time} other {# times}}', { count: inv.uses })
    : t('used {uses} of {max}', { uses: inv.uses, max: inv.maxUses });
}

/** How a link is named in buttons and messages, e.g. "member link …x7Qa9b". */
function linkName(inv: Invitation): string {
  return t('{role, select, facilitator {facilitator link} other {member link}} …{tail}', {
    role: inv.role,
    tail: tokenTail(inv),
  });
}

/** An invitation that stopped working because whoever made it may no longer invite. */
function stoppedText(inv: Invitation): string {
  return inv.issuedBy
    ? t('stopped: {name} may no longer invite', { name: inv.issuedBy.name })
    : t('stopped: its issuer may no longer invite');
}

/** Addresses that cannot be email addresses, named. */
function notAddresses(bad: string[]): string {
  return t(
    '{count, plural, one {This is not an email address} other {These are not email addresses}}: {list}.',
    {
      count: bad.length,
      list: bad.join(', '),
    },
  );
}

function formatDate(iso: string | null): string {
  if (!iso) return '';
  return new Date(iso).toLocaleDateString(activeLocale(), { day: 'numeric', month: 'short' });
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-invite-panel': PlInvitePanel;
  }
}
