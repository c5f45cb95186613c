/**
 * `GET …/compare/commits?from&to&fromRepo`: the commits reachable from `from` but not from `to` —
 * what a pull request from `from` into `to` would merge (a form prefills its title from a single
 * commit's message). `from` and `to` are branch names (qualified or not) or commit ids and default
 * to the default branch of their repository; `fromRepo` (an id, or `KEY/slug`) holds `from` when it
 * is a fork. Read from the bare git repositories when git knows both commits; otherwise a branch
 * whose head differs has one commit, "Work on <branch>", as the seeded git repositories have.
 */
import { author, commitsBetween, type GitCommit } from './git';
import type { Env } from './http';
import { page } from './json';
import {
  error,
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
import type { Repo } from './types';

const NO_SUCH_COMMIT = 'com.atlassian.bitbucket.commit.NoSuchCommitException';

/** A branch (`refs/heads/x` or `x`) of the repository → its head; a commit id as it is. */
function resolve(repo: Repo, value: string | null): { commit: string; branch?: string } | undefined {
  const name = (value ?? repo.defaultBranch).replace(/^refs\/heads\//, '');
  const branch = repo.branches.find((b) => b.name === name);
  if (branch) return { commit: branch.latestCommit, branch: branch.name };
  if (value && /^[0-9a-f]{4,40}$/i.test(value)) return { commit: value.toLowerCase() };
  return undefined;
}

function restCommit(commit: GitCommit): Record<string, unknown> {
  return {
    id: commit.id,
    displayId: commit.id.slice(0, 11),
    author: { name: commit.authorName, emailAddress: commit.authorEmail },
    authorTimestamp: commit.authorTimestamp,
    committer: { name: commit.committerName, emailAddress: commit.committerEmail },
    committerTimestamp: commit.committerTimestamp,
    message: commit.message,
    parents: commit.parents.map((id) => ({ id, displayId: id.slice(0, 11) })),
  };
}

/** Without git: one commit on a branch whose head differs from the target's. */
function syntheticCommits(
  env: Env,
  source: Repo,
  from: { commit: string; branch?: string },
  to: string,
): GitCommit[] {
  if (from.commit === to) return [];
  const who = author(env.model, source);
  const date = Date.UTC(2024, 0, 15, 10);
  return [
    {
      id: from.commit,
      authorName: who?.displayName ?? 'Bitbucket',
      authorEmail: who?.emailAddress ?? 'noreply@example.com',
      authorTimestamp: date,
      committerName: who?.displayName ?? 'Bitbucket',
      committerEmail: who?.emailAddress ?? 'noreply@example.com',
      committerTimestamp: date,
      parents: [to],
      message: `Work on ${from.branch ?? from.commit}`,
    },
  ];
}

const compareCommits: Handler = async (env, req, params) => {
  const target = findRepo(env, req, params);
  if (isReply(target)) return target;
  const fromRepoText = req.query.get('fromRepo');
  let source = target;
  if (fromRepoText) {
    const [key, slug] = fromRepoText.split('/');
    const found = slug === undefined ? env.model.repoById(Number(key)) : env.model.repo(key ?? '', slug);
    if (!found || found.hierarchyId !== target.hierarchyId) {
      return error(
        404,
        'com.atlassian.bitbucket.repository.NoSuchRepositoryException',
        `Repository ${fromRepoText} does not exist.`,
      );
    }
    if (!env.model.canReadRepo(req.principal, found)) return notPermitted();
    source = found;
  }
  const from = resolve(source, req.query.get('from'));
  if (!from)
    return error(
      404,
      NO_SUCH_COMMIT,
      `Commit '${req.query.get('from')}' does not exist in repository '${source.slug}'.`,
    );
  const to = resolve(target, req.query.get('to'));
  if (!to)
    return error(
      404,
      NO_SUCH_COMMIT,
      `Commit '${req.query.get('to')}' does not exist in repository '${target.slug}'.`,
    );
  // A fork without a git repository of its own has made-up heads git doesn't know.
  const commits =
    (await commitsBetween(source, from.commit, target, to.commit)) ??
    syntheticCommits(env, source, from, to.commit);
  return json(200, page(commits, pageOf(env, req), restCommit));
};

export const COMPARE_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: `${REPO}/compare/commits`,
    handler: compareCommits,
    query: ['from', 'to', 'fromRepo', ...PAGED],
  },
];
