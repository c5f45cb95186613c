/**
 * The simulator's live state and its permission rules.
 *
 * Permission rules (Bitbucket's, as far as the simulator needs them):
 * - A user's project level is the highest of: their own project grant, the project's grant for all
 *   signed-in users, ADMIN for the owner of a personal project, ADMIN for global ADMIN/SYS_ADMIN.
 * - A user's repository level is the higher of their project level and their own repository grant.
 * - Public repositories (and every repository of a public project) are readable by everyone, also
 *   without signing in; that implicit "read" is below REPO_READ, so `permission=REPO_READ` filters
 *   still leave them out.
 * - A token's effective level is the lower of the token's scope and its user's own level.
 * - Inactive users have no permissions and cannot sign in.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseSshPublicKey } from './keys';
import { projectKeys, repositoryName, seededRandom } from './names';
import {
  type AccessToken,
  type Branch,
  type CloneProtocol,
  type DefaultReviewersCondition,
  type GlobalPermission,
  type GpgKey,
  type GpgKeyPolicy,
  type KeySettings,
  Level,
  type LevelValue,
  type Participant,
  type Principal,
  type Project,
  type ProjectPermission,
  type PullRequest,
  type PullRequestSettings,
  type Repo,
  type RepoPermission,
  type RepoSettings,
  type ReviewerGroup,
  type Seed,
  type SeedParticipant,
  type SeedProject,
  type SeedRepo,
  type Session,
  type SshKey,
  type SshKeyPolicy,
  type TokenPermission,
  type User,
} from './types';

const DAY = 86_400_000;

/** How many recently accessed repositories the model keeps per user. */
export const RECENT_REPOS_KEPT = 100;

/** How the paged resources cut their pages. */
export interface PagingOptions {
  /** The largest `limit` honoured; a larger one is answered with this many at most. Default 1000. */
  maxPage?: number | undefined;
  /**
   * Cut pages on the unfiltered list and drop what the caller may not see afterwards, as real servers
   * do: a page may hold fewer than `limit` items (even none) while more follow, and `nextPageStart`
   * jumps past the hidden ones. Default false (filter first, then cut).
   */
  skipAhead?: boolean | undefined;
}

export const DEFAULT_MAX_PAGE = 1000;

/** The key endpoints' switches (see KeySettings); everything optional. */
export interface KeyOptions {
  /** Default true. */
  sshEnabled?: boolean | undefined;
  /** Default false: Atlassian says a token can't "perform changes on behalf of a user". */
  tokensMayAddKeys?: boolean | undefined;
  /** Default: every algorithm, any supported length, no forced expiry. */
  sshKeyPolicy?: SshKeyPolicy | undefined;
  /** Default: every GPG key algorithm. */
  gpgKeyPolicy?: GpgKeyPolicy | undefined;
}

/** The repository switches (see RepoSettings); everything optional. */
export interface RepoOptions {
  /** Default true. */
  httpAccess?: boolean | undefined;
  /** Default true. */
  fileEditOnEmptyRepo?: boolean | undefined;
  /** Default 'master' (git's own default, which the server uses unless an administrator sets one). */
  defaultBranchName?: string | undefined;
}

const CLONE_BOTH: readonly CloneProtocol[] = Object.freeze(['http', 'ssh'] as const);
const CLONE_SSH_FIRST: readonly CloneProtocol[] = Object.freeze(['ssh', 'http'] as const);
const CLONE_HTTP_ONLY: readonly CloneProtocol[] = Object.freeze(['http'] as const);
const CLONE_NONE: readonly CloneProtocol[] = Object.freeze([]);
/** Generated repositories have no grants of their own; they share one empty table. */
const NO_GRANTS: ReadonlyMap<string, LevelValue> = new Map();

export const PROJECT_PERMISSIONS: readonly ProjectPermission[] = [
  'PROJECT_READ',
  'PROJECT_WRITE',
  'PROJECT_ADMIN',
];
export const REPO_PERMISSIONS: readonly RepoPermission[] = ['REPO_READ', 'REPO_WRITE', 'REPO_ADMIN'];
export const GLOBAL_PERMISSIONS: readonly GlobalPermission[] = [
  'LICENSED_USER',
  'PROJECT_CREATE',
  'ADMIN',
  'SYS_ADMIN',
];

/** READ/WRITE/ADMIN level of a project or repository permission name. */
export function levelOf(permission: string | undefined): LevelValue {
  if (!permission) return Level.NONE;
  if (permission.endsWith('_ADMIN')) return Level.ADMIN;
  if (permission.endsWith('_WRITE')) return Level.WRITE;
  if (permission.endsWith('_READ')) return Level.READ;
  return Level.NONE;
}

export function isProjectPermission(value: string): value is ProjectPermission {
  return (PROJECT_PERMISSIONS as readonly string[]).includes(value);
}
export function isRepoPermission(value: string): value is RepoPermission {
  return (REPO_PERMISSIONS as readonly string[]).includes(value);
}
export function isGlobalPermission(value: string): value is GlobalPermission {
  return (GLOBAL_PERMISSIONS as readonly string[]).includes(value);
}

/** Letters that Unicode decomposition does not turn into ASCII, as a slug spells them. */
const SLUG_LETTERS: Readonly<Record<string, string>> = {
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  ð: 'd',
  đ: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
  ħ: 'h',
  ŀ: 'l',
};

/**
 * The slug Bitbucket Server derives from a repository name (Atlassian's "What is a repository slug?"):
 * accents and ligatures are folded to ASCII ("føøbar" → "foobar"), letters are lower-cased, and each
 * character that is not an ASCII letter, digit, `_`, `-` or `.` becomes one dash ("foo bar" →
 * "foo-bar", "a@b!-#c" → "a-b---c"; consecutive dashes are kept).
 */
export function slugify(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\0-\x7f]/g, (c) => SLUG_LETTERS[c] ?? c)
    .replace(/[^a-z0-9_.-]/gu, '-');
}

/** A deterministic 40-hex-digit id (commit ids and the like). */
export function fakeSha(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\u0000')).digest('hex');
}

function minLevel(a: LevelValue, b: LevelValue): LevelValue {
  return a < b ? a : b;
}
function maxLevel(a: LevelValue, b: LevelValue): LevelValue {
  return a > b ? a : b;
}

export class Model {
  readonly instanceName: string;
  /** Users by slug. */
  readonly users = new Map<string, User>();
  /** Projects by key (upper case). */
  readonly projects = new Map<string, Project>();
  readonly repos: Repo[] = [];
  readonly pullRequests: PullRequest[] = [];
  readonly sshKeys: SshKey[] = [];
  readonly gpgKeys: GpgKey[] = [];
  readonly defaultReviewers: DefaultReviewersCondition[] = [];
  readonly reviewerGroups: ReviewerGroup[] = [];
  /** Switches of the pull-request endpoints (may be changed while running). */
  readonly pullRequestSettings: PullRequestSettings = { tokenScope: 'REPO_WRITE' };
  /** Tokens by their secret text. */
  readonly tokens = new Map<string, AccessToken>();
  /** Web sessions by cookie value. */
  readonly sessions = new Map<string, Session>();
  /** Page size cap and page cutting of the paged resources (may be changed while running). */
  readonly paging: { maxPage: number; skipAhead: boolean };
  /** SSH on or off, whether tokens may change keys, the SSH key policy (may be changed while running). */
  readonly keySettings: KeySettings;
  /** HTTP(S) access, file edits on empty repositories, new repositories' default branch (may be changed while running). */
  readonly repoSettings: RepoSettings;

  /** Recently accessed repository ids per user slug, most recent first. */
  private readonly recent = new Map<string, number[]>();

  private readonly repoIndex = new Map<string, Repo>();
  private readonly userByName = new Map<string, User>();
  private sortedCache: Repo[] | undefined;
  private nextId = { user: 1, project: 1, repo: 1, sshKey: 1, reviewerGroup: 1, token: 200_000_000_001 };

  constructor(
    seed: Seed,
    now = Date.now(),
    paging: PagingOptions = {},
    keys: KeyOptions = {},
    repos: RepoOptions = {},
  ) {
    this.instanceName = seed.instanceName;
    this.paging = {
      maxPage: paging.maxPage && paging.maxPage > 0 ? Math.floor(paging.maxPage) : DEFAULT_MAX_PAGE,
      skipAhead: paging.skipAhead ?? false,
    };
    this.keySettings = {
      sshEnabled: keys.sshEnabled ?? true,
      tokensMayAddKeys: keys.tokensMayAddKeys ?? false,
      sshKeyPolicy: { ...keys.sshKeyPolicy },
      ...(keys.gpgKeyPolicy ? { gpgKeyPolicy: { ...keys.gpgKeyPolicy } } : {}),
    };
    this.repoSettings = {
      httpAccess: repos.httpAccess ?? true,
      fileEditOnEmptyRepo: repos.fileEditOnEmptyRepo ?? true,
      defaultBranchName: repos.defaultBranchName ?? 'master',
    };
    for (const u of seed.users) {
      const user: User = {
        id: this.nextId.user++,
        name: u.name,
        slug: u.slug ?? u.name.toLowerCase(),
        displayName: u.displayName,
        emailAddress: u.emailAddress,
        password: u.password,
        active: u.active ?? true,
        type: u.type ?? 'NORMAL',
        globalPermission: u.globalPermission ?? 'LICENSED_USER',
        theme: u.theme ?? 'light',
      };
      this.users.set(user.slug, user);
      this.userByName.set(user.name.toLowerCase(), user);
    }
    for (const p of seed.projects) this.addProject(p);
    for (const user of this.users.values()) this.personalProject(user);
    for (const r of seed.repos) this.addRepo(r);

    for (const pr of seed.pullRequests) {
      const repo = this.requireRepo(pr.repo);
      const fromRepo = pr.fromRepo ? this.requireRepo(pr.fromRepo) : repo;
      const created = now - (pr.createdDaysAgo ?? 1) * DAY;
      const updated = now - (pr.updatedDaysAgo ?? pr.createdDaysAgo ?? 1) * DAY;
      const state = pr.state ?? 'OPEN';
      const participant = (p: SeedParticipant, role: Participant['role']): Participant => ({
        user: this.requireUser(p.user),
        role,
        status: p.status ?? 'UNAPPROVED',
      });
      this.pullRequests.push({
        id: pr.id,
        version: 0,
        repo,
        fromRepo,
        fromBranch: pr.fromBranch,
        toBranch: pr.toBranch,
        title: pr.title,
        ...(pr.description !== undefined ? { description: pr.description } : {}),
        state,
        draft: pr.draft ?? false,
        author: this.requireUser(pr.author),
        reviewers: (pr.reviewers ?? []).map((p) => participant(p, 'REVIEWER')),
        participants: (pr.participants ?? []).map((p) => participant(p, 'PARTICIPANT')),
        createdDate: created,
        updatedDate: updated,
        ...(state !== 'OPEN' ? { closedDate: updated } : {}),
      });
    }
    for (const k of seed.sshKeys) {
      const parsed = parseSshPublicKey(k.text);
      if ('error' in parsed) throw new Error(`seed: SSH key ${k.label} of ${k.user}: ${parsed.error}`);
      this.addSshKey(this.requireUser(k.user), {
        label: k.label,
        text: parsed.text,
        algorithm: parsed.algorithm,
        bitLength: parsed.bitLength,
        fingerprint: parsed.fingerprint,
        createdDate: now - (k.createdDaysAgo ?? 0) * DAY,
        ...(k.expiryDays !== undefined ? { expiryDays: k.expiryDays } : {}),
        ...(k.lastUsedDaysAgo !== undefined ? { lastAuthenticated: now - k.lastUsedDaysAgo * DAY } : {}),
      });
    }
    for (const k of seed.gpgKeys) {
      this.addGpgKey(this.requireUser(k.user), {
        id: k.id,
        fingerprint: k.fingerprint,
        emailAddress: k.emailAddress,
        text: k.text,
        ...(k.expiresInDays !== undefined ? { expiryDate: now + k.expiresInDays * DAY } : {}),
      });
    }
    for (const c of seed.defaultReviewers) {
      const [key = '', slug] = c.scope.split('/');
      const project = this.project(key);
      if (!project) throw new Error(`seed: default reviewers scope ${c.scope}: no such project`);
      const repo = slug ? this.requireRepo(c.scope) : undefined;
      this.defaultReviewers.push({
        id: c.id,
        project,
        ...(repo ? { repo } : {}),
        source: c.source,
        target: c.target,
        reviewers: c.reviewers.map((name) => this.requireUser(name)),
        requiredApprovals: c.requiredApprovals,
      });
    }
    for (const g of seed.reviewerGroups ?? []) {
      const [key = '', slug] = g.scope.split('/');
      const project = this.project(key);
      if (!project) throw new Error(`seed: reviewer group ${g.name}: no project ${key}`);
      const repo = slug ? this.requireRepo(g.scope) : undefined;
      this.reviewerGroups.push({
        id: this.nextId.reviewerGroup++,
        name: g.name,
        ...(g.description !== undefined ? { description: g.description } : {}),
        project,
        ...(repo ? { repo } : {}),
        users: g.users.map((name) => this.requireUser(name)),
      });
    }
    for (const t of seed.tokens) {
      const token = this.buildToken(this.requireUser(t.user), t.permissions, t.name, t.expiryDays, {
        id: t.id,
        token: t.token,
        createdDate: now - (t.createdDaysAgo ?? 0) * DAY,
      });
      this.tokens.set(token.token, token);
    }
    for (const [name, refs] of Object.entries(seed.recentRepos ?? {})) {
      const user = this.requireUser(name);
      for (const ref of [...refs].reverse()) this.recordRepoAccess(user.slug, this.requireRepo(ref).id);
    }
  }

  // ───────────── lookups ─────────────

  /** A user by slug or username (case-insensitive). */
  user(slugOrName: string): User | undefined {
    return this.users.get(slugOrName.toLowerCase()) ?? this.userByName.get(slugOrName.toLowerCase());
  }

  /** A project by key (case-insensitive, `~name` for personal projects). */
  project(key: string): Project | undefined {
    return this.projects.get(key.toUpperCase());
  }

  /** A repository by project key and slug (both case-insensitive). */
  repo(projectKey: string, slug: string): Repo | undefined {
    return this.repoIndex.get(`${projectKey.toUpperCase()}/${slug.toLowerCase()}`);
  }

  repoById(id: number): Repo | undefined {
    return this.repos[id - 1]?.id === id ? this.repos[id - 1] : this.repos.find((r) => r.id === id);
  }

  /** The personal project of a user (`~NAME`), created on first use like Bitbucket does. */
  personalProject(user: User): Project {
    const key = `~${user.name.toUpperCase()}`;
    const existing = this.projects.get(key);
    if (existing) return existing;
    const project: Project = {
      id: this.nextId.project++,
      key,
      name: user.displayName,
      public: false,
      type: 'PERSONAL',
      owner: user,
      permissions: new Map(),
      defaultLevel: Level.NONE,
      repoCreators: new Set(),
      repos: [],
    };
    this.projects.set(key, project);
    return project;
  }

  /** All repositories in Bitbucket's listing order: by project key, then by name. */
  sortedRepos(): Repo[] {
    if (!this.sortedCache) {
      const keyed = this.repos.map((r) => ({ r, k: `${r.project.key}\u0000${r.name.toLowerCase()}` }));
      keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
      this.sortedCache = keyed.map((x) => x.r);
    }
    return this.sortedCache;
  }

  pullRequest(repo: Repo, id: number): PullRequest | undefined {
    return this.pullRequests.find((pr) => pr.repo === repo && pr.id === id);
  }

  /** The id a new pull request into `repo` gets: ids count per target repository. */
  nextPullRequestId(repo: Repo): number {
    return this.pullRequests.reduce((max, pr) => (pr.repo === repo ? Math.max(max, pr.id) : max), 0) + 1;
  }

  // ───────────── recently accessed repositories ─────────────

  /**
   * Notes that a user looked at a repository (its page, or the repository resource): it becomes the
   * first of their recently accessed repositories. False when the user or repository is unknown.
   */
  recordRepoAccess(userSlug: string, repoId: number): boolean {
    const user = this.users.get(userSlug.toLowerCase());
    if (!user || !this.repoById(repoId)) return false;
    const ids = this.recent.get(user.slug) ?? [];
    const at = ids.indexOf(repoId);
    if (at >= 0) ids.splice(at, 1);
    ids.unshift(repoId);
    if (ids.length > RECENT_REPOS_KEPT) ids.length = RECENT_REPOS_KEPT;
    this.recent.set(user.slug, ids);
    return true;
  }

  /** A user's recently accessed repositories, most recent first (no permission check). */
  recentRepos(user: User): Repo[] {
    return (this.recent.get(user.slug) ?? []).flatMap((id) => this.repoById(id) ?? []);
  }

  // ───────────── building ─────────────

  addProject(p: SeedProject): Project {
    const key = p.key.toUpperCase();
    if (this.projects.has(key)) throw new Error(`project ${key} exists`);
    const project: Project = {
      id: this.nextId.project++,
      key,
      name: p.name,
      ...(p.description !== undefined ? { description: p.description } : {}),
      public: p.public ?? false,
      type: 'NORMAL',
      permissions: new Map(Object.entries(p.permissions ?? {}).map(([name, perm]) => [name, levelOf(perm)])),
      defaultLevel: levelOf(p.defaultPermission),
      repoCreators: new Set(p.repoCreators ?? []),
      repos: [],
    };
    this.projects.set(key, project);
    return project;
  }

  addRepo(r: SeedRepo): Repo {
    const project = this.project(r.project);
    if (!project) throw new Error(`repository ${r.name}: no project ${r.project}`);
    const slug = r.slug ?? slugify(r.name);
    if (this.repo(project.key, slug)) throw new Error(`repository ${project.key}/${slug} exists`);
    const origin = r.forkOf ? this.requireRepo(r.forkOf) : undefined;
    const defaultBranch = r.defaultBranch ?? origin?.defaultBranch ?? 'main';
    const branches: Branch[] = [];
    if (!r.empty) {
      const names = [defaultBranch, ...(origin?.branches.map((b) => b.name) ?? []), ...(r.branches ?? [])];
      for (const name of new Set(names)) {
        const inherited = origin?.branches.find((b) => b.name === name);
        branches.push({
          name,
          latestCommit: inherited?.latestCommit ?? fakeSha('commit', project.key, slug, name),
        });
      }
      for (const [name, at] of Object.entries(r.branchesAt ?? {})) {
        const head = branches.find((b) => b.name === at);
        if (!head)
          throw new Error(`repository ${project.key}/${slug}: branch ${name} is at ${at}, which it lacks`);
        branches.push({ name, latestCommit: head.latestCommit });
      }
    }
    const repo: Repo = {
      id: this.nextId.repo++,
      slug,
      name: r.name,
      ...(r.description !== undefined ? { description: r.description } : {}),
      project,
      public: r.public ?? false,
      forkable: r.forkable ?? true,
      archived: r.archived ?? false,
      state: r.state ?? 'AVAILABLE',
      hierarchyId: origin?.hierarchyId ?? fakeSha('hierarchy', project.key, slug).slice(0, 20),
      ...(origin ? { origin } : {}),
      defaultBranch,
      branches,
      permissions: new Map(Object.entries(r.permissions ?? {}).map(([name, perm]) => [name, levelOf(perm)])),
      cloneLinks: r.clone ? Object.freeze([...r.clone]) : CLONE_BOTH,
      cloneUser: r.cloneUser ?? false,
      ...(r.files ? { files: new Map(Object.entries(r.files)) } : r.empty ? { files: new Map() } : {}),
      git: r.git ?? false,
      ...(r.mergeStrategies ? { mergeStrategies: r.mergeStrategies } : {}),
      ...(r.branchesAt && !r.empty ? { branchesAt: { ...r.branchesAt } } : {}),
    };
    this.repos.push(repo);
    project.repos.push(repo);
    this.repoIndex.set(`${project.key}/${slug}`, repo);
    this.sortedCache = undefined;
    return repo;
  }

  /**
   * A repository created through the REST API: empty, with the server's default branch name, a real
   * bare git repository when the simulator has a git directory, and Repository admin for its creator.
   * The slug is the server's (see slugify); the caller has checked name and permission.
   */
  createRepo(project: Project, name: string, creator: User): Repo {
    return this.addRepo({
      project: project.key,
      name,
      empty: true,
      git: true,
      defaultBranch: this.repoSettings.defaultBranchName,
      permissions: { [creator.name]: 'REPO_ADMIN' },
    });
  }

  /**
   * Adds `count` metadata-only repositories (no files, one branch) for paging and performance tests,
   * named like real ones: projects with realistic keys and names (PLAT "Platform Engineering", PAY
   * "Payments", …, then pairs such as PAYMOB; seeded keys are skipped), of 10 to 2000 repositories each,
   * every one readable by every signed-in user. Names mix the styles real servers hold ("payments-api",
   * "Payments Gateway Service", "PaymentsGateway", "payments_gateway"); slugs are unique per project.
   * About 4% are archived, 5% forks of an earlier generated repository (some of them forks of forks),
   * 1% public, 0.4% offline; clone links are mostly http then ssh, some ssh first, a few http only or
   * none, and a quarter carry the caller's user name. The same `seed` gives the same repositories.
   */
  addScaleRepos(count: number, seed = 1): void {
    const random = seededRandom(seed);
    const keys = projectKeys(new Set(this.projects.keys()));
    const generated: Repo[] = [];
    while (generated.length < count) {
      const next = keys.next();
      if (next.done) break;
      const project = this.addProject({
        key: next.value.key,
        name: next.value.name,
        description: 'Generated repositories.',
        defaultPermission: 'PROJECT_READ',
      });
      const size = Math.min(count - generated.length, 10 + Math.floor(random() ** 2 * 1991));
      const firstInProject = generated.length;
      for (let i = 0; i < size; i++) {
        let origin: Repo | undefined;
        if (firstInProject > 0 && random() < 0.05) {
          origin = generated[Math.floor(random() * firstInProject)];
          if (origin && this.repo(project.key, origin.slug)) origin = undefined;
        }
        let name = origin?.name ?? repositoryName(random);
        let slug = slugify(name);
        for (let tries = 0; (!slug || this.repo(project.key, slug)) && tries < 8; tries++) {
          name = repositoryName(random);
          slug = slugify(name);
        }
        for (let n = 2; !slug || this.repo(project.key, slug); n++) {
          const base = name.replace(/[ -]\d+$/, '');
          name = `${base}${base.includes(' ') ? ' ' : '-'}${n}`;
          slug = slugify(name);
        }
        const defaultBranch =
          origin?.defaultBranch ?? (random() < 0.7 ? 'main' : random() < 0.85 ? 'master' : 'develop');
        const clone = random();
        const repo: Repo = {
          id: this.nextId.repo++,
          slug,
          name,
          project,
          public: random() < 0.01,
          forkable: true,
          archived: random() < 0.04,
          state: random() < 0.004 ? 'OFFLINE' : 'AVAILABLE',
          hierarchyId: origin?.hierarchyId ?? fakeSha('hierarchy', project.key, slug).slice(0, 20),
          ...(origin ? { origin } : {}),
          defaultBranch,
          branches: origin
            ? origin.branches.map((b) => ({ ...b }))
            : [{ name: defaultBranch, latestCommit: fakeSha('commit', project.key, slug, defaultBranch) }],
          permissions: NO_GRANTS,
          cloneLinks:
            clone < 0.8
              ? CLONE_BOTH
              : clone < 0.94
                ? CLONE_SSH_FIRST
                : clone < 0.98
                  ? CLONE_HTTP_ONLY
                  : CLONE_NONE,
          cloneUser: random() < 0.25,
          git: false,
        };
        this.repos.push(repo);
        project.repos.push(repo);
        this.repoIndex.set(`${project.key}/${slug}`, repo);
        generated.push(repo);
      }
    }
    this.sortedCache = undefined;
  }

  private requireUser(name: string): User {
    const user = this.user(name);
    if (!user) throw new Error(`seed: no user ${name}`);
    return user;
  }

  private requireRepo(ref: string): Repo {
    const [key = '', slug = ''] = ref.split('/');
    const repo = this.repo(key, slug);
    if (!repo) throw new Error(`seed: no repository ${ref}`);
    return repo;
  }

  // ───────────── SSH and GPG keys ─────────────

  /** Adds an SSH key (already parsed and checked) and returns it with its new id. */
  addSshKey(user: User, key: Omit<SshKey, 'id' | 'user'>): SshKey {
    const added: SshKey = { id: this.nextId.sshKey++, user, ...key };
    this.sshKeys.push(added);
    return added;
  }

  /** The SSH key with this fingerprint on any account. */
  sshKeyByFingerprint(fingerprint: string): SshKey | undefined {
    return this.sshKeys.find((k) => k.fingerprint === fingerprint);
  }

  deleteSshKey(key: SshKey): void {
    const i = this.sshKeys.indexOf(key);
    if (i >= 0) this.sshKeys.splice(i, 1);
  }

  addGpgKey(user: User, key: Omit<GpgKey, 'user'>): GpgKey {
    const added: GpgKey = { user, ...key };
    this.gpgKeys.push(added);
    return added;
  }

  /**
   * The GPG key with this fingerprint or long key id (hex, case and `:`/space separators ignored)
   * on any account.
   */
  gpgKey(fingerprintOrId: string): GpgKey | undefined {
    const wanted = fingerprintOrId.replace(/[\s:]/g, '').toUpperCase();
    if (!wanted) return undefined;
    return this.gpgKeys.find(
      (k) => k.fingerprint.replace(/[\s:]/g, '').toUpperCase() === wanted || k.id.toUpperCase() === wanted,
    );
  }

  deleteGpgKey(key: GpgKey): void {
    const i = this.gpgKeys.indexOf(key);
    if (i >= 0) this.gpgKeys.splice(i, 1);
  }

  // ───────────── tokens and sessions ─────────────

  /**
   * Creates a personal HTTP access token. `permissions` holds at most one project and one repository
   * permission, and the repository permission must be at least as high as the project permission.
   */
  createToken(user: User, permissions: TokenPermission[], name: string, expiryDays?: number): AccessToken {
    const token = this.buildToken(user, permissions, name, expiryDays, {});
    this.tokens.set(token.token, token);
    return token;
  }

  private buildToken(
    user: User,
    permissions: TokenPermission[],
    name: string,
    expiryDays: number | undefined,
    fixed: { id?: string; token?: string; createdDate?: number },
  ): AccessToken {
    const project = permissions.filter((p) => isProjectPermission(p));
    const repo = permissions.filter((p) => isRepoPermission(p));
    if (project.length + repo.length !== permissions.length) {
      throw new Error(`unknown token permission in ${permissions.join(', ')}`);
    }
    if (project.length > 1 || repo.length > 1) {
      throw new Error('a token has at most one project and one repository permission');
    }
    const projectLevel = levelOf(project[0]);
    const repoLevel = levelOf(repo[0]);
    if (repoLevel < projectLevel) {
      throw new Error("a token's repository permission must be as high as its project permission");
    }
    const id = fixed.id ?? String(this.nextId.token++);
    const createdDate = fixed.createdDate ?? Date.now();
    return {
      id,
      // Bitbucket's tokens are base64 of "<id>:<20 random bytes>".
      token: fixed.token ?? Buffer.concat([Buffer.from(`${id}:`), randomBytes(20)]).toString('base64'),
      user,
      name,
      permissions: [...permissions],
      projectLevel,
      repoLevel,
      createdDate,
      ...(expiryDays !== undefined ? { expiryDays, expiresAt: createdDate + expiryDays * DAY } : {}),
      revoked: false,
    };
  }

  revokeToken(text: string): boolean {
    const token = this.tokens.get(text);
    if (!token) return false;
    token.revoked = true;
    this.tokens.delete(text);
    return true;
  }

  /** The token for a secret text if it still authenticates (exists, not revoked, not expired). */
  validToken(text: string, now = Date.now()): AccessToken | undefined {
    const token = this.tokens.get(text);
    if (!token || token.revoked || !token.user.active) return undefined;
    if (token.expiresAt !== undefined && token.expiresAt <= now) return undefined;
    return token;
  }

  tokensOf(user: User): AccessToken[] {
    return [...this.tokens.values()].filter((t) => t.user === user && !t.revoked);
  }

  createSession(user: User): Session {
    const session: Session = {
      id: randomBytes(18).toString('hex'),
      user,
      createdDate: Date.now(),
      atlToken: randomBytes(16).toString('hex'),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  // ───────────── permissions ─────────────

  isAdmin(user: User): boolean {
    return user.active && (user.globalPermission === 'ADMIN' || user.globalPermission === 'SYS_ADMIN');
  }

  /** The user's own level on a project, ignoring any token scope. */
  userProjectLevel(user: User, project: Project): LevelValue {
    if (!user.active) return Level.NONE;
    if (this.isAdmin(user) || project.owner === user) return Level.ADMIN;
    return maxLevel(project.permissions.get(user.name) ?? Level.NONE, project.defaultLevel);
  }

  /** The user's own level on a repository, ignoring any token scope. */
  userRepoLevel(user: User, repo: Repo): LevelValue {
    return maxLevel(this.userProjectLevel(user, repo.project), repo.permissions.get(user.name) ?? Level.NONE);
  }

  /** Effective repository level of a request's principal. */
  repoLevel(principal: Principal, repo: Repo): LevelValue {
    if (principal.kind === 'anonymous') return Level.NONE;
    const own = this.userRepoLevel(principal.user, repo);
    return principal.kind === 'token' ? minLevel(own, principal.token.repoLevel) : own;
  }

  /** Effective project level of a request's principal. */
  projectLevel(principal: Principal, project: Project): LevelValue {
    if (principal.kind === 'anonymous') return Level.NONE;
    const own = this.userProjectLevel(principal.user, project);
    return principal.kind === 'token' ? minLevel(own, principal.token.projectLevel) : own;
  }

  /**
   * REPO_CREATE on a project: its owner for a personal project (users always administer their own),
   * else a project administrator or a user granted "Create repository". A token must carry
   * PROJECT_ADMIN, the only scope Atlassian's token table lists with "Create repositories"; in the
   * owner's personal project any token of the owner will do.
   */
  canCreateRepo(principal: Principal, project: Project): boolean {
    if (principal.kind === 'anonymous' || !principal.user.active) return false;
    const user = principal.user;
    if (project.owner) return project.owner === user;
    const own = this.userProjectLevel(user, project) >= Level.ADMIN || project.repoCreators.has(user.name);
    return own && (principal.kind !== 'token' || principal.token.projectLevel >= Level.ADMIN);
  }

  /** The implicit "read" of the repository listing: a permission, or public access. */
  canReadRepo(principal: Principal, repo: Repo): boolean {
    return repo.public || repo.project.public || this.repoLevel(principal, repo) >= Level.READ;
  }

  /** PROJECT_READ, or public access to the whole project. */
  canReadProject(principal: Principal, project: Project): boolean {
    return project.public || this.projectLevel(principal, project) >= Level.READ;
  }

  /** PROJECT_VIEW: project read, or read access to any of its repositories. */
  canViewProject(principal: Principal, project: Project): boolean {
    return (
      this.canReadProject(principal, project) || project.repos.some((r) => this.canReadRepo(principal, r))
    );
  }

  /** Global permission level of a user (0 = LICENSED_USER … 3 = SYS_ADMIN); -1 when inactive. */
  globalLevel(user: User): number {
    return user.active ? GLOBAL_PERMISSIONS.indexOf(user.globalPermission) : -1;
  }
}
