import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // interop tests start real daemons on fixed loopback addresses: one file at a time there
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
