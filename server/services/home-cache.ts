import type { Ctx } from './context';

/**
 * Each process's copies of its members' home pages (services/home.ts), kept
 * apart so that what changes a page without writing an event (a read marker,
 * services/threads.ts) can drop them without importing the home service.
 */

/** One member's pages, by how many items a list shows, and how often they were dropped. */
export interface MemberHomes<T> {
  /** Bumped by `forgetHomeOf`: a page built while it moved must not be kept. */
  generation: number;
  pages: Map<number, T>;
}

const caches = new WeakMap<Ctx, Map<string, MemberHomes<unknown>>>();

/** The member's entry, made if missing; the whole cache starts again past `maxMembers`. */
export function memberHomes<T>(ctx: Ctx, userId: string, maxMembers: number): MemberHomes<T> {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new Map();
    caches.set(ctx, cache);
  }
  let member = cache.get(userId);
  if (!member) {
    if (cache.size >= maxMembers) cache.clear();
    member = { generation: 0, pages: new Map() };
    cache.set(userId, member);
  }
  return member as MemberHomes<T>;
}

/** Drops the member's pages in this process, and any being built now. */
export function forgetHomeOf(ctx: Ctx, userId: string): void {
  const member = caches.get(ctx)?.get(userId);
  if (!member) return;
  member.generation += 1;
  member.pages.clear();
}
