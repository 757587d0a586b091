import type { LitElement, ReactiveController } from 'lit';
import { PENDING_EVENT_ID, type ThreadState, type ThreadStore } from '../data/thread-store';
import { t } from '../i18n';
import { onDemandSettled } from './on-demand';

/** Older pages tried when a link points at a comment that is not in the newest page. */
const MAX_PAGES_FOR_LINK = 6;

/** How long a comment reached by a link stays highlighted. */
const HIGHLIGHT_MS = 2500;

export interface ThreadScrollOptions {
  /** The thread shown (re-read whenever needed: the host switches stores when its thread changes). */
  store: () => ThreadStore | null;
  /** The viewer, whose own new items are not announced as news. */
  viewerId: () => string | undefined;
  /** Tells screen readers (the host's polite live region). */
  announce: (text: string) => void;
  /** Shows a visible notice (a linked comment could not be found). */
  notice: (text: string) => void;
}

/**
 * Where a thread page's reader is, and where they go: lands a visit at the
 * first unread item (the divider), at a linked comment (`#comment-<id>`,
 * loading a few older pages to find it), or at the end when back with
 * nothing new; loads older pages when the top is reached, keeping what the
 * reader looks at in place; marks the thread read while its end is in view;
 * and counts what arrives live below the fold (`unseenLive`).
 *
 * The host renders, in its shadow root: `[data-sentinel="top"]` and
 * `[data-sentinel="bottom"]` around the timeline, its rows as
 * `ol.rows > li`, the divider as `[data-divider]`, comments as
 * `pl-comment#comment-<id>`, and the composer in `.composer-wrap`.
 * The host should set `overflow-anchor: none`: the controller keeps the place itself.
 */
export class ThreadScrollController implements ReactiveController {
  /** New items that arrived live while the bottom was out of view. */
  unseenLive = 0;

  readonly #host: LitElement;
  readonly #options: ThreadScrollOptions;
  /** Whether this visit's first page has been scrolled to (the divider, a linked comment, or the end). */
  #positioned = false;
  /** The person has scrolled since the page opened: only then does reaching the top load older items. */
  #userScrolled = false;
  #bottomVisible = false;
  #lastItemCount = 0;
  #lastNewest = 0;
  #observer: IntersectionObserver | null = null;
  readonly #observed = new Set<Element>();
  #loadingOlderByScroll = false;

  readonly #onScroll = () => {
    this.#userScrolled = true;
  };
  readonly #onVisibility = () => {
    if (document.visibilityState === 'visible' && this.#bottomVisible) void this.#store?.markRead();
  };
  readonly #onHash = () => void this.#scrollToHash();

  constructor(host: LitElement, options: ThreadScrollOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  get #store(): ThreadStore | null {
    return this.#options.store();
  }

  /** Starts over for another thread (or another visit): the next ready page is landed on afresh. */
  reset(): void {
    this.unseenLive = 0;
    this.#positioned = false;
    this.#userScrolled = false;
    this.#lastItemCount = 0;
    this.#lastNewest = 0;
  }

  hostConnected(): void {
    this.#observer = new IntersectionObserver((entries) => this.#intersections(entries), {
      rootMargin: '300px 0px 0px 0px',
    });
    addEventListener('wheel', this.#onScroll, { passive: true });
    addEventListener('touchmove', this.#onScroll, { passive: true });
    addEventListener('keydown', this.#onScroll);
    document.addEventListener('visibilitychange', this.#onVisibility);
    addEventListener('hashchange', this.#onHash);
  }

  hostDisconnected(): void {
    this.#observer?.disconnect();
    this.#observer = null;
    this.#observed.clear();
    removeEventListener('wheel', this.#onScroll);
    removeEventListener('touchmove', this.#onScroll);
    removeEventListener('keydown', this.#onScroll);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    removeEventListener('hashchange', this.#onHash);
  }

  hostUpdate(): void {
    const data = this.#store?.value;
    if (data?.status === 'ready') this.#noticeLiveArrivals(data);
  }

  hostUpdated(): void {
    const data = this.#store?.value;
    this.#observeSentinels();
    if (data?.status === 'ready' && !this.#positioned) {
      this.#positioned = true;
      void this.#position();
    }
    if (this.#bottomVisible && document.visibilityState === 'visible') void this.#store?.markRead();
  }

  /** Loads the page before the oldest item shown, keeping what the reader looks at where it is. */
  async loadOlder(): Promise<void> {
    const store = this.#store;
    if (!store || store.value.olderCursor === null || store.value.loadingOlder) return;
    const anchor = this.#host.renderRoot.querySelector<HTMLElement>('ol.rows > li');
    const before = anchor?.getBoundingClientRect().top ?? 0;
    const count = store.value.items.length;
    await store.loadOlder();
    await this.#settled();
    if (anchor?.isConnected && store.value.items.length > count) {
      scrollBy(0, anchor.getBoundingClientRect().top - before);
      this.#options.announce(
        t('{count, plural, one {Loaded # earlier item.} other {Loaded # earlier items.}}', {
          count: store.value.items.length - count,
        }),
      );
    }
  }

  /** Scrolls smoothly to the end (the composer), where the live arrivals are. */
  jumpToEnd(): void {
    this.unseenLive = 0;
    this.#host.requestUpdate();
    this.#host.renderRoot
      .querySelector<HTMLElement>('.composer-wrap')
      ?.scrollIntoView({ block: 'end', behavior: 'smooth' });
  }

  async #position() {
    await this.#settled();
    if (location.hash.startsWith('#comment-')) {
      await this.#scrollToHash();
      return;
    }
    const divider = this.#host.renderRoot.querySelector<HTMLElement>('[data-divider]');
    if (divider) {
      divider.scrollIntoView({ block: 'start' });
      return;
    }
    const data = this.#store?.value;
    // Back again with nothing new: the latest is what matters. First visits start at the top.
    if (data && data.arrivedReadMarker !== null && data.items.length > 3) {
      this.#host.renderRoot.querySelector<HTMLElement>('.composer-wrap')?.scrollIntoView({ block: 'end' });
    }
  }

  /** Scrolls to the comment named by `#comment-<id>`, loading a few older pages to find it if need be. */
  async #scrollToHash() {
    const id = decodeURIComponent(location.hash.slice('#comment-'.length));
    const store = this.#store;
    if (!id || !store) return;
    for (let page = 0; ; page++) {
      const el = this.#host.renderRoot.querySelector<HTMLElement & { highlighted: boolean }>(
        `#comment-${CSS.escape(id)}`,
      );
      if (el) {
        el.scrollIntoView({ block: 'center' });
        el.highlighted = true;
        setTimeout(() => {
          el.highlighted = false;
        }, HIGHLIGHT_MS);
        return;
      }
      if (page >= MAX_PAGES_FOR_LINK || store.value.olderCursor === null) {
        this.#options.notice(
          t('That comment is further back in the thread, or was removed. Load earlier comments to find it.'),
        );
        return;
      }
      await store.loadOlder();
      await this.#settled();
    }
  }

  /**
   * Waits for the host and the rows in it to finish rendering, the elements
   * whose code loads on demand (proposals, ballots, results) included.
   */
  async #settled() {
    await this.#host.updateComplete;
    await onDemandSettled();
    const children = [
      ...this.#host.renderRoot.querySelectorAll(
        'pl-comment, pl-composer, pl-proposal-card, pl-closed-proposal',
      ),
    ] as LitElement[];
    await Promise.all(children.map((c) => c.updateComplete));
  }

  #observeSentinels() {
    const observer = this.#observer;
    if (!observer) return;
    const sentinels = [...this.#host.renderRoot.querySelectorAll('[data-sentinel]')];
    for (const el of this.#observed) {
      if (!sentinels.includes(el)) {
        observer.unobserve(el);
        this.#observed.delete(el);
      }
    }
    for (const el of sentinels) {
      if (!this.#observed.has(el)) {
        observer.observe(el);
        this.#observed.add(el);
      }
    }
  }

  #intersections(entries: IntersectionObserverEntry[]) {
    for (const entry of entries) {
      const which = (entry.target as HTMLElement).dataset.sentinel;
      if (which === 'bottom') {
        this.#bottomVisible = entry.isIntersecting;
        if (entry.isIntersecting) {
          if (this.unseenLive !== 0) {
            this.unseenLive = 0;
            this.#host.requestUpdate();
          }
          if (document.visibilityState === 'visible') void this.#store?.markRead();
        }
      } else if (which === 'top' && entry.isIntersecting && this.#userScrolled && this.#positioned) {
        void this.#loadOlderByScroll();
      }
    }
  }

  async #loadOlderByScroll() {
    if (this.#loadingOlderByScroll) return;
    this.#loadingOlderByScroll = true;
    try {
      await this.loadOlder();
    } finally {
      this.#loadingOlderByScroll = false;
    }
  }

  /** Counts what arrived live below the fold, for the "new below" button and screen readers. */
  #noticeLiveArrivals(data: ThreadState) {
    const newest = data.items.reduce(
      (max, i) => (i.eventId < PENDING_EVENT_ID ? Math.max(max, i.eventId) : max),
      0,
    );
    if (this.#lastItemCount > 0 && newest > this.#lastNewest && data.items.length > this.#lastItemCount) {
      const fresh = data.items.filter((i) => i.eventId > this.#lastNewest && i.eventId < PENDING_EVENT_ID);
      const viewerId = this.#options.viewerId();
      const others = fresh.filter((i) => (i.comment?.author?.id ?? i.proposal?.author?.id) !== viewerId);
      if (others.length > 0) {
        const first = others[0]!;
        const name = first.comment?.author?.name ?? first.proposal?.author?.name ?? t('Someone');
        this.#options.announce(
          others.length > 1
            ? t('{count, plural, one {# new item in the thread.} other {# new items in the thread.}}', {
                count: others.length,
              })
            : first.kind !== 'comment'
              ? t('{name} added a proposal.', { name })
              : first.comment?.parentId
                ? t('{name} replied.', { name })
                : t('{name} commented.', { name }),
        );
        if (!this.#bottomVisible) this.unseenLive += others.length;
      }
    }
    this.#lastItemCount = data.items.length;
    this.#lastNewest = Math.max(this.#lastNewest, newest);
  }
}
