/**
 * What a pull request would merge: the commits on a source branch that the target lacks
 * (`…/compare/commits`, asked of the target repository; `fromRepo` when the source is a fork).
 * A pull request form prefills its title from the message of a single commit.
 */
import * as v from 'valibot';
import type { BitbucketClient } from './client';
import { branchRef, type RepoRef } from './pull-requests';
import { repoPath } from './repos';

export const CommitSchema = v.object({
  id: v.string(),
  displayId: v.string(),
  message: v.string(),
  author: v.optional(v.object({ name: v.optional(v.string()), emailAddress: v.optional(v.string()) })),
  authorTimestamp: v.optional(v.number()),
});
export type Commit = v.InferOutput<typeof CommitSchema>;

export interface CommitsToMerge {
  /** Newest first, at most the `limit` asked for. */
  commits: Commit[];
  /** Whether there are more than `commits`. */
  more: boolean;
}

/**
 * The first `limit` (default 2: enough to tell "one commit" from "several") commits of `fromBranch`
 * (in `source`, default the target) that `toBranch` of `target` lacks.
 */
export async function commitsToMerge(
  client: BitbucketClient,
  compare: { target: RepoRef; source?: RepoRef | undefined; fromBranch: string; toBranch: string },
  options: { limit?: number | undefined; signal?: AbortSignal | undefined } = {},
): Promise<CommitsToMerge> {
  const { target, source } = compare;
  const fork = source && !(source.projectKey === target.projectKey && source.slug === target.slug);
  const limit = options.limit ?? 2;
  const { data } = await client.get(`${repoPath(target.projectKey, target.slug)}/compare/commits`, {
    operation: 'commits.compare',
    query: {
      from: branchRef(compare.fromBranch),
      to: branchRef(compare.toBranch),
      fromRepo: fork ? `${source.projectKey}/${source.slug}` : undefined,
      limit,
    },
    schema: v.object({ values: v.array(CommitSchema), isLastPage: v.boolean() }),
    signal: options.signal,
  });
  return { commits: data.values.slice(0, limit), more: !data.isLastPage || data.values.length > limit };
}

/** The first line of a commit message: what Bitbucket itself offers as a pull request title. */
export function commitSubject(commit: Commit): string {
  return commit.message.split('\n', 1)[0]?.trim() ?? '';
}
