import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGroup, type Harness, join, ORIGIN, type Person, signUp, startApp } from '../helpers/app';
import { createProposal } from '../helpers/factories';
import { as } from '../helpers/requests';
import { type SinkMessage, type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { postComment, startThread } from '../helpers/threads';

// Every email speaks its reader's language: a member's choice (`PATCH /me {locale}`),
// else the browser they signed up or in with, else English (test/api/languages.test.ts).
// Over real SMTP, as a mail client reads it.

const PUBLIC = 'http://localhost';

describe('emails in the reader’s language', () => {
  let sink: SmtpSink;
  let h: Harness;
  let ann: Person;
  let bea: Person;
  let sofia: Person;
  let group: { id: string; name: string };
  let threadId: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    h = await startApp({ SMTP_URL: sink.url, EMAIL_POLL_MS: '100', PUBLIC_URL: PUBLIC });
    ann = await signUp(h.app, { name: 'Ann' });
    bea = await signUp(h.app, { name: 'Bea' });
    sofia = await signUp(h.app, { name: 'Sofía' });
    const chosen = await as(h.app, sofia).patch('/api/v1/me', { locale: 'es' });
    expect(chosen.statusCode).toBe(200);
    // Her own zone, to read the closing time as she would.
    const zone = await as(h.app, sofia).patch('/api/v1/me/preferences', { timeZone: 'Europe/Madrid' });
    expect(zone.statusCode).toBe(200);
    group = await createGroup(h.app, ann, 'Huerto Común');
    await join(h.app, ann, group.id, bea);
    await join(h.app, ann, group.id, sofia);
    threadId = (await startThread(h.app, ann, group.id, { title: 'Transporte' })).id;
  });
  afterAll(async () => {
    await h?.close();
    await sink?.stop();
  });

  /** The first message delivered to `to` whose subject contains `subject`, once it has arrived. */
  const delivered = async (to: string, subject: string): Promise<SinkMessage> => {
    h.app.ctx.email.wake();
    for (;;) {
      const found = sink.messages.find((m) => m.to.includes(to) && m.subject.includes(subject));
      if (found) return found;
      await sink.waitFor(sink.messages.length + 1);
    }
  };
  const htmlLang = (m: SinkMessage) => /<html lang="([^"]+)"/.exec(m.html)?.[1];

  it('a sign-up from a Spanish browser gets its verification email in Spanish; an English one in English', async () => {
    const email = `eva-${Date.now()}@example.org`;
    const registered = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      headers: { origin: ORIGIN, 'accept-language': 'es-ES,es;q=0.9' },
      payload: { name: 'Eva', email, password: 'correct horse battery' },
    });
    expect(registered.statusCode).toBe(201);

    const mail = await delivered(email, 'Confirma tu dirección de correo');
    expect(mail.subject).toBe('Confirma tu dirección de correo');
    expect(mail.text).toContain('Hola, Eva:');
    expect(mail.text).toContain('Confirma que esta es tu dirección');
    expect(mail.text).toMatch(/Confirmar mi dirección: http:\/\/localhost\/verify-email\?token=\S+/);
    expect(mail.text).not.toContain('Please confirm');
    expect(mail.html).toContain('Si no creaste una cuenta de Plenary, ignora este correo.');
    expect(htmlLang(mail)).toBe('es');

    // Ann signed up without a language: English, as ever.
    const english = await delivered(ann.email, 'Confirm your email address');
    expect(english.subject).toBe('Confirm your email address');
    expect(english.text).toContain('Hello Ann,');
    expect(htmlLang(english)).toBe('en');
  });

  it('a new proposal reaches a member who chose Spanish in Spanish, and an English member in English', async () => {
    const title = 'Compartir una furgoneta';
    const p = await createProposal(h.app, ann, threadId, {
      kind: 'proposal',
      title,
      details: 'Una para todo el huerto.',
      closesAt: '2030-06-01T15:00:00.000Z',
    });

    const es = await delivered(sofia.email, title);
    expect(es.subject).toBe(`[Huerto Común] Ann te pide que votes: ${title}`);
    expect(es.text).toContain(`Ann te pide que votes: ${title}`);
    // 15:00 UTC in June is 17:00 in Madrid, written as Spanish writes dates.
    expect(es.text).toMatch(/La votación cierra el sábado, 1 de junio de 2030,? 17:00/);
    expect(es.text).toContain(`Leer y votar: ${PUBLIC}/threads/${threadId}#proposal-${p.id}`);
    expect(es.text).toContain(
      'Recibes esto porque eres miembro de Huerto Común y recibes todos sus correos.',
    );
    expect(es.text).toContain(`Cambia qué correos recibes: ${PUBLIC}/settings/email`);
    expect(es.text).not.toMatch(/Voting closes|Read and vote|You get this/);
    expect(htmlLang(es)).toBe('es');

    const en = await delivered(bea.email, title);
    expect(en.subject).toBe(`[Huerto Común] Ann asks you to vote: ${title}`);
    expect(en.text).toMatch(/Voting closes Saturday,? 1 June 2030,? at 15:00 UTC/);
    expect(en.text).toContain('Read and vote: ');
    expect(en.text).toContain(
      'You get this because you are a member of Huerto Común and get all of its email.',
    );
    expect(htmlLang(en)).toBe('en');
  });

  it('a mention, and a reminder to vote, are said in Spanish to her and in English to others', async () => {
    await postComment(h.app, ann, threadId, `@${sofia.handle} @${bea.handle} ¿quién conduce?`);
    const mention = await delivered(sofia.email, 'te mencionó');
    expect(mention.subject).toBe('[Huerto Común] Ann te mencionó en un comentario de “Transporte”');
    expect(mention.text).toContain('Abrir el comentario: ');
    expect(mention.text).toContain('> @');
    const englishMention = await delivered(bea.email, 'mentioned you');
    expect(englishMention.subject).toBe('[Huerto Común] Ann mentioned you in a comment in “Transporte”');

    const p = await createProposal(h.app, ann, threadId, {
      kind: 'proposal',
      title: 'Pintar la caseta',
      closesAt: new Date(Date.now() + 3 * 3600_000 + 60_000).toISOString(),
    });
    const reminded = await as(h.app, ann).post(`/api/v1/proposals/${p.id}/remind`);
    expect(reminded.statusCode).toBe(202);
    const reminder = await delivered(sofia.email, 'te recuerda');
    expect(reminder.subject).toBe(
      '[Huerto Común] Ann te recuerda que votes sobre “Pintar la caseta”, que cierra en 3 horas',
    );
    expect(reminder.text).toContain('Votar ahora: ');
    const englishReminder = await delivered(bea.email, 'reminds you');
    expect(englishReminder.subject).toBe(
      '[Huerto Común] Ann reminds you to vote on "Pintar la caseta", which closes in 3 hours',
    );
  });

  it('an invitation to an address with no account speaks the inviter’s language', async () => {
    const own = await createGroup(h.app, sofia, 'Cooperativa');
    const to = `nadie-${Date.now()}@example.net`;
    const sent = await as(h.app, sofia).post(`/api/v1/groups/${own.id}/invitations`, { emails: [to] });
    expect(sent.statusCode).toBe(201);
    const mail = await delivered(to, 'Cooperativa');
    expect(mail.subject).toBe('Sofía te invitó a Cooperativa');
    expect(mail.text).toContain('Sofía te invitó a unirte a Cooperativa en Plenary como miembro');
    expect(mail.text).toContain('Aceptar la invitación: http://localhost/invite/');
    expect(htmlLang(mail)).toBe('es');
  });
});
