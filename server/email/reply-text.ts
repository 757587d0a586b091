/**
 * The new text of an emailed reply: what the member wrote, without the message
 * they replied to and without their signature.
 *
 * No well-kept library fits here: `email-reply-parser` (GitHub's port) only
 * knows English attributions and keeps every quote above new text, `planer` and
 * `talon` want a DOM or Python. So these are plain rules over the text part,
 * in the order mail clients write things:
 *
 * 1. A hard stop cuts everything below it: a signature delimiter (`-- `), a
 *    mobile signature ("Sent from my iPhone"), Outlook's "-----Original
 *    Message-----", its underscore rule or its `From:`/`Sent:` header block,
 *    "Begin forwarded message:", or an attribution ("On … wrote:") that is not
 *    followed by quoted lines (Outlook for Mac quotes that way).
 * 2. Attribution lines (in the languages people here write in, wrapped over up
 *    to three lines as Gmail does) go, with the quoted (`>`) lines.
 * 3. Quotes between two pieces of new text are an inline answer's context and
 *    stay, as Markdown blockquotes; a quote before all or after all new text is
 *    the history (top and bottom posting) and goes.
 *
 * An HTML-only message needs nothing more: mailparser turns its blockquotes
 * (Gmail's `gmail_quote`, Apple Mail's `type="cite"`) into `>` lines.
 */
export function replyText(text: string): string {
  let lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+$/, ''));

  const stop = lines.findIndex((_, i) => isHardStop(lines, i));
  if (stop !== -1) lines = lines.slice(0, stop);

  // Each line is new text, quoted, an attribution (dropped) or blank (goes with its neighbours).
  const kinds: ('text' | 'quote' | 'blank' | 'drop')[] = lines.map((l) =>
    l.trim() === '' ? 'blank' : isQuoted(l) ? 'quote' : 'text',
  );
  for (let i = 0; i < lines.length; i++) {
    const span = attributionAt(lines, i);
    if (span > 0) for (let j = i; j < i + span; j++) kinds[j] = 'drop';
  }

  const firstText = kinds.indexOf('text');
  if (firstText === -1) return '';
  const lastText = kinds.lastIndexOf('text');
  // A quote between two pieces of new text makes this an inline answer: then the quote
  // before the first answer is its context too. Otherwise every quote is history.
  const interleaved = kinds.slice(firstText, lastText + 1).includes('quote');
  const start = interleaved ? kinds.findIndex((k) => k === 'text' || k === 'quote') : firstText;
  const body: string[] = [];
  for (let i = start; i <= lastText; i++) if (kinds[i] !== 'drop') body.push(lines[i]!);
  return body
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function isQuoted(line: string): boolean {
  return /^\s*>/.test(line);
}

/** "wrote" and "On" as mail clients write them in English, French, German, Spanish, Italian, Dutch, Portuguese, the Nordic languages and Polish. */
const WROTE =
  /(wrote|writes|a écrit|schrieb|escribió|ha scritto|scrisse|schreef|escreveu|skrev|kirjoitti|napisał\(a\)|napisał|napisała)\s*:?$/i;
const ON = /^(On|Le|Am|El|Il|Op|Em|Den|På|W dniu|Dnia|\d)/i;

/**
 * How many lines (1–3) an attribution starting at line `i` spans, or 0. Gmail
 * wraps long ones ("On Thu, 3 Dec 2026 at 16:30, Ann Example <\nann@example.org>
 * wrote:"); German ones put the verb before the name ("Am … schrieb Ann <…>:").
 */
function attributionAt(lines: string[], i: number): number {
  const first = lines[i]!.trim();
  if (first === '' || isQuoted(first) || !ON.test(first)) return 0;
  let joined = '';
  for (let span = 1; span <= 3 && i + span - 1 < lines.length; span++) {
    const line = lines[i + span - 1]!.trim();
    if (line === '' || isQuoted(line)) return 0;
    joined = `${joined} ${line}`.trim();
    if (joined.length > 300) return 0;
    if (WROTE.test(joined) && joined.endsWith(':')) return span;
    if (/\bschrieb\b.*:$/i.test(joined) || /\bnapisał.*:$/i.test(joined)) return span;
    if (/^Le .*a écrit ?:$/i.test(joined)) return span;
  }
  return 0;
}

const SIGNATURE_DELIMITER = /^--\s?$/;

/** Phone and webmail signatures, which come without a delimiter. */
const MOBILE_SIGNATURE = new RegExp(
  [
    '^Sent from my [\\w\\s-]{2,40}$',
    '^Sent from (Outlook|Mail|Yahoo Mail|ProtonMail|Proton Mail|Gmail|Samsung Mail)( for [\\w\\s]+)?$',
    '^Sent from .{1,40} for (iOS|Android|iPhone|iPad|Windows)$',
    '^Get Outlook for (iOS|Android)(<[^>]*>)?$',
    '^Envoyé de mon .{2,30}$',
    '^Von meinem .{2,30} gesendet$',
    '^Enviado desde mi .{2,30}$',
    '^Enviado do meu .{2,30}$',
    '^Inviato da .{2,30}$',
    '^Verzonden vanaf mijn .{2,30}$',
    '^Skickat från min .{2,30}$',
  ].join('|'),
  'i',
);

/** Outlook's "-----Original Message-----" and its translations. */
const ORIGINAL_MESSAGE =
  /^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Originalmeddelande|Oprindelig meddelelse|Opprinnelig melding|Mensagem original)\s*-{2,}$/i;

const HEADER_FROM = /^\*?(From|De|Von|Van|Da|Från|Fra|Od|Lähettäjä)\s*:\*?\s*\S/i;
const HEADER_NEXT =
  /^\*?(Sent|Date|To|Subject|Cc|Envoyé|Gesendet|Datum|An|Betreff|Enviado|Fecha|Para|Asunto|Inviato|Data|Oggetto|Verzonden|Onderwerp|Aan|Skickat|Ämne|Till|Emne|Til|Objet|À)\s*:/i;

function isHardStop(lines: string[], i: number): boolean {
  const line = lines[i]!.trim();
  if (SIGNATURE_DELIMITER.test(lines[i]!)) return true;
  if (MOBILE_SIGNATURE.test(line)) return true;
  if (ORIGINAL_MESSAGE.test(line)) return true;
  if (/^Begin forwarded message:$/i.test(line)) return true;
  if (/^_{10,}$/.test(line)) return nextNonBlank(lines, i + 1, (l) => HEADER_FROM.test(l));
  // "From: Ann <ann@…>" then "Sent:"/"Date:"/"To:" within the next lines: a pasted header block.
  if (HEADER_FROM.test(line)) {
    for (let j = i + 1; j < Math.min(lines.length, i + 4); j++) {
      if (HEADER_NEXT.test(lines[j]!.trim())) return true;
    }
  }
  const span = attributionAt(lines, i);
  if (span > 0) return !nextNonBlank(lines, i + span, isQuoted);
  return false;
}

/** Whether the first non-blank line from `from` on passes `test` (false when there is none). */
function nextNonBlank(lines: string[], from: number, test: (line: string) => boolean): boolean {
  for (let j = from; j < lines.length; j++) {
    if (lines[j]!.trim() !== '') return test(lines[j]!.trim());
  }
  return false;
}
