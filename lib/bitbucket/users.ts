import * as v from 'valibot';
import type { BitbucketClient } from './client';

export const UserSchema = v.object({
  id: v.number(),
  /** The login name (what X-AUSERNAME carries). */
  name: v.string(),
  /** What URLs use; usually the lower-cased name, but not always. */
  slug: v.string(),
  displayName: v.string(),
  emailAddress: v.optional(v.string()),
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
