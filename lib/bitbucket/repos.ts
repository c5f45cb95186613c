import * as v from 'valibot';
import type { BitbucketClient } from './client';
import type { TokenPermission } from './permissions';
import { ProjectSchema } from './projects';

const LinkSchema = v.object({ href: v.string(), name: v.optional(v.string()) });

const RepoCoreSchema = v.object({
  id: v.number(),
  slug: v.string(),
  name: v.string(),
  description: v.optional(v.string()),
  hierarchyId: v.optional(v.string()),
  project: ProjectSchema,
  public: v.optional(v.boolean()),
  archived: v.optional(v.boolean()),
  links: v.optional(
    v.object({
      clone: v.optional(v.array(LinkSchema)),
      self: v.optional(v.array(LinkSchema)),
    }),
  ),
});

export const RepositorySchema = v.object({
  ...RepoCoreSchema.entries,
  /** Present on forks only: the repository it was forked from. */
  origin: v.optional(RepoCoreSchema),
});
export type Repository = v.InferOutput<typeof RepositorySchema>;

export function listRepos(
  client: BitbucketClient,
  options: { name?: string; permission?: TokenPermission; limit?: number; maxPages?: number } = {},
): Promise<Repository[]> {
  return client.getAllPages('/rest/api/1.0/repos', {
    operation: 'repos.list',
    query: { name: options.name, permission: options.permission },
    itemSchema: RepositorySchema,
    ...(options.limit ? { limit: options.limit } : {}),
    ...(options.maxPages ? { maxPages: options.maxPages } : {}),
  });
}

export async function getRepo(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
): Promise<Repository> {
  const { data } = await client.get(
    `/rest/api/1.0/projects/${encodeURIComponent(projectKey)}/repos/${encodeURIComponent(slug)}`,
    { operation: 'repos.get', schema: RepositorySchema },
  );
  return data;
}

/**
 * The HTTP and SSH clone URLs, picked by name (the server's order varies, and either may be absent
 * when that protocol is off). `name` is "http" even for https URLs. User info is removed from the
 * HTTP URL so a copied command does not carry a user name.
 */
export function cloneLinks(repo: Pick<Repository, 'links'>): { http?: string; ssh?: string } {
  const links = repo.links?.clone ?? [];
  const http = links.find((l) => l.name === 'http')?.href;
  const ssh = links.find((l) => l.name === 'ssh')?.href;
  const result: { http?: string; ssh?: string } = {};
  if (http) {
    try {
      const url = new URL(http);
      url.username = '';
      url.password = '';
      result.http = url.toString();
    } catch {
      result.http = http;
    }
  }
  if (ssh) result.ssh = ssh;
  return result;
}
