import { configDefaults, defineConfig } from 'vitest/config';

// `vitest run` is `npm test`; `vitest run --mode faults` (`npm run test:faults`) runs the
// tests that crash servers and databases, which take minutes.
export default defineConfig(({ mode }) => ({
  test: {
    include:
      mode === 'faults'
        ? ['test/faults/**/*.test.ts']
        : ['server/**/*.test.ts', 'web/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: mode === 'faults' ? configDefaults.exclude : [...configDefaults.exclude, 'test/faults/**'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Output of servers started by the tests stays out of the report unless a test fails.
    silent: 'passed-only',
  },
}));
