import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import type { Database } from '../../server/db/database';
import { type AppServer, startAppServer } from './procs';
import type { Seed } from './seed';
import { now, sleep } from './util';

/** A real SMTP server in the bench process that only counts what arrives (and Message-IDs, for duplicates). */
interface CountingSink {
  url: string;
  received: number;
  /** Messages whose Message-ID had arrived before. */
  duplicates: number;
  /** Resolves when `count` messages have arrived in all, or after `timeoutMs` (then with what has). */
  waitFor(count: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

async function startCountingSink(): Promise<CountingSink> {
  const seen = new Set<string>();
  let waiter: (() => void) | null = null;
  const sink: CountingSink = {
    url: '',
    received: 0,
    duplicates: 0,
    async waitFor(count, timeoutMs) {
      const deadline = now() + timeoutMs;
      while (sink.received < count && now() < deadline) {
        await Promise.race([new Promise<void>((resolve) => (waiter = resolve)), sleep(250)]);
      }
      return sink.received;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      // Only the headers matter: the Message-ID, to tell a duplicate from a new message.
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 8192) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const id = /^message-id:\s*(\S+)/im.exec(head)?.[1] ?? `none-${sink.received}`;
        if (seen.has(id)) sink.duplicates++;
        seen.add(id);
        sink.received++;
        waiter?.();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sink.url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}?tls=off`;
  return sink;
}

/** A notification-sized message (the app's are about this size: both parts, a quoted proposal). */
const TEXT = `A new proposal: Adopt the bench charter\n\n${'Shall we adopt it? '.repeat(40)}\n\nRead and vote: http://localhost/threads/x`;
const HTML =
  `<table><tr><td><p>${'Shall we adopt it? '.repeat(40)}</p><a href="http://localhost/threads/x">Read and vote</a></td></tr></table>`.repeat(
    3,
  );

/** Bare nodemailer: the same pool the app's worker uses, every message handed to it at once. */
async function bareSends(sink: CountingSink, count: number): Promise<number> {
  const url = new URL(sink.url);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port),
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: 5,
  });
  const started = now();
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      transport.sendMail({
        from: 'Plenary <plenary@localhost>',
        to: `member-${i}@example.org`,
        subject: '[Bench assembly] A new proposal: Adopt the bench charter',
        text: TEXT,
        html: HTML,
        headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      }),
    ),
  );
  const seconds = (now() - started) / 1000;
  transport.close();
  return count / seconds;
}

async function createProposal(server: AppServer, seed: Seed, title: string): Promise<number> {
  const started = now();
  const res = await fetch(`${server.url}/api/v1/threads/${seed.hotThreadId}/proposals`, {
    method: 'POST',
    headers: { authorization: `Bearer ${seed.members[0]!.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'proposal',
      title,
      details: 'Shall we adopt it?',
      closesAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    }),
  });
  const ms = now() - started;
  if (res.status !== 201) throw new Error(`creating a proposal failed: ${res.status} ${await res.text()}`);
  return ms;
}

export interface EmailBenchResult {
  /** Recipients of each proposal's emails (every member but its author). */
  recipients: number;
  rounds: number;
  /** Messages per second from each proposal's creation to its last delivery. */
  appRates: number[];
  /** Bare nodemailer messages per second, measured before and after the app. */
  bareRates: number[];
  /** Proposal creation, ms, with every member getting its email, and with nobody getting email. */
  withEmailMs: number[];
  withoutEmailMs: number[];
  /** Messages the sink expected but did not get in time, and duplicates by Message-ID. */
  missing: number;
  duplicates: number;
  /** Emails that arrived while nobody wanted any (must be 0). */
  quietSent: number;
}

/**
 * A proposal in a group of `seed.members.length` people queues one email per
 * member in its own transaction; the server's worker delivers them to a real
 * SMTP server. Compared, in the same run, with bare nodemailer sending as many
 * messages to the same server, and with creating proposals when no member
 * wants email (so nothing is queued).
 */
export async function measureEmail(options: {
  serverEnv: Record<string, string>;
  logFile: string;
  /** --profile: the server delivering the emails writes its V8 CPU profile here. */
  profileDir?: string;
  seed: Seed;
  openDatabase: () => Promise<Database>;
  rounds: number;
}): Promise<EmailBenchResult> {
  const { seed, rounds } = options;
  const recipients = seed.members.length - 1;
  const sink = await startCountingSink();
  const result: EmailBenchResult = {
    recipients,
    rounds,
    appRates: [],
    bareRates: [],
    withEmailMs: [],
    withoutEmailMs: [],
    missing: 0,
    duplicates: 0,
    quietSent: 0,
  };
  try {
    // Earlier scenarios' proposals queued mail for a server with no SMTP: it is not this scenario's to send.
    const database = await options.openDatabase();
    try {
      await database.db.deleteFrom('email_outbox').execute();
    } finally {
      await database.close();
    }
    result.bareRates.push(await bareSends(sink, recipients));
    // Poll slowly: the wake after commit must be what sends, not the timer.
    const env = { ...options.serverEnv, SMTP_URL: sink.url, EMAIL_POLL_MS: '60000' };
    let server = await startAppServer(env, options.logFile, { profileDir: options.profileDir });
    try {
      for (let round = 0; round < rounds; round++) {
        const before = sink.received;
        const started = now();
        result.withEmailMs.push(await createProposal(server, seed, `Bench charter ${round + 1}`));
        const got = await sink.waitFor(before + recipients, 120_000);
        result.appRates.push((got - before) / ((now() - started) / 1000));
        result.missing += before + recipients - got;
      }
    } finally {
      await server.stop();
    }
    result.duplicates = sink.duplicates;

    // Nobody wants email: the same creation with nothing to queue (PGlite is opened by one process at a time).
    const quiet = await options.openDatabase();
    try {
      await quiet.db.updateTable('users').set({ email_notifications: 'none' }).execute();
    } finally {
      await quiet.close();
    }
    server = await startAppServer(env, options.logFile);
    try {
      const before = sink.received;
      for (let round = 0; round < rounds; round++) {
        result.withoutEmailMs.push(await createProposal(server, seed, `Quiet charter ${round + 1}`));
      }
      await sleep(500);
      result.quietSent = sink.received - before;
    } finally {
      await server.stop();
    }
    const restored = await options.openDatabase();
    try {
      await restored.db.updateTable('users').set({ email_notifications: 'all' }).execute();
    } finally {
      await restored.close();
    }
    result.bareRates.push(await bareSends(sink, recipients));
  } finally {
    await sink.stop();
  }
  return result;
}
