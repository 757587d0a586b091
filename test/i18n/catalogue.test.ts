/**
 * The languages are complete: every message the code shows (a literal first
 * argument of `t()`, `tr.t()` or `m()`) has a translation in every file of
 * `shared/locales/`, each translation keeps the English placeholders, and no
 * file keeps a message the code no longer has.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@formatjs/icu-messageformat-parser';
import { describe, expect, it } from 'vitest';
import { messagesInCode, placeholders } from '../helpers/messages';

const root = path.resolve(import.meta.dirname, '../..');

const localesDir = path.join(root, 'shared/locales');
const locales = readdirSync(localesDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -5));

describe('message catalogues', () => {
  const inCode = messagesInCode();

  it('finds the messages in the code, and each is a valid ICU message', () => {
    expect(inCode.size).toBeGreaterThan(100);
    for (const [message, where] of inCode) {
      expect(() => parse(message), `${where}: ${message}`).not.toThrow();
    }
  });

  it('has at least Spanish besides English', () => {
    expect(locales).toContain('es');
  });

  describe.each(locales)('%s', (locale) => {
    const catalogue = JSON.parse(readFileSync(path.join(localesDir, `${locale}.json`), 'utf8')) as Record<
      string,
      string
    >;

    it('translates every message in the code', () => {
      const missing = [...inCode]
        .filter(([message]) => !(message in catalogue))
        .map(([m, where]) => `${where}: ${m}`);
      expect(missing).toEqual([]);
    });

    it('keeps no message the code no longer has', () => {
      expect(Object.keys(catalogue).filter((message) => !inCode.has(message))).toEqual([]);
    });

    it('fills in the same placeholders as the English, in valid ICU', () => {
      const differing = Object.entries(catalogue)
        .filter(([english]) => inCode.has(english))
        .filter(([english, translated]) => {
          try {
            return placeholders(english).join() !== placeholders(translated).join();
          } catch {
            return true;
          }
        })
        .map(([english, translated]) => `${english} → ${translated}`);
      expect(differing).toEqual([]);
    });

    it('is a translation, not a copy: most messages differ from the English', () => {
      const same = Object.entries(catalogue).filter(([english, translated]) => english === translated);
      expect(same.length).toBeLessThan(Object.keys(catalogue).length * 0.1);
    });
  });
});
