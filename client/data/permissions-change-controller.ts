import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Group } from './groups';

/**
 * Calls `onChange` when the viewer's permissions in a group change after they
 * were first seen, which is their role changing: a page then fetches what
 * depends on it (a thread's or a proposal's own `permissions`) again. Moving
 * on to another group is not a change.
 */
export class PermissionsChangeController implements ReactiveController {
  readonly #group: () => Pick<Group, 'id' | 'permissions'> | null | undefined;
  readonly #onChange: () => unknown;
  #seen: { groupId: string; permissions: string } | null = null;

  constructor(
    host: ReactiveControllerHost,
    group: () => Pick<Group, 'id' | 'permissions'> | null | undefined,
    onChange: () => unknown,
  ) {
    this.#group = group;
    this.#onChange = onChange;
    host.addController(this);
  }

  hostUpdate(): void {
    const group = this.#group();
    if (!group) return;
    const permissions = JSON.stringify(group.permissions);
    if (this.#seen?.groupId === group.id && this.#seen.permissions !== permissions) this.#onChange();
    this.#seen = { groupId: group.id, permissions };
  }
}
