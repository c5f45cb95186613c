// Prints the closing summary lines of `npm test` from the Vitest and Playwright JSON reports.
import { existsSync, readFileSync } from 'node:fs';

const read = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);

const unit = read('reports/unit.json');
console.log(`unit: ${unit?.numPassedTests ?? 0} passed, ${unit ? unit.numFailedTests : 1} failed`);

const e2e = read('reports/e2e.json');
const stats = e2e?.stats;
const e2eFailed = stats ? stats.unexpected : 1;
console.log(
  `e2e: ${stats?.expected ?? 0} passed, ${e2eFailed} failed, ${stats?.flaky ?? 0} flaky (passed when run again), ${stats?.skipped ?? 0} skipped`,
);
