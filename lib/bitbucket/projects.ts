import * as v from 'valibot';
import type { BitbucketClient } from './client';
import type { TokenPermission } from './permissions';

export const ProjectSchema = v.object({
  /** e.g. "PRJ"; personal projects are "~" + the upper-cased user name. */
  key: v.string(),
  name: v.string(),
  /** NORMAL or PERSONAL. */
  type: v.optional(v.string()),
  /** Personal projects only: the user they belong to. */
  owner: v.optional(v.object({ slug: v.string(), name: v.optional(v.string()) })),
});
export type Project = v.InferOutput<typeof ProjectSchema>;

export interface ListProjectsOptions {
  /** Only projects whose name matches. */
  name?: string;
  /** Only projects the token holds this permission on (default: any it can see). */
  permission?: Extract<TokenPermission, `PROJECT_${string}`>;
  /** Page size (default 100). */
  limit?: number;
  maxPages?: number;
  signal?: AbortSignal;
}

/** Every project the token can see (all pages). */
export function listProjects(client: BitbucketClient, options: ListProjectsOptions = {}): Promise<Project[]> {
  return client.getAllPages('/rest/api/1.0/projects', {
    operation: 'projects.list',
    query: { name: options.name, permission: options.permission },
    itemSchema: ProjectSchema,
    limit: options.limit,
    maxPages: options.maxPages,
    signal: options.signal,
  });
}

export async function getProject(
  client: BitbucketClient,
  projectKey: string,
  options: { signal?: AbortSignal } = {},
): Promise<Project> {
  const { data } = await client.get(`/rest/api/1.0/projects/${encodeURIComponent(projectKey)}`, {
    operation: 'projects.get',
    schema: ProjectSchema,
    signal: options.signal,
  });
  return data;
}
