import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/*
 * `vitest run` is `npm test`; `vitest run --mode faults` (`npm run test:faults`) runs the
 * tests that crash servers and databases, which take minutes; `vitest run --mode documents`
 * (`npm run test:documents`) renders report documents with LibreOffice, which `npm test`
 * does not need.
 *
 * Each project prepares only what its tests need, and only when one of its files runs:
 * - unit: the pure tests beside the code, with neither database nor build;
 * - database: the tests against PostgreSQL (one server per run, a template database
 *   cloned for every file) and the real server processes;
 * - pages: the tests of the built pages, in Chromium or over HTTP: the web app is built
 *   once per run, before them.
 */

/**
 * Database tests that also load built pages: the survey page, rendered on the server, and
 * the fuzzer, which sends requests to every route, the pages' included.
 */
const SERVE_BUILT_PAGES = [
  'test/db/survey.test.ts',
  'test/db/qr.test.ts',
  'test/db/responses.test.ts',
  'test/db/fuzz.test.ts',
];

const DATABASE = 'test/global-setup.ts';
const PAGES = 'test/pages-setup.ts';

const project = (name: string, test: TestProjectInlineConfiguration['test']): TestProjectInlineConfiguration => ({
  extends: true,
  test: { name, ...test },
});

export default defineConfig(({ mode }) => ({
  test: {
    projects:
      mode === 'faults'
        ? [project('faults', { include: ['test/faults/**/*.test.ts'], globalSetup: [PAGES] })]
        : mode === 'documents'
          ? [project('documents', { include: ['test/documents/**/*.test.ts'], globalSetup: [DATABASE] })]
          : [
              project('unit', { include: ['server/**/*.test.ts', 'web/**/*.test.ts'] }),
              project('database', {
                include: ['test/db/**/*.test.ts', 'test/system/**/*.test.ts'],
                exclude: [...configDefaults.exclude, ...SERVE_BUILT_PAGES],
                globalSetup: [DATABASE],
              }),
              project('pages', {
                include: ['test/browser/**/*.test.ts', ...SERVE_BUILT_PAGES],
                globalSetup: [PAGES, DATABASE],
              }),
            ],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Output of servers started by the tests stays out of the report unless a test fails.
    silent: 'passed-only',
  },
}));
