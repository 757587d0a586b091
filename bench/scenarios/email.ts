import type { BenchContext } from '../lib/context';
import { measureEmail } from '../lib/email';
import { summarizeProfile } from '../lib/profile';
import { fmt } from '../lib/util';

/**
 * Scenario 7: a proposal's notification emails to every member of a
 * 2,000-member group, queued in its own transaction and delivered by the
 * server's worker to a real SMTP server, against bare nodemailer; and the
 * proposal's creation time with and without them. Runs its own server
 * processes (with SMTP_URL), after the shared one has stopped.
 */
export async function email(ctx: BenchContext): Promise<void> {
  await ctx.report.attempt('7', 'Email', async () => {
    const e = await measureEmail({
      serverEnv: ctx.serverEnv,
      logFile: ctx.logFile,
      seed: ctx.seed,
      openDatabase: () => ctx.bench.open(),
      rounds: ctx.settings.emailRounds,
      profileDir: ctx.profileDir,
    });
    if (ctx.profileDir) ctx.profiles.push(summarizeProfile(ctx.profileDir));
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const app = median(e.appRates);
    const bare = Math.max(...e.bareRates);
    const ratio = app / bare;
    ctx.report.record({
      id: '7a',
      name: `Email: a proposal to ${e.recipients.toLocaleString('en-US')} members, queued and delivered`,
      status: ratio >= 0.5 && e.missing === 0 && e.duplicates === 0 && e.quietSent === 0 ? 'PASS' : 'MISS',
      metric: 'msg/s',
      value: app,
      baseline: bare,
      ratio,
      target: '≥ 0.5× bare nodemailer, none lost or twice',
      errors: e.missing + e.duplicates + (e.quietSent ?? 0),
      notes: [
        `from the creating request to the last delivery, per proposal: ${e.appRates.map((r) => fmt(r, 0)).join(', ')} msg/s (median shown); bare nodemailer (pool of 5, same SMTP server in the bench process) before and after: ${e.bareRates.map((r) => fmt(r, 0)).join(', ')} msg/s (best shown)`,
        `${e.missing} missing, ${e.duplicates} delivered twice, ${e.quietSent} sent while no member wanted email`,
      ],
      details: e as unknown as Record<string, unknown>,
    });
    const withEmail = median(e.withEmailMs);
    const withoutEmail = median(e.withoutEmailMs);
    ctx.report.record({
      id: '7b',
      name: 'Email: proposal creation with its emails queued',
      status: withEmail / withoutEmail <= 1.5 ? 'PASS' : 'MISS',
      metric: 'ms',
      value: withEmail,
      baseline: withoutEmail,
      ratio: withEmail / withoutEmail,
      target: '≤ 1.5× creation with no email',
      notes: [
        `with ${e.recipients} emails queued in the proposal's transaction: ${e.withEmailMs.map((v) => fmt(v, 1)).join(', ')} ms; with every member at "none": ${e.withoutEmailMs.map((v) => fmt(v, 1)).join(', ')} ms (medians shown)`,
      ],
      details: e as unknown as Record<string, unknown>,
    });
  });
}
