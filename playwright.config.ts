import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 45_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  // On CI (2 shared cores) a test that fails is run once more, and the summary names it flaky; a
  // test failing twice fails the run. Locally every failure shows at once.
  retries: process.env.CI === 'true' ? 1 : 0,
  // An action waiting for an element, or a navigation waiting for its page, that never comes fails on
  // its own step, not at the test's timeout.
  use: { actionTimeout: 15_000, navigationTimeout: 20_000 },
  reporter: [['list'], ['json', { outputFile: 'reports/e2e.json' }]],
  outputDir: 'test-results',
});
