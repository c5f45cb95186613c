/**
 * A repository's branches (`…/branches`): searched by text for a branch picker, and its default
 * branch. A branch pushed a moment ago is listed at once.
 */
import * as v from 'valibot';
import type { BitbucketClient } from './client';
import { repoPath } from './repos';

export const BranchSchema = v.object({
  /** Fully qualified: `refs/heads/feature/x`. */
  id: v.string(),
  /** `feature/x`. */
  displayId: v.string(),
  latestCommit: v.optional(v.string()),
  /** Whether it is the repository's default branch (older servers leave it out). */
  isDefault: v.optional(v.boolean()),
});
export type Branch = v.InferOutput<typeof BranchSchema>;

export interface SearchBranchesOptions {
  /** Only branches whose name contains this text (case-insensitive); all branches when empty. */
  filterText?: string | undefined;
  /** `ALPHABETICAL` or `MODIFICATION` (most recently changed first, the server's default). */
  orderBy?: 'ALPHABETICAL' | 'MODIFICATION' | undefined;
  /** How many to return at most (one page); default 25. */
  limit?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** The first `limit` branches of a repository matching the text: one request, for a picker. */
export function searchBranches(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  options: SearchBranchesOptions = {},
): Promise<Branch[]> {
  const filterText = options.filterText?.trim();
  return client.getAllPages(`${repoPath(projectKey, slug)}/branches`, {
    operation: 'branches.list',
    query: { filterText: filterText || undefined, orderBy: options.orderBy },
    itemSchema: BranchSchema,
    limit: options.limit ?? 25,
    maxPages: 1,
    signal: options.signal,
  });
}

/** The repository's default branch; null for an empty repository (the server answers 204). */
export async function getDefaultBranch(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<Branch | null> {
  const { data, status } = await client.get(`${repoPath(projectKey, slug)}/branches/default`, {
    operation: 'branches.default',
    schema: v.optional(BranchSchema),
    signal: options.signal,
  });
  return status === 204 || data === undefined ? null : data;
}
