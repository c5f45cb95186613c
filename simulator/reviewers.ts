/**
 * Who reviews: the default reviewers for a source and target (the default-reviewers plugin's REST,
 * answered as a plain array of users, as real servers do) and the reviewer groups of a repository
 * (with its project's) or of a project.
 */
import type { Env, Req } from './http';
import { page, restUser } from './json';
import {
  badRequest,
  findProject,
  findRepo,
  type Handler,
  isReply,
  json,
  notPermitted,
  PAGED,
  pageOf,
  REPO,
  type Route,
} from './rest-common';
import type { RefMatcher, ReviewerGroup, User } from './types';

function refMatches(matcher: RefMatcher, refId: string): boolean {
  const name = refId.replace(/^refs\/heads\//, '');
  if (matcher.type === 'ANY_REF') return true;
  if (matcher.type === 'BRANCH') return name === matcher.value;
  const pattern = (matcher.value ?? '').replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${pattern}$`).test(name);
}

/**
 * The users of every condition of the target repository and of its project whose source and target
 * matchers match the refs, each once, in the order the conditions list them.
 */
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

/** RestReviewerGroup; its users are ApplicationUser (no links). */
function restReviewerGroup(group: ReviewerGroup): Record<string, unknown> {
  return {
    id: group.id,
    name: group.name,
    ...(group.description !== undefined ? { description: group.description } : {}),
    scope: group.repo
      ? { type: 'REPOSITORY', resourceId: group.repo.id }
      : { type: 'PROJECT', resourceId: group.project.id },
    users: group.users.map((u) => ({
      active: u.active,
      displayName: u.displayName,
      emailAddress: u.emailAddress,
      id: u.id,
      name: u.name,
      slug: u.slug,
      type: u.type,
    })),
  };
}

const byName = (a: ReviewerGroup, b: ReviewerGroup) =>
  a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0;

function groupsPage(env: Env, req: Req, groups: ReviewerGroup[]) {
  return json(200, page(groups, pageOf(env, req), restReviewerGroup));
}

/** A repository's groups, then its project's (the "inherited scope"); Repository read is enough. */
const getRepoReviewerGroups: Handler = (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const own = env.model.reviewerGroups.filter((g) => g.repo === repo).sort(byName);
  const inherited = env.model.reviewerGroups
    .filter((g) => !g.repo && g.project === repo.project)
    .sort(byName);
  return groupsPage(env, req, [...own, ...inherited]);
};

/** A project's own groups; needs Project read. */
const getProjectReviewerGroups: Handler = (env, req, params) => {
  const project = findProject(env, req, params.projectKey ?? '');
  if (isReply(project)) return project;
  if (!env.model.canReadProject(req.principal, project)) return notPermitted();
  return groupsPage(
    env,
    req,
    env.model.reviewerGroups.filter((g) => !g.repo && g.project === project).sort(byName),
  );
};

export const REVIEWER_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: '/default-reviewers/latest/projects/{projectKey}/repos/{repositorySlug}/reviewers',
    handler: getDefaultReviewers,
    query: ['sourceRepoId', 'targetRepoId', 'sourceRefId', 'targetRefId'],
  },
  {
    method: 'GET',
    template: `${REPO}/settings/reviewer-groups`,
    handler: getRepoReviewerGroups,
    query: PAGED,
  },
  {
    method: 'GET',
    template: '/api/latest/projects/{projectKey}/settings/reviewer-groups',
    handler: getProjectReviewerGroups,
    query: PAGED,
  },
];
