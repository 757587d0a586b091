import type { Translator } from '../../shared/i18n';
import type { Config } from '../config';
import { baseUrl, renderEmail } from './layout';
import type { OutgoingEmail } from './outbox';

/**
 * The emails about an account itself. They are transactional: sent because
 * the person (or someone using their address) just asked, so they carry no
 * unsubscribe headers and ignore email preferences. Each is written in `tr`'s
 * language: the account's, or for an address with no account the asking
 * browser's.
 */

/** Where each link leads: a page of the web client, which calls the API. */
export function accountLink(
  config: Config,
  page: 'reset-password' | 'verify-email' | 'confirm-email',
  token: string,
) {
  return `${baseUrl(config)}/${page}?token=${encodeURIComponent(token)}`;
}

const greeting = (tr: Translator, name: string | null) =>
  name ? tr.t('Hello {name},', { name }) : tr.t('Hello,');

/** A link to choose a new password; its text must not differ by whether an account exists beyond the name. */
export function passwordResetEmail(
  config: Config,
  to: { email: string; name: string | null; userId: string | null },
  token: string,
  tr: Translator,
): OutgoingEmail {
  const url = accountLink(config, 'reset-password', token);
  const { text, html } = renderEmail(
    {
      preheader: tr.t('Choose a new password for Plenary. The link works for one hour.'),
      heading: tr.t('Reset your password'),
      paragraphs: [
        greeting(tr, to.name),
        tr.t(
          'Someone asked to reset the password of the Plenary account that uses this address. If it was you, choose a new password with the button below. The link works once, for one hour, and signs you out everywhere else.',
        ),
        tr.t('If it was not you, ignore this email: your password stays as it is.'),
      ],
      button: { label: tr.t('Choose a new password'), url },
    },
    tr.locale,
  );
  return {
    kind: 'password_reset',
    to: to.email,
    userId: to.userId,
    subject: tr.t('Reset your Plenary password'),
    text,
    html,
  };
}

/** Asks the owner of a new account (or one asking again) to confirm the address. */
export function verificationEmail(
  config: Config,
  to: { email: string; name: string; userId: string },
  token: string,
  tr: Translator,
): OutgoingEmail {
  const url = accountLink(config, 'verify-email', token);
  const { text, html } = renderEmail(
    {
      preheader: tr.t('One click to confirm this address for Plenary.'),
      heading: tr.t('Confirm your email address'),
      paragraphs: [
        greeting(tr, to.name),
        tr.t(
          'Please confirm that this is your address, so that you can reset your password with it and get email from your groups. The link works for seven days.',
        ),
        tr.t('If you did not create a Plenary account, ignore this email.'),
      ],
      button: { label: tr.t('Confirm my address'), url },
    },
    tr.locale,
  );
  return {
    kind: 'verify_email',
    to: to.email,
    userId: to.userId,
    subject: tr.t('Confirm your email address'),
    text,
    html,
  };
}

/** Sent to the new address: the change happens only when its owner follows the link. */
export function emailChangeEmail(
  config: Config,
  to: { newEmail: string; name: string; userId: string },
  token: string,
  tr: Translator,
): OutgoingEmail {
  const url = accountLink(config, 'confirm-email', token);
  const { text, html } = renderEmail(
    {
      preheader: tr.t('Confirm the new address of your Plenary account.'),
      heading: tr.t('Confirm your new email address'),
      paragraphs: [
        greeting(tr, to.name),
        tr.t(
          'You asked to use this address for your Plenary account. Your account keeps its current address until you confirm with the button below. The link works once, for 24 hours.',
        ),
        tr.t('If you did not ask for this, ignore this email and nothing changes.'),
      ],
      button: { label: tr.t('Use this address'), url },
    },
    tr.locale,
  );
  return {
    kind: 'change_email',
    to: to.newEmail,
    userId: to.userId,
    subject: tr.t('Confirm your new email address'),
    text,
    html,
  };
}

/** Sent to the address in use, so an owner whose password leaked learns of the attempt. */
export function emailChangeNotice(
  config: Config,
  to: { email: string; name: string; userId: string },
  newEmail: string,
  tr: Translator,
): OutgoingEmail {
  const { text, html } = renderEmail(
    {
      preheader: tr.t('Someone asked to move your Plenary account to another address.'),
      heading: tr.t('Your email address is about to change'),
      paragraphs: [
        greeting(tr, to.name),
        tr.t(
          'Someone signed in to your Plenary account asked to use {address} instead of this address. Nothing changes unless that address confirms the change.',
          { address: newEmail },
        ),
        tr.t(
          'If this was not you, reset your password now: that also cancels the change and signs everyone out of your account.',
        ),
      ],
      button: { label: tr.t('Reset my password'), url: `${baseUrl(config)}/forgot-password` },
    },
    tr.locale,
  );
  return {
    kind: 'email_change_notice',
    to: to.email,
    userId: to.userId,
    subject: tr.t('Your Plenary email address is about to change'),
    text,
    html,
  };
}
