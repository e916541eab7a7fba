import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'strategies/**/*.test.ts', 'test/**/*.test.ts', 'docs/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // In CI a JSON report lets .ci/run print one plain "N passed, N failed" line.
    reporters: process.env['CI'] ? ['default', 'json'] : ['default'],
    outputFile: { json: 'out/test-results.json' },
  },
});
