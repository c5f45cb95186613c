/**
 * The REST API under `{ctx}/rest/<module>/1.0/…` and `{ctx}/rest/<module>/latest/…` (same handlers).
 * Routes are declared with the spec's own path templates, so strict mode can refuse any route the
 * spec doesn't have.
 *
 * Permission failures answer 401 AuthorisationException (the spec documents insufficient permission
 * as 401); missing resources answer 404 with the matching NoSuch…Exception.
 *
 * Every route lists the query parameters its handler honours (in the spec's names); strict mode
 * refuses a request carrying one the spec documents for the operation but the handler would ignore.
 */

import { COMPARE_ROUTES } from './compare';
import { type Conformance, type ConformanceViolation, compileTemplate, specPathOf } from './conformance';
import { FILE_EDIT_ROUTES } from './file-edit';
import { decodeSegment, type Env, type Reply, type Req } from './http';
import {
  EXCEPTIONS,
  MESSAGES,
  page,
  restAccessToken,
  restBranch,
  restGpgKey,
  restProject,
  restRepository,
  restSshKey,
  restSshSettings,
  restUser,
} from './json';
import { gpgPolicyRefusal, parseGpgPublicKey, parseSshPublicKey } from './keys';
import { GLOBAL_PERMISSIONS, isProjectPermission, isRepoPermission, levelOf } from './model';
import { PULL_REQUEST_ROUTES } from './pull-requests';
import { REPO_CREATE_ROUTES } from './repo-create';
import {
  badRequest,
  containsIgnoreCase,
  currentUser,
  error,
  findProject,
  findRepo,
  type Handler,
  isReply,
  json,
  notPermitted,
  PAGED,
  type Params,
  pageOf,
  REPO,
  type Route,
  readJsonObject,
  visible,
} from './rest-common';
import { REVIEWER_ROUTES } from './reviewers';
import type { Project, Repo, SshKey, TokenPermission, User } from './types';

// ───────────────────────────── handlers ─────────────────────────────

const applicationProperties: Handler = (env) => ({
  kind: 'json',
  status: 200,
  body: {
    version: env.version.text,
    buildNumber: env.build.buildNumber,
    buildDate: env.build.buildDate,
    displayName: 'Bitbucket',
  },
});

const getUser: Handler = (env, req, params) => {
  if (req.principal.kind === 'anonymous') return notPermitted();
  const slug = params.userSlug ?? '';
  const user = env.model.users.get(slug.toLowerCase());
  if (!user) return error(404, EXCEPTIONS.noSuchUser, `User ${slug} does not exist.`);
  const size = Number.parseInt(req.query.get('avatarSize') ?? '', 10);
  return json(200, restUser(user, env.urls, Number.isFinite(size) && size > 0 ? size : undefined));
};

/** The permission filters of GET users: `permission`, `permission.N` and their `.projectKey` etc. */
function userPermissionFilters(env: Env, query: URLSearchParams): Array<(user: User) => boolean> | Reply {
  const roots = [...query.keys()].filter((k) => /^permission(\.\d+)?$/.test(k));
  const filters: Array<(user: User) => boolean> = [];
  for (const root of roots) {
    const value = query.get(root) ?? '';
    const globalIndex = (GLOBAL_PERMISSIONS as readonly string[]).indexOf(value);
    if (globalIndex >= 0) {
      filters.push((user) => env.model.globalLevel(user) >= globalIndex);
      continue;
    }
    const level = levelOf(value);
    if (isProjectPermission(value)) {
      const id = Number(query.get(`${root}.projectId`));
      const key = query.get(`${root}.projectKey`);
      const project = id
        ? [...env.model.projects.values()].find((p) => p.id === id)
        : key
          ? env.model.project(key)
          : undefined;
      if (!project)
        return badRequest(
          `The ${root} filter needs an existing project (${root}.projectKey or ${root}.projectId).`,
        );
      filters.push((user) => env.model.userProjectLevel(user, project) >= level);
      continue;
    }
    if (isRepoPermission(value)) {
      const id = Number(query.get(`${root}.repositoryId`));
      const key = query.get(`${root}.projectKey`);
      const slug = query.get(`${root}.repositorySlug`);
      const repo = id ? env.model.repoById(id) : key && slug ? env.model.repo(key, slug) : undefined;
      if (!repo) {
        return badRequest(
          `The ${root} filter needs an existing repository (${root}.projectKey and ${root}.repositorySlug, or ${root}.repositoryId).`,
        );
      }
      filters.push((user) => env.model.userRepoLevel(user, repo) >= level);
      continue;
    }
    return badRequest(`${value} is not a valid permission.`, root);
  }
  return filters;
}

const getUsers: Handler = (env, req) => {
  if (req.principal.kind === 'anonymous') return notPermitted();
  const filters = userPermissionFilters(env, req.query);
  if (isReply(filters)) return filters;
  const text = req.query.get('filter')?.trim() ?? '';
  const group = req.query.get('group');
  const users = [...env.model.users.values()]
    .filter(() => group === null) // the simulator has no groups
    .filter(
      (u) =>
        !text ||
        containsIgnoreCase(u.name, text) ||
        containsIgnoreCase(u.displayName, text) ||
        containsIgnoreCase(u.emailAddress, text),
    )
    .filter((u) => filters.every((f) => f(u)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return json(
    200,
    page(users, pageOf(env, req), (u) => restUser(u, env.urls)),
  );
};

const getProjects: Handler = (env, req) => {
  const name = req.query.get('name')?.trim();
  const permission = req.query.get('permission');
  if (
    permission &&
    permission !== 'PROJECT_VIEW' &&
    permission !== 'REPO_CREATE' &&
    !isProjectPermission(permission)
  ) {
    return badRequest(`${permission} is unknown or not a project permission.`, 'permission');
  }
  const level = levelOf(permission ?? undefined);
  const { model } = env;
  const projects = [...model.projects.values()]
    .filter((p) => p.type === 'NORMAL' && (!name || containsIgnoreCase(p.name, name)))
    .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  // REPO_CREATE ("Create repository") sits between PROJECT_WRITE and PROJECT_ADMIN.
  const holds = (p: Project) =>
    !permission ||
    permission === 'PROJECT_VIEW' ||
    (permission === 'REPO_CREATE'
      ? model.canCreateRepo(req.principal, p)
      : model.projectLevel(req.principal, p) >= level);
  const canSee = (p: Project) => model.canViewProject(req.principal, p) && holds(p);
  return json(
    200,
    visible(env, req, projects, canSee, (p) => restProject(p, env.urls)),
  );
};

const getProject: Handler = (env, req, params) => {
  const project = findProject(env, req, params.projectKey ?? '');
  return isReply(project) ? project : json(200, restProject(project, env.urls));
};

/** Renders repositories for the caller (whose name some clone URLs carry). */
function repoRenderer(env: Env, req: Req): (repo: Repo) => Record<string, unknown> {
  const caller = currentUser(req.principal);
  return (repo) => restRepository(repo, env.urls, env.version, caller);
}

/** Every repository of the project, archived ones too (the spec documents no filter for this list). */
const getProjectRepos: Handler = (env, req, params) => {
  const project = findProject(env, req, params.projectKey ?? '');
  if (isReply(project)) return project;
  const repos = env.model.sortedRepos().filter((r) => r.project === project);
  return json(
    200,
    visible(env, req, repos, (r) => env.model.canReadRepo(req.principal, r), repoRenderer(env, req)),
  );
};

/** One repository; looking at it makes it the caller's most recently accessed repository. */
const getRepo: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const caller = currentUser(req.principal);
  if (caller) env.model.recordRepoAccess(caller.slug, repo.id);
  return json(200, restRepository(repo, env.urls, env.version, caller));
};

const REPO_STATES = ['AVAILABLE', 'INITIALISING', 'INITIALISATION_FAILED', 'OFFLINE'];

/**
 * GET /repos with every filter the spec documents. `name` and `projectname` match when the value
 * (trimmed, case-insensitive) is contained in the name; `projectkey` is the whole key
 * (case-insensitive); `archived` defaults to ACTIVE, so archived repositories are only listed with
 * archived=ARCHIVED or ALL. The filters on the repository itself come before paging; the
 * permission check (implicit read, or `permission`) comes after it when the model skips ahead.
 */
const getRepos: Handler = (env, req) => {
  const q = req.query;
  const name = q.get('name')?.trim().toLowerCase();
  const projectName = q.get('projectname')?.trim().toLowerCase();
  const projectKey = q.get('projectkey')?.trim().toUpperCase();
  const visibility = q.get('visibility');
  const permission = q.get('permission');
  const state = q.get('state');
  const archived = (q.get('archived') ?? 'ACTIVE').trim().toUpperCase();
  if (visibility !== null && visibility !== 'public' && visibility !== 'private') {
    return badRequest(`Invalid visibility ${visibility}: use public or private.`, 'visibility');
  }
  if (permission !== null && !isRepoPermission(permission)) {
    return badRequest(`${permission} is not a repository permission.`, 'permission');
  }
  if (state !== null && !REPO_STATES.includes(state))
    return badRequest(`${state} is not a repository state.`, 'state');
  if (!['ACTIVE', 'ARCHIVED', 'ALL'].includes(archived)) {
    return badRequest(`${archived} is not one of ACTIVE, ARCHIVED or ALL.`, 'archived');
  }
  const level = levelOf(permission ?? undefined);
  const { model } = env;
  const repos = model.sortedRepos().filter((r) => {
    if (name && !r.name.toLowerCase().includes(name)) return false;
    if (projectName && !r.project.name.toLowerCase().includes(projectName)) return false;
    if (projectKey && r.project.key !== projectKey) return false;
    if (state && r.state !== state) return false;
    if (archived === 'ACTIVE' && r.archived) return false;
    if (archived === 'ARCHIVED' && !r.archived) return false;
    const isPublic = r.public || r.project.public;
    if (visibility === 'public' && !isPublic) return false;
    if (visibility === 'private' && isPublic) return false;
    return true;
  });
  const canSee = (r: Repo) =>
    permission ? model.repoLevel(req.principal, r) >= level : model.canReadRepo(req.principal, r);
  return json(200, visible(env, req, repos, canSee, repoRenderer(env, req)));
};

/**
 * The caller's recently accessed repositories, most recent first, limited to those the caller holds
 * `permission` on (default REPO_READ, so public access alone is not enough). Signed-in callers only.
 */
const getRecentRepos: Handler = (env, req) => {
  const caller = currentUser(req.principal);
  if (!caller) return notPermitted();
  const permission = req.query.get('permission') ?? 'REPO_READ';
  if (!isRepoPermission(permission)) {
    return badRequest(`${permission} is unknown or not a repository permission.`, 'permission');
  }
  const level = levelOf(permission);
  return json(
    200,
    visible(
      env,
      req,
      env.model.recentRepos(caller),
      (r) => env.model.repoLevel(req.principal, r) >= level,
      repoRenderer(env, req),
    ),
  );
};

const getForks: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const forks = env.model.sortedRepos().filter((r) => r.origin === repo);
  return json(
    200,
    visible(env, req, forks, (r) => env.model.canReadRepo(req.principal, r), repoRenderer(env, req)),
  );
};

/** The other repositories of the same hierarchy (origin, forks, forks of forks) the caller can read. */
const getRelated: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const related = env.model.sortedRepos().filter((r) => r !== repo && r.hierarchyId === repo.hierarchyId);
  return json(
    200,
    visible(env, req, related, (r) => env.model.canReadRepo(req.principal, r), repoRenderer(env, req)),
  );
};

const getBranches: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const text = req.query.get('filterText')?.trim();
  let branches = repo.branches.filter((b) => !text || containsIgnoreCase(b.name, text));
  if (req.query.get('orderBy')?.toUpperCase() === 'ALPHABETICAL') {
    branches = [...branches].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return json(
    200,
    page(branches, pageOf(env, req), (b) => restBranch(repo, b)),
  );
};

const getDefaultBranchRef: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  return json(200, { id: `refs/heads/${repo.defaultBranch}`, displayId: repo.defaultBranch, type: 'BRANCH' });
};

const getDefaultBranch: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  if (repo.branches.length === 0) return { kind: 'json', status: 204 };
  const branch = repo.branches.find((b) => b.name === repo.defaultBranch);
  if (!branch) {
    return error(404, EXCEPTIONS.noSuchBranch, `The default branch ${repo.defaultBranch} does not exist.`);
  }
  return json(200, restBranch(repo, branch));
};

// SSH and GPG keys. Tokens may only change keys when the model's keySettings allow it (Atlassian:
// "You can't use a token to perform changes on behalf of a user"); Basic auth and the web session may.

/** Whether the caller may add or delete keys with the credentials of this request. */
function mayChangeKeys(env: Env, req: Req): boolean {
  return (
    req.principal.kind === 'user' ||
    (req.principal.kind === 'token' && env.model.keySettings.tokensMayAddKeys)
  );
}

/**
 * The user whose keys are asked for: the caller, or `?user=` (or `userName`) for administrators.
 * `noSuchUser` is the status for an unknown user (404 where the operation documents it).
 */
function keyOwner(
  env: Env,
  req: Req,
  names: string[],
  options: { changing?: boolean; noSuchUser?: number } = {},
): User | Reply {
  const me = currentUser(req.principal);
  if (!me) return notPermitted();
  if (options.changing && !mayChangeKeys(env, req)) return notPermitted();
  const asked = names.map((n) => req.query.get(n)).find((v) => v);
  if (!asked) return me;
  const user = env.model.user(asked);
  if (!user) return error(options.noSuchUser ?? 404, EXCEPTIONS.noSuchUser, `User ${asked} does not exist.`);
  if (user !== me && !env.model.isAdmin(me)) return notPermitted();
  return user;
}

/** The caller may see or delete this key: their own, or any as an administrator. */
function ownsKey(env: Env, req: Req, owner: User): boolean {
  const me = currentUser(req.principal);
  return !!me && (owner === me || env.model.isAdmin(me));
}

const getSshKeys: Handler = (env, req) => {
  const user = keyOwner(env, req, ['user', 'userName']);
  if (isReply(user)) return user;
  const keys = env.model.sshKeys.filter((k) => k.user === user);
  return json(200, page(keys, pageOf(env, req), restSshKey));
};

const getSshKey: Handler = (env, req, params) => {
  if (!currentUser(req.principal)) return notPermitted();
  const key = env.model.sshKeys.find((k) => String(k.id) === params.keyId);
  if (!key) return error(404, EXCEPTIONS.noSuchSshKey, `No SSH key exists with ID ${params.keyId}.`);
  if (!ownsKey(env, req, key.user)) return notPermitted();
  return json(200, restSshKey(key));
};

/**
 * Adds an SSH key: parsed for real (type, bit length, fingerprint), then the server's key policy
 * (allowed algorithms, minimum lengths, forced expiry), then duplicates on any account (409).
 * Without a label the key's comment is the label.
 */
const addSshKey: Handler = async (env, req) => {
  const user = keyOwner(env, req, ['user'], { changing: true });
  if (isReply(user)) return user;
  const input = await readJsonObject(req);
  if (isReply(input)) return input;
  return addSshKeyFor(env, user, input);
};

/**
 * Adds an SSH key to `user`'s account from a request body (`text`, `label`, `expiryDays`): the REST
 * resource's rules, shared with the account SSH keys page's form. 201 with the key, or the error.
 */
export function addSshKeyFor(env: Env, user: User, input: Record<string, unknown>): Reply {
  if (typeof input.text !== 'string' || !input.text.trim())
    return badRequest('An SSH key is required.', 'text');
  const { label, expiryDays } = input;
  if (label !== undefined && label !== null && typeof label !== 'string') {
    return badRequest('The label must be text.', 'label');
  }
  if (
    expiryDays !== undefined &&
    expiryDays !== null &&
    (typeof expiryDays !== 'number' || !Number.isInteger(expiryDays) || expiryDays < 1)
  ) {
    return badRequest('expiryDays must be a positive whole number.', 'expiryDays');
  }
  const parsed = parseSshPublicKey(input.text);
  if ('error' in parsed) return badRequest(MESSAGES.invalidSshKey, 'text');
  const policy = env.model.keySettings.sshKeyPolicy;
  if (policy.allowed && !policy.allowed.includes(parsed.algorithm)) {
    return badRequest(
      `${parsed.algorithm} keys are not allowed. Allowed key types: ${policy.allowed.join(', ') || 'none'}.`,
      'text',
    );
  }
  const minBits = policy.minBits?.[parsed.algorithm];
  if (minBits !== undefined && parsed.bitLength < minBits) {
    return badRequest(
      `${parsed.algorithm} keys must be at least ${minBits} bits long; this key is ${parsed.bitLength} bits.`,
      'text',
    );
  }
  const days = typeof expiryDays === 'number' ? expiryDays : undefined;
  if (policy.maxExpiryDays !== undefined) {
    if (days === undefined) {
      return badRequest(
        `An expiry is required for SSH keys: set expiryDays to at most ${policy.maxExpiryDays} days.`,
        'expiryDays',
      );
    }
    if (days > policy.maxExpiryDays) {
      return badRequest(`SSH keys must expire within ${policy.maxExpiryDays} days.`, 'expiryDays');
    }
  }
  if (env.model.sshKeyByFingerprint(parsed.fingerprint)) {
    return error(409, EXCEPTIONS.duplicateSshKey, MESSAGES.duplicateSshKey);
  }
  const key: SshKey = env.model.addSshKey(user, {
    label: (typeof label === 'string' && label.trim()) || parsed.comment || '',
    text: parsed.text,
    algorithm: parsed.algorithm,
    bitLength: parsed.bitLength,
    fingerprint: parsed.fingerprint,
    createdDate: Date.now(),
    ...(days !== undefined ? { expiryDays: days } : {}),
  });
  return json(201, restSshKey(key));
}

/** 204 when deleted or when there is no such key (the spec's words). */
const deleteSshKey: Handler = (env, req, params) => {
  if (!currentUser(req.principal) || !mayChangeKeys(env, req)) return notPermitted();
  const key = env.model.sshKeys.find((k) => String(k.id) === params.keyId);
  if (key) {
    if (!ownsKey(env, req, key.user)) return notPermitted();
    env.model.deleteSshKey(key);
  }
  return { kind: 'json', status: 204 };
};

const deleteSshKeys: Handler = (env, req) => {
  const user = keyOwner(env, req, ['user', 'userName'], { changing: true });
  if (isReply(user)) return user;
  for (const key of env.model.sshKeys.filter((k) => k.user === user)) env.model.deleteSshKey(key);
  return { kind: 'json', status: 204 };
};

const sshSettings: Handler = (env, req) => {
  if (!currentUser(req.principal)) return notPermitted();
  return json(200, restSshSettings(env.urls, env.model.keySettings.sshEnabled));
};

// The GPG operations document no 404: an unknown `user` answers 401 (GET) or 400 (POST).

const getGpgKeys: Handler = (env, req) => {
  const user = keyOwner(env, req, ['user'], { noSuchUser: 401 });
  if (isReply(user)) return user;
  const keys = env.model.gpgKeys.filter((k) => k.user === user);
  return json(200, page(keys, pageOf(env, req), restGpgKey));
};

/**
 * Adds a GPG key, parsed with OpenPGP.js (fingerprint, key id, e-mail of the primary user id, expiry,
 * subkeys). A key already on any account is refused with 400: the spec documents no 409 here.
 */
const addGpgKey: Handler = async (env, req) => {
  const user = keyOwner(env, req, ['user'], { changing: true, noSuchUser: 400 });
  if (isReply(user)) return user;
  const input = await readJsonObject(req);
  if (isReply(input)) return input;
  return addGpgKeyFor(env, user, input);
};

/** Adds a GPG key to `user`'s account from a request body (`text`); shared with the GPG keys page. */
export async function addGpgKeyFor(env: Env, user: User, input: Record<string, unknown>): Promise<Reply> {
  if (typeof input.text !== 'string' || !input.text.trim())
    return badRequest('A GPG key is required.', 'text');
  const parsed = await parseGpgPublicKey(input.text);
  if ('error' in parsed) return badRequest(MESSAGES.invalidGpgKey, 'text');
  const refused = gpgPolicyRefusal(parsed, env.model.keySettings.gpgKeyPolicy);
  if (refused) return badRequest(refused, 'text');
  if (env.model.gpgKey(parsed.fingerprint)) {
    return error(400, EXCEPTIONS.duplicateGpgKey, MESSAGES.duplicateGpgKey, 'text');
  }
  const key = env.model.addGpgKey(user, {
    id: parsed.id,
    fingerprint: parsed.fingerprint,
    emailAddress: parsed.emailAddress,
    text: parsed.text,
    ...(parsed.expiryDate !== undefined ? { expiryDate: parsed.expiryDate } : {}),
    subKeys: parsed.subKeys,
  });
  return json(200, restGpgKey(key));
}

/** By fingerprint or long key id; 204 also when there is no such key (the spec documents no 404). */
const deleteGpgKey: Handler = (env, req, params) => {
  if (!currentUser(req.principal) || !mayChangeKeys(env, req)) return notPermitted();
  const key = env.model.gpgKey(params.fingerprintOrId ?? '');
  if (key) {
    if (!ownsKey(env, req, key.user)) return notPermitted();
    env.model.deleteGpgKey(key);
  }
  return { kind: 'json', status: 204 };
};

const deleteGpgKeys: Handler = (env, req) => {
  const user = keyOwner(env, req, ['user'], { changing: true });
  if (isReply(user)) return user;
  for (const key of env.model.gpgKeys.filter((k) => k.user === user)) env.model.deleteGpgKey(key);
  return { kind: 'json', status: 204 };
};

// HTTP access tokens. A token can't be used to manage tokens ("You can't use a token to … create new
// tokens"); listing works with any credentials of the user.

function tokenUser(env: Env, req: Req, params: Params, changing: boolean): User | Reply {
  const me = currentUser(req.principal);
  if (!me || (changing && req.principal.kind === 'token')) return notPermitted();
  const user = env.model.users.get((params.userSlug ?? '').toLowerCase());
  if (!user) return error(404, EXCEPTIONS.noSuchUser, `User ${params.userSlug} does not exist.`);
  if (user !== me && !env.model.isAdmin(me)) return notPermitted();
  return user;
}

const getTokens: Handler = (env, req, params) => {
  const user = tokenUser(env, req, params, false);
  if (isReply(user)) return user;
  const tokens = env.model.tokensOf(user).sort((a, b) => b.createdDate - a.createdDate);
  return json(
    200,
    page(tokens, pageOf(env, req), (t) => restAccessToken(t, false)),
  );
};

const MAX_TOKENS_PER_USER = 100;

const createToken: Handler = async (env, req, params) => {
  const user = tokenUser(env, req, params, true);
  if (isReply(user)) return user;
  const input = await readJsonObject(req);
  if (isReply(input)) return input;
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name) return badRequest('A token name is required.', 'name');
  const permissions = Array.isArray(input.permissions) ? input.permissions : [];
  if (permissions.length === 0) return badRequest('At least one permission is required.', 'permissions');
  const unknown = permissions.find(
    (p) => typeof p !== 'string' || !(isProjectPermission(p) || isRepoPermission(p)),
  );
  if (unknown !== undefined)
    return badRequest(`${String(unknown)} is not a valid permission.`, 'permissions');
  const expiryDays = input.expiryDays;
  if (
    expiryDays !== undefined &&
    (typeof expiryDays !== 'number' || !Number.isInteger(expiryDays) || expiryDays < 1)
  ) {
    return badRequest('expiryDays must be a positive whole number.', 'expiryDays');
  }
  if (env.model.tokensOf(user).length >= MAX_TOKENS_PER_USER) {
    return badRequest('The user already has their maximum number of tokens.');
  }
  try {
    const token = env.model.createToken(user, permissions as TokenPermission[], name, expiryDays);
    return json(200, restAccessToken(token, true));
  } catch (e) {
    return badRequest((e as Error).message, 'permissions');
  }
};

const deleteToken: Handler = (env, req, params) => {
  const user = tokenUser(env, req, params, true);
  if (isReply(user)) return user;
  const token = env.model.tokensOf(user).find((t) => t.id === params.tokenId);
  if (!token)
    return error(404, 'com.atlassian.bitbucket.auth.NoSuchAccessTokenException', 'No such access token.');
  env.model.revokeToken(token.token);
  return { kind: 'json', status: 204 };
};

export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: '/api/latest/application-properties',
    handler: applicationProperties,
    query: [],
  },
  {
    method: 'GET',
    template: '/api/latest/users',
    handler: getUsers,
    // The simulator has no groups: `group` leaves no user, as no user is in any group.
    query: ['filter', 'permission', 'permission.N', 'group', ...PAGED],
  },
  { method: 'GET', template: '/api/latest/users/{userSlug}', handler: getUser, query: ['avatarSize'] },
  {
    method: 'GET',
    template: '/api/latest/projects',
    handler: getProjects,
    query: ['name', 'permission', ...PAGED],
  },
  { method: 'GET', template: '/api/latest/projects/{projectKey}', handler: getProject, query: [] },
  {
    method: 'GET',
    template: '/api/latest/projects/{projectKey}/repos',
    handler: getProjectRepos,
    query: PAGED,
  },
  { method: 'GET', template: REPO, handler: getRepo, query: [] },
  {
    method: 'GET',
    template: '/api/latest/repos',
    handler: getRepos,
    query: ['name', 'projectname', 'projectkey', 'visibility', 'permission', 'state', 'archived', ...PAGED],
  },
  {
    method: 'GET',
    template: '/api/latest/profile/recent/repos',
    handler: getRecentRepos,
    query: ['permission', ...PAGED],
  },
  { method: 'GET', template: `${REPO}/forks`, handler: getForks, query: PAGED },
  { method: 'GET', template: `${REPO}/related`, handler: getRelated, query: PAGED },
  {
    method: 'GET',
    template: `${REPO}/branches`,
    handler: getBranches,
    query: ['filterText', 'orderBy', ...PAGED],
  },
  { method: 'GET', template: `${REPO}/branches/default`, handler: getDefaultBranch, query: [] },
  { method: 'GET', template: `${REPO}/default-branch`, handler: getDefaultBranchRef, query: [] },
  ...PULL_REQUEST_ROUTES,
  ...COMPARE_ROUTES,
  { method: 'GET', template: '/ssh/latest/keys', handler: getSshKeys, query: ['user', 'userName', ...PAGED] },
  { method: 'POST', template: '/ssh/latest/keys', handler: addSshKey, query: ['user'] },
  { method: 'DELETE', template: '/ssh/latest/keys', handler: deleteSshKeys, query: ['user', 'userName'] },
  { method: 'GET', template: '/ssh/latest/keys/{keyId}', handler: getSshKey, query: [] },
  { method: 'DELETE', template: '/ssh/latest/keys/{keyId}', handler: deleteSshKey, query: [] },
  { method: 'GET', template: '/ssh/latest/settings', handler: sshSettings, query: [] },
  { method: 'GET', template: '/gpg/latest/keys', handler: getGpgKeys, query: ['user', ...PAGED] },
  { method: 'POST', template: '/gpg/latest/keys', handler: addGpgKey, query: ['user'] },
  { method: 'DELETE', template: '/gpg/latest/keys', handler: deleteGpgKeys, query: ['user'] },
  {
    method: 'DELETE',
    template: '/gpg/latest/keys/{fingerprintOrId}',
    handler: deleteGpgKey,
    query: [],
  },
  ...REVIEWER_ROUTES,
  { method: 'GET', template: '/access-tokens/latest/users/{userSlug}', handler: getTokens, query: PAGED },
  { method: 'PUT', template: '/access-tokens/latest/users/{userSlug}', handler: createToken, query: [] },
  {
    method: 'DELETE',
    template: '/access-tokens/latest/users/{userSlug}/{tokenId}',
    handler: deleteToken,
    query: [],
  },
  ...REPO_CREATE_ROUTES,
  ...FILE_EDIT_ROUTES,
];

const COMPILED = ROUTES.map((route) => ({ route, compiled: compileTemplate(route.template) }));

/** The route for a request, with its decoded path parameters. */
export function matchRoute(method: string, path: string): { route: Route; params: Params } | undefined {
  const specPath = specPathOf(path);
  if (!specPath) return undefined;
  let best: { route: Route; params: Params; literal: number } | undefined;
  for (const { route, compiled } of COMPILED) {
    if (route.method !== method) continue;
    const match = compiled.regex.exec(specPath);
    if (!match) continue;
    const params: Params = {};
    let valid = true;
    compiled.params.forEach((name, i) => {
      const value = decodeSegment(match[i + 1] ?? '');
      if (value === undefined) valid = false;
      else params[name] = value;
    });
    if (valid && (!best || compiled.literal > best.literal))
      best = { route, params, literal: compiled.literal };
  }
  return best && { route: best.route, params: best.params };
}

/**
 * Strict mode: the violation of a request that carries a query parameter the spec documents for its
 * operation but the route's handler does not honour (undefined when there is none, or no route).
 * Checked before the handler runs, so nothing is changed or recorded for such a request.
 */
export function ignoredQueryViolation(conformance: Conformance, req: Req): ConformanceViolation | undefined {
  const match = matchRoute(req.method, req.path);
  if (!match) return undefined;
  const ignored = conformance.ignoredQueryParameters(
    req.method,
    req.path,
    req.query.keys(),
    match.route.query,
  );
  if (ignored.length === 0) return undefined;
  const op = conformance.findOperation(req.method, req.path);
  const honoured = match.route.query.length ? match.route.query.join(', ') : 'none';
  return {
    method: req.method,
    path: req.path,
    status: 500,
    ...(op?.operationId ? { operationId: op.operationId } : {}),
    message: `${op?.operationId ?? match.route.template} (${req.method} ${match.route.template}): the simulator ignores the query parameter${
      ignored.length > 1 ? 's' : ''
    } ${ignored.join(', ')}, which the spec documents for this operation; the answer would pretend ${
      ignored.length > 1 ? 'they were' : 'it was'
    } honoured (parameters honoured: ${honoured})`,
  };
}

/** Answers one REST request (credentials were already checked). Undefined when no route matches. */
export async function handleRest(env: Env, req: Req): Promise<Reply | undefined> {
  const match = matchRoute(req.method, req.path);
  if (!match) return undefined;
  const changing = req.method !== 'GET' && req.method !== 'HEAD';
  if (
    changing &&
    req.principal.kind === 'user' &&
    req.principal.via === 'session' &&
    req.raw.headers['x-atlassian-token']?.toString().toLowerCase() !== 'no-check'
  ) {
    return error(403, EXCEPTIONS.xsrf, 'XSRF check failed');
  }
  return match.route.handler(env, req, match.params);
}
