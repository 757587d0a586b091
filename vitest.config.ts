import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Cheaper password hashes for the suite and the servers it starts (server/services/passwords.ts).
    env: { PLENARY_INSECURE_FAST_PASSWORD_HASHING_FOR_TESTS: '1' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one file at a time on two cores. Most files here wait on servers,
    // browsers, sockets and timers rather than compute, and each has its own database, so two
    // run side by side even on the smallest machine (CI's).
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
