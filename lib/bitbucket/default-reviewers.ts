/**
 * The server's default reviewers for a pull request from one ref to another
 * (`/rest/default-reviewers/1.0/…/reviewers`, the default-reviewers plugin bundled with Bitbucket).
 * Asked of the target repository; the answer is a plain array of users (the spec's declared
 * condition list is wrong, see API-NOTES §6.6). Reading needs no more than Repository read.
 */
import * as v from 'valibot';
import type { BitbucketClient } from './client';
import { type User, UserSchema } from './users';

export interface DefaultReviewersQuery {
  /** The repository the pull request goes into. */
  target: { projectKey: string; slug: string; id: number };
  /** The repository the pull request comes from (the target itself, or a fork of the same hierarchy). */
  sourceRepoId: number;
  /** Fully qualified refs: `refs/heads/feature/x`. */
  sourceRefId: string;
  targetRefId: string;
}

export async function getDefaultReviewers(
  client: BitbucketClient,
  query: DefaultReviewersQuery,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<User[]> {
  const { target } = query;
  const path = `/rest/default-reviewers/1.0/projects/${encodeURIComponent(target.projectKey)}/repos/${encodeURIComponent(target.slug)}/reviewers`;
  const { data } = await client.get(path, {
    operation: 'default-reviewers.get',
    query: {
      sourceRepoId: query.sourceRepoId,
      targetRepoId: target.id,
      sourceRefId: query.sourceRefId,
      targetRefId: query.targetRefId,
    },
    schema: v.array(UserSchema),
    signal: options.signal,
  });
  return data;
}
