import { type BundleReport, measureBundle, measurePaint, threadPagePath } from '../lib/client';
import type { BenchContext } from '../lib/context';
import type { Report } from '../lib/report';
import { fmt, fmtBytes } from '../lib/util';

/**
 * 6a's measurement, taken before any server starts: the server serves
 * dist/client only if it exists when it starts, and --build-client builds it.
 */
export function clientBundle(report: Report, build: boolean): BundleReport | null {
  try {
    return measureBundle({ build });
  } catch (err) {
    report.record({
      id: '6a',
      name: 'Client: initial JS (gzip)',
      status: 'ERROR',
      metric: '',
      target: '',
      notes: [(err as Error).message],
    });
    return null;
  }
}

/** Scenario 6: the bundle's size, the thread page's first paint and the JS it loads. */
export async function client(ctx: BenchContext): Promise<void> {
  const { report, bundle, seed } = ctx;
  if (bundle) {
    report.record({
      id: '6a',
      name: 'Client: initial JS (entry + modulepreload, gzip)',
      status: bundle.gzipBytes <= 60 * 1024 ? 'PASS' : 'MISS',
      metric: 'KiB gzip',
      value: bundle.gzipBytes / 1024,
      target: '≤ 60 KiB',
      notes: [
        `${bundle.files.map((f) => `${f.file} ${fmtBytes(f.gzip)}`).join(', ')}; ${fmtBytes(bundle.rawBytes)} uncompressed`,
        ...(bundle.built ? ['built by this run'] : []),
        ...(bundle.stale
          ? ['dist/client is older than client/: run with --build-client for current figures']
          : []),
      ],
      details: bundle as unknown as Record<string, unknown>,
    });
  }
  await report.attempt('6b', 'Client: first contentful paint', async () => {
    const threadPath = threadPagePath(seed.groupId, seed.pageThreadId);
    const paint = await measurePaint({
      baseUrl: ctx.server.url,
      pagePath: threadPath ?? `/groups/${seed.groupId}`,
      page: threadPath ? 'thread' : 'group',
      sessionToken: seed.sessionToken,
      loads: ctx.settings.paintLoads,
      // The seeded comments of the page thread read "Comment <j> on 0: ...".
      contentText: threadPath ? /Comment \d+ on 0:/ : undefined,
    });
    const sorted = [...paint.fcpMs].sort((a, b) => a - b);
    report.record({
      id: '6b',
      name: threadPath
        ? `Client: FCP of a thread page (${ctx.settings.pageComments} comments)`
        : 'Client: FCP of the group page (no thread page yet)',
      status: sorted.length ? 'INFO' : 'ERROR',
      metric: 'ms FCP',
      value: sorted[Math.floor(sorted.length / 2)] ?? null,
      target: 'reported',
      notes: [
        `cold loads: ${paint.fcpMs.map((v) => fmt(v, 0)).join(', ')} ms (median shown); page ${paint.url}`,
        ...(paint.contentMs.length
          ? [
              `comments visible after ${paint.contentMs.map((v) => (v === null ? 'never' : fmt(v, 0))).join(', ')} ms (FCP is the app shell's first paint)`,
            ]
          : []),
        `JavaScript fetched for the first load: ${paint.jsFiles} files, ${fmtBytes(paint.jsWireBytes)} on the wire (${paint.compressed ? 'compressed' : 'uncompressed: the server does not compress'}), ${fmtBytes(paint.jsGzipBytes)} gzipped`,
        ...(threadPath ? [] : ['client/router.ts has no thread route yet: measured the group page instead']),
        ...paint.problems,
      ],
      details: paint as unknown as Record<string, unknown>,
    });
    if (paint.jsFiles > 0) {
      report.record({
        id: '6c',
        name: `Client: JS the ${paint.page} page actually loads (gzip)`,
        status: paint.jsGzipBytes <= 60 * 1024 ? 'PASS' : 'MISS',
        metric: 'KiB gzip',
        value: paint.jsGzipBytes / 1024,
        target: '≤ 60 KiB',
        notes: [
          `every script the first cold load fetched (lazy page chunks included), gzipped one by one; ${paint.jsFiles} files, ${fmtBytes(paint.jsWireBytes)} sent ${paint.compressed ? 'compressed' : 'uncompressed'}`,
          `largest: ${paint.scripts
            .slice(0, 5)
            .map((f) => `${f.path.replace('/assets/', '')} ${fmtBytes(f.gzip)}`)
            .join(', ')}`,
        ],
      });
    }
  });
}
