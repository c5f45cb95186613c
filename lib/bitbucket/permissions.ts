/**
 * Which token permission each REST operation we call needs.
 *
 * Bitbucket answers a missing permission with a bare 401 `AuthorisationException` and does not say
 * what it wanted, so this table does. The permissions are the scopes an HTTP access token can carry:
 * project read/write/admin × repository read/write/admin.
 */
export const TOKEN_PERMISSIONS = [
  'PROJECT_READ',
  'PROJECT_WRITE',
  'PROJECT_ADMIN',
  'REPO_READ',
  'REPO_WRITE',
  'REPO_ADMIN',
] as const;
export type TokenPermission = (typeof TOKEN_PERMISSIONS)[number];

/** The names Bitbucket's token page shows for each scope. */
export const PERMISSION_LABELS: Readonly<Record<TokenPermission, string>> = {
  PROJECT_READ: 'Project read',
  PROJECT_WRITE: 'Project write',
  PROJECT_ADMIN: 'Project admin',
  REPO_READ: 'Repository read',
  REPO_WRITE: 'Repository write',
  REPO_ADMIN: 'Repository admin',
};

export type PermissionScope = 'project' | 'repository';

export function permissionScope(permission: TokenPermission): PermissionScope {
  return permission.startsWith('PROJECT_') ? 'project' : 'repository';
}

/** 1 = read, 2 = write, 3 = admin. */
export function permissionLevel(permission: TokenPermission): 1 | 2 | 3 {
  if (permission.endsWith('_ADMIN')) return 3;
  if (permission.endsWith('_WRITE')) return 2;
  return 1;
}

/**
 * Whether holding `held` is enough for `needed`. A project permission covers the same level on the
 * repositories of that project (Project write lets you write to its repositories); a repository
 * permission never covers a project one.
 */
export function permits(held: TokenPermission, needed: TokenPermission): boolean {
  if (permissionScope(held) === 'repository' && permissionScope(needed) === 'project') return false;
  return permissionLevel(held) >= permissionLevel(needed);
}

/** Whether any of a token's scopes is enough for `needed` (null: nothing beyond being signed in). */
export function grants(held: readonly TokenPermission[], needed: TokenPermission | null): boolean {
  return needed === null || held.some((permission) => permits(permission, needed));
}

/** Orders two permissions of the same scope (negative when `a` is weaker). */
export function comparePermissions(a: TokenPermission, b: TokenPermission): number {
  return permissionLevel(a) - permissionLevel(b);
}

export interface OperationInfo {
  /** The token scope the operation needs; null when being signed in is enough (or nothing at all). */
  readonly permission: TokenPermission | null;
  /** What the operation does, as used in sentences: "… which <does> needs". */
  readonly does: string;
  /** What a 404 means is missing, starting with an article: "the repository". */
  readonly thing: string;
  /** Extra advice when the server refuses the operation. */
  readonly whenRefused?: string;
}

const KEYS_WITH_TOKEN =
  'HTTP access tokens may not be allowed to change account settings: add the key on your account page in Bitbucket instead.';
const KEY_REMOVAL_WITH_TOKEN =
  'HTTP access tokens may not be allowed to change account settings: remove the key on your account page in Bitbucket instead.';

export const OPERATIONS = {
  'server.properties': { permission: null, does: 'reading the server version', thing: 'the REST API' },
  'users.get': { permission: null, does: 'reading user details', thing: 'the user' },
  'users.search': { permission: null, does: 'searching users', thing: 'the user list' },
  'projects.list': { permission: 'PROJECT_READ', does: 'listing projects', thing: 'the project list' },
  'projects.get': { permission: 'PROJECT_READ', does: 'reading a project', thing: 'the project' },
  'repos.list': { permission: 'REPO_READ', does: 'listing repositories', thing: 'the repository list' },
  'repos.get': { permission: 'REPO_READ', does: 'reading a repository', thing: 'the repository' },
  // The server wants REPO_CREATE on the project. Tokens can't carry REPO_CREATE itself, and in the
  // server's own permission order it sits above PROJECT_WRITE and below PROJECT_ADMIN
  // (… PROJECT_WRITE, REPO_CREATE, PROJECT_ADMIN …), so Project admin is the weakest token scope
  // that includes it; Atlassian's article on creating repositories by REST also names project admin.
  // Not confirmed on a live server.
  'repos.create': { permission: 'PROJECT_ADMIN', does: 'creating a repository', thing: 'the project' },
  'repos.default-branch': {
    permission: 'REPO_ADMIN',
    does: 'setting the default branch',
    thing: 'the repository',
  },
  // Forkable and public are repository settings: Repository admin, which a repository's creator holds.
  'repos.update': {
    permission: 'REPO_ADMIN',
    does: 'changing the repository’s settings',
    thing: 'the repository',
  },
  'repos.forks': { permission: 'REPO_READ', does: 'listing forks', thing: 'the repository' },
  'repos.related': {
    permission: 'REPO_READ',
    does: 'listing the forks and origin of a repository',
    thing: 'the repository',
  },
  'repos.recent': {
    permission: 'REPO_READ',
    does: 'listing your recently used repositories',
    thing: 'the recent repository list',
  },
  'branches.list': { permission: 'REPO_READ', does: 'listing branches', thing: 'the repository' },
  'commits.compare': {
    permission: 'REPO_READ',
    does: 'comparing branches',
    thing: 'the repository or branch',
  },
  'branches.default': {
    permission: 'REPO_READ',
    does: 'reading the default branch',
    thing: 'the repository',
  },
  'pull-requests.list': {
    permission: 'REPO_READ',
    does: 'listing pull requests',
    thing: 'the repository',
  },
  'pull-requests.get': { permission: 'REPO_READ', does: 'reading a pull request', thing: 'the pull request' },
  // The server itself only asks for read access to both repositories, but a token needs Repository
  // write for any pull-request action (Atlassian's description of the token scopes).
  'pull-requests.create': {
    permission: 'REPO_WRITE',
    does: 'creating a pull request',
    thing: 'the repository or branch',
  },
  // As for creating: the author with read access may update, others need write; tokens need write.
  'pull-requests.update': {
    permission: 'REPO_WRITE',
    does: 'updating a pull request',
    thing: 'the pull request',
  },
  'pull-requests.settings': {
    permission: 'REPO_READ',
    does: 'reading the pull request settings',
    thing: 'the repository',
  },
  'reviewer-groups.list': {
    permission: 'REPO_READ',
    does: 'listing reviewer groups',
    thing: 'the repository',
  },
  'reviewer-groups.project': {
    permission: 'PROJECT_READ',
    does: "listing a project's reviewer groups",
    thing: 'the project',
  },
  'pull-requests.participants': {
    permission: 'REPO_READ',
    does: 'reading the reviewers of a pull request',
    thing: 'the pull request',
  },
  'dashboard.pull-requests': {
    permission: 'REPO_READ',
    does: 'listing your pull requests',
    thing: 'the pull-request dashboard',
  },
  'default-reviewers.get': {
    permission: 'REPO_READ',
    does: 'reading default reviewers',
    thing: 'the repository or branch',
  },
  'ssh-keys.list': { permission: null, does: 'listing your SSH keys', thing: 'the SSH key list' },
  'ssh-keys.add': {
    permission: null,
    does: 'adding an SSH key',
    thing: 'the SSH key service',
    whenRefused: KEYS_WITH_TOKEN,
  },
  'ssh-keys.delete': {
    permission: null,
    does: 'removing an SSH key',
    thing: 'the SSH key',
    whenRefused: KEY_REMOVAL_WITH_TOKEN,
  },
  'ssh-keys.settings': { permission: null, does: 'reading the SSH settings', thing: 'the SSH settings' },
  'gpg-keys.list': { permission: null, does: 'listing your GPG keys', thing: 'the GPG key list' },
  'gpg-keys.add': {
    permission: null,
    does: 'adding a GPG key',
    thing: 'the GPG key service',
    whenRefused: KEYS_WITH_TOKEN,
  },
  'gpg-keys.delete': {
    permission: null,
    does: 'removing a GPG key',
    thing: 'the GPG key',
    whenRefused: KEY_REMOVAL_WITH_TOKEN,
  },
  'files.edit': { permission: 'REPO_WRITE', does: 'committing a file', thing: 'the file or branch' },
  'files.read': { permission: 'REPO_READ', does: 'reading a file', thing: 'the file or branch' },
} as const satisfies Record<string, OperationInfo>;

export type OperationId = keyof typeof OPERATIONS;

export function operationInfo(operation: OperationId): OperationInfo {
  return OPERATIONS[operation];
}
