/**
 * Types of the simulator: what a seed describes (`Seed*`) and the live model built from it.
 * Names follow Bitbucket's own vocabulary (project key, repository slug, user slug, permission names).
 */

export type ProjectPermission = 'PROJECT_READ' | 'PROJECT_WRITE' | 'PROJECT_ADMIN';
export type RepoPermission = 'REPO_READ' | 'REPO_WRITE' | 'REPO_ADMIN';
/** What an HTTP access token may carry: one project permission and one repository permission. */
export type TokenPermission = ProjectPermission | RepoPermission;
/** Global permissions, lowest first. Every active user is at least a LICENSED_USER. */
export type GlobalPermission = 'LICENSED_USER' | 'PROJECT_CREATE' | 'ADMIN' | 'SYS_ADMIN';
export type ColorMode = 'light' | 'dark';
export type RepoState = 'AVAILABLE' | 'INITIALISING' | 'INITIALISATION_FAILED' | 'OFFLINE';
export type PullRequestState = 'OPEN' | 'MERGED' | 'DECLINED';
export type ParticipantStatus = 'UNAPPROVED' | 'NEEDS_WORK' | 'APPROVED';
export type ParticipantRole = 'AUTHOR' | 'REVIEWER' | 'PARTICIPANT';
/** A protocol of a repository's `links.clone` entries (the entry's `name`). */
export type CloneProtocol = 'http' | 'ssh';

/** SSH key algorithms as the server names them in `algorithmType` and in its key type restrictions. */
export type SshAlgorithm = 'RSA' | 'DSA' | 'ECDSA' | 'ED25519';

/** Permission levels as numbers, so "the lower of two permissions" is `Math.min`. */
export const Level = { NONE: 0, READ: 1, WRITE: 2, ADMIN: 3 } as const;
export type LevelValue = (typeof Level)[keyof typeof Level];

// ───────────────────────────── seed ─────────────────────────────

export interface SeedUser {
  /** Username (`name` in REST). The slug is the lower-cased name unless given. */
  name: string;
  slug?: string;
  displayName: string;
  emailAddress: string;
  /** Password for the login form and Basic auth. */
  password: string;
  active?: boolean;
  type?: 'NORMAL' | 'SERVICE';
  /** Default LICENSED_USER. ADMIN and SYS_ADMIN administer every project and repository. */
  globalPermission?: GlobalPermission;
  /** Theme the user picked in their account settings (Bitbucket 8.16+). */
  theme?: ColorMode;
}

export interface SeedProject {
  key: string;
  name: string;
  description?: string;
  /** A public project makes all its repositories readable by everyone, signed in or not. */
  public?: boolean;
  /** Per-user project grants (username → permission). Project grants imply the same repository level. */
  permissions?: Record<string, ProjectPermission>;
  /** Grant for every signed-in user ("all licensed users" in the project permission page). */
  defaultPermission?: ProjectPermission;
  /**
   * Users granted the project permission "Create repository" (REPO_CREATE: above PROJECT_WRITE,
   * below PROJECT_ADMIN). Project administrators may create repositories anyway.
   */
  repoCreators?: string[];
}

/** A repository; `project` is a project key, or `~NAME` for a user's personal project. */
export interface SeedRepo {
  project: string;
  name: string;
  /** Default: the name lower-cased with spaces as dashes. */
  slug?: string;
  description?: string;
  public?: boolean;
  forkable?: boolean;
  archived?: boolean;
  state?: RepoState;
  /** Default 'main'. */
  defaultBranch?: string;
  /** Other branches besides the default one. */
  branches?: string[];
  /** The repository this one is a fork of ("KEY/slug"); forks share its hierarchy id. */
  forkOf?: string;
  /** Per-user repository grants (username → permission). */
  permissions?: Record<string, RepoPermission>;
  /** Files on the default branch (path → content). Default: a README from the description. */
  files?: Record<string, string>;
  /** Nothing pushed yet: no branches, no files. */
  empty?: boolean;
  /** Create a real bare git repository for it when the simulator has a git directory. */
  git?: boolean;
  /**
   * The entries of `links.clone`, in this order. Default `['http', 'ssh']`; real servers vary the
   * order per repository, send one entry when a protocol is off, and none (no `clone` at all) when
   * both are off.
   */
  clone?: CloneProtocol[];
  /** Put the caller's user name into the http clone URL (`http://alice@host/scm/…`), as real servers do. */
  cloneUser?: boolean;
  /**
   * Branches with no commits of their own, at another branch's head (branch → the branch it points
   * at): a pull request from one of them has nothing to merge.
   */
  branchesAt?: Record<string, string>;
  /** The pull-request merge strategies (`settings/pull-requests`); default no-ff only. */
  mergeStrategies?: MergeStrategies;
}

/** The merge strategy ids Bitbucket knows. */
export type MergeStrategyId =
  | 'no-ff'
  | 'ff'
  | 'ff-only'
  | 'rebase-no-ff'
  | 'rebase-ff-only'
  | 'squash'
  | 'squash-ff-only';

export interface MergeStrategies {
  default: MergeStrategyId;
  /** The strategies users may pick; the default is always one of them. */
  enabled: MergeStrategyId[];
}

/** A reviewer group: "KEY" for a project's group, "KEY/slug" for a repository's. */
export interface SeedReviewerGroup {
  scope: string;
  name: string;
  description?: string;
  users: string[];
}

export interface SeedParticipant {
  user: string;
  status?: ParticipantStatus;
}

export interface SeedPullRequest {
  /** Target repository "KEY/slug". */
  repo: string;
  id: number;
  title: string;
  description?: string;
  fromBranch: string;
  /** Source repository "KEY/slug" when it is a fork; default the target repository. */
  fromRepo?: string;
  toBranch: string;
  author: string;
  reviewers?: SeedParticipant[];
  participants?: SeedParticipant[];
  state?: PullRequestState;
  draft?: boolean;
  createdDaysAgo?: number;
  updatedDaysAgo?: number;
}

export interface SeedSshKey {
  user: string;
  label: string;
  /** The public key line, e.g. "ssh-ed25519 AAAA… comment". */
  text: string;
  createdDaysAgo?: number;
  expiryDays?: number;
  /** Last used for an SSH connection this many days ago; absent: never. */
  lastUsedDaysAgo?: number;
}

export interface SeedGpgKey {
  user: string;
  /** Long key id, 16 hex digits. */
  id: string;
  fingerprint: string;
  emailAddress: string;
  text: string;
  expiresInDays?: number;
}

export interface SeedRefMatcher {
  type: 'ANY_REF' | 'BRANCH' | 'PATTERN';
  /** Branch name or pattern; ignored for ANY_REF. */
  value?: string;
}

export interface SeedDefaultReviewers {
  id: number;
  /** "KEY" for a project-wide condition, "KEY/slug" for one repository. */
  scope: string;
  source: SeedRefMatcher;
  target: SeedRefMatcher;
  reviewers: string[];
  requiredApprovals: number;
}

export interface SeedToken {
  /** Numeric id as the server reports it (string of digits). */
  id: string;
  /** The secret text a client sends as `Authorization: Bearer <token>`. */
  token: string;
  user: string;
  name: string;
  permissions: TokenPermission[];
  createdDaysAgo?: number;
  expiryDays?: number;
}

export interface Seed {
  /** The instance name shown in page titles and passed to the page's base layout script. */
  instanceName: string;
  users: SeedUser[];
  projects: SeedProject[];
  repos: SeedRepo[];
  pullRequests: SeedPullRequest[];
  sshKeys: SeedSshKey[];
  gpgKeys: SeedGpgKey[];
  defaultReviewers: SeedDefaultReviewers[];
  /** Reviewer groups of projects and repositories (Bitbucket 8.x+). */
  reviewerGroups?: SeedReviewerGroup[];
  tokens: SeedToken[];
  /** Recently accessed repositories per username ("KEY/slug"), most recent first. */
  recentRepos?: Record<string, string[]>;
}

// ───────────────────────────── live model ─────────────────────────────

export interface User {
  id: number;
  name: string;
  slug: string;
  displayName: string;
  emailAddress: string;
  password: string;
  active: boolean;
  type: 'NORMAL' | 'SERVICE';
  globalPermission: GlobalPermission;
  theme: ColorMode;
}

export interface Project {
  id: number;
  key: string;
  name: string;
  description?: string;
  public: boolean;
  type: 'NORMAL' | 'PERSONAL';
  /** The user of a PERSONAL project. */
  owner?: User;
  /** Username → level. */
  permissions: Map<string, LevelValue>;
  /** Level for every signed-in user. */
  defaultLevel: LevelValue;
  /** Usernames granted REPO_CREATE ("Create repository") on this project. */
  repoCreators: ReadonlySet<string>;
  repos: Repo[];
}

export interface Branch {
  /** Short name, e.g. "main". */
  name: string;
  latestCommit: string;
}

export interface Repo {
  id: number;
  slug: string;
  name: string;
  description?: string;
  project: Project;
  public: boolean;
  forkable: boolean;
  archived: boolean;
  state: RepoState;
  hierarchyId: string;
  origin?: Repo;
  defaultBranch: string;
  /** Branches, the default one first. Empty for an empty repository. */
  branches: Branch[];
  /** Username → level. */
  permissions: ReadonlyMap<string, LevelValue>;
  /** `links.clone` entries in order; empty means no `clone` links at all (clone access off). */
  cloneLinks: readonly CloneProtocol[];
  /** The http clone URL carries the caller's user name. */
  cloneUser: boolean;
  /** Files on the default branch; undefined means "a README generated from the description". */
  files?: Map<string, string>;
  /** Absolute path of the bare git repository, when one was created. */
  gitPath?: string;
  /** Wants a real git repository (seed flag). */
  git: boolean;
  /** The pull-request merge strategies; undefined means no-ff only. */
  mergeStrategies?: MergeStrategies;
  /** Seeded branches created at another branch's head, with no commits of their own. */
  branchesAt?: Readonly<Record<string, string>>;
}

export interface Participant {
  user: User;
  role: ParticipantRole;
  status: ParticipantStatus;
}

export interface PullRequest {
  id: number;
  version: number;
  repo: Repo;
  fromRepo: Repo;
  fromBranch: string;
  toBranch: string;
  title: string;
  description?: string;
  state: PullRequestState;
  draft: boolean;
  author: User;
  reviewers: Participant[];
  participants: Participant[];
  createdDate: number;
  updatedDate: number;
  closedDate?: number;
}

export interface SshKey {
  id: number;
  user: User;
  label: string;
  text: string;
  createdDate: number;
  expiryDays?: number;
  algorithm: SshAlgorithm;
  bitLength: number;
  /** base64 of sha256(blob), no padding (as `ssh-keygen -l -E sha256` prints it after "SHA256:"). */
  fingerprint: string;
  /** When the key last authenticated an SSH connection to the simulator's sshd (epoch ms). */
  lastAuthenticated?: number;
}

export interface GpgKey {
  id: string;
  user: User;
  fingerprint: string;
  emailAddress: string;
  text: string;
  expiryDate?: number;
  subKeys?: Array<{ fingerprint: string; expiryDate?: number }>;
}

/**
 * The administrator's SSH key policy (Bitbucket 8.7+: key type restrictions, minimum key lengths,
 * forced expiry).
 */
export interface SshKeyPolicy {
  /** Algorithms users may add; default all of RSA, DSA, ECDSA and ED25519. */
  allowed?: SshAlgorithm[];
  /** Minimum bit length per algorithm, e.g. `{ RSA: 4096 }`. */
  minBits?: Partial<Record<SshAlgorithm, number>>;
  /** Forced expiry: every new key must carry `expiryDays`, at most this many. */
  maxExpiryDays?: number;
}

/** OpenPGP primary key algorithms as the simulator names them in its GPG key policy. */
export type GpgAlgorithm = 'RSA' | 'DSA' | 'EDDSA' | 'ECDSA';

/**
 * Which GPG key algorithms the server accepts. Servers whose OpenPGP library predates EdDSA refuse
 * Ed25519 signing keys with a 400; the default accepts all.
 */
export interface GpgKeyPolicy {
  allowed?: GpgAlgorithm[];
}

/** Settings of the key endpoints; may be changed on a running simulator (`sim.model.keySettings`). */
export interface KeySettings {
  /** SSH access on (`GET /rest/ssh/1.0/settings` reports `enabled`). */
  sshEnabled: boolean;
  /** Whether a request authenticated with an HTTP access token may add or delete SSH and GPG keys. */
  tokensMayAddKeys: boolean;
  sshKeyPolicy: SshKeyPolicy;
  /** Absent: every algorithm is accepted. */
  gpgKeyPolicy?: GpgKeyPolicy;
}

/**
 * Server-wide repository settings; may be changed on a running simulator (`sim.model.repoSettings`).
 */
export interface RepoSettings {
  /** SCM access over HTTP(S) on: `http` clone links and `/scm/…`. Default true. */
  httpAccess: boolean;
  /**
   * Whether the file-edit API may make the first commit of an empty repository (unconfirmed on real
   * servers). Default true; false answers 404 NoSuchBranchException for it.
   */
  fileEditOnEmptyRepo: boolean;
  /** The branch a new repository's HEAD names ("Default branch name" in the server settings). */
  defaultBranchName: string;
}

export interface RefMatcher {
  type: 'ANY_REF' | 'BRANCH' | 'PATTERN';
  value?: string;
}

export interface DefaultReviewersCondition {
  id: number;
  project: Project;
  repo?: Repo;
  source: RefMatcher;
  target: RefMatcher;
  reviewers: User[];
  requiredApprovals: number;
}

export interface ReviewerGroup {
  id: number;
  name: string;
  description?: string;
  project: Project;
  /** Set for a repository's group; a project's group applies to all its repositories. */
  repo?: Repo;
  users: User[];
}

/** Switches of the pull-request endpoints (may be changed while running: `sim.model.pullRequestSettings`). */
export interface PullRequestSettings {
  /**
   * The token scope creating or updating a pull request needs, besides the user's own Repository read
   * on both repositories (the spec's rule). Default REPO_WRITE: Atlassian describes Repository write as
   * the token scope for pull-request actions. Unconfirmed on a live server.
   */
  tokenScope: 'REPO_READ' | 'REPO_WRITE';
}

export interface AccessToken {
  id: string;
  token: string;
  user: User;
  name: string;
  permissions: TokenPermission[];
  projectLevel: LevelValue;
  repoLevel: LevelValue;
  createdDate: number;
  /** Epoch ms after which the token no longer authenticates. */
  expiresAt?: number;
  expiryDays?: number;
  lastAuthenticated?: number;
  revoked: boolean;
}

export interface Session {
  id: string;
  user: User;
  createdDate: number;
  /** Anti-XSRF value every form of this session must send back as `atl_token`. */
  atlToken: string;
  /** A token created on the token page, shown once on the next page view. */
  newToken?: { name: string; token: string };
}

/** Who is making a request. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; user: User; via: 'session' | 'basic'; session?: Session }
  | { kind: 'token'; user: User; token: AccessToken };
