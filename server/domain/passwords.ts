import { COMMON_PASSWORDS } from './common-passwords';

/** Characters that take space or none but show nothing: whitespace, controls, zero-width and other format marks. */
const INVISIBLE = /[\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

/** How many characters a password needs once the invisible ones are taken out. */
export const PASSWORD_MIN_VISIBLE = 10;

/** Who is choosing the password: what they must not build it from. */
export interface PasswordOwner {
  email: string;
  name: string;
  handle?: string | null;
}

/** The form passwords and personal words are compared in: NFKC, lower case, nothing invisible. */
function comparable(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(INVISIBLE, '');
}

/** One short unit said again and again (`aaaaaaaaaa`, `abcabcabcabc`). */
function isRepetition(s: string): boolean {
  const chars = [...s];
  for (let size = 1; size <= 4 && size * 2 <= chars.length; size++) {
    if (chars.length % size !== 0) continue;
    const unit = chars.slice(0, size).join('');
    if (unit.repeat(chars.length / size) === s) return true;
  }
  return false;
}

/** Each character one step up or down from the last (`1234567890`, `abcdefghijk`, `9876543210`). */
function isSequence(s: string): boolean {
  const codes = [...s].map((c) => c.codePointAt(0)!);
  const step = (a: number, b: number) => {
    if (a === 57 && b === 48) return 1; // 9 → 0 continues 1234567890
    if (a === 48 && b === 57) return -1;
    return b - a;
  };
  const first = step(codes[0]!, codes[1]!);
  if (first !== 1 && first !== -1) return false;
  for (let i = 2; i < codes.length; i++) if (step(codes[i - 1]!, codes[i]!) !== first) return false;
  return true;
}

/** A listed common password as it is, or with only digits and symbols added before or after it. */
function isCommon(s: string): boolean {
  if (COMMON_PASSWORDS.has(s)) return true;
  const core = s.replace(/^[^\p{L}]+/u, '').replace(/[^\p{L}]+$/u, '');
  if (core !== s && core.length > 0 && COMMON_PASSWORDS.has(core)) return true;
  const trailing = s.replace(/[^\p{L}\p{N}]+$/u, '');
  return trailing !== s && COMMON_PASSWORDS.has(trailing);
}

/** Words of the owner a password must not contain: the whole email, its local part, the name, its words and the handle (each from 4 characters). */
function personalWords(owner: PasswordOwner): string[] {
  const email = comparable(owner.email);
  const words = [email, email.split('@')[0] ?? '', comparable(owner.name), comparable(owner.handle ?? '')];
  for (const word of owner.name
    .normalize('NFKC')
    .toLowerCase()
    .split(/[\s\p{P}]+/u))
    words.push(comparable(word));
  return words.filter((w) => [...w].length >= 4);
}

/**
 * Why a new password is refused, or null when it is acceptable. The rules are
 * NIST SP 800-63B's: enough length (counting only characters that show), not
 * one of the commonly used passwords, not derived from the account itself.
 * Composition rules (a digit, a capital…) are deliberately absent.
 */
export function passwordProblem(password: string, owner: PasswordOwner): string | null {
  const visible = comparable(password);
  if ([...visible].length < PASSWORD_MIN_VISIBLE) {
    return `needs at least ${PASSWORD_MIN_VISIBLE} characters besides spaces and invisible characters`;
  }
  if (isCommon(visible) || isRepetition(visible) || isSequence(visible)) {
    return 'is too common or too easy to guess: choose a longer phrase of your own';
  }
  if (personalWords(owner).some((word) => visible.includes(word))) {
    return 'must not contain your email address, name or handle';
  }
  return null;
}
