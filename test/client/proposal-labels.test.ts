import { describe, expect, test } from 'vitest';
import { optionLabel, participationText, percentText } from '../../client/data/proposal-labels';
import { consent, proposal } from './proposal-fixtures';

describe('labels and numbers', () => {
  test('participation', () => {
    expect(participationText(12, 20, false)).toBe('12 of 20 members have voted');
    expect(participationText(1, 1, false)).toBe('1 of 1 member has voted');
    expect(participationText(0, 3, true)).toBe('0 of 3 members voted');
  });
  test('percent', () => {
    expect(percentText(60)).toBe('60%');
    expect(percentText(33.333)).toBe('33.3%');
    expect(percentText(0)).toBe('0%');
  });
  test('option labels: consent positions are capitalised, unknown ids named', () => {
    expect(optionLabel(consent(), 'block')).toBe('Block');
    expect(optionLabel(proposal(), 'b')).toBe('Café');
    expect(optionLabel(proposal(), 'zzz')).toBe('Removed option');
  });
});
