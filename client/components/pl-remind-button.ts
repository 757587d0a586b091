import { customElement } from 'lit/decorators.js';
import { remindNonVoters } from '../data/proposals';
import { t } from '../i18n';
import { ActionButton } from '../ui/action-button';

/**
 * "Remind those who have not voted": for facilitators and the proposal's
 * author while it is open (the card decides who sees it). Says how many were
 * reminded, or, within an hour of the last reminder, when the next may go.
 */
@customElement('pl-remind-button')
export class PlRemindButton extends ActionButton {
  protected get label(): string {
    return t('Remind those who have not voted');
  }

  protected get failure(): string {
    return t('Could not send the reminder.');
  }

  protected async act(proposalId: string): Promise<string> {
    const notified = await remindNonVoters(proposalId);
    return notified === 0
      ? t('Everyone has voted: nobody to remind.')
      : t('{count, plural, one {Reminded # member.} other {Reminded # members.}}', { count: notified });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-remind-button': PlRemindButton;
  }
}
