/**
 * Creating and configuring repositories: `POST /projects/{key}/repos` (the spec: "The only parameters
 * which will be used are name and scmId"), `PUT /projects/{key}/repos/{slug}` (forkable, public,
 * description, default branch, archived) and `PUT …/default-branch` (also the deprecated
 * `PUT …/branches/default`).
 *
 * A created repository is empty, named by the server's slug rules (model.slugify), has the server's
 * default branch name, gives its creator Repository admin and, when the simulator has a git
 * directory, a real empty bare repository that takes pushes over smart HTTP and SSH.
 *
 * Sentences the real server's are not recorded for are marked "guess" (see simulator/README.md).
 */
import { initEmptyRepository, writeHead } from './git';
import type { Env, Reply, Req } from './http';
import { EXCEPTIONS, restRepository } from './json';
import { slugify } from './model';
import {
  badRequest,
  currentUser,
  error,
  findRepo,
  type Handler,
  isReply,
  json,
  notPermitted,
  REPO,
  type Route,
  readJsonObject,
} from './rest-common';
import { Level, type Project, type Repo } from './types';

/** The longest repository name the server takes (the database column; guess at the exact limit). */
export const MAX_REPO_NAME = 128;

/**
 * A repository name starts with a letter or digit and holds letters, digits, spaces, `-`, `_` and `.`
 * (letters of any script: "føøbar" is a documented name).
 */
const NAME_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}\p{M} _.-]*$/u;

export const REPO_MESSAGES = {
  /** guess */
  nameRequired: 'A repository name is required.',
  /** guess */
  nameTooLong: `Repository names must be ${MAX_REPO_NAME} characters or fewer.`,
  /** guess */
  nameCharacters:
    'Repository names must start with a letter or number and may only contain letters, numbers, spaces, hyphens (-), underscores (_) and periods (.).',
  /** guess */
  nameWithoutSlug:
    'The repository name must contain a letter or number that can appear in its URL (a–z, 0–9).',
  /** guess */
  scmId: 'Only git repositories are supported: scmId must be "git".',
} as const;

/** Why a name is refused (the 400's sentence), or undefined when the server takes it. */
export function repoNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || !name.trim()) return REPO_MESSAGES.nameRequired;
  const trimmed = name.trim();
  if ([...trimmed].length > MAX_REPO_NAME) return REPO_MESSAGES.nameTooLong;
  if (!NAME_PATTERN.test(trimmed)) return REPO_MESSAGES.nameCharacters;
  if (!/^[a-z0-9]/.test(slugify(trimmed))) return REPO_MESSAGES.nameWithoutSlug;
  return undefined;
}

/** The 409 of a name whose slug another repository of the project has (the real server's sentence). */
function urlTaken(existing: Repo, project: Project): Reply {
  return error(
    409,
    null,
    `This repository URL is already taken by '${existing.name}' in '${project.name}'`,
    'name',
  );
}

/**
 * Creates a repository. Checks, in order: the project exists (404), the caller may create
 * repositories in it (401, see Model.canCreateRepo), the name (400, context `name`), `scmId` (400),
 * and that no repository of the project has the same slug (409). Every other field of the body is
 * ignored, as the spec says.
 */
const createRepository: Handler = async (env, req, params) => {
  const key = params.projectKey ?? '';
  const project = env.model.project(key);
  if (!project) return error(404, EXCEPTIONS.noSuchProject, `Project ${key} does not exist.`);
  const caller = currentUser(req.principal);
  if (!caller || !env.model.canCreateRepo(req.principal, project)) return notPermitted();
  const body = await readJsonObject(req);
  if (isReply(body)) return body;
  const problem = repoNameProblem(body.name);
  if (problem) return badRequest(problem, 'name');
  if (body.scmId !== undefined && body.scmId !== null && body.scmId !== 'git') {
    return badRequest(REPO_MESSAGES.scmId, 'scmId');
  }
  const name = String(body.name).trim();
  const existing = env.model.repo(project.key, slugify(name));
  if (existing) return urlTaken(existing, project);
  const repo = env.model.createRepo(project, name, caller);
  if (env.gitDir) await initEmptyRepository(repo, env.gitDir);
  return json(201, restRepository(repo, env.urls, env.version, caller));
};

/** A repository the caller administers (REPO_ADMIN), or the error reply to send. */
function adminRepo(env: Env, req: Req, params: Record<string, string>): Repo | Reply {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  if (env.model.repoLevel(req.principal, repo) < Level.ADMIN) return notPermitted();
  return repo;
}

/** A branch name git takes (git check-ref-format's rules, for one `refs/heads/` name). */
export function isBranchName(name: string): boolean {
  const control = [...name].some((c) => (c.codePointAt(0) ?? 0) < 0x20 || c === '\u007f');
  return (
    name.length > 0 &&
    name !== '@' &&
    !control &&
    !/[\s~^:?*[\\]|\.\.|@\{|\/\/|^\/|\/$|\.$|\.lock$|(^|\/)\./.test(name)
  );
}

/** "refs/heads/main" or "main" → "main"; undefined when it is no branch name. */
function branchOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed.startsWith('refs/') && !trimmed.startsWith('refs/heads/')) return undefined;
  const name = trimmed.replace(/^refs\/heads\//, '');
  return isBranchName(name) ? name : undefined;
}

/** Makes `name` the default branch: in the model (listed first) and in the bare repository's HEAD. */
async function setDefault(repo: Repo, name: string): Promise<void> {
  repo.defaultBranch = name;
  repo.branches = [...repo.branches].sort((a, b) => (a.name === name ? -1 : b.name === name ? 1 : 0));
  await writeHead(repo);
}

/**
 * PUT …/default-branch `{"id": "refs/heads/main"}`: REPO_ADMIN; 204. The branch need not exist yet
 * (a new repository's configured default branch exists before anything is pushed).
 */
const setDefaultBranch: Handler = async (env, req, params) => {
  const repo = adminRepo(env, req, params);
  if (isReply(repo)) return repo;
  const body = await readJsonObject(req);
  if (isReply(body)) return body;
  const name = branchOf(body.id ?? body.displayId);
  if (!name) return badRequest('The default branch must be a branch, such as refs/heads/main.', 'id');
  await setDefault(repo, name);
  return { kind: 'json', status: 204 };
};

/**
 * PUT …/repos/{slug}: REPO_ADMIN; 201 with the repository (the spec's status). Honours `forkable`,
 * `public`, `description`, `defaultBranch` and `archived`; a `name` or `project` other than the
 * current one (renaming, moving) is refused with 400, which the simulator does not do. An archived
 * repository takes no change but un-archiving (409); archiving one with open pull requests is 403.
 */
const updateRepository: Handler = async (env, req, params) => {
  const repo = adminRepo(env, req, params);
  if (isReply(repo)) return repo;
  const body = await readJsonObject(req);
  if (isReply(body)) return body;
  for (const field of ['forkable', 'public', 'archived'] as const) {
    if (body[field] !== undefined && typeof body[field] !== 'boolean') {
      return badRequest(`${field} must be true or false.`, field);
    }
  }
  if (body.description !== undefined && body.description !== null && typeof body.description !== 'string') {
    return badRequest('The description must be text.', 'description');
  }
  if (typeof body.name === 'string' && body.name.trim() !== repo.name) {
    return badRequest('The simulator does not rename repositories.', 'name');
  }
  const project = body.project as { key?: unknown } | undefined;
  if (project && typeof project === 'object' && project.key !== undefined) {
    if (typeof project.key !== 'string' || env.model.project(project.key) !== repo.project) {
      return badRequest('The simulator does not move repositories to other projects.', 'project');
    }
  }
  const defaultBranch = body.defaultBranch === undefined ? undefined : branchOf(body.defaultBranch);
  if (body.defaultBranch !== undefined && !defaultBranch) {
    return badRequest('The default branch must be a branch, such as main.', 'defaultBranch');
  }
  const archiving = body.archived === true && !repo.archived;
  const unarchiving = body.archived === false && repo.archived;
  if (repo.archived && !unarchiving) {
    return error(409, EXCEPTIONS.archivedRepository, `Repository ${repo.name} is archived.`);
  }
  if (archiving && env.model.pullRequests.some((pr) => pr.repo === repo && pr.state === 'OPEN')) {
    return error(
      403,
      EXCEPTIONS.archivedRepository,
      'Cannot archive repository because it has open pull requests.',
    );
  }
  if (typeof body.forkable === 'boolean') repo.forkable = body.forkable;
  if (typeof body.public === 'boolean') repo.public = body.public;
  if (typeof body.description === 'string') repo.description = body.description;
  if (body.description === null) delete repo.description;
  if (typeof body.archived === 'boolean') repo.archived = body.archived;
  if (defaultBranch && defaultBranch !== repo.defaultBranch) await setDefault(repo, defaultBranch);
  return json(201, restRepository(repo, env.urls, env.version, currentUser(req.principal)));
};

export const REPO_CREATE_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    template: '/api/latest/projects/{projectKey}/repos',
    handler: createRepository,
    query: [],
  },
  { method: 'PUT', template: REPO, handler: updateRepository, query: [] },
  { method: 'PUT', template: `${REPO}/default-branch`, handler: setDefaultBranch, query: [] },
  { method: 'PUT', template: `${REPO}/branches/default`, handler: setDefaultBranch, query: [] },
];
