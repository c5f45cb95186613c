/**
 * Realistic names for the generated (`--repos N`) repositories and their projects: words that real
 * repository names are made of, project keys as teams pick them, and the naming styles one meets on a
 * real server ("payments-gateway", "Payments Gateway Service", "PaymentsGateway", "payments_gateway").
 * Everything is drawn from a seeded generator, so the same seed gives the same names.
 */

/** A small, fast, seeded pseudo-random generator (mulberry32): numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export type Random = () => number;

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** Teams and areas as project keys with their names. */
export const PROJECT_AREAS: ReadonlyArray<readonly [key: string, name: string]> = [
  ['PLAT', 'Platform Engineering'],
  ['PAY', 'Payments'],
  ['INFRA', 'Infrastructure'],
  ['MOB', 'Mobile'],
  ['WEB', 'Web'],
  ['DATA', 'Data Engineering'],
  ['SEC', 'Security Engineering'],
  ['OPS', 'Operations'],
  ['AUTH', 'Identity & Access'],
  ['BILL', 'Billing'],
  ['CORE', 'Core Services'],
  ['API', 'API Platform'],
  ['ML', 'Machine Learning'],
  ['QA', 'Quality Engineering'],
  ['DEVX', 'Developer Experience'],
  ['CLOUD', 'Cloud Foundations'],
  ['NET', 'Networking'],
  ['OBS', 'Observability'],
  ['SRE', 'Site Reliability'],
  ['IOS', 'iOS Apps'],
  ['AND', 'Android Apps'],
  ['SHOP', 'Storefront'],
  ['CHK', 'Checkout'],
  ['SRCH', 'Search'],
  ['REC', 'Recommendations'],
  ['ANLT', 'Analytics'],
  ['BI', 'Business Intelligence'],
  ['CRM', 'Customer Relationship Management'],
  ['FIN', 'Finance Systems'],
  ['HR', 'People Systems'],
  ['IT', 'Internal IT'],
  ['DOCS', 'Documentation'],
  ['DSGN', 'Design Systems'],
  ['MSG', 'Messaging'],
  ['NOTIF', 'Notifications'],
  ['MEDIA', 'Media Services'],
  ['GEO', 'Maps & Location'],
  ['LOG', 'Logistics'],
  ['INV', 'Inventory'],
  ['ORD', 'Orders'],
  ['FRAUD', 'Fraud Detection'],
  ['RISK', 'Risk'],
  ['COMP', 'Compliance'],
  ['SUP', 'Customer Support'],
  ['PART', 'Partner Integrations'],
  ['EDGE', 'Edge & CDN'],
  ['STOR', 'Storage'],
  ['DB', 'Databases'],
  ['K8S', 'Kubernetes'],
  ['CI', 'Build & Release'],
  ['TOOLS', 'Internal Tools'],
  ['LABS', 'Labs'],
];

/**
 * Project keys and names, the areas first, then pairs of areas ("PAYMOB", "Payments Mobile") once
 * those run out; keys in `taken` are skipped.
 */
export function* projectKeys(taken: ReadonlySet<string>): Generator<{ key: string; name: string }> {
  for (const [key, name] of PROJECT_AREAS) if (!taken.has(key)) yield { key, name };
  for (const [a, aName] of PROJECT_AREAS) {
    for (const [b, bName] of PROJECT_AREAS) {
      if (a === b || taken.has(a + b)) continue;
      yield { key: a + b, name: `${aName} ${bName}` };
    }
  }
  throw new Error('out of project keys');
}

/** What a repository is about. */
const DOMAINS = [
  'payments',
  'billing',
  'checkout',
  'auth',
  'identity',
  'user',
  'account',
  'order',
  'inventory',
  'catalog',
  'search',
  'notification',
  'email',
  'sms',
  'analytics',
  'reporting',
  'pricing',
  'shipping',
  'cart',
  'profile',
  'session',
  'token',
  'ledger',
  'invoice',
  'fraud',
  'risk',
  'media',
  'image',
  'video',
  'chat',
  'feed',
  'recommendation',
  'geo',
  'audit',
  'consent',
  'onboarding',
  'subscription',
  'loyalty',
  'coupon',
  'merchant',
  'customer',
  'partner',
  'settlement',
  'refund',
  'wallet',
  'kyc',
  'compliance',
  'metrics',
  'logging',
  'tracing',
  'feature-flags',
  'experiment',
  'content',
  'translation',
  'warehouse',
  'booking',
  'calendar',
  'document',
  'upload',
  'export',
] as const;

/** What kind of thing it is. */
const KINDS = [
  'service',
  'api',
  'web',
  'ios',
  'android',
  'worker',
  'client',
  'sdk',
  'lib',
  'ui',
  'admin',
  'portal',
  'gateway',
  'proxy',
  'cli',
  'bot',
  'lambda',
  'jobs',
  'scheduler',
  'consumer',
  'producer',
  'adapter',
  'connector',
  'sync',
  'importer',
  'exporter',
  'pipeline',
  'etl',
  'dashboard',
  'frontend',
  'backend',
  'mobile',
  'docs',
  'config',
  'schema',
  'migrations',
  'tests',
  'e2e',
  'mocks',
  'plugin',
  'monitor',
  'alerts',
  'engine',
  'core',
  'common',
  'server',
] as const;

/** Infrastructure-as-code and tooling repositories have names of their own. */
const INFRA_PATTERNS: ReadonlyArray<(random: Random) => string[]> = [
  (r) => ['terraform', pick(r, ['aws', 'gcp', 'azure']), pick(r, DOMAINS)],
  (r) => ['terraform', 'modules', pick(r, ['network', 'iam', 'vpc', 'rds', 'eks', 'dns'])],
  (r) => ['helm', 'charts', pick(r, DOMAINS)],
  (r) => [pick(r, DOMAINS), 'helm'],
  (r) => ['ansible', pick(r, ['roles', 'playbooks', 'inventory'])],
  (r) => [pick(r, ['k8s', 'kubernetes']), pick(r, ['manifests', 'operators', 'config'])],
  (r) => [pick(r, ['infra', 'platform', 'tools']), pick(r, ['scripts', 'bootstrap', 'config', 'images'])],
  (r) => ['docker', pick(r, ['images', 'base', 'compose'])],
  (r) => [pick(r, ['ci', 'build', 'release']), pick(r, ['templates', 'pipelines', 'scripts', 'tools'])],
  (r) => [pick(r, ['data', 'analytics']), pick(r, ['pipeline', 'warehouse', 'lake', 'airflow', 'dbt'])],
];

const QUALIFIERS = ['v2', 'legacy', 'next', 'internal', 'public', 'shared', 'poc', 'prototype'] as const;

/** Words written in capitals (or their own way) when a name is in Title Case. */
const SPELLING: Readonly<Record<string, string>> = {
  api: 'API',
  ios: 'iOS',
  sdk: 'SDK',
  ui: 'UI',
  cli: 'CLI',
  etl: 'ETL',
  sms: 'SMS',
  kyc: 'KYC',
  aws: 'AWS',
  gcp: 'GCP',
  iam: 'IAM',
  vpc: 'VPC',
  rds: 'RDS',
  eks: 'EKS',
  dns: 'DNS',
  ci: 'CI',
  k8s: 'K8s',
  e2e: 'E2E',
  dbt: 'dbt',
  poc: 'PoC',
  v2: 'v2',
};

function words(random: Random): string[] {
  const roll = random();
  let parts: string[];
  if (roll < 0.12) parts = pick(random, INFRA_PATTERNS)(random);
  else if (roll < 0.5) parts = [pick(random, DOMAINS), pick(random, KINDS)];
  else if (roll < 0.72) parts = [pick(random, DOMAINS), pick(random, DOMAINS), pick(random, KINDS)];
  else if (roll < 0.85) parts = [pick(random, DOMAINS)];
  else parts = [pick(random, DOMAINS), pick(random, KINDS), pick(random, KINDS)];
  if (random() < 0.06) parts.push(pick(random, QUALIFIERS));
  return parts.flatMap((p) => p.split('-')).filter((w, i, all) => all.indexOf(w) === i);
}

function titleWord(word: string): string {
  return SPELLING[word] ?? word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * A repository name in one of the styles real servers hold: mostly lower-case with dashes (the name is
 * the slug), often Title Case with spaces, sometimes PascalCase, snake_case or dotted.
 */
export function repositoryName(random: Random): string {
  const parts = words(random);
  const style = random();
  if (style < 0.45) return parts.join('-');
  if (style < 0.8) return parts.map(titleWord).join(' ');
  if (style < 0.9) return parts.map(titleWord).join('');
  if (style < 0.96) return parts.join('_');
  return parts.join('.');
}
