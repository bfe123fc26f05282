import { configDefaults, defineConfig } from 'vitest/config';

// `vitest run` is `npm test`; `vitest run --mode faults` (`npm run test:faults`) runs the
// tests that crash servers and databases, which take minutes; `vitest run --mode documents`
// (`npm run test:documents`) renders report documents with LibreOffice, which `npm test`
// does not need.
const SEPARATE: Record<string, string> = { faults: 'test/faults/**', documents: 'test/documents/**' };

export default defineConfig(({ mode }) => ({
  test: {
    include: SEPARATE[mode]
      ? [`${SEPARATE[mode]}/*.test.ts`]
      : ['server/**/*.test.ts', 'web/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: SEPARATE[mode] ? configDefaults.exclude : [...configDefaults.exclude, ...Object.values(SEPARATE)],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Output of servers started by the tests stays out of the report unless a test fails.
    silent: 'passed-only',
  },
}));
