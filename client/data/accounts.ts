import type { LoginBody, RegisterBody, User } from '../../shared/schemas/accounts';
import { api } from './api';

export type { User };

/** Creates an account and signs in (the server sets the session cookie). */
export async function register(body: RegisterBody): Promise<User> {
  return (await api<{ user: User }>('POST', '/auth/register', { body })).user;
}

/** Signs in; a wrong email/password pair is an ApiError with status 401. */
export async function login(body: LoginBody): Promise<User> {
  return (await api<{ user: User }>('POST', '/auth/login', { body })).user;
}

/** Ends the session server-side. */
export async function logout(): Promise<void> {
  await api<void>('POST', '/auth/logout');
}

/** The signed-in person, or null when there is no session. */
export async function fetchMe(): Promise<User | null> {
  try {
    return (await api<{ user: User }>('GET', '/me')).user;
  } catch (err) {
    if ((err as { status?: number }).status === 401) return null;
    throw err;
  }
}
