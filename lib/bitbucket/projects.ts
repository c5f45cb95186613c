import * as v from 'valibot';
import type { BitbucketClient } from './client';
import type { TokenPermission } from './permissions';

export const ProjectSchema = v.object({
  key: v.string(),
  id: v.optional(v.number()),
  name: v.optional(v.string()),
  type: v.optional(v.string()),
  public: v.optional(v.boolean()),
});
export type Project = v.InferOutput<typeof ProjectSchema>;

export function listProjects(
  client: BitbucketClient,
  options: { name?: string; permission?: TokenPermission; limit?: number; maxPages?: number } = {},
): Promise<Project[]> {
  return client.getAllPages('/rest/api/1.0/projects', {
    operation: 'projects.list',
    query: { name: options.name, permission: options.permission },
    itemSchema: ProjectSchema,
    ...(options.limit ? { limit: options.limit } : {}),
    ...(options.maxPages ? { maxPages: options.maxPages } : {}),
  });
}
