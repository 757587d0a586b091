import { customElement } from 'lit/decorators.js';
import { saveAsTemplate } from '../data/templates';
import { t } from '../i18n';
import { ActionButton } from '../ui/action-button';

/**
 * "Save as template": keeps a proposal's kind, options, details and settings
 * as one of its group's templates, offered in the proposal form from then on.
 * For facilitators (the card shows it when `permissions.saveAsTemplate`).
 */
@customElement('pl-save-template-button')
export class PlSaveTemplateButton extends ActionButton {
  protected get label(): string {
    return t('Save as template');
  }

  protected get failure(): string {
    return t('Could not save the template.');
  }

  protected async act(proposalId: string): Promise<string> {
    const template = await saveAsTemplate(proposalId);
    return t('Saved: "{name}" is now among this group\'s templates.', { name: template.name });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pl-save-template-button': PlSaveTemplateButton;
  }
}
