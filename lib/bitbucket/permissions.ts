/**
 * Which permission each operation we call needs. The server answers a missing permission with a
 * bare 401 AuthorisationException and does not say what it wanted, so this table does.
 * Permissions are the token scopes of HTTP access tokens (project × repository).
 */
export type TokenPermission =
  | 'PROJECT_READ'
  | 'PROJECT_WRITE'
  | 'PROJECT_ADMIN'
  | 'REPO_READ'
  | 'REPO_WRITE'
  | 'REPO_ADMIN';

export const PERMISSION_LABELS: Record<TokenPermission, string> = {
  PROJECT_READ: 'Project read',
  PROJECT_WRITE: 'Project write',
  PROJECT_ADMIN: 'Project admin',
  REPO_READ: 'Repository read',
  REPO_WRITE: 'Repository write',
  REPO_ADMIN: 'Repository admin',
};

const LEVEL: Record<TokenPermission, number> = {
  PROJECT_READ: 1,
  PROJECT_WRITE: 2,
  PROJECT_ADMIN: 3,
  REPO_READ: 1,
  REPO_WRITE: 2,
  REPO_ADMIN: 3,
};

/** True when `held` is at least `needed` on the same resource kind (project or repository). */
export function permits(held: TokenPermission, needed: TokenPermission): boolean {
  return held.split('_')[0] === needed.split('_')[0] && LEVEL[held] >= LEVEL[needed];
}

interface Operation {
  /** null: no permission beyond being signed in (or none at all). */
  permission: TokenPermission | null;
  /** What the operation does, used in sentences: "… which <does> needs". */
  does: string;
}

export const OPERATIONS = {
  'server.properties': { permission: null, does: 'reading the server version' },
  'users.get': { permission: null, does: 'reading your user details' },
  'users.search': { permission: null, does: 'searching users' },
  'projects.list': { permission: 'PROJECT_READ', does: 'listing projects' },
  'projects.get': { permission: 'PROJECT_READ', does: 'reading a project' },
  'repos.list': { permission: 'REPO_READ', does: 'listing repositories' },
  'repos.get': { permission: 'REPO_READ', does: 'reading a repository' },
  // Creating a repository needs REPO_CREATE on the project; which token scope grants it is not
  // documented. Project admin is what Atlassian's own article names, so we ask for that.
  'repos.create': { permission: 'PROJECT_ADMIN', does: 'creating a repository' },
  'repos.forks': { permission: 'REPO_READ', does: 'listing forks' },
  'branches.list': { permission: 'REPO_READ', does: 'listing branches' },
  'pull-requests.list': { permission: 'REPO_READ', does: 'listing pull requests' },
  'pull-requests.get': { permission: 'REPO_READ', does: 'reading a pull request' },
  'pull-requests.create': { permission: 'REPO_WRITE', does: 'creating a pull request' },
  'pull-requests.participants': { permission: 'REPO_READ', does: 'reading pull request reviewers' },
  'dashboard.pull-requests': { permission: 'REPO_READ', does: 'listing your pull requests' },
  'default-reviewers.get': { permission: 'REPO_READ', does: 'reading default reviewers' },
  'ssh-keys.list': { permission: null, does: 'listing your SSH keys' },
  'ssh-keys.add': { permission: null, does: 'adding an SSH key' },
  'gpg-keys.list': { permission: null, does: 'listing your GPG keys' },
  'gpg-keys.add': { permission: null, does: 'adding a GPG key' },
  'files.edit': { permission: 'REPO_WRITE', does: 'committing a file' },
} as const satisfies Record<string, Operation>;

export type OperationId = keyof typeof OPERATIONS;
