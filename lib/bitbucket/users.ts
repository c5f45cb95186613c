import * as v from 'valibot';
import type { BitbucketClient } from './client';

export const UserSchema = v.object({
  id: v.number(),
  name: v.string(),
  slug: v.string(),
  displayName: v.string(),
  emailAddress: v.optional(v.string()),
  active: v.optional(v.boolean()),
  type: v.optional(v.string()),
});
export type User = v.InferOutput<typeof UserSchema>;

export async function getUser(client: BitbucketClient, slug: string): Promise<User> {
  const { data } = await client.get(`/rest/api/1.0/users/${encodeURIComponent(slug)}`, {
    operation: 'users.get',
    schema: UserSchema,
  });
  return data;
}

/** Users whose name, display name or e-mail contains `filter` (authenticated callers only). */
export function searchUsers(client: BitbucketClient, filter: string, limit = 25): Promise<User[]> {
  return client.getAllPages('/rest/api/1.0/users', {
    operation: 'users.search',
    query: { filter },
    itemSchema: UserSchema,
    limit,
    maxPages: 1,
  });
}
