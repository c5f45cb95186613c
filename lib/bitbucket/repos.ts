import * as v from 'valibot';
import type { BitbucketClient } from './client';
import type { TokenPermission } from './permissions';
import { ProjectSchema } from './projects';

const CloneLinkSchema = v.object({
  href: v.string(),
  /** "http" (also for https URLs) or "ssh". */
  name: v.string(),
});

const LinksSchema = v.object({
  /** Absent when both HTTP(S) and SSH access are off; the order varies. */
  clone: v.optional(v.array(CloneLinkSchema)),
  self: v.optional(v.array(v.object({ href: v.string() }))),
});

export const RepositorySchema = v.object({
  id: v.number(),
  slug: v.string(),
  name: v.string(),
  description: v.optional(v.string()),
  /** Shared by a repository and all its forks: pull requests only go within one hierarchy. */
  hierarchyId: v.optional(v.string()),
  project: ProjectSchema,
  public: v.optional(v.boolean()),
  archived: v.optional(v.boolean()),
  /** Present on forks only: the repository this one was forked from. */
  origin: v.optional(
    v.object({
      id: v.optional(v.number()),
      slug: v.string(),
      name: v.optional(v.string()),
      project: ProjectSchema,
      links: v.optional(LinksSchema),
    }),
  ),
  links: LinksSchema,
});
export type Repository = v.InferOutput<typeof RepositorySchema>;

export interface ListReposOptions {
  /** Only repositories whose name matches (case-insensitive). */
  name?: string;
  /** Only repositories the token holds this permission on (default: any it can see, public ones too). */
  permission?: Extract<TokenPermission, `REPO_${string}`>;
  /** Page size (default 100). */
  limit?: number;
  maxPages?: number;
  signal?: AbortSignal;
}

/** Every repository the token can see (all pages). */
export function listRepos(client: BitbucketClient, options: ListReposOptions = {}): Promise<Repository[]> {
  return client.getAllPages('/rest/api/1.0/repos', {
    operation: 'repos.list',
    query: { name: options.name, permission: options.permission },
    itemSchema: RepositorySchema,
    limit: options.limit,
    maxPages: options.maxPages,
    signal: options.signal,
  });
}

/** One page of a repository list as the server sent it; items are checked one by one by the caller. */
export interface RepoListPage {
  values: unknown[];
  isLastPage: boolean;
  nextPageStart?: number | null | undefined;
}

const RepoListPageSchema = v.object({
  values: v.array(v.unknown()),
  isLastPage: v.boolean(),
  nextPageStart: v.nullish(v.number()),
});

/**
 * One page of every repository the token can read, archived ones included. The caller follows
 * `nextPageStart` (which may skip ahead of start + size) until `isLastPage`.
 */
export async function getReposPage(
  client: BitbucketClient,
  options: { start: number; limit: number; signal?: AbortSignal | undefined },
): Promise<RepoListPage> {
  const { data } = await client.get('/rest/api/1.0/repos', {
    operation: 'repos.list',
    query: { archived: 'ALL', start: options.start, limit: options.limit },
    schema: RepoListPageSchema,
    signal: options.signal,
  });
  return data;
}

/** The repositories the user opened recently on the server, most recent first (one request). */
export async function getRecentRepos(
  client: BitbucketClient,
  options: { limit?: number; signal?: AbortSignal | undefined } = {},
): Promise<unknown[]> {
  const { data } = await client.get('/rest/api/1.0/profile/recent/repos', {
    operation: 'repos.recent',
    query: { limit: options.limit ?? 25 },
    schema: RepoListPageSchema,
    signal: options.signal,
  });
  return data.values;
}

/** The direct forks of a repository that the token can read (all pages). */
export function listForks(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<Repository[]> {
  return client.getAllPages(`${repoPath(projectKey, slug)}/forks`, {
    operation: 'repos.forks',
    itemSchema: RepositorySchema,
    limit: 100,
    maxPages: 20,
    signal: options.signal,
  });
}

export function repoPath(projectKey: string, slug: string): string {
  return `/rest/api/1.0/projects/${encodeURIComponent(projectKey)}/repos/${encodeURIComponent(slug)}`;
}

export async function getRepo(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  options: { signal?: AbortSignal } = {},
): Promise<Repository> {
  const { data } = await client.get(repoPath(projectKey, slug), {
    operation: 'repos.get',
    schema: RepositorySchema,
    signal: options.signal,
  });
  return data;
}

export interface CloneLinks {
  http?: string;
  ssh?: string;
}

/**
 * The HTTP(S) and SSH clone URLs, picked by name (the server's order varies, and either is missing
 * when that protocol is off). The server may put the user name into the HTTP URL
 * (`https://jdoe@host/scm/…`); it is removed so a copied command carries no account name.
 */
export function cloneLinks(repo: {
  links?: { clone?: ReadonlyArray<{ href: string; name: string }> };
}): CloneLinks {
  const clone = repo.links?.clone ?? [];
  const byName = (name: string) => clone.find((link) => link.name.toLowerCase() === name)?.href;
  const http = byName('http') ?? byName('https');
  const ssh = byName('ssh');
  const links: CloneLinks = {};
  if (http) links.http = withoutUserInfo(http);
  if (ssh) links.ssh = ssh;
  return links;
}

function withoutUserInfo(href: string): string {
  try {
    const url = new URL(href);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return href.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  }
}
