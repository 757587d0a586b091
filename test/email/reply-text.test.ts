import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { replyText } from '../../server/email/reply-text';

// What a notification email's plain-text part looks like once a mail client quotes it.
const NOTIFICATION = [
  'Ann replied to your comment in “Transport”',
  '',
  'Shall we share one van and split the costs?',
  '',
  'Open the reply: http://localhost/threads/5b0c/#comment-77',
  '',
  '--',
  'You get this because you are a member of Commons Circle and get all of its email.',
  'Change what email you get: http://localhost/settings/email',
];
const quoted = (prefix = '> ') =>
  NOTIFICATION.map((l) => (l ? `${prefix}${l}` : prefix.trimEnd())).join('\n');

describe('the new text of an emailed reply', () => {
  it('Gmail, top-posted, with its attribution wrapped over two lines and CRLF line ends', () => {
    const mail = [
      'Yes, Thursday works for me.',
      "I'll bring the minutes.",
      '',
      'On Thu, Dec 3, 2026 at 4:30 PM Plenary via Commons Circle <',
      'reply+abcdefghijklmnopqrstuvwxyz234567abcdefgh@reply.example.org> wrote:',
      '',
      quoted(),
    ].join('\r\n');
    expect(replyText(mail)).toBe("Yes, Thursday works for me.\nI'll bring the minutes.");
  });

  it('Gmail in German and French attributions', () => {
    expect(
      replyText(
        `Einverstanden.\n\nAm Do., 3. Dez. 2026 um 16:30 Uhr schrieb Plenary <plenary@localhost>:\n\n${quoted()}`,
      ),
    ).toBe('Einverstanden.');
    expect(
      replyText(
        `D’accord, jeudi.\n\nLe jeu. 3 déc. 2026 à 16:30, Plenary <plenary@localhost> a écrit :\n\n${quoted()}`,
      ),
    ).toBe('D’accord, jeudi.');
    expect(
      replyText(
        `De acuerdo.\n\nEl jue, 3 dic 2026 a las 16:30, Plenary (<plenary@localhost>) escribió:\n\n${quoted()}`,
      ),
    ).toBe('De acuerdo.');
  });

  it('Gmail with only an HTML part: mailparser makes its gmail_quote blockquote `>` lines, which go', async () => {
    const html =
      '<div dir="ltr">Count me in for <b>Thursday</b>.<div><br></div><div>Bea</div></div><br>' +
      '<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Thu, 3 Dec 2026 at 16:30, Plenary &lt;' +
      '<a href="mailto:plenary@localhost">plenary@localhost</a>&gt; wrote:<br></div>' +
      '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">' +
      '<h1>Ann replied to your comment in “Transport”</h1><p>Shall we share one van?</p>' +
      '<p>You get this because you are a member of Commons Circle.</p></blockquote></div>';
    const raw = [
      'From: Bea <bea@example.org>',
      'To: reply+x@reply.example.org',
      'Subject: Re: [Commons Circle] Ann replied',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset="UTF-8"',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      html.replace(/=/g, '=3D').replace(/(.{70})/g, '$1=\r\n'),
    ].join('\r\n');
    const mail = await simpleParser(raw);
    const text = replyText(mail.text ?? '');
    expect(text).toContain('Count me in for');
    expect(text).toContain('Thursday');
    expect(text).toContain('Bea');
    expect(text).not.toMatch(/wrote|ann replied|share one van|member of/i);
  });

  it('Outlook on Windows: the underscore rule and the From/Sent block cut everything below, unquoted', () => {
    const mail = [
      'Sounds good to me.',
      '',
      'Kind regards,',
      'Bea',
      '',
      '________________________________',
      'From: Plenary <plenary@localhost>',
      'Sent: Thursday, December 3, 2026 4:30 PM',
      'To: Bea Example <bea@example.org>',
      'Subject: [Commons Circle] Ann replied to your comment in “Transport”',
      '',
      ...NOTIFICATION,
    ].join('\r\n');
    expect(replyText(mail)).toBe('Sounds good to me.\n\nKind regards,\nBea');
  });

  it('Outlook’s "Original Message" separator, its bold header block, and in German', () => {
    expect(
      replyText(`Fine by me.\n\n-----Original Message-----\nFrom: Plenary\n${NOTIFICATION.join('\n')}`),
    ).toBe('Fine by me.');
    expect(
      replyText(
        `Fine by me.\n\n*From:* Plenary <plenary@localhost>\n*Sent:* Thursday, 3 December 2026 16:30\n*To:* bea@example.org\n\n${NOTIFICATION.join('\n')}`,
      ),
    ).toBe('Fine by me.');
    expect(
      replyText(
        `Passt.\n\nVon: Plenary <plenary@localhost>\nGesendet: Donnerstag, 3. Dezember 2026 16:30\nAn: bea@example.org\nBetreff: [Commons Circle] …\n\n${NOTIFICATION.join('\n')}`,
      ),
    ).toBe('Passt.');
    expect(replyText(`OK\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n${NOTIFICATION.join('\n')}`)).toBe(
      'OK',
    );
  });

  it('Apple Mail on an iPhone: the phone signature and the quoted attribution go', () => {
    const mail = [
      'Agreed, let’s do it.',
      '',
      'Sent from my iPhone',
      '',
      '> On 3 Dec 2026, at 16:30, Plenary <plenary@localhost> wrote:',
      '>',
      `${quoted()}`,
    ].join('\n');
    expect(replyText(mail)).toBe('Agreed, let’s do it.');
    expect(
      replyText('Passt.\n\nVon meinem iPhone gesendet\n\n> Am 03.12.2026 um 16:30 schrieb Plenary:'),
    ).toBe('Passt.');
  });

  it('Apple Mail on a Mac: the attribution line outside the quote goes with it', () => {
    const mail = `Agreed.\n\n> On 3 Dec 2026, at 16:30, Plenary <plenary@localhost> wrote:\n>\n${quoted()}`;
    expect(replyText(mail)).toBe('Agreed.');
    const unquotedAttribution = `Agreed.\n\nOn 3 Dec 2026, at 16:30, Plenary <plenary@localhost> wrote:\n\n${quoted()}`;
    expect(replyText(unquotedAttribution)).toBe('Agreed.');
  });

  it('Thunderbird, bottom-posted, with a signature after the "-- " delimiter', () => {
    const mail = [
      'On 03/12/2026 16:30, Plenary wrote:',
      quoted(),
      '',
      'Thursday suits me; I can drive.',
      '',
      '-- ',
      'Bea Example',
      'Treasurer, Commons Circle',
    ].join('\n');
    expect(replyText(mail)).toBe('Thursday suits me; I can drive.');
  });

  it('an inline answer keeps the quotes it answers, as Markdown blockquotes, and drops the rest', () => {
    const mail = [
      'On Thu, 3 Dec 2026 at 16:30, Plenary <plenary@localhost> wrote:',
      '> Ann replied to your comment in “Transport”',
      '>',
      '> Shall we share one van and split the costs?',
      '',
      'Yes, one van.',
      '',
      '> Open the reply: http://localhost/threads/5b0c/#comment-77',
      '',
      'And split by distance, not equally.',
      '',
      '> --',
      '> You get this because you are a member of Commons Circle.',
    ].join('\n');
    expect(replyText(mail)).toBe(
      [
        '> Ann replied to your comment in “Transport”',
        '>',
        '> Shall we share one van and split the costs?',
        '',
        'Yes, one van.',
        '',
        '> Open the reply: http://localhost/threads/5b0c/#comment-77',
        '',
        'And split by distance, not equally.',
      ].join('\n'),
    );
  });

  it('keeps Markdown, lists and text that only looks like a header', () => {
    const body = [
      'Three options:',
      '',
      '- one van',
      '- two cars',
      '',
      'From: the treasurer’s point of view, the first is cheapest.',
      '',
      '```',
      'cost = distance * 0.3',
      '```',
      'On balance I would go with the van.',
    ].join('\n');
    expect(
      replyText(`${body}\n\nOn Thu, 3 Dec 2026 at 16:30, Plenary <plenary@localhost> wrote:\n${quoted()}`),
    ).toBe(body);
  });

  it('a reply with nothing of its own is empty', () => {
    expect(replyText(`On Thu, 3 Dec 2026 at 16:30, Plenary <plenary@localhost> wrote:\n${quoted()}`)).toBe(
      '',
    );
    expect(replyText('\n\nSent from my iPhone\n')).toBe('');
    expect(replyText('')).toBe('');
  });
});
