import { expect, test } from 'vitest';
import { QUICK, runSoak } from '../bench/lib/soak';

// `npm run soak -- --quick` inside the suite: 200 members commenting, reacting and voting for 30 s
// against real server processes (two on Postgres, one on the embedded database), 20 stream subscribers.
// Bounded: 30 s of load, two minutes at most for each answer, 30 s for the subscribers to catch up.
test('soak: no 5xx, every acknowledged write stored once, tallies exact, subscribers complete, memory flat', async () => {
  const report = await runSoak({ ...QUICK, databaseUrl: process.env.DATABASE_URL || undefined });
  const { samples, rss, ...figures } = report;
  console.info(
    'soak',
    JSON.stringify({
      ...figures,
      rss: rss.map((r) => ({ first: r.first, last: r.last, firstMean: r.firstMean, lastMean: r.lastMean })),
    }),
  );
  expect(report.problems, samples.join('\n')).toEqual([]);
  expect(report.servers).toBe(report.database === 'postgres' ? 2 : 1);
  expect(report.answers['5xx']).toBe(0);
  expect(report.answers.none).toBe(0);
  expect(report.comments.found).toBe(report.comments.acknowledged);
  expect(report.votes.ballotsFound).toBe(report.votes.acknowledgedVoters);
  expect(report.votes.voterCount).toBe(report.votes.acknowledgedVoters);
  expect(report.reactions.found).toBe(report.reactions.acknowledgedOn);
  expect(rss.every((r) => r.flat && r.samples > 20)).toBe(true);
  expect(report.exitCodes.every((code) => code === 0)).toBe(true);
  // Enough traffic to mean something even on a slow, shared machine.
  expect(report.requests).toBeGreaterThan(200);
}, 420_000);
