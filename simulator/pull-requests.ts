/**
 * Pull requests of a repository: list (every filter the spec documents, and the participant filters
 * its description names), get, create, update, and the repository's pull-request settings.
 *
 * Create answers as the spec's 409 list says, in this order: the target repository is archived, the
 * branches are the same, an open pull request between the branches exists (its JSON in
 * `existingPullRequest`), the target already has every commit of the source (counted with `git
 * rev-list` in the bare repositories when there are any, else by comparing the branch heads), a
 * reviewer can't review (`reviewerErrors` and `validReviewers`). Update needs the current `version`
 * and answers 409 for a stale one. Drafts exist from 8.18 on; older servers ignore `draft`.
 */
import { commitsToMerge } from './git';
import type { Env, Reply, Req } from './http';
import { EXCEPTIONS, page, restPullRequest, restUser } from './json';
import { levelOf } from './model';
import {
  badRequest,
  containsIgnoreCase,
  currentUser,
  error,
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
} from './rest-common';
import {
  Level,
  type MergeStrategyId,
  type Participant,
  type ParticipantRole,
  type PullRequest,
  type Repo,
  type User,
} from './types';

/** Exception names of the pull-request refusals (guesses where noted in simulator/README.md). */
export const PULL_REQUEST_EXCEPTIONS = {
  duplicate: 'com.atlassian.bitbucket.pull.DuplicatePullRequestException',
  empty: 'com.atlassian.bitbucket.pull.EmptyPullRequestException',
  invalidReviewers: 'com.atlassian.bitbucket.pull.InvalidPullRequestReviewersException',
  sameBranch: 'com.atlassian.bitbucket.pull.InvalidPullRequestTargetException',
  archived: 'com.atlassian.bitbucket.repository.RepositoryArchivedException',
  outOfDate: 'com.atlassian.bitbucket.pull.PullRequestOutOfDateException',
  closed: 'com.atlassian.bitbucket.pull.IllegalPullRequestStateException',
} as const;

export const PULL_REQUEST_MESSAGES = {
  duplicate: 'Only one pull request may be open for a given source and target branch',
  invalidReviewers: 'Errors encountered while adding some reviewers to this pull request.',
  outOfDate:
    'You are attempting to modify a pull request based on out-of-date information. Please refresh and try again.',
} as const;

const DRAFTS_SINCE = '8.18';
/** "The total allowed number of participant filters is 10 and all filters exceeding that limit will be dropped." */
const MAX_PARTICIPANT_FILTERS = 10;
const ROLES: readonly ParticipantRole[] = ['AUTHOR', 'REVIEWER', 'PARTICIPANT'];

const render = (env: Env, req: Req) => (pr: PullRequest) =>
  restPullRequest(pr, env.urls, env.version, currentUser(req.principal));

/** Everyone on a pull request with their role; the author never approves their own. */
function everyone(pr: PullRequest): Participant[] {
  return [{ user: pr.author, role: 'AUTHOR', status: 'UNAPPROVED' }, ...pr.reviewers, ...pr.participants];
}

/** `refs/heads/x` (or a bare `x`) → `x`; undefined for other kinds of refs. */
function branchName(refId: string): string | undefined {
  if (refId.startsWith('refs/heads/')) return refId.slice('refs/heads/'.length) || undefined;
  if (refId.startsWith('refs/')) return undefined;
  return refId || undefined;
}

/**
 * The participant filters `username.N` (with `role.N` and `approved.N`): numbered from 1 without
 * gaps, at most 10 (the rest are dropped, as the spec says). An unknown user matches nothing.
 */
function participantFilters(env: Env, query: URLSearchParams): Array<(pr: PullRequest) => boolean> | Reply {
  const filters: Array<(pr: PullRequest) => boolean> = [];
  for (let n = 1; n <= MAX_PARTICIPANT_FILTERS; n++) {
    const name = query.get(`username.${n}`);
    if (name === null) break;
    const role = query.get(`role.${n}`)?.toUpperCase();
    if (role !== undefined && !ROLES.includes(role as ParticipantRole)) {
      return badRequest(
        `${query.get(`role.${n}`)} is not a role: use AUTHOR, REVIEWER or PARTICIPANT.`,
        `role.${n}`,
      );
    }
    const approvedText = query.get(`approved.${n}`)?.toLowerCase();
    if (approvedText !== undefined && approvedText !== 'true' && approvedText !== 'false') {
      return badRequest(`approved.${n} must be true or false.`, `approved.${n}`);
    }
    const user = env.model.user(name);
    filters.push((pr) =>
      everyone(pr).some(
        (p) =>
          p.user === user &&
          (role === undefined || p.role === role) &&
          (approvedText === undefined || (p.status === 'APPROVED') === (approvedText === 'true')),
      ),
    );
  }
  return filters;
}

const getPullRequests: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const q = req.query;
  const state = (q.get('state') ?? 'OPEN').toUpperCase();
  if (!['OPEN', 'MERGED', 'DECLINED', 'ALL'].includes(state)) {
    return badRequest(
      `${q.get('state')} is not a pull request state: use OPEN, MERGED, DECLINED or ALL.`,
      'state',
    );
  }
  const direction = (q.get('direction') ?? 'INCOMING').toUpperCase();
  if (direction !== 'INCOMING' && direction !== 'OUTGOING') {
    return badRequest(`${q.get('direction')} is not a direction: use INCOMING or OUTGOING.`, 'direction');
  }
  const order = (q.get('order') ?? 'NEWEST').toUpperCase();
  if (order !== 'NEWEST' && order !== 'OLDEST') {
    return badRequest(`${q.get('order')} is not an order: use NEWEST or OLDEST.`, 'order');
  }
  const at = q.get('at');
  const atBranch = at === null ? undefined : (branchName(at) ?? '\u0000');
  const text = q.get('filterText');
  // Before 8.18 there are no drafts, and the parameter means nothing.
  const draftText = env.version.atLeast(DRAFTS_SINCE) ? q.get('draft')?.toLowerCase() : undefined;
  if (draftText !== undefined && draftText !== 'true' && draftText !== 'false') {
    return badRequest('draft must be true or false.', 'draft');
  }
  const participants = participantFilters(env, q);
  if (isReply(participants)) return participants;

  const outgoing = direction === 'OUTGOING';
  const prs = env.model.pullRequests
    .filter((pr) => (outgoing ? pr.fromRepo === repo : pr.repo === repo))
    // Outgoing pull requests go into other repositories of the hierarchy, which the caller may not see.
    .filter((pr) => env.model.canReadRepo(req.principal, pr.repo))
    .filter((pr) => state === 'ALL' || pr.state === state)
    .filter((pr) => atBranch === undefined || (outgoing ? pr.fromBranch : pr.toBranch) === atBranch)
    .filter((pr) => !text || containsIgnoreCase(pr.title, text) || containsIgnoreCase(pr.description, text))
    .filter((pr) => draftText === undefined || pr.draft === (draftText === 'true'))
    .filter((pr) => participants.every((matches) => matches(pr)))
    .sort((a, b) =>
      order === 'OLDEST'
        ? a.updatedDate - b.updatedDate || a.id - b.id
        : b.updatedDate - a.updatedDate || b.id - a.id,
    );
  return json(200, page(prs, pageOf(env, req), render(env, req)));
};

function findPullRequest(env: Env, req: Req, params: Params): { repo: Repo; pr: PullRequest } | Reply {
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
  return { repo, pr };
}

const getPullRequest: Handler = (env, req, params) => {
  const found = findPullRequest(env, req, params);
  if (isReply(found)) return found;
  return json(200, render(env, req)(found.pr));
};

/** Whether the token (if any) carries the scope pull-request changes need (see PullRequestSettings). */
function tokenMayChange(env: Env, req: Req): boolean {
  return (
    req.principal.kind !== 'token' ||
    req.principal.token.repoLevel >= levelOf(env.model.pullRequestSettings.tokenScope)
  );
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The repository a ref of the request body names (`{slug, project: {key}}` or `{id}`), `fallback`
 * when it names none; the 404 or 401 to send otherwise.
 */
function refRepository(env: Env, req: Req, ref: Record<string, unknown>, fallback: Repo): Repo | Reply {
  const named = asObject(ref.repository);
  if (!named) return fallback;
  const slug = typeof named.slug === 'string' ? named.slug : undefined;
  const key = asObject(named.project)?.key;
  const id = typeof named.id === 'number' ? named.id : undefined;
  let repo: Repo | undefined;
  if (slug !== undefined && typeof key === 'string') repo = env.model.repo(key, slug);
  else if (id !== undefined) repo = env.model.repoById(id);
  else return badRequest('A ref repository needs a slug and project key, or an id.', 'repository');
  if (!repo) {
    const which = slug !== undefined ? `${String(key)}/${slug}` : `with ID ${id}`;
    return error(404, EXCEPTIONS.noSuchRepository, `Repository ${which} does not exist.`);
  }
  if (!env.model.canReadRepo(req.principal, repo)) return notPermitted();
  return repo;
}

/** The branch a ref names in a repository, or the 404 to send. */
function refBranch(repo: Repo, refId: string): string | Reply {
  const name = branchName(refId);
  if (name && repo.branches.some((b) => b.name === name)) return name;
  return error(
    404,
    EXCEPTIONS.noSuchBranch,
    `Repository ${repo.slug} of project ${repo.project.key} has no branch ${refId}.`,
  );
}

const headOf = (repo: Repo, branch: string) =>
  repo.branches.find((b) => b.name === branch)?.latestCommit ?? '';

/** True when the target branch already has every commit of the source branch. */
async function nothingToMerge(
  source: Repo,
  fromBranch: string,
  target: Repo,
  toBranch: string,
): Promise<boolean> {
  const from = headOf(source, fromBranch);
  const to = headOf(target, toBranch);
  const counted = await commitsToMerge(source, from, target, to);
  return (counted ?? (from === to ? 0 : 1)) === 0;
}

/**
 * The reviewers a request body names (`[{user: {name}}]`), checked: each must be a user, active,
 * not the author, and able to read the target repository. The 409 to send when any fails, naming
 * each (`reviewerErrors`, context = the name given) and listing the valid ones.
 */
function resolveReviewers(env: Env, input: unknown, author: User, target: Repo): User[] | Reply {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input))
    return badRequest('reviewers must be a list of {"user": {"name": …}}.', 'reviewers');
  const valid: User[] = [];
  const problems: Array<{ context: string; message: string; exceptionName: null }> = [];
  for (const entry of input) {
    const user = asObject(asObject(entry)?.user);
    const name = typeof user?.name === 'string' ? user.name : typeof user?.slug === 'string' ? user.slug : '';
    if (!name.trim()) return badRequest("A reviewer's username was not specified.", 'reviewers');
    const found = env.model.user(name);
    let problem: string | undefined;
    if (found?.type !== 'NORMAL') problem = `${name} is not a user.`;
    else if (!found.active) problem = `${name} is not an active user and cannot review pull requests.`;
    else if (found === author) problem = `${name} is the author of this pull request and cannot review it.`;
    else if (env.model.userRepoLevel(found, target) < Level.READ && !target.public && !target.project.public)
      problem = `${name} does not have permission to view the repository ${target.name}.`;
    if (problem) problems.push({ context: name, message: problem, exceptionName: null });
    else if (found && !valid.includes(found)) valid.push(found);
  }
  if (problems.length === 0) return valid;
  return json(409, {
    errors: [
      {
        context: 'reviewers',
        message: PULL_REQUEST_MESSAGES.invalidReviewers,
        exceptionName: PULL_REQUEST_EXCEPTIONS.invalidReviewers,
        reviewerErrors: problems,
        validReviewers: valid.map((u) => restUser(u, env.urls)),
      },
    ],
  });
}

function openBetween(
  env: Env,
  source: Repo,
  fromBranch: string,
  target: Repo,
  toBranch: string,
  except?: PullRequest,
) {
  return env.model.pullRequests.find(
    (pr) =>
      pr !== except &&
      pr.state === 'OPEN' &&
      pr.fromRepo === source &&
      pr.fromBranch === fromBranch &&
      pr.repo === target &&
      pr.toBranch === toBranch,
  );
}

/** The 409 for a pull request into an archived repository, checked before anything else of the request. */
function archived(target: Repo): Reply | undefined {
  if (!target.archived) return undefined;
  return error(
    409,
    PULL_REQUEST_EXCEPTIONS.archived,
    `Repository ${target.project.key}/${target.slug} is archived: pull requests can't be opened or changed in it.`,
  );
}

/** The 409s the branches can cause (same branches, duplicate, nothing to merge). */
async function branchConflicts(
  env: Env,
  req: Req,
  source: Repo,
  fromBranch: string,
  target: Repo,
  toBranch: string,
  except?: PullRequest,
): Promise<Reply | undefined> {
  if (source === target && fromBranch === toBranch) {
    return error(
      409,
      PULL_REQUEST_EXCEPTIONS.sameBranch,
      'The source and target branches of a pull request must be different.',
    );
  }
  const existing = openBetween(env, source, fromBranch, target, toBranch, except);
  if (existing) {
    return json(409, {
      errors: [
        {
          context: null,
          message: PULL_REQUEST_MESSAGES.duplicate,
          exceptionName: PULL_REQUEST_EXCEPTIONS.duplicate,
          existingPullRequest: render(env, req)(existing),
        },
      ],
    });
  }
  if (await nothingToMerge(source, fromBranch, target, toBranch)) {
    return error(
      409,
      PULL_REQUEST_EXCEPTIONS.empty,
      `Pull request cannot be created: ${toBranch} is already up-to-date with ${fromBranch}.`,
    );
  }
  return undefined;
}

const createPullRequest: Handler = async (env, req, params) => {
  const target = findRepo(env, req, params);
  if (isReply(target)) return target;
  const caller = currentUser(req.principal);
  if (!caller || !tokenMayChange(env, req)) return notPermitted();
  const refused = archived(target);
  if (refused) return refused;
  const input = await readJsonObject(req);
  if (isReply(input)) return input;
  const title = typeof input.title === 'string' ? input.title.trim() : '';
  if (!title) return badRequest('A pull request needs a title.', 'title');
  if (
    input.description !== undefined &&
    input.description !== null &&
    typeof input.description !== 'string'
  ) {
    return badRequest('The description must be text.', 'description');
  }
  const fromRef = asObject(input.fromRef);
  const toRef = asObject(input.toRef);
  if (typeof fromRef?.id !== 'string' || !fromRef.id) return badRequest('fromRef.id is required.', 'fromRef');
  if (typeof toRef?.id !== 'string' || !toRef.id) return badRequest('toRef.id is required.', 'toRef');
  const source = refRepository(env, req, fromRef, target);
  if (isReply(source)) return source;
  const toRepo = refRepository(env, req, toRef, target);
  if (isReply(toRepo)) return toRepo;
  if (toRepo !== target) {
    return badRequest('toRef must be a branch of the repository the pull request is created in.', 'toRef');
  }
  if (source.hierarchyId !== target.hierarchyId) {
    return badRequest(
      'The source and target repositories must be the same repository or forks of each other.',
      'fromRef',
    );
  }
  const fromBranch = refBranch(source, fromRef.id);
  if (isReply(fromBranch)) return fromBranch;
  const toBranch = refBranch(target, toRef.id);
  if (isReply(toBranch)) return toBranch;

  const conflict = await branchConflicts(env, req, source, fromBranch, target, toBranch);
  if (conflict) return conflict;
  const reviewers = resolveReviewers(env, input.reviewers, caller, target);
  if (isReply(reviewers)) return reviewers;

  const now = Date.now();
  const description =
    typeof input.description === 'string' && input.description ? input.description : undefined;
  const pr: PullRequest = {
    id: env.model.nextPullRequestId(target),
    version: 0,
    repo: target,
    fromRepo: source,
    fromBranch,
    toBranch,
    title,
    ...(description !== undefined ? { description } : {}),
    state: 'OPEN',
    draft: env.version.atLeast(DRAFTS_SINCE) && input.draft === true,
    author: caller,
    reviewers: reviewers.map((user) => ({ user, role: 'REVIEWER', status: 'UNAPPROVED' })),
    participants: [],
    createdDate: now,
    updatedDate: now,
  };
  env.model.pullRequests.push(pr);
  return json(201, render(env, req)(pr));
};

/**
 * Updates title, description, reviewers, target branch or draft status. The author with read access
 * may, as may anyone with write access; `version` must be the current one.
 */
const updatePullRequest: Handler = async (env, req, params) => {
  const found = findPullRequest(env, req, params);
  if (isReply(found)) return found;
  const { repo, pr } = found;
  const caller = currentUser(req.principal);
  if (!caller || !tokenMayChange(env, req)) return notPermitted();
  if (caller !== pr.author && env.model.repoLevel(req.principal, repo) < Level.WRITE) return notPermitted();
  const refused = archived(repo);
  if (refused) return refused;
  const input = await readJsonObject(req);
  if (isReply(input)) return input;
  if (typeof input.version !== 'number' || !Number.isInteger(input.version)) {
    return badRequest("The pull request's version attribute was not specified.", 'version');
  }
  if (input.author !== undefined || input.participants !== undefined) {
    return badRequest('The author and participants of a pull request cannot be changed.', 'participants');
  }
  if (input.version !== pr.version) {
    return error(409, PULL_REQUEST_EXCEPTIONS.outOfDate, PULL_REQUEST_MESSAGES.outOfDate);
  }
  if (pr.state !== 'OPEN') {
    return error(
      409,
      PULL_REQUEST_EXCEPTIONS.closed,
      `Pull request ${pr.id} is ${pr.state.toLowerCase()}: it can't be changed.`,
    );
  }
  if (input.title !== undefined && (typeof input.title !== 'string' || !input.title.trim())) {
    return badRequest('A pull request needs a title.', 'title');
  }
  if (
    input.description !== undefined &&
    input.description !== null &&
    typeof input.description !== 'string'
  ) {
    return badRequest('The description must be text.', 'description');
  }
  let toBranch = pr.toBranch;
  const toRef = asObject(input.toRef);
  if (input.toRef !== undefined) {
    if (typeof toRef?.id !== 'string' || !toRef.id)
      return badRequest('The toRef ID value was left blank.', 'toRef');
    const branch = refBranch(repo, toRef.id);
    if (isReply(branch)) return branch;
    if (branch !== pr.toBranch) {
      const conflict = await branchConflicts(env, req, pr.fromRepo, pr.fromBranch, repo, branch, pr);
      if (conflict) return conflict;
    }
    toBranch = branch;
  }
  let reviewers = pr.reviewers;
  if (input.reviewers !== undefined) {
    const users = resolveReviewers(env, input.reviewers, pr.author, repo);
    if (isReply(users)) return users;
    reviewers = users.map(
      (user) => pr.reviewers.find((p) => p.user === user) ?? { user, role: 'REVIEWER', status: 'UNAPPROVED' },
    );
  }
  if (typeof input.title === 'string') pr.title = input.title.trim();
  if (typeof input.description === 'string' && input.description) pr.description = input.description;
  else if (input.description === '' || input.description === null) delete pr.description;
  if (env.version.atLeast(DRAFTS_SINCE) && typeof input.draft === 'boolean') pr.draft = input.draft;
  pr.toBranch = toBranch;
  pr.reviewers = reviewers;
  pr.version += 1;
  pr.updatedDate = Date.now();
  return json(200, render(env, req)(pr));
};

const STRATEGIES: Record<MergeStrategyId, { name: string; flag: string; description: string }> = {
  'no-ff': { name: 'Merge commit', flag: '--no-ff', description: 'Always create a new merge commit' },
  ff: {
    name: 'Fast-forward',
    flag: '--ff',
    description: 'No merge commit created when fast-forward is possible',
  },
  'ff-only': {
    name: 'Fast-forward only',
    flag: '--ff-only',
    description: 'No merge commit created; merge fails if fast-forward is not possible',
  },
  'rebase-no-ff': {
    name: 'Rebase and merge',
    flag: 'rebase + merge --no-ff',
    description: 'Rebase commits from the source branch onto the target branch, then create a merge commit',
  },
  'rebase-ff-only': {
    name: 'Rebase and fast-forward',
    flag: 'rebase + merge --ff-only',
    description: 'Rebase commits from the source branch onto the target branch, then fast-forward',
  },
  squash: {
    name: 'Squash',
    flag: '--squash',
    description: 'Combine all commits into one new non-merge commit on the target branch',
  },
  'squash-ff-only': {
    name: 'Squash, fast-forward only',
    flag: '--squash --ff-only',
    description:
      'Combine all commits into one new non-merge commit on the target branch; merge fails if fast-forward is not possible',
  },
};

function restStrategy(id: MergeStrategyId, enabled: boolean): Record<string, unknown> {
  const s = STRATEGIES[id];
  return { description: s.description, enabled, flag: s.flag, id, name: s.name };
}

/** The repository's pull-request settings: its merge strategies, no required approvals or builds. */
const getPullRequestSettings: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const strategies = repo.mergeStrategies ?? { default: 'no-ff', enabled: ['no-ff'] };
  const ids = Object.keys(STRATEGIES) as MergeStrategyId[];
  return json(200, {
    mergeConfig: {
      defaultStrategy: restStrategy(strategies.default, true),
      strategies: ids.map((id) =>
        restStrategy(id, strategies.enabled.includes(id) || id === strategies.default),
      ),
      type: repo.mergeStrategies ? 'REPOSITORY' : 'DEFAULT',
    },
    requiredAllApprovers: false,
    requiredAllTasksComplete: false,
    requiredApprovers: { enabled: false, count: '0' },
    requiredSuccessfulBuilds: { enabled: false, count: '0' },
  });
};

export const PULL_REQUEST_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: `${REPO}/pull-requests`,
    handler: getPullRequests,
    // The participant filters username.N, role.N and approved.N are described in the operation's
    // text, not declared as parameters; they are honoured too.
    query: ['state', 'direction', 'at', 'filterText', 'draft', 'order', ...PAGED],
  },
  { method: 'POST', template: `${REPO}/pull-requests`, handler: createPullRequest, query: [] },
  { method: 'GET', template: `${REPO}/pull-requests/{pullRequestId}`, handler: getPullRequest, query: [] },
  { method: 'PUT', template: `${REPO}/pull-requests/{pullRequestId}`, handler: updatePullRequest, query: [] },
  { method: 'GET', template: `${REPO}/settings/pull-requests`, handler: getPullRequestSettings, query: [] },
];
