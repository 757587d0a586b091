import { provide } from '@lit/context';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { customElement, query, state } from 'lit/decorators.js';
import { sessionContext, streamContext } from '../data/context';
import { forgetGroupStores } from '../data/group-store';
import { Session } from '../data/session';
import { StoreController } from '../data/store-controller';
import { StreamClient } from '../data/stream';
import { activeLocale, chooseLocale, localeReady, m, setLocale, t } from '../i18n';
import { authPath, currentRoute, navigate, PUBLIC_ROUTES, type Route } from '../router';
import { sharedStyles } from '../ui/styles';
import './pl-app-bar';
import './pl-offline-banner';

/** Each page's element lives in its own chunk, fetched when its route is first shown. */
const pages: Record<Exclude<Route['name'], 'not-found'>, () => Promise<unknown>> = {
  home: () => import('./pl-home-page'),
  login: () => import('./pl-auth-page'),
  signup: () => import('./pl-auth-page'),
  group: () => import('./pl-group-page'),
  'group-settings': () => import('./pl-group-settings-page'),
  decisions: () => import('./pl-decision-log'),
  invite: () => import('./pl-invite-page'),
  thread: () => import('./pl-thread-page'),
  search: () => import('./pl-search-page'),
  'forgot-password': () => import('./pl-forgot-password-page'),
  'reset-password': () => import('./pl-reset-password-page'),
  'verify-email': () => import('./pl-verify-email-page'),
  'confirm-email': () => import('./pl-confirm-email-page'),
  'account-settings': () => import('./pl-account-settings-page'),
  'email-settings': () => import('./pl-email-settings-page'),
};

const TITLES: Record<Route['name'], string> = {
  home: m('Your groups'),
  login: m('Sign in'),
  signup: m('Create an account'),
  group: m('Group'),
  'group-settings': m('Group settings'),
  decisions: m('Decision log'),
  invite: m('Invitation'),
  thread: m('Thread'),
  search: m('Search'),
  'forgot-password': m('Forgot password'),
  'reset-password': m('Choose a new password'),
  'verify-email': m('Confirm your email address'),
  'confirm-email': m('Confirm your new email address'),
  'account-settings': m('Account'),
  'email-settings': m('Email settings'),
  'not-found': m('Page not found'),
};

/**
 * The application shell: provides the session and the live stream to the
 * tree, keeps signed-out visitors on public pages, and renders the app bar
 * and the page for the current route.
 */
@customElement('pl-app')
export class PlApp extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 100vh;
      }
      .skip {
        position: absolute;
        left: var(--pl-space-2);
        top: -100px;
        z-index: 10;
        padding: var(--pl-space-1) var(--pl-space-2);
        background: var(--pl-color-surface);
        border-radius: var(--pl-radius-sm);
      }
      .skip:focus {
        top: var(--pl-space-1);
      }
      main {
        flex: 1;
        width: 100%;
        max-width: var(--pl-content-width);
        margin: 0 auto;
        padding: var(--pl-space-4) var(--pl-space-3) var(--pl-space-8);
      }
      main:focus {
        outline: none;
      }
      @media (max-width: 600px) {
        main {
          padding: var(--pl-space-3) var(--pl-space-2) var(--pl-space-6);
        }
      }
      .loading {
        padding: var(--pl-space-6) 0;
        text-align: center;
      }
      .alert {
        margin-bottom: var(--pl-space-3);
      }
    `,
  ];

  /** The tab's session, handed down through context. */
  @provide({ context: sessionContext })
  session = new Session();

  /** The tab's one stream connection, handed down through context. */
  @provide({ context: streamContext })
  // A revoked session asks the server who we are: the 401 signs the tab out.
  stream = new StreamClient({ onRevoked: () => void this.session.refresh().catch(() => {}) });

  @state() private error: string | null = null;
  @query('main') private main!: HTMLElement;

  readonly #route = new StoreController(this, currentRoute);
  readonly #session = new StoreController(this, () => this.session);
  readonly #connection = new StoreController(this, () => this.stream.state);
  #unsubscribe: (() => void) | null = null;
  #shownRoute: Route | null = null;
  #titleLocale = '';
  readonly #onOnline = () => this.stream.reconnectNow();

  override connectedCallback(): void {
    super.connectedCallback();
    this.#unsubscribe = this.session.subscribe((s) => {
      // The member's language setting wins over the browser's, on every device they sign in on.
      if (s.status === 'signed-in') void setLocale(chooseLocale(s.user.locale), s.user.locale ?? null);
      if (s.status === 'signed-in') this.stream.start();
      else {
        this.stream.stop();
        forgetGroupStores();
      }
    });
    addEventListener('online', this.#onOnline);
    this.session.refresh().catch(() => {
      this.error = m('Plenary could not be reached. Check your connection and reload the page.');
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe?.();
    removeEventListener('online', this.#onOnline);
    this.stream.stop();
  }

  /** No first render before the reader's language is loaded. */
  protected override async scheduleUpdate(): Promise<void> {
    await localeReady;
    super.scheduleUpdate();
  }

  protected override willUpdate(_changed: PropertyValues): void {
    const session = this.session.value;
    const asked = currentRoute.value;
    if (session.status === 'signed-out' && !PUBLIC_ROUTES.has(asked.name)) {
      navigate(authPath('login', location.pathname + location.search), { replace: true });
    } else if (session.status === 'signed-in' && (asked.name === 'login' || asked.name === 'signup')) {
      navigate(asked.next, { replace: true });
    }
    // The route after any redirect: fetch its page's chunk (a no-op once loaded).
    const route = currentRoute.value;
    if (route.name !== 'not-found') void pages[route.name]();
  }

  protected override updated(): void {
    const route = currentRoute.value;
    if (route !== this.#shownRoute || activeLocale() !== this.#titleLocale) {
      this.#titleLocale = activeLocale();
      document.title = `${t(TITLES[route.name])} · Plenary`;
    }
    if (route !== this.#shownRoute) {
      const first = this.#shownRoute === null;
      this.#shownRoute = route;
      // After a navigation, start keyboard and screen-reader users at the new content.
      if (!first) this.main?.focus({ preventScroll: false });
      if (!first) scrollTo(0, 0);
    }
  }

  override render() {
    const session = this.#session.value!;
    return html`
      <a class="skip" href="#main" @click=${this.#skipToContent}>${t('Skip to content')}</a>
      <pl-app-bar
        .user=${session.user}
        .connection=${this.#connection.value ?? 'idle'}
        @pl-sign-out=${this.#signOut}
      ></pl-app-bar>
      <pl-offline-banner></pl-offline-banner>
      <main id="main" tabindex="-1">
        ${this.error ? html`<p class="alert" role="alert">${t(this.error)}</p>` : nothing}
        ${session.status === 'unknown' ? html`<p class="loading muted" aria-busy="true">${t('Loading…')}</p>` : this.#page()}
      </main>
    `;
  }

  #page() {
    const route = this.#route.value!;
    const signedIn = this.session.value.status === 'signed-in';
    if (!signedIn && !PUBLIC_ROUTES.has(route.name)) return nothing; // about to be sent to sign in
    switch (route.name) {
      case 'home':
        return html`<pl-home-page></pl-home-page>`;
      case 'login':
      case 'signup':
        return html`<pl-auth-page .mode=${route.name} .next=${route.next}></pl-auth-page>`;
      case 'group':
        return html`<pl-group-page .groupId=${route.groupId}></pl-group-page>`;
      case 'group-settings':
        return html`<pl-group-settings-page .groupId=${route.groupId}></pl-group-settings-page>`;
      case 'decisions':
        return html`<pl-decision-log .groupId=${route.groupId}></pl-decision-log>`;
      case 'invite':
        return html`<pl-invite-page .token=${route.token}></pl-invite-page>`;
      case 'thread':
        return html`<pl-thread-page .threadId=${route.threadId}></pl-thread-page>`;
      case 'search':
        return html`<pl-search-page .q=${route.q}></pl-search-page>`;
      case 'forgot-password':
        return html`<pl-forgot-password-page></pl-forgot-password-page>`;
      case 'reset-password':
        return html`<pl-reset-password-page .token=${route.token}></pl-reset-password-page>`;
      case 'verify-email':
        return html`<pl-verify-email-page .token=${route.token}></pl-verify-email-page>`;
      case 'confirm-email':
        return html`<pl-confirm-email-page .token=${route.token}></pl-confirm-email-page>`;
      case 'account-settings':
        return html`<pl-account-settings-page></pl-account-settings-page>`;
      case 'email-settings':
        return html`<pl-email-settings-page></pl-email-settings-page>`;
      default:
        return html`<h1>${t('Page not found')}</h1>
          <p>${t('There is nothing at this address.')} <a href="/">${t('Go to your groups')}</a></p>`;
    }
  }

  #skipToContent(event: Event) {
    event.preventDefault();
    this.main.focus();
  }

  async #signOut() {
    try {
      await this.session.signOut();
      this.error = null;
      navigate('/login');
    } catch {
      this.error = m('Signing out failed. Check your connection and try again.');
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-app': PlApp;
  }
}
