import type { LoginBody, RegisterBody } from '../../shared/schemas/accounts';
import { fetchMe, login, logout, register, type User } from './accounts';
import { setUnauthenticatedHandler } from './api';
import { Store } from './store';

/** Who is using this tab: not known yet (checking the cookie), nobody, or a signed-in person. */
export type SessionState =
  | { status: 'unknown'; user: null }
  | { status: 'signed-out'; user: null }
  | { status: 'signed-in'; user: User };

const SIGNED_OUT: SessionState = { status: 'signed-out', user: null };

/** The session: sign up, sign in, sign out; any 401 from the API signs the tab out. */
export class Session extends Store<SessionState> {
  constructor() {
    super({ status: 'unknown', user: null });
    setUnauthenticatedHandler(() => {
      if (this.value.status !== 'signed-out') this.set(SIGNED_OUT);
    });
  }

  /** The signed-in user, if any. */
  get user(): User | null {
    return this.value.user;
  }

  /** Asks the server who the session cookie belongs to. */
  async refresh(): Promise<void> {
    const user = await fetchMe();
    this.set(user ? { status: 'signed-in', user } : SIGNED_OUT);
  }

  async signIn(body: LoginBody): Promise<User> {
    const user = await login(body);
    this.set({ status: 'signed-in', user });
    return user;
  }

  async signUp(body: RegisterBody): Promise<User> {
    const user = await register(body);
    this.set({ status: 'signed-in', user });
    return user;
  }

  /** Takes the user as the server just returned them (after a change to their account). */
  updated(user: User): void {
    if (this.value.status === 'signed-in') this.set({ status: 'signed-in', user });
  }

  async signOut(): Promise<void> {
    try {
      await logout();
    } catch (err) {
      // Already signed out server-side is fine; anything else the caller shows.
      if ((err as { status?: number }).status !== 401) throw err;
    }
    this.set(SIGNED_OUT);
  }
}
