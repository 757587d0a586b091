import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { ApiError, splitErrors } from '../data/api';
import { sessionContext } from '../data/context';
import { acceptInvitation, type InvitationSummary, previewInvitation } from '../data/invitations';
import type { Session } from '../data/session';
import { StoreController } from '../data/store-controller';
import { activeLocale, t } from '../i18n';
import { authPath, navigate } from '../router';
import { sharedStyles } from '../ui/styles';

/** Where the page remembers, across sign-up or sign-in, that the visitor chose to join through a link. */
const JOINING_KEY = 'plenary:joining-invitation';

/**
 * An invitation link: which group, which role, and a Join button. Visitors
 * who are not signed in are offered sign-up or sign-in, come back here and
 * join at once: signing up through an invitation continues into the group.
 * Only a choice made on this page, remembered for this tab, joins without
 * the button: a link alone (which anyone can send) never does.
 */
@customElement('pl-invite-page')
export class PlInvitePage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .wrap {
        max-width: 520px;
        margin: var(--pl-space-4) auto 0;
      }
      @media (max-width: 600px) {
        .wrap {
          margin-top: var(--pl-space-1);
        }
      }
      .eyebrow {
        margin-bottom: var(--pl-space-1);
        font-size: var(--pl-text-sm);
        font-weight: var(--pl-weight-medium);
        letter-spacing: 0.02em;
        text-transform: uppercase;
      }
      h1 {
        overflow-wrap: anywhere;
      }
      .role {
        margin: var(--pl-space-1) 0 var(--pl-space-3);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: var(--pl-space-1);
      }
      .actions > * {
        flex: 1 1 180px;
      }
      .signed-as {
        margin-top: var(--pl-space-1);
      }
      .actions.spaced {
        margin-top: var(--pl-space-2);
      }
      .alert,
      .notice {
        margin-top: var(--pl-space-2);
      }
    `,
  ];

  /** The invitation's token, from the link. */
  @property() token = '';

  @consume({ context: sessionContext })
  private session?: Session;

  @state() private busy = false;
  @state() private error: string | null = null;
  @state() private alreadyMember = false;
  #autoJoinTried = false;

  readonly #signedIn = new StoreController(this, () => this.session);
  readonly #preview = new Task(this, {
    task: ([token], { signal }) => previewInvitation(token, signal),
    args: () => [this.token] as const,
  });

  override render() {
    return html`<div class="wrap">
      <div class="card">
        ${this.#preview.render({
          pending: () => html`<h1 tabindex="-1">${t('Invitation')}</h1>
            <p class="muted" aria-busy="true">${t('Opening the invitation…')}</p>`,
          error: (err) => this.#broken(err),
          complete: (inv) => this.#invitation(inv),
        })}
      </div>
    </div>`;
  }

  #broken(err: unknown) {
    const unknown = err instanceof ApiError && err.status === 404;
    return html`<h1 tabindex="-1">${unknown ? t('This invitation link does not work') : t('The invitation could not be opened')}</h1>
      <p class="muted role">
        ${
          unknown
            ? t('Check that the whole link was copied, or ask for a new one.')
            : t('Check your connection and reload the page.')
        }
      </p>
      <a class="button secondary" href="/">${t('Go to Plenary')}</a>`;
  }

  #invitation(inv: InvitationSummary) {
    const here = `/invite/${encodeURIComponent(this.token)}`;
    const session = this.#signedIn.value;
    if (!inv.valid) {
      return html`<p class="eyebrow muted">${t('Invitation')}</p>
        <h1 tabindex="-1">${inv.groupName}</h1>
        <p class="alert" role="alert">${t('This invitation has expired or has been used up. Ask for a new link.')}</p>`;
    }
    return html`<p class="eyebrow muted">${t('You are invited to join')}</p>
      <h1 tabindex="-1">${inv.groupName}</h1>
      <p class="role muted">
        ${
          inv.expiresAt
            ? t(
                'You will join as {role, select, facilitator {a facilitator} other {a member}} (the link works until {date}).',
                { role: inv.role, date: formatDate(inv.expiresAt) },
              )
            : t('You will join as {role, select, facilitator {a facilitator} other {a member}}.', {
                role: inv.role,
              })
        }
      </p>
      ${
        session?.status === 'signed-in'
          ? html`<div class="actions">
              <button type="button" ?disabled=${this.busy} @click=${() => this.#join(inv)}>
                ${this.busy ? t('Joining…') : t('Join {group}', { group: inv.groupName })}
              </button>
            </div>
            <p class="muted small signed-as">${t('Signed in as {name}.', { name: session.user.name })}</p>`
          : html`<p class="small">${t('Create an account or sign in to accept.')}</p>
            <div class="actions spaced">
              <a class="button" href=${authPath('signup', here)} @click=${this.#rememberJoining}>${t('Sign up to join')}</a>
              <a class="button secondary" href=${authPath('login', here)} @click=${this.#rememberJoining}>${t('Sign in')}</a>
            </div>`
      }
      ${this.error ? html`<p class="alert" role="alert">${this.error}</p>` : nothing}
      ${
        this.alreadyMember
          ? html`<p class="notice" role="status">
            ${t('You are already a member.')}
            <a href="/groups/${encodeURIComponent(inv.groupId)}">${t('Open {group}', { group: inv.groupName })}</a>
          </p>`
          : nothing
      }`;
  }

  override updated() {
    // Back from signing up or in, having chosen to join here: join now rather than ask again.
    const inv = this.#preview.value;
    if (this.#autoJoinTried || !inv?.valid || this.#signedIn.value?.status !== 'signed-in') return;
    this.#autoJoinTried = true;
    if (readJoining() !== this.token) return;
    forgetJoining();
    void this.#join(inv);
  }

  readonly #rememberJoining = () => {
    try {
      sessionStorage.setItem(JOINING_KEY, this.token);
    } catch {
      // Storage refused (private mode): the Join button still works.
    }
  };

  async #join(inv: InvitationSummary) {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    this.alreadyMember = false;
    try {
      const { groupId } = await acceptInvitation(this.token);
      navigate(`/groups/${encodeURIComponent(groupId)}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) this.alreadyMember = true;
      else if (err instanceof ApiError && err.status === 403) {
        // An invitation emailed to someone admits the account with that address only.
        this.error = t(
          'This invitation was emailed to another address than your account’s. Sign out, then sign in or create an account with the address it was sent to.',
        );
      } else if (err instanceof ApiError && err.status === 404) {
        this.error = t('This invitation to {group} has expired or has been used up. Ask for a new link.', {
          group: inv.groupName,
        });
      } else this.error = splitErrors(err, []).form;
    } finally {
      this.busy = false;
    }
  }
}

function readJoining(): string | null {
  try {
    return sessionStorage.getItem(JOINING_KEY);
  } catch {
    return null;
  }
}

function forgetJoining(): void {
  try {
    sessionStorage.removeItem(JOINING_KEY);
  } catch {
    // nothing kept
  }
}

function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(activeLocale(), { day: 'numeric', month: 'long', year: 'numeric' });
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-invite-page': PlInvitePage;
  }
}
