import type { PatchGroupBody } from '../../shared/schemas/groups';
import { ApiError } from './api';
import { Coalesced } from './coalesced';
import type { Group, Membership, Role } from './groups';
import * as groups from './groups';
import { Store } from './store';
import type { StreamEvent } from './stream';

/** What a group page shows: the group and its members, and how loading went. */
export interface GroupState {
  status: 'loading' | 'ready' | 'error';
  group: Group | null;
  members: Membership[];
  /** The last failure; with status `ready` it is a failed refresh over data still shown. */
  error: ApiError | null;
}

/** Event kinds that change what a group page shows. */
const GROUP_KINDS = new Set(['member.joined', 'member.left', 'member.role_changed', 'group.updated']);

/**
 * One group and its members. Absorbs the group topic's events by refetching
 * over HTTP (simple and always right); refetches are coalesced, so a burst of
 * events costs at most one extra round.
 */
export class GroupStore extends Store<GroupState> {
  readonly #loads = new Coalesced(() => this.#fetch());

  constructor(readonly groupId: string) {
    super({ status: 'loading', group: null, members: [], error: null });
  }

  /** The stream topic of this group. */
  get topic(): string {
    return `group:${this.groupId}`;
  }

  /** Loads the group and all its members; concurrent calls share one fetch (plus one more if asked meanwhile). */
  refresh(): Promise<void> {
    return this.#loads.run();
  }

  /** Loads the group unless it has been loaded already (a page that only needs it once). */
  ensureLoaded(): void {
    if (this.value.status === 'loading' && !this.value.group) void this.refresh();
  }

  /** Takes in one event of `group:<id>`. */
  absorb(event: StreamEvent): void {
    if (GROUP_KINDS.has(event.kind)) void this.refresh();
  }

  /** Changes name, description or settings, then shows the server's answer. */
  async saveGroup(patch: PatchGroupBody): Promise<Group> {
    const group = await groups.updateGroup(this.groupId, patch);
    this.#patch({ group });
    return group;
  }

  async changeRole(userId: string, role: Role): Promise<void> {
    const membership = await groups.changeRole(this.groupId, userId, role);
    this.#patch({ members: this.value.members.map((m) => (m.user.id === userId ? membership : m)) });
    await this.refresh(); // myRole may have changed too
  }

  /** Removes a member, or leaves when `userId` is the caller. */
  async removeMember(userId: string): Promise<void> {
    await groups.removeMember(this.groupId, userId);
    this.#patch({ members: this.value.members.filter((m) => m.user.id !== userId) });
  }

  async #fetch(): Promise<void> {
    try {
      const [group, members] = await Promise.all([
        groups.getGroup(this.groupId),
        groups.listAllMembers(this.groupId),
      ]);
      this.set({ status: 'ready', group, members, error: null });
    } catch (err) {
      const error = err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err));
      const gone = error.status === 404 || error.status === 401;
      if (gone || !this.value.group) this.set({ status: 'error', group: null, members: [], error });
      else this.#patch({ error });
    }
  }

  #patch(patch: Partial<GroupState>): void {
    this.set({ ...this.value, ...patch });
  }
}

const stores = new Map<string, GroupStore>();

/** The store of one group, shared by every element that shows it. */
export function groupStore(groupId: string): GroupStore {
  let store = stores.get(groupId);
  if (!store) {
    store = new GroupStore(groupId);
    stores.set(groupId, store);
  }
  return store;
}

/**
 * Takes in an event of the viewer's own `me` topic: someone changing the
 * viewer's role notifies them there, and a group already shown is fetched
 * again, so its `permissions` (and the pages that follow them) change at once,
 * even on a page that does not follow the group's own topic.
 */
export function absorbPersonalEvent(event: StreamEvent): void {
  if (event.kind !== 'notification.created') return;
  const notification = (event.data as { notification?: { kind?: string; groupId?: string | null } })
    .notification;
  if (notification?.kind !== 'role_changed' || !notification.groupId) return;
  const store = stores.get(notification.groupId);
  if (store) void store.refresh();
}

/** Drops every cached group (on sign-out). */
export function forgetGroupStores(): void {
  stores.clear();
}
