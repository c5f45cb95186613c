/**
 * The REST API under `{ctx}/rest/<module>/1.0/…` and `{ctx}/rest/<module>/latest/…` (same handlers).
 * Routes are declared with the spec's own path templates, so strict mode can refuse any route the
 * spec doesn't have.
 *
 * Permission failures answer 401 AuthorisationException (the spec documents insufficient permission
 * as 401); missing resources answer 404 with the matching NoSuch…Exception.
 */
import { compileTemplate, specPathOf } from './conformance';
import { decodeSegment, type Env, type Reply, type Req, readBody } from './http';
import {
  EXCEPTIONS,
  MESSAGES,
  page,
  pageRequest,
  restAccessToken,
  restBranch,
  restErrors,
  restGpgKey,
  restProject,
  restPullRequest,
  restRepository,
  restSshKey,
  restUser,
} from './json';
import { GLOBAL_PERMISSIONS, isProjectPermission, isRepoPermission, levelOf } from './model';
import type { Principal, Project, PullRequest, RefMatcher, Repo, TokenPermission, User } from './types';

type Params = Record<string, string>;
type Handler = (env: Env, req: Req, params: Params) => Reply | Promise<Reply>;

interface Route {
  method: string;
  template: string;
  handler: Handler;
}

const json = (status: number, body?: unknown): Reply => ({ kind: 'json', status, body });
const error = (
  status: number,
  exceptionName: string | null,
  message: string,
  context: string | null = null,
) => json(status, restErrors(message, exceptionName, context));
const notPermitted = () => error(401, EXCEPTIONS.notPermitted, MESSAGES.notPermitted);
const badRequest = (message: string, context: string | null = null) =>
  error(400, EXCEPTIONS.badRequest, message, context);

function currentUser(principal: Principal): User | undefined {
  return principal.kind === 'anonymous' ? undefined : principal.user;
}

function containsIgnoreCase(haystack: string | undefined, needle: string): boolean {
  return (haystack ?? '').toLowerCase().includes(needle.toLowerCase());
}

/** Looks up the project, or the error reply to send. */
function findProject(env: Env, req: Req, key: string): Project | Reply {
  const project = env.model.project(key);
  if (!project) return error(404, EXCEPTIONS.noSuchProject, `Project ${key} does not exist.`);
  if (!env.model.canViewProject(req.principal, project)) return notPermitted();
  return project;
}

/** Looks up a repository the caller can read, or the error reply to send. */
function findRepo(env: Env, req: Req, params: Params): Repo | Reply {
  const key = params.projectKey ?? '';
  const slug = params.repositorySlug ?? '';
  if (!env.model.project(key)) return error(404, EXCEPTIONS.noSuchProject, `Project ${key} does not exist.`);
  const repo = env.model.repo(key, slug);
  if (!repo) return error(404, EXCEPTIONS.noSuchRepository, `Repository ${key}/${slug} does not exist.`);
  if (!env.model.canReadRepo(req.principal, repo)) return notPermitted();
  return repo;
}

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'kind' in value;
}

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
    page(users, pageRequest(req.query), (u) => restUser(u, env.urls)),
  );
};

const getProjects: Handler = (env, req) => {
  const name = req.query.get('name')?.trim();
  const permission = req.query.get('permission');
  if (permission && permission !== 'PROJECT_VIEW' && !isProjectPermission(permission)) {
    return badRequest(`${permission} is unknown or not a project permission.`, 'permission');
  }
  const level = levelOf(permission ?? undefined);
  const projects = [...env.model.projects.values()]
    .filter((p) => p.type === 'NORMAL')
    .filter((p) => !name || containsIgnoreCase(p.name, name))
    .filter((p) => env.model.canViewProject(req.principal, p))
    .filter(
      (p) =>
        !permission || permission === 'PROJECT_VIEW' || env.model.projectLevel(req.principal, p) >= level,
    )
    .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
  return json(
    200,
    page(projects, pageRequest(req.query), (p) => restProject(p, env.urls)),
  );
};

const getProject: Handler = (env, req, params) => {
  const project = findProject(env, req, params.projectKey ?? '');
  return isReply(project) ? project : json(200, restProject(project, env.urls));
};

const getProjectRepos: Handler = (env, req, params) => {
  const project = findProject(env, req, params.projectKey ?? '');
  if (isReply(project)) return project;
  const repos = env.model
    .sortedRepos()
    .filter((r) => r.project === project && env.model.canReadRepo(req.principal, r));
  return json(
    200,
    page(repos, pageRequest(req.query), (r) => restRepository(r, env.urls, env.version)),
  );
};

const getRepo: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  return isReply(repo) ? repo : json(200, restRepository(repo, env.urls, env.version));
};

const REPO_STATES = ['AVAILABLE', 'INITIALISING', 'INITIALISATION_FAILED', 'OFFLINE'];

const getRepos: Handler = (env, req) => {
  const q = req.query;
  const name = q.get('name')?.trim().toLowerCase();
  const projectName = q.get('projectname')?.trim().toLowerCase();
  const projectKey = q.get('projectkey')?.trim().toUpperCase();
  const visibility = q.get('visibility');
  const permission = q.get('permission');
  const state = q.get('state');
  const archived = (q.get('archived') ?? 'ACTIVE').toUpperCase();
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
    if (permission) return model.repoLevel(req.principal, r) >= level;
    return model.canReadRepo(req.principal, r);
  });
  return json(
    200,
    page(repos, pageRequest(q), (r) => restRepository(r, env.urls, env.version)),
  );
};

const getForks: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const forks = env.model
    .sortedRepos()
    .filter((r) => r.origin === repo && env.model.canReadRepo(req.principal, r));
  return json(
    200,
    page(forks, pageRequest(req.query), (r) => restRepository(r, env.urls, env.version)),
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
    page(branches, pageRequest(req.query), (b) => restBranch(repo, b)),
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

function pullRequestFilter(req: Req): ((pr: PullRequest) => boolean) | Reply {
  const state = (req.query.get('state') ?? 'OPEN').toUpperCase();
  if (!['OPEN', 'MERGED', 'DECLINED', 'ALL'].includes(state))
    return badRequest(`${state} is not a pull request state.`, 'state');
  const direction = (req.query.get('direction') ?? 'INCOMING').toUpperCase();
  const at = req.query.get('at');
  const branch = at?.replace(/^refs\/heads\//, '');
  const text = req.query.get('filterText');
  const draft = req.query.get('draft');
  return (pr) =>
    (state === 'ALL' || pr.state === state) &&
    (!branch || (direction === 'OUTGOING' ? pr.fromBranch === branch : pr.toBranch === branch)) &&
    (!text || containsIgnoreCase(pr.title, text) || containsIgnoreCase(pr.description, text)) &&
    (draft === null || String(pr.draft) === draft.toLowerCase());
}

const getPullRequests: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const filter = pullRequestFilter(req);
  if (isReply(filter)) return filter;
  const oldestFirst = req.query.get('order')?.toUpperCase() === 'OLDEST';
  const prs = env.model.pullRequests
    .filter((pr) => pr.repo === repo && filter(pr))
    .sort((a, b) => (oldestFirst ? a.updatedDate - b.updatedDate : b.updatedDate - a.updatedDate));
  return json(
    200,
    page(prs, pageRequest(req.query), (pr) => restPullRequest(pr, env.urls, env.version)),
  );
};

const getPullRequest: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const id = Number(params.pullRequestId);
  const pr = Number.isInteger(id) ? env.model.pullRequest(repo, id) : undefined;
  if (!pr) {
    return error(
      404,
      EXCEPTIONS.noSuchPullRequest,
      `No pull request exists with ID ${params.pullRequestId} for this repository.`,
    );
  }
  return json(200, restPullRequest(pr, env.urls, env.version));
};

/** The user whose keys are asked for: the caller, or `?user=` for administrators. */
function keyOwner(env: Env, req: Req, names: string[]): User | Reply {
  const me = currentUser(req.principal);
  if (!me) return notPermitted();
  const asked = names.map((n) => req.query.get(n)).find((v) => v);
  if (!asked) return me;
  const user = env.model.user(asked);
  if (!user) return error(404, EXCEPTIONS.noSuchUser, `User ${asked} does not exist.`);
  if (user !== me && !env.model.isAdmin(me)) return notPermitted();
  return user;
}

const getSshKeys: Handler = (env, req) => {
  const user = keyOwner(env, req, ['user', 'userName']);
  if (isReply(user)) return user;
  const keys = env.model.sshKeys.filter((k) => k.user === user);
  return json(200, page(keys, pageRequest(req.query), restSshKey));
};

const getGpgKeys: Handler = (env, req) => {
  const user = keyOwner(env, req, ['user']);
  if (isReply(user)) return user;
  const keys = env.model.gpgKeys.filter((k) => k.user === user);
  return json(200, page(keys, pageRequest(req.query), restGpgKey));
};

function refMatches(matcher: RefMatcher, refId: string): boolean {
  const name = refId.replace(/^refs\/heads\//, '');
  if (matcher.type === 'ANY_REF') return true;
  if (matcher.type === 'BRANCH') return name === matcher.value;
  const pattern = (matcher.value ?? '').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${pattern}$`).test(name);
}

const getDefaultReviewers: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const sourceRefId = req.query.get('sourceRefId');
  const targetRefId = req.query.get('targetRefId');
  const sourceRepoId = Number(req.query.get('sourceRepoId'));
  const targetRepoId = Number(req.query.get('targetRepoId'));
  if (!sourceRefId || !targetRefId || !sourceRepoId || !targetRepoId) {
    return badRequest('sourceRepoId, targetRepoId, sourceRefId and targetRefId are required.');
  }
  if (targetRepoId !== repo.id || env.model.repoById(sourceRepoId)?.hierarchyId !== repo.hierarchyId) {
    return badRequest(
      'The source and target repositories must be the same repository or forks of each other.',
    );
  }
  const reviewers = new Set<User>();
  for (const c of env.model.defaultReviewers) {
    const applies = c.repo ? c.repo === repo : c.project === repo.project;
    if (applies && refMatches(c.source, sourceRefId) && refMatches(c.target, targetRefId)) {
      for (const u of c.reviewers) reviewers.add(u);
    }
  }
  return json(
    200,
    [...reviewers].map((u) => restUser(u, env.urls)),
  );
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
    page(tokens, pageRequest(req.query), (t) => restAccessToken(t, false)),
  );
};

const MAX_TOKENS_PER_USER = 100;

const createToken: Handler = async (env, req, params) => {
  const user = tokenUser(env, req, params, true);
  if (isReply(user)) return user;
  let body: unknown;
  try {
    body = JSON.parse((await readBody(req.raw)).toString('utf8') || 'null');
  } catch {
    return badRequest('The request body is not valid JSON.');
  }
  const input = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
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

const REPO = '/api/latest/projects/{projectKey}/repos/{repositorySlug}';

export const ROUTES: readonly Route[] = [
  { method: 'GET', template: '/api/latest/application-properties', handler: applicationProperties },
  { method: 'GET', template: '/api/latest/users', handler: getUsers },
  { method: 'GET', template: '/api/latest/users/{userSlug}', handler: getUser },
  { method: 'GET', template: '/api/latest/projects', handler: getProjects },
  { method: 'GET', template: '/api/latest/projects/{projectKey}', handler: getProject },
  { method: 'GET', template: '/api/latest/projects/{projectKey}/repos', handler: getProjectRepos },
  { method: 'GET', template: REPO, handler: getRepo },
  { method: 'GET', template: '/api/latest/repos', handler: getRepos },
  { method: 'GET', template: `${REPO}/forks`, handler: getForks },
  { method: 'GET', template: `${REPO}/branches`, handler: getBranches },
  { method: 'GET', template: `${REPO}/branches/default`, handler: getDefaultBranch },
  { method: 'GET', template: `${REPO}/default-branch`, handler: getDefaultBranchRef },
  { method: 'GET', template: `${REPO}/pull-requests`, handler: getPullRequests },
  { method: 'GET', template: `${REPO}/pull-requests/{pullRequestId}`, handler: getPullRequest },
  { method: 'GET', template: '/ssh/latest/keys', handler: getSshKeys },
  { method: 'GET', template: '/gpg/latest/keys', handler: getGpgKeys },
  {
    method: 'GET',
    template: '/default-reviewers/latest/projects/{projectKey}/repos/{repositorySlug}/reviewers',
    handler: getDefaultReviewers,
  },
  { method: 'GET', template: '/access-tokens/latest/users/{userSlug}', handler: getTokens },
  { method: 'PUT', template: '/access-tokens/latest/users/{userSlug}', handler: createToken },
  { method: 'DELETE', template: '/access-tokens/latest/users/{userSlug}/{tokenId}', handler: deleteToken },
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
