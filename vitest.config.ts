import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one file at a time on two cores. Most files here wait on servers,
    // browsers, sockets and timers rather than compute, and each has its own database, so two
    // run side by side even on the smallest machine (CI's).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
