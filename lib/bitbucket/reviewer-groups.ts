/**
 * Reviewer groups (Bitbucket 8.x and later): named sets of reviewers kept by a project or a
 * repository. A repository's list holds its own groups and then its project's; reading it needs
 * only Repository read. A project's own list needs Project read.
 */
import * as v from 'valibot';
import type { BitbucketClient } from './client';
import { repoPath } from './repos';
import { UserSchema } from './users';

export const ReviewerGroupSchema = v.object({
  id: v.number(),
  name: v.string(),
  description: v.optional(v.string()),
  scope: v.object({
    type: v.picklist(['GLOBAL', 'PROJECT', 'REPOSITORY']),
    resourceId: v.optional(v.number()),
  }),
  /** Members; a group may still hold people who have since been deactivated (`active: false`). */
  users: v.array(UserSchema),
});
export type ReviewerGroup = v.InferOutput<typeof ReviewerGroupSchema>;

/** The groups a repository offers: its own, then its project's (all pages). */
export function listReviewerGroups(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<ReviewerGroup[]> {
  return client.getAllPages(`${repoPath(projectKey, slug)}/settings/reviewer-groups`, {
    operation: 'reviewer-groups.list',
    itemSchema: ReviewerGroupSchema,
    limit: 100,
    maxPages: 10,
    signal: options.signal,
  });
}

/** A project's own groups (all pages). */
export function listProjectReviewerGroups(
  client: BitbucketClient,
  projectKey: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<ReviewerGroup[]> {
  return client.getAllPages(
    `/rest/api/1.0/projects/${encodeURIComponent(projectKey)}/settings/reviewer-groups`,
    {
      operation: 'reviewer-groups.project',
      itemSchema: ReviewerGroupSchema,
      limit: 100,
      maxPages: 10,
      signal: options.signal,
    },
  );
}

/**
 * The names of the members who can be added as reviewers: active ones, each once, without those in
 * `exclude` (the author, who can't review their own pull request).
 */
export function reviewersOf(group: ReviewerGroup, exclude: readonly string[] = []): string[] {
  const skip = new Set(exclude.map((name) => name.toLowerCase()));
  const names: string[] = [];
  for (const user of group.users) {
    const key = user.name.toLowerCase();
    if (user.active === false || skip.has(key)) continue;
    skip.add(key);
    names.push(user.name);
  }
  return names;
}
