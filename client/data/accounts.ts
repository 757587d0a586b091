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

/** Sets the member's language (`es`), or null to follow the browser's; returns them as changed. */
export async function setLanguage(locale: string | null): Promise<User> {
  return (await api<{ user: User }>('PATCH', '/me', { body: { locale } })).user;
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

/** Asks for a reset link; the answer is the same whether or not the address has an account. */
export async function requestPasswordReset(email: string): Promise<void> {
  await api<void>('POST', '/auth/password-reset', { body: { email } });
}

/**
 * Sets a new password with the link's token. Every other session ends; the
 * server answers with a session cookie for this tab, so the person is signed in.
 */
export async function resetPassword(token: string, password: string): Promise<void> {
  await api<void>('POST', '/auth/password-reset/confirm', { body: { token, password } });
}

/** Follows an email verification link. */
export async function verifyEmail(token: string): Promise<void> {
  await api<void>('POST', '/auth/verify-email', { body: { token } });
}

/** Sends the verification link again. */
export async function resendVerification(): Promise<void> {
  await api<void>('POST', '/me/email/verification');
}

/** Asks to move the account to `email`; nothing changes until the link sent there is followed. */
export async function requestEmailChange(email: string, currentPassword: string): Promise<void> {
  await api<void>('POST', '/me/email', { body: { email, currentPassword } });
}

/** Follows the link sent to a new address: the account uses it from now on. */
export async function confirmEmailChange(token: string): Promise<void> {
  await api<void>('POST', '/auth/email-change/confirm', { body: { token } });
}
