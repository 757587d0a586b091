import { consume } from '@lit/context';
import { Task } from '@lit/task';
import { css, html, LitElement, nothing } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { type FieldErrors, splitErrors } from '../data/api';
import { ClockController } from '../data/clock';
import { sessionContext, streamContext } from '../data/context';
import { ownVote } from '../data/delegations';
import { createGroup, type Group, listGroups } from '../data/groups';
import { type HomeProposal, isVotingOpen } from '../data/home';
import { HomeStore } from '../data/home-store';
import { TopicsController } from '../data/home-topics';
import { proposalStore } from '../data/proposal-store';
import type { Session } from '../data/session';
import { StoreController } from '../data/store-controller';
import type { StreamClient } from '../data/stream';
import { countdownTick } from '../data/time-text';
import { t, tMarkup, translator } from '../i18n';
import { navigate } from '../router';
import { checkFields, field, formAlert, formValues, revealErrors } from '../ui/forms';
import { sharedStyles } from '../ui/styles';
import './pl-home-activity';
import './pl-home-proposal';

/**
 * The signed-in home: what needs the person across all their groups (open
 * proposals awaiting their vote, with a ballot in place; proposals closing
 * within 48 hours; threads with unread comments), their groups, and a form to
 * start a new one; someone in no group yet is told how to start or join one.
 *
 * Follows `group:<id>` of each of the person's groups through a
 * {@link HomeStore}: a vote cast here or elsewhere takes its proposal out of
 * "Needs your vote" at once, and new proposals and comments come in live.
 */
@customElement('pl-home-page')
export class PlHomePage extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 1fr) 360px;
        gap: var(--pl-space-4);
        align-items: start;
      }
      @media (max-width: 860px) {
        .layout {
          grid-template-columns: minmax(0, 1fr);
          gap: var(--pl-space-3);
        }
      }
      h1 {
        margin-bottom: var(--pl-space-2);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-1);
      }
      .group {
        display: flex;
        align-items: flex-start;
        justify-content: space-between;
        gap: var(--pl-space-2);
        padding: var(--pl-space-2);
        background: var(--pl-color-surface);
        border: 1px solid var(--pl-color-border);
        border-radius: var(--pl-radius);
        color: var(--pl-color-text);
        text-decoration: none;
        transition: border-color 120ms ease;
      }
      .group:hover {
        border-color: var(--pl-color-accent);
        color: var(--pl-color-text);
      }
      .group-name {
        display: block;
        font-weight: var(--pl-weight-bold);
        font-size: 1.0625rem;
      }
      .group-desc {
        margin-top: var(--pl-space-half);
        display: -webkit-box;
        -webkit-line-clamp: 2;
        -webkit-box-orient: vertical;
        overflow: hidden;
      }
      .group-meta {
        display: flex;
        flex-direction: column;
        align-items: flex-end;
        gap: var(--pl-space-half);
        flex: none;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-2);
        margin-top: var(--pl-space-2);
      }
      .main,
      .side {
        display: flex;
        flex-direction: column;
        gap: var(--pl-space-4);
        min-width: 0;
      }
      h2 {
        margin: 0 0 var(--pl-space-1);
        font-size: 1.25rem;
      }
      h2 .count {
        font-weight: normal;
      }
      .more {
        margin: var(--pl-space-1) 0 0;
      }
      .welcome {
        padding: var(--pl-space-3);
        border: 1px dashed var(--pl-color-border-strong);
        border-radius: var(--pl-radius);
      }
      .welcome ol {
        margin: var(--pl-space-1) 0 0;
        padding-left: 1.25rem;
      }
      .welcome li + li {
        margin-top: var(--pl-space-1);
      }
    `,
  ];

  @state() private errors: FieldErrors = {};
  @state() private formError: string | null = null;
  @state() private busy = false;

  @consume({ context: sessionContext })
  private session?: Session;

  @consume({ context: streamContext })
  private stream?: StreamClient;

  /** Said when a vote cast here takes its proposal out of "Needs your vote". */
  @state() private notice = '';

  #home: HomeStore | null = null;
  /** The lists as last rendered, and the time they were worked out for. */
  #lists: ({ now: number } & ReturnType<HomeStore['lists']>) | null = null;

  readonly #groups = new Task(this, {
    task: () => listGroups(),
    args: () => [],
  });

  readonly #homeState = new StoreController(this, () => this.#homeStore());
  /** Every group of the person's: any of them may bring a new proposal or comment. */
  protected readonly topics = new TopicsController(this, {
    stream: () => this.stream,
    topics: () => (this.#groups.value ?? []).map((g) => `group:${g.id}`),
    onEvent: (event) => this.#homeStore()?.absorb(event),
    onReset: () => void this.#homeStore()?.refresh(),
  });
  /** Countdowns move on, proposals reach their close or come within 48 hours, "3 min ago" ages. */
  protected readonly clock = new ClockController(this, () => {
    const home = this.#homeStore();
    if (!home) return null;
    const now = Date.now();
    const { needsVote, closingSoon } = home.lists(now);
    return Math.min(
      60_000,
      ...[...needsVote, ...closingSoon].map((i) => countdownTick(i.proposal.closesAt, now)),
    );
  });

  /** The home store of whoever is signed in, made (and loaded) when first needed. */
  #homeStore(): HomeStore | undefined {
    const viewerId = this.session?.user?.id;
    if (!viewerId) return undefined;
    if (this.#home?.viewerId !== viewerId) {
      this.#home?.dispose();
      this.#home = new HomeStore(viewerId);
      void this.#home.refresh();
    }
    return this.#home;
  }

  protected override willUpdate(): void {
    const home = this.#homeStore();
    if (home?.value.status !== 'ready') return;
    const now = Date.now();
    const lists = { now, ...home.lists(now) };
    // A vote takes its proposal out of "Needs your vote", ballot and all (the ballot's own "Your vote is
    // in" goes with it): the page says it instead, whether the vote was cast here or elsewhere.
    const still = new Set(lists.needsVote.map((i) => i.proposal.id));
    const voted = (this.#lists?.needsVote ?? [])
      .filter((i) => !still.has(i.proposal.id))
      .map((i) => home.current(i.proposal))
      .filter((p) => ownVote(p.myVote) && isVotingOpen(p, now));
    if (voted.length === 1) this.notice = t('Your vote on “{title}” is in.', { title: voted[0]!.title });
    else if (voted.length > 1) {
      this.notice = t(
        '{count, plural, one {Your vote on # proposal is in.} other {Your votes on # proposals are in.}}',
        { count: voted.length },
      );
    }
    this.#lists = lists;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#home?.dispose();
    this.#home = null;
    this.#lists = null;
  }

  override render() {
    const groups = this.#groups.value;
    const noGroups = groups !== undefined && groups.length === 0;
    return html`<h1 id="groups-heading" tabindex="-1">${t('Your groups')}</h1>
      <p class="sr-only" role="status">${this.notice}</p>
      <div class="layout">
        <div class="main">${noGroups ? this.#welcome() : this.#overview()}</div>
        <div class="side">
          ${noGroups ? nothing : this.#groupsSection()}
          <section class="card" aria-labelledby="create-heading">
            <h2 id="create-heading">${t('Start a group')}</h2>
            <p class="muted small">${t('You will be its facilitator and can invite others.')}</p>
            <form novalidate @submit=${this.#create}>
              ${formAlert(this.formError)}
              ${field({ name: 'name', label: t('Group name'), required: true, maxlength: 200, error: this.errors.name })}
              ${field({
                name: 'description',
                label: t('Description (optional)'),
                multiline: true,
                maxlength: 100_000,
                hint: t('What the group is for. Markdown is fine.'),
                error: this.errors.description,
              })}
              <button type="submit" ?disabled=${this.busy}>${this.busy ? t('Creating…') : t('Create group')}</button>
            </form>
          </section>
        </div>
      </div>`;
  }

  /** For someone in no group yet: how to get started. */
  #welcome() {
    return html`<section class="welcome" aria-labelledby="welcome-heading">
      <h2 id="welcome-heading">${t('Welcome to Plenary')}</h2>
      <p>
        <strong>${t('You are not in any group yet.')}</strong>
        ${t('Plenary is where a group talks things through and decides together.')}
      </p>
      <ol>
        <li>${tMarkup('{start} with the form on this page: you will be its facilitator, and can invite others from the group’s page.', {}, { start: html`<strong>${t('Start a group')}</strong>` })}</li>
        <li>${tMarkup('{join} by opening the invitation link one of its members sent you, while signed in here. The group then appears on this page, with whatever needs your vote.', {}, { join: html`<strong>${t('Join a group')}</strong>` })}</li>
      </ol>
    </section>`;
  }

  /** What needs the person: votes, closings, unread threads. */
  #overview() {
    const value = this.#homeState.value;
    if (!value || value.status === 'loading')
      return html`<p class="muted" aria-busy="true">${t('Loading what needs you…')}</p>`;
    if (value.status === 'error')
      return html`<p class="alert" role="alert">
        ${t('What needs you could not be loaded.')}
        <button class="secondary small" type="button" @click=${() => this.#homeStore()?.refresh()}>
          ${t('Try again')}
        </button>
      </p>`;
    const { now, needsVote, closingSoon } = this.#lists ?? {
      now: Date.now(),
      needsVote: [],
      closingSoon: [],
    };
    // The server counts each list whole though it sends the first part: what has left a list since
    // (voted on, closed) leaves its count too.
    const { reply } = value;
    const needsCount = Math.max(
      needsVote.length,
      reply.needsVoteCount - reply.needsVote.length + needsVote.length,
    );
    const closingCount = Math.max(
      closingSoon.length,
      reply.closingSoonCount - reply.closingSoon.length + closingSoon.length,
    );
    return html`${
      value.error
        ? html`<p class="alert" role="alert">${t('Could not refresh this page: {error}', { error: value.error.message })}</p>`
        : nothing
    }
      <section aria-labelledby="needs-heading">
        <h2 id="needs-heading">${t('Needs your vote')} ${this.#count(needsCount)}</h2>
        ${
          needsVote.length === 0
            ? html`<p class="muted small">${t('Nothing is waiting for your vote.')}</p>`
            : html`${this.#proposals(needsVote, true, now)}${this.#showAll(needsCount, needsVote.length)}`
        }
      </section>
      <section aria-labelledby="closing-heading">
        <h2 id="closing-heading">${t('Closing soon')} ${this.#count(closingCount)}</h2>
        ${
          closingSoon.length === 0
            ? html`<p class="muted small">${t('Nothing closes in the next 48 hours.')}</p>`
            : html`${this.#proposals(closingSoon, false, now)}${this.#showAll(closingCount, closingSoon.length)}`
        }
      </section>
      <section aria-labelledby="activity-heading">
        <h2 id="activity-heading">${t('Recent activity')}</h2>
        <pl-home-activity .threads=${value.reply.recentThreads} .now=${now}></pl-home-activity>
      </section>`;
  }

  /** "Show all N" under a list the server sent only the first part of: asks for both lists whole. */
  #showAll(count: number, shown: number) {
    const home = this.#homeStore();
    if (!home || home.showingAll || count <= shown) return nothing;
    return html`<p class="more">
      <button class="secondary small" type="button" @click=${() => void home.showAll()}>
        ${t('Show all {count}', { count })}
      </button>
    </p>`;
  }

  #count(n: number) {
    return n > 0 ? html`<span class="count muted">(${translator().number(n)})</span>` : nothing;
  }

  #proposals(items: HomeProposal[], ballot: boolean, now: number) {
    const viewerId = this.session?.user?.id ?? null;
    return html`<ul>
      ${repeat(
        items,
        (i) => i.proposal.id,
        (i) => html`<li>
          <pl-home-proposal
            .item=${i}
            .store=${proposalStore(i.proposal.id, viewerId)}
            .now=${now}
            ?ballot=${ballot}
          ></pl-home-proposal>
        </li>`,
      )}
    </ul>`;
  }

  #groupsSection() {
    return html`<section aria-labelledby="list-heading">
      <h2 id="list-heading">${t('Groups')}</h2>
      ${this.#groups.render({
        pending: () => html`<p class="muted" aria-busy="true">${t('Loading your groups…')}</p>`,
        error: () =>
          html`<p class="alert" role="alert">
            ${t('Your groups could not be loaded.')}
            <button class="secondary small" type="button" @click=${() => this.#groups.run()}>${t('Try again')}</button>
          </p>`,
        complete: (groups) => this.#list(groups),
      })}
    </section>`;
  }

  #list(groups: Group[]) {
    if (groups.length === 0) return nothing;
    return html`<ul>
      ${groups.map(
        (g) => html`<li>
          <a class="group" href="/groups/${encodeURIComponent(g.id)}">
            <span>
              <span class="group-name">${g.name}</span>
              ${g.description ? html`<span class="group-desc muted small">${g.description}</span>` : nothing}
            </span>
            <span class="group-meta">
              <span class="badge ${g.myRole === 'facilitator' ? 'accent' : ''}">${roleLabel(g.myRole)}</span>
              <span class="muted small">${t('{count, plural, one {# member} other {# members}}', { count: g.memberCount })}</span>
            </span>
          </a>
        </li>`,
      )}
    </ul>`;
  }

  async #create(event: SubmitEvent) {
    event.preventDefault();
    if (this.busy) return;
    const form = event.target as HTMLFormElement;
    this.errors = checkFields(form);
    this.formError = null;
    if (await revealErrors(this, this.errors)) return;
    const v = formValues(form);
    this.busy = true;
    try {
      const group = await createGroup({ name: v.name!.trim(), description: v.description ?? '' });
      navigate(`/groups/${encodeURIComponent(group.id)}`);
    } catch (err) {
      const split = splitErrors(err, ['name', 'description']);
      this.errors = split.fields;
      this.formError = split.form;
      await revealErrors(this, split.fields, split.form);
    } finally {
      this.busy = false;
    }
  }
}

function roleLabel(role: Group['myRole']): string {
  return role === 'facilitator' ? t('Facilitator') : t('Member');
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-home-page': PlHomePage;
  }
}
