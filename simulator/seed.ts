/**
 * The simulator's default data: users, projects, repositories, pull requests, keys and HTTP access
 * tokens. Every user's password is their username. The token texts below are fixed so a demo or a
 * manual test can paste them; they only work against the simulator.
 *
 * | user  | password | display name                | global permission | theme |
 * |-------|----------|-----------------------------|-------------------|-------|
 * | alice | alice    | Alice Ångström              | PROJECT_CREATE    | light |
 * | bob   | bob      | Bob <b>O'Brien</b> & Co     | LICENSED_USER     | dark  |
 * | chen  | chen     | Chen 陈                     | LICENSED_USER     | light |
 * | eve   | eve      | Eve "</script><img src=x …> | LICENSED_USER     | light |
 * | admin | admin    | Ada Admin                   | SYS_ADMIN         | light |
 * | dave  | dave     | Dave Departed (inactive)    | LICENSED_USER     | light |
 */
import type { Seed } from './types';

/** Seeded HTTP access tokens, by purpose. */
export const SEED_TOKENS = {
  /** alice: Project admin + Repository admin. */
  aliceAdmin: 'MTAwMDAwMDAwMTAxOobvReo/u2RlU4c1KNCJMbJCpfcn',
  /** alice: Project read + Repository read (read-only). */
  aliceRead: 'MTAwMDAwMDAwMTAyOsRyGUy/o1hUFkEa1fqDGvlPbn/q',
  /** alice: Project read + Repository write (what the extension asks for). */
  aliceWrite: 'MTAwMDAwMDAwMTAzOq47aY5/DLCHjzHoxSNO846bFp+y',
  /** bob: Project read + Repository write. */
  bobWrite: 'MTAwMDAwMDAwMTA0Opq/bWobrNgh5yA7TxRSmXGiKJj+',
  /** chen: Project read + Repository read. */
  chenRead: 'MTAwMDAwMDAwMTA1OuKsmfTz1Lz386Qj+WeB3lulIQaw',
  /** admin (system administrator): Project admin + Repository admin. */
  adminAdmin: 'MTAwMDAwMDAwMTA2OhZmx533U3koU/HMm+InsEtqei34',
  /** alice: read-only, expired 60 days ago. */
  aliceExpired: 'MTAwMDAwMDAwMTA3OlnUKzExGc/zrRpJTdFeJfyMjJp0',
  /** eve: Project read + Repository read. */
  eveRead: 'MTAwMDAwMDAwMTA4Oo2ZZOeGx8JNkn5KQJSEjGYhFPpw',
} as const;

const ALICE_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC4VtAUlxGDigs0H8xg3otv5APxT3dQ6j06EwNS7bFDC alice@laptop';
const BOB_SSH_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBH5bPpWSPicB/cC7Gra6KdBMsUzAldbjANdCzEixEYM bob@workstation';
const ALICE_GPG_KEY = [
  '-----BEGIN PGP PUBLIC KEY BLOCK-----',
  '',
  'mDMEZQAAABYJKwYBBAHaRw8BAQdAsimulatedsimulatedsimulatedsimulatedsim',
  'tBxBbGljZSA8YWxpY2VAZXhhbXBsZS5jb20+iJMEExYKADsWIQS2amW6hAfueCpm',
  '=sim1',
  '-----END PGP PUBLIC KEY BLOCK-----',
].join('\n');

export const seed: Seed = {
  instanceName: 'Example Bitbucket',

  users: [
    {
      name: 'alice',
      displayName: 'Alice Ångström',
      emailAddress: 'alice@example.com',
      password: 'alice',
      globalPermission: 'PROJECT_CREATE',
      theme: 'light',
    },
    {
      name: 'bob',
      displayName: "Bob <b>O'Brien</b> & Co",
      emailAddress: 'bob@example.com',
      password: 'bob',
      theme: 'dark',
    },
    { name: 'chen', displayName: 'Chen 陈', emailAddress: 'chen@example.com', password: 'chen' },
    {
      name: 'eve',
      displayName: 'Eve "</script><img src=x onerror=alert(1)>',
      emailAddress: 'eve@example.com',
      password: 'eve',
    },
    {
      name: 'admin',
      displayName: 'Ada Admin',
      emailAddress: 'admin@example.com',
      password: 'admin',
      globalPermission: 'SYS_ADMIN',
    },
    {
      name: 'dave',
      displayName: 'Dave Departed',
      emailAddress: 'dave@example.com',
      password: 'dave',
      active: false,
    },
  ],

  projects: [
    {
      key: 'PROJ',
      name: 'Platform',
      description: 'Services behind the product.',
      permissions: { alice: 'PROJECT_ADMIN', bob: 'PROJECT_WRITE', chen: 'PROJECT_READ' },
    },
    {
      key: 'XSS',
      name: '<img src=x onerror=alert("project")> Tools & "Things"',
      description: '<script>alert("project description")</script>',
      permissions: { alice: 'PROJECT_ADMIN', eve: 'PROJECT_READ' },
    },
    {
      key: 'PUB',
      name: 'Open Source',
      description: 'Public projects, readable without signing in.',
      public: true,
      permissions: { alice: 'PROJECT_WRITE' },
    },
    {
      key: 'SEC',
      name: 'Security',
      description: 'Restricted.',
      permissions: {},
    },
    {
      key: 'ARCH',
      name: 'Archive',
      description: 'Old things everyone may read.',
      defaultPermission: 'PROJECT_READ',
    },
    {
      key: 'INT',
      name: 'Integrations',
      description: 'Repositories whose clone links take every shape real servers send.',
      permissions: { alice: 'PROJECT_WRITE', bob: 'PROJECT_READ' },
      repoCreators: ['alice'],
    },
  ],

  repos: [
    {
      project: 'PROJ',
      name: 'api',
      description: 'The REST API server.',
      branches: ['develop', 'feature/rate-limit', 'bugfix/login-redirect'],
      // Nothing to merge into main: a pull request from it is refused as empty.
      branchesAt: { 'release/1.0': 'main' },
      mergeStrategies: { default: 'squash', enabled: ['no-ff', 'squash', 'ff-only'] },
      permissions: { eve: 'REPO_READ' },
      git: true,
      files: {
        'README.md': '# api\n\nThe REST API server.\n',
        'src/server.ts': 'export const port = 8080;\n',
        'package.json': '{\n  "name": "api",\n  "version": "1.0.0"\n}\n',
      },
    },
    {
      project: 'PROJ',
      name: 'Web App',
      description: 'The browser front end.',
      branches: ['feature/dark-mode'],
      permissions: { eve: 'REPO_WRITE' },
    },
    { project: 'PROJ', name: 'legacy-tools', description: 'No longer maintained.', archived: true },
    { project: 'PROJ', name: 'empty', description: 'Nothing pushed yet.', empty: true },
    {
      project: 'XSS',
      name: 'sandbox',
      description: '<script>alert("repository description")</script> & <b>bold</b>',
      branches: ['feature/<b>bold</b>'],
    },
    {
      project: 'PUB',
      name: 'toolkit',
      description: 'Shared tooling, public.',
      public: true,
      branches: ['next'],
      git: true,
    },
    { project: 'PUB', name: 'website', description: 'The public website.', defaultBranch: 'master' },
    { project: 'SEC', name: 'vault', description: 'Secrets management.', permissions: { chen: 'REPO_READ' } },
    { project: 'ARCH', name: 'old-monolith', description: 'The old monolith.', defaultBranch: 'master' },
    {
      project: '~ALICE',
      name: 'dotfiles',
      description: "Alice's dotfiles.",
      git: true,
      files: { 'README.md': '# dotfiles\n', '.bashrc': 'export EDITOR=vim\n' },
    },
    { project: '~ALICE', name: 'scratch', description: 'Public experiments.', public: true },
    {
      project: '~BOB',
      name: 'api',
      description: "Bob's fork of the API server.",
      forkOf: 'PROJ/api',
      branches: ['feature/bob-cache'],
      permissions: { chen: 'REPO_READ' },
      // A bare clone of PROJ/api's repository plus its own branch, as forks share history.
      git: true,
    },
    { project: '~CHEN', name: 'toolkit', description: 'Fork of the toolkit.', forkOf: 'PUB/toolkit' },
    // A fork of a fork, under another name, in a personal project.
    {
      project: '~CHEN',
      name: 'Cache Spike',
      description: "Chen's fork of Bob's API fork.",
      forkOf: '~BOB/api',
      branches: ['spike/lru'],
    },
    // Clone links as real servers vary them: order, one protocol only, none, the caller's name.
    {
      project: 'INT',
      name: 'CI Pipelines',
      description: 'http first, the caller named in the http URL.',
      clone: ['http', 'ssh'],
      cloneUser: true,
    },
    { project: 'INT', name: 'Deploy Keys', description: 'ssh first.', clone: ['ssh', 'http'] },
    {
      project: 'INT',
      name: 'Release Notes',
      description: 'ssh first, the caller named in the http URL.',
      clone: ['ssh', 'http'],
      cloneUser: true,
    },
    { project: 'INT', name: 'Docs Site', description: 'http only (SSH access off).', clone: ['http'] },
    {
      project: 'INT',
      name: 'terraform-modules',
      description: 'ssh only (HTTP(S) access off).',
      clone: ['ssh'],
    },
    {
      project: 'INT',
      name: 'Vendor Mirror',
      description: 'No clone links at all (HTTP(S) and SSH access off).',
      clone: [],
    },
    {
      project: 'INT',
      name: 'Status Page',
      description: 'http only, the caller named in the http URL.',
      clone: ['http'],
      cloneUser: true,
    },
  ],

  pullRequests: [
    {
      repo: 'PROJ/api',
      id: 1,
      title: 'Add rate limiting to public endpoints',
      description: 'Limits anonymous callers to 60 requests per minute.',
      fromBranch: 'feature/rate-limit',
      toBranch: 'main',
      author: 'bob',
      reviewers: [
        { user: 'alice', status: 'APPROVED' },
        { user: 'chen', status: 'UNAPPROVED' },
      ],
      participants: [{ user: 'eve' }],
      createdDaysAgo: 3,
      updatedDaysAgo: 1,
    },
    {
      repo: 'PROJ/api',
      id: 2,
      title: 'Fix login redirect <script>alert("pr")</script>',
      fromBranch: 'bugfix/login-redirect',
      toBranch: 'main',
      author: 'alice',
      reviewers: [{ user: 'bob', status: 'NEEDS_WORK' }],
      createdDaysAgo: 10,
      updatedDaysAgo: 2,
    },
    {
      repo: 'PROJ/api',
      id: 3,
      title: 'Merge develop',
      fromBranch: 'develop',
      toBranch: 'main',
      author: 'chen',
      reviewers: [{ user: 'alice', status: 'APPROVED' }],
      state: 'MERGED',
      createdDaysAgo: 30,
      updatedDaysAgo: 29,
    },
    {
      repo: 'PROJ/api',
      id: 4,
      title: 'Cache user lookups',
      description: 'From my fork.',
      fromRepo: '~BOB/api',
      fromBranch: 'feature/bob-cache',
      toBranch: 'main',
      author: 'bob',
      reviewers: [{ user: 'alice' }],
      draft: true,
      createdDaysAgo: 1,
    },
    {
      repo: 'PUB/toolkit',
      id: 1,
      title: 'Next release',
      fromBranch: 'next',
      toBranch: 'main',
      author: 'alice',
      reviewers: [{ user: 'chen' }],
      state: 'DECLINED',
      createdDaysAgo: 5,
      updatedDaysAgo: 4,
    },
  ],

  sshKeys: [
    { user: 'alice', label: 'laptop', text: ALICE_SSH_KEY, createdDaysAgo: 40, lastUsedDaysAgo: 2 },
    { user: 'bob', label: 'workstation', text: BOB_SSH_KEY, createdDaysAgo: 400, expiryDays: 365 },
  ],

  gpgKeys: [
    {
      user: 'alice',
      id: '26FE721C18288230',
      fingerprint: 'B66A65BA8407EE782A668B0E26FE721C18288230',
      emailAddress: 'alice@example.com',
      text: ALICE_GPG_KEY,
      expiresInDays: 365,
    },
  ],

  defaultReviewers: [
    {
      id: 1,
      scope: 'PROJ/api',
      source: { type: 'ANY_REF' },
      target: { type: 'BRANCH', value: 'main' },
      reviewers: ['alice', 'chen'],
      requiredApprovals: 1,
    },
    {
      id: 2,
      scope: 'PROJ',
      source: { type: 'PATTERN', value: 'hotfix/*' },
      target: { type: 'ANY_REF' },
      reviewers: ['bob'],
      requiredApprovals: 0,
    },
  ],

  reviewerGroups: [
    { scope: 'PROJ', name: 'Backend', description: 'Server-side reviewers.', users: ['bob', 'chen'] },
    // Holds an inactive user, as real groups do once someone leaves.
    { scope: 'PROJ', name: 'Legacy team', users: ['dave', 'eve'] },
    {
      scope: 'PROJ/api',
      name: 'API owners',
      description: 'Owners of the REST API.',
      users: ['alice', 'eve'],
    },
  ],

  tokens: [
    {
      id: '100000000101',
      token: SEED_TOKENS.aliceAdmin,
      user: 'alice',
      name: 'Companion (admin)',
      permissions: ['PROJECT_ADMIN', 'REPO_ADMIN'],
      createdDaysAgo: 20,
    },
    {
      id: '100000000102',
      token: SEED_TOKENS.aliceRead,
      user: 'alice',
      name: 'Read only',
      permissions: ['PROJECT_READ', 'REPO_READ'],
      createdDaysAgo: 10,
    },
    {
      id: '100000000103',
      token: SEED_TOKENS.aliceWrite,
      user: 'alice',
      name: 'Companion',
      permissions: ['PROJECT_READ', 'REPO_WRITE'],
      createdDaysAgo: 5,
      expiryDays: 90,
    },
    {
      id: '100000000104',
      token: SEED_TOKENS.bobWrite,
      user: 'bob',
      name: 'Companion',
      permissions: ['PROJECT_READ', 'REPO_WRITE'],
      createdDaysAgo: 2,
    },
    {
      id: '100000000105',
      token: SEED_TOKENS.chenRead,
      user: 'chen',
      name: 'Read only',
      permissions: ['PROJECT_READ', 'REPO_READ'],
    },
    {
      id: '100000000106',
      token: SEED_TOKENS.adminAdmin,
      user: 'admin',
      name: 'Admin scripts',
      permissions: ['PROJECT_ADMIN', 'REPO_ADMIN'],
    },
    {
      id: '100000000107',
      token: SEED_TOKENS.aliceExpired,
      user: 'alice',
      name: 'Old laptop',
      permissions: ['PROJECT_READ', 'REPO_READ'],
      createdDaysAgo: 90,
      expiryDays: 30,
    },
    {
      id: '100000000108',
      token: SEED_TOKENS.eveRead,
      user: 'eve',
      name: 'Read only',
      permissions: ['PROJECT_READ', 'REPO_READ'],
    },
  ],

  // Most recent first; alice has since lost access to SEC/vault, so it is not listed for her.
  recentRepos: {
    alice: ['INT/ci-pipelines', 'PROJ/api', 'SEC/vault', '~ALICE/dotfiles', 'PUB/toolkit'],
  },
};
