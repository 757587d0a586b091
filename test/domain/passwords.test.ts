import { describe, expect, test } from 'vitest';
import { COMMON_PASSWORDS } from '../../server/domain/common-passwords';
import { passwordProblem } from '../../server/domain/passwords';

// The password rule of issue #10 (NIST SP 800-63B): length that shows, not common, not derived
// from the account. Pure, so a future password reset can call it as register and PATCH /me do.

const owner = { email: 'Ada.Lovelace@Example.org', name: 'Ada King-Lovelace', handle: 'countess' };

describe('passwordProblem', () => {
  test.each([
    'analytical engine notes',
    'correct horse battery',
    'compiler-compiler',
    'Zwölf Boxkämpfer jagen Viktor',
    '漢字かな交じりの合言葉です',
    'summer of seventy-three',
  ])('accepts %j', (password) => {
    expect(passwordProblem(password, owner)).toBeNull();
  });

  test.each([
    ['spaces around a short word', '    abcdefghi    '],
    ['tabs and newlines', 'abc\tdef\nghi\r\n   '],
    ['zero-width spaces and joiners', 'abcd\u200b\u200c\u200d\u2060efgh\u200b\u200b'],
    ['soft hyphens and a byte-order mark', 'abc\u00addef\u00ad\ufeffgh\u00ad\u00ad'],
    ['Hangul fillers', 'abcdefgh\u3164\u3164\u115f'],
    ['no-break and ideographic spaces', 'abcd\u00a0\u3000efgh\u2003\u2003'],
  ])('refuses fewer than 10 visible characters: %s', (_label, password) => {
    expect(passwordProblem(password, owner)).toMatch(/at least 10 characters/);
  });

  test('counts characters, not UTF-16 units: 10 emoji are enough', () => {
    expect(passwordProblem('🗳🐝🌻🧮📜🔭🎻🪁🧩🦉', owner)).toBeNull();
    expect(passwordProblem('🗳🐝🌻🧮📜🔭🎻🪁🧩', owner)).toMatch(/at least 10/);
  });

  test.each([
    ['a listed password', '1234567890'],
    ['a listed password in capitals', 'QWERTYUIOP'],
    ['a listed password in full-width letters', 'ｑｗｅｒｔｙｕｉｏｐ'],
    ['a listed word with digits after it', 'sunshine2024'],
    ['a listed word with symbols around it', '!!!iloveyou!!!'],
    ['a listed word with digits before it', '2024football'],
    ['a listed word with spaces inside and digits after it', 'mon key 123456'],
    ['digits counting down', '9876543210'],
    ['letters in a row', 'abcdefghijkl'],
    ['one character', 'zzzzzzzzzzzz'],
    ['a pair repeated', 'ababababab'],
    ['four characters repeated', 'asdfasdfasdf'],
  ])('refuses %s', (_label, password) => {
    expect(passwordProblem(password, owner)).toMatch(/too common/);
  });

  test.each([
    ['the whole email, in another case', 'ADA.LOVELACE@EXAMPLE.ORG'],
    ['the local part of the email', 'my ada.lovelace secret'],
    ['the name without its spaces', 'adaking-lovelace!!'],
    ['a word of the name', 'lovelace forever and ever'],
    ['the handle', 'the countess of numbers'],
  ])('refuses %s', (_label, password) => {
    expect(passwordProblem(password, owner)).toMatch(/email address, name or handle/);
  });

  test('words of the owner shorter than 4 characters do not count', () => {
    expect(passwordProblem('ada is a lovely name to me', { email: 'ada@x.org', name: 'Ada Bo' })).toBeNull();
  });

  test('the list holds about a thousand lower-case entries without spaces', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThan(900);
    for (const entry of COMMON_PASSWORDS) expect(entry).toMatch(/^[^\sA-Z]+$/);
  });
});
