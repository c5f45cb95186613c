/**
 * The background side of "New pull request": branch search, the fork hierarchy's targets, the
 * server's default reviewers and what would be merged, reviewer groups, the reviewer search and
 * creating the pull request. The token stays here; the form gets people, branches and sentences.
 *
 * The account's own user is never offered as a reviewer (Bitbucket refuses the author as one).
 */
import { clientForProfile, type ProfileClientDeps } from '../../background/profile-client';
import type { HandlerContext } from '../../background/router';
import { getDefaultBranch, searchBranches } from '../../bitbucket/branches';
import { commitSubject, commitsToMerge } from '../../bitbucket/commits';
import { getDefaultReviewers } from '../../bitbucket/default-reviewers';
import {
  branchRef,
  createPullRequest,
  pullRequestTargets,
  pullRequestUrl,
} from '../../bitbucket/pull-requests';
import type { Repository } from '../../bitbucket/repos';
import { listReviewerGroups } from '../../bitbucket/reviewer-groups';
import { searchRepositoryReaders, type User } from '../../bitbucket/users';
import type { CompanionDb } from '../../db/schema';
import type { RequestOf } from '../../messaging/protocol';
import { draftsSupported } from './drafts';
import type { DefaultsAnswer, PersonSummary, PrResponses, RepoSummary } from './messages';

type PrHandlers = {
  [T in keyof PrResponses]: (request: RequestOf<T>, ctx: HandlerContext) => Promise<PrResponses[T]>;
};

/** Default branches are read for this many targets at most (a hierarchy is rarely larger). */
const MAX_TARGETS = 50;

function person(user: User): PersonSummary {
  return {
    name: user.name,
    displayName: user.displayName,
    ...(user.emailAddress ? { emailAddress: user.emailAddress } : {}),
  };
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function summary(repo: Repository, defaultBranch: string | null): RepoSummary {
  return {
    id: repo.id,
    projectKey: repo.project.key,
    slug: repo.slug,
    name: repo.name,
    archived: repo.archived === true,
    defaultBranch,
    ...(repo.origin ? { origin: `${repo.origin.project.key}/${repo.origin.slug}` } : {}),
  };
}

export function createPullRequestHandlers(db: CompanionDb, deps: ProfileClientDeps = {}): PrHandlers {
  const connect = (profileId: string) => clientForProfile(db, profileId, deps);

  return {
    'pr.branches': async ({ profileId, repo, filterText }) => {
      const { client } = await connect(profileId);
      const branches = await searchBranches(client, repo.projectKey, repo.slug, { filterText, limit: 25 });
      return { branches: branches.map((b) => ({ name: b.displayId, isDefault: b.isDefault === true })) };
    },

    'pr.targets': async ({ profileId, repo }) => {
      const { client } = await connect(profileId);
      const repos = (await pullRequestTargets(client, repo)).slice(0, MAX_TARGETS);
      const defaults = await Promise.all(
        repos.map((r) =>
          getDefaultBranch(client, r.project.key, r.slug).then(
            (b) => b?.displayId ?? null,
            () => null,
          ),
        ),
      );
      const targets = repos.map((r, i) => summary(r, defaults[i] ?? null));
      const [source] = targets;
      if (!source) throw new Error('The repository itself is always its own first target.');
      const origin = source.origin
        ? targets.find((t) => `${t.projectKey}/${t.slug}` === source.origin)
        : undefined;
      const suggested = origin ?? source;
      return { source, targets, suggested: { projectKey: suggested.projectKey, slug: suggested.slug } };
    },

    'pr.defaults': async ({ profileId, source, target, fromBranch, toBranch }) => {
      const { client, profile } = await connect(profileId);
      const [reviewers, commits] = await Promise.all([
        getDefaultReviewers(client, {
          target,
          sourceRepoId: source.id,
          sourceRefId: branchRef(fromBranch),
          targetRefId: branchRef(toBranch),
        }),
        commitsToMerge(client, { target, source, fromBranch, toBranch }).then(
          (c): DefaultsAnswer['commits'] => {
            const [first] = c.commits;
            if (!first) return { count: 0 };
            if (c.commits.length === 1 && !c.more) return { count: 1, subject: commitSubject(first) };
            return { count: 'several' };
          },
          (): DefaultsAnswer['commits'] => ({ count: 'unknown' }),
        ),
      ]);
      return {
        reviewers: reviewers
          .filter((u) => u.active !== false && !same(u.name, profile.user.name))
          .map(person),
        commits,
      };
    },

    'pr.groups': async ({ profileId, repo }) => {
      const { client, profile } = await connect(profileId);
      const groups = await listReviewerGroups(client, repo.projectKey, repo.slug);
      return {
        groups: groups.map((g) => ({
          id: g.id,
          name: g.name,
          scope: g.scope.type,
          ...(g.description ? { description: g.description } : {}),
          members: g.users.filter((u) => u.active !== false && !same(u.name, profile.user.name)).map(person),
        })),
      };
    },

    'pr.users': async ({ profileId, repo, filter }) => {
      const { client, profile } = await connect(profileId);
      const users = await searchRepositoryReaders(client, filter, repo, { limit: 20 });
      return { users: users.filter((u) => !same(u.name, profile.user.name)).map(person) };
    },

    'pr.create': async (request) => {
      const { client, profile } = await connect(request.profileId);
      const result = await createPullRequest(client, {
        target: request.target,
        source: request.source,
        fromBranch: request.fromBranch,
        toBranch: request.toBranch,
        title: request.title,
        description: request.description,
        reviewers: request.reviewers,
        draft: request.draft === true && draftsSupported(profile.server.version),
      });
      switch (result.status) {
        case 'created': {
          const pr = result.pullRequest;
          return {
            status: 'created',
            pullRequest: {
              id: pr.id,
              title: pr.title,
              url: pullRequestUrl(pr),
              reviewers: pr.reviewers.map((r) => r.user.name),
              draft: pr.draft === true,
            },
          };
        }
        case 'duplicate':
          return {
            status: 'duplicate',
            message: result.message,
            existing: result.existing
              ? { id: result.existing.id, title: result.existing.title, url: pullRequestUrl(result.existing) }
              : null,
          };
        case 'invalid-reviewers':
          return {
            status: 'invalid-reviewers',
            message: result.message,
            invalid: result.invalid,
            valid: result.valid,
          };
        default:
          return { status: result.status, message: result.message };
      }
    },
  };
}
