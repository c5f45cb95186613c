/**
 * Micro-benchmark of the popup's repository search (lib/features/clone/search.ts), in Node:
 * `npx tsx scripts/bench-search.ts` (BENCH_SIZES=20000,100000 BENCH_RUNS=30 to change).
 * Numbers, not pass/fail. Builds indexes of realistic names (multi-word slugs over a shared
 * vocabulary, camelCase and accented names, personal projects, recently used entries) from a
 * fixed seed, then times:
 *   - the first build in a fresh process (what a popup opening pays: nothing compiled yet),
 *     then builds once warm, and the rebuild after a sync added 1% more repositories;
 *   - search with 1-, 2-, 3- and 6-character queries (word prefixes, initials such as "pt",
 *     substrings and misses), each query run many times: p50 / p99 / max per query length.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createSearchIndex, type SearchEntry } from '../lib/features/clone/search';
import { seededRandom } from '../simulator/names';

// A full garbage collection before each measured phase, so one phase's garbage is not collected
// in the next one's timings.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const SIZES = (process.env.BENCH_SIZES ?? '20000,100000').split(',').map(Number);
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

const VOCABULARY = [
  'service',
  'api',
  'web',
  'ios',
  'android',
  'payments',
  'infra',
  'tools',
  'platform',
  'auth',
  'billing',
  'gateway',
  'data',
  'pipeline',
  'frontend',
  'backend',
  'mobile',
  'docs',
  'config',
  'terraform',
  'helm',
  'charts',
  'client',
  'server',
  'core',
  'common',
  'shared',
  'lib',
  'sdk',
  'admin',
  'portal',
  'search',
  'index',
  'events',
  'stream',
  'kafka',
  'worker',
  'scheduler',
  'batch',
  'etl',
  'warehouse',
  'reports',
  'metrics',
  'monitoring',
  'alerts',
  'logging',
  'tracing',
  'cache',
  'proxy',
  'router',
  'edge',
  'cdn',
  'identity',
  'users',
  'accounts',
  'orders',
  'checkout',
  'cart',
  'catalog',
  'pricing',
  'invoice',
  'ledger',
  'wallet',
  'cards',
  'fraud',
  'risk',
  'compliance',
  'notifications',
  'email',
  'sms',
  'push',
  'chat',
  'media',
  'images',
  'video',
  'upload',
  'storage',
  'backup',
  'migration',
  'schema',
  'model',
  'ml',
  'training',
  'inference',
  'features',
  'experiments',
  'ansible',
  'docker',
  'k8s',
  'deploy',
  'release',
  'build',
  'ci',
  'scripts',
  'utils',
  'legacy',
  'v2',
];
const PROJECTS: ReadonlyArray<[string, string]> = [
  ['PLAT', 'Platform'],
  ['PAY', 'Payments'],
  ['INFRA', 'Infrastructure'],
  ['MOB', 'Mobile Apps'],
  ['WEB', 'Web Frontends'],
  ['DATA', 'Data Engineering'],
  ['SEC', 'Security'],
  ['OPS', 'Operations'],
  ['ML', 'Machine Learning'],
  ['CORE', 'Core Services'],
  ['ID', 'Identity & Access'],
  ['CHK', 'Checkout'],
  ['RISK', 'Risk Management'],
  ['DOCS', 'Documentation'],
  ['QA', 'Quality'],
  ['EQD', 'Équipe Données'],
  ['ZUR', 'Zürich Büro'],
  ['INT', 'Integrations'],
  ['ARCH', 'Architecture'],
];
const PEOPLE = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'oscar',
  'peggy',
  'søren',
  'zoë',
];

function makeEntries(count: number, seed: number): SearchEntry[] {
  // Seeded, so every run measures the same data.
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const entries: SearchEntry[] = [];
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    const wordCount = 1 + Math.floor(random() * 4);
    const words = Array.from({ length: wordCount }, () => pick(VOCABULARY));
    if (random() < 0.15) words.push(String(Math.floor(random() * 100)));
    const slug = words.join(random() < 0.85 ? '-' : '_');
    const style = random();
    const name =
      style < 0.5
        ? words.join('-')
        : style < 0.8
          ? words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ')
          : words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
    let projectKey: string;
    let projectName: string;
    if (random() < 0.12) {
      const person = pick(PEOPLE);
      projectKey = `~${person.toUpperCase()}`;
      projectName = person[0]!.toUpperCase() + person.slice(1);
    } else {
      const [key, label] = pick(PROJECTS);
      const team = Math.floor(random() * 40);
      projectKey = team === 0 ? key : `${key}${team}`;
      projectName = team === 0 ? label : `${label} ${team}`;
    }
    entries.push({
      key: `p1:${i}`,
      projectKey,
      projectName,
      name,
      slug,
      ...(random() < 0.002 ? { lastUsedAt: now - Math.floor(random() * 30 * 86_400_000) } : {}),
    });
  }
  return entries;
}

const QUERIES: Record<number, string[]> = {
  1: ['a', 'p', 's', 'w', 'd', 'i', 'm', 'e', 'z', 'ö'],
  2: ['pa', 'pt', 'ap', 'we', 'da', 'in', 'se', 'co', 'k8', 'qx'],
  3: ['api', 'pay', 'web', 'inf', 'plt', 'ser', 'gtw', 'sdk', 'dat', 'zzq'],
  6: ['paymen', 'ptools', 'gatewa', 'pipeli', 'servic', 'authsv', 'terraf', 'plat a', 'mobile', 'qqqqqq'],
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
const ms = (x: number) => `${x.toFixed(2)} ms`;

// A child run: one build in a fresh process, its time printed.
if (process.env.BENCH_COLD_SIZE) {
  const entries = makeEntries(Number(process.env.BENCH_COLD_SIZE), 42);
  const t0 = performance.now();
  createSearchIndex(entries).search('a');
  console.log(JSON.stringify({ ms: performance.now() - t0 }));
  process.exit(0);
}

function coldBuilds(size: number, runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
      env: { ...process.env, BENCH_COLD_SIZE: String(size) },
      encoding: 'utf8',
    });
    times.push((JSON.parse(out.trim().split('\n').pop()!) as { ms: number }).ms);
  }
  return times.sort((a, b) => a - b);
}

for (const size of SIZES) {
  const entries = makeEntries(size, 42);
  const cold = coldBuilds(size, 5);
  const builds: number[] = [];
  let index = createSearchIndex(entries);
  index.search('warm');
  for (let i = 0; i < 5; i++) {
    collect();
    const t0 = performance.now();
    index = createSearchIndex(entries);
    index.search('x');
    builds.push(performance.now() - t0);
  }
  builds.sort((a, b) => a - b);

  // A sync that found 1% more repositories: the same objects again plus the new ones.
  const more = makeEntries(Math.ceil(size / 100), 7).map((e, i) => ({ ...e, key: `p1:new${i}` }));
  const rebuilds: number[] = [];
  for (let i = 0; i < 5; i++) {
    const copy = createSearchIndex(entries);
    collect();
    const t0 = performance.now();
    copy.replaceAll([...entries, ...more]);
    copy.search('x');
    rebuilds.push(performance.now() - t0);
  }
  rebuilds.sort((a, b) => a - b);

  console.log(`\n${size.toLocaleString('en')} repositories`);
  console.log(
    `  first build in a fresh process, with a first search: median ${ms(cold[2]!)} (min ${ms(cold[0]!)}, max ${ms(cold[4]!)}, n=5)`,
  );
  console.log(
    `  build, warm (normalise, words, order): median ${ms(builds[2]!)} (min ${ms(builds[0]!)}, max ${ms(builds[4]!)}, n=5)`,
  );
  console.log(`  rebuild after +1%: median ${ms(rebuilds[2]!)} (max ${ms(rebuilds[4]!)}, n=5)`);

  for (const [length, queries] of Object.entries(QUERIES)) {
    for (const q of queries) for (let i = 0; i < 3; i++) index.search(q);
    collect();
    const times: number[] = [];
    let hits = 0;
    for (let run = 0; run < RUNS; run++) {
      for (const q of queries) {
        const t0 = performance.now();
        hits += index.search(q).length;
        times.push(performance.now() - t0);
      }
    }
    times.sort((a, b) => a - b);
    console.log(
      `  ${length}-char queries: p50 ${ms(percentile(times, 50))}, p99 ${ms(percentile(times, 99))}, max ${ms(times[times.length - 1]!)} (n=${times.length}, ${queries.length} queries × ${RUNS}, ${(hits / times.length).toFixed(1)} hits avg)`,
    );
  }
}
