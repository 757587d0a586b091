import type { Config } from '../config';
import { baseUrl, renderEmail } from './layout';
import type { OutgoingEmail } from './outbox';

/**
 * The emails about an account itself. They are transactional: sent because
 * the person (or someone using their address) just asked, so they carry no
 * unsubscribe headers and ignore email preferences.
 */

/** Where each link leads: a page of the web client, which calls the API. */
export function accountLink(
  config: Config,
  page: 'reset-password' | 'verify-email' | 'confirm-email',
  token: string,
) {
  return `${baseUrl(config)}/${page}?token=${encodeURIComponent(token)}`;
}

const greeting = (name: string | null) => (name ? `Hello ${name},` : 'Hello,');

/** A link to choose a new password; its text must not differ by whether an account exists beyond the name. */
export function passwordResetEmail(
  config: Config,
  to: { email: string; name: string | null; userId: string | null },
  token: string,
): OutgoingEmail {
  const url = accountLink(config, 'reset-password', token);
  const { text, html } = renderEmail({
    preheader: 'Choose a new password for Plenary. The link works for one hour.',
    heading: 'Reset your password',
    paragraphs: [
      greeting(to.name),
      'Someone asked to reset the password of the Plenary account that uses this address. If it was you, choose a new password with the button below. The link works once, for one hour, and signs you out everywhere else.',
      'If it was not you, ignore this email: your password stays as it is.',
    ],
    button: { label: 'Choose a new password', url },
  });
  return {
    kind: 'password_reset',
    to: to.email,
    userId: to.userId,
    subject: 'Reset your Plenary password',
    text,
    html,
  };
}

/** Asks the owner of a new account (or one asking again) to confirm the address. */
export function verificationEmail(
  config: Config,
  to: { email: string; name: string; userId: string },
  token: string,
): OutgoingEmail {
  const url = accountLink(config, 'verify-email', token);
  const { text, html } = renderEmail({
    preheader: 'One click to confirm this address for Plenary.',
    heading: 'Confirm your email address',
    paragraphs: [
      greeting(to.name),
      'Please confirm that this is your address, so that you can reset your password with it and get email from your groups. The link works for seven days.',
      'If you did not create a Plenary account, ignore this email.',
    ],
    button: { label: 'Confirm my address', url },
  });
  return {
    kind: 'verify_email',
    to: to.email,
    userId: to.userId,
    subject: 'Confirm your email address',
    text,
    html,
  };
}

/** Sent to the new address: the change happens only when its owner follows the link. */
export function emailChangeEmail(
  config: Config,
  to: { newEmail: string; name: string; userId: string },
  token: string,
): OutgoingEmail {
  const url = accountLink(config, 'confirm-email', token);
  const { text, html } = renderEmail({
    preheader: 'Confirm the new address of your Plenary account.',
    heading: 'Confirm your new email address',
    paragraphs: [
      greeting(to.name),
      'You asked to use this address for your Plenary account. Your account keeps its current address until you confirm with the button below. The link works once, for 24 hours.',
      'If you did not ask for this, ignore this email and nothing changes.',
    ],
    button: { label: 'Use this address', url },
  });
  return {
    kind: 'change_email',
    to: to.newEmail,
    userId: to.userId,
    subject: 'Confirm your new email address',
    text,
    html,
  };
}

/** Sent to the address in use, so an owner whose password leaked learns of the attempt. */
export function emailChangeNotice(
  config: Config,
  to: { email: string; name: string; userId: string },
  newEmail: string,
): OutgoingEmail {
  const { text, html } = renderEmail({
    preheader: 'Someone asked to move your Plenary account to another address.',
    heading: 'Your email address is about to change',
    paragraphs: [
      greeting(to.name),
      `Someone signed in to your Plenary account asked to use ${newEmail} instead of this address. Nothing changes unless that address confirms the change.`,
      'If this was not you, reset your password now: that also cancels the change and signs everyone out of your account.',
    ],
    button: { label: 'Reset my password', url: `${baseUrl(config)}/forgot-password` },
  });
  return {
    kind: 'email_change_notice',
    to: to.email,
    userId: to.userId,
    subject: 'Your Plenary email address is about to change',
    text,
    html,
  };
}
