import * as v from 'valibot';
import { SERVER_TEXT } from '../messaging/limits';
import type { BitbucketClient } from './client';
import { serverText } from './server';

/** A user as the extension keeps it: within Bitbucket's own limits (see serverText). */
export const UserSchema = v.object({
  id: v.number(),
  /** The login name (what X-AUSERNAME carries). */
  name: serverText(SERVER_TEXT.userName, 'identifier'),
  /** What URLs use; usually the lower-cased name, but not always. */
  slug: serverText(SERVER_TEXT.userName, 'identifier'),
  displayName: serverText(SERVER_TEXT.displayName, 'name'),
  emailAddress: v.optional(serverText(SERVER_TEXT.emailAddress, 'identifier')),
  active: v.optional(v.boolean()),
});
export type User = v.InferOutput<typeof UserSchema>;

export async function getUser(
  client: BitbucketClient,
  slug: string,
  options: { signal?: AbortSignal } = {},
): Promise<User> {
  const { data } = await client.get(`/rest/api/1.0/users/${encodeURIComponent(slug)}`, {
    operation: 'users.get',
    schema: UserSchema,
    signal: options.signal,
  });
  return data;
}

/**
 * Users whose name, display name or e-mail address contains `filter` (signed-in callers only):
 * the first `limit` matches (default 25).
 */
export async function searchUsers(
  client: BitbucketClient,
  filter: string,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<User[]> {
  return client.getAllPages('/rest/api/1.0/users', {
    operation: 'users.search',
    query: { filter },
    itemSchema: UserSchema,
    limit: options.limit ?? 25,
    maxPages: 1,
    signal: options.signal,
  });
}

/**
 * Users who can read a repository and whose name, display name or e-mail address contains
 * `filter`: the reviewer search (`permission.1=REPO_READ` with the repository). The first `limit`
 * (default 25); only active users hold permissions, so none of them is deactivated.
 */
export async function searchRepositoryReaders(
  client: BitbucketClient,
  filter: string,
  repository: { projectKey: string; slug: string },
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<User[]> {
  return client.getAllPages('/rest/api/1.0/users', {
    operation: 'users.search',
    query: {
      filter: filter.trim(),
      'permission.1': 'REPO_READ',
      'permission.1.projectKey': repository.projectKey,
      'permission.1.repositorySlug': repository.slug,
    },
    itemSchema: UserSchema,
    limit: options.limit ?? 25,
    maxPages: 1,
    signal: options.signal,
  });
}
