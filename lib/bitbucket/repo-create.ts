/**
 * Creating a repository and setting what creation can't: where the user may create one, the create
 * call itself, the default branch, forkable and public, and the file-edit API that commits a file
 * without git (for servers with HTTP(S) access off).
 *
 * The create call sends only `name` and `scmId`: Atlassian's spec says those are the only fields it
 * uses. Everything else is set afterwards, each by its own call needing Repository admin (which the
 * creator holds), so a refusal of one says which setting it was.
 */
import * as v from 'valibot';
import type { BitbucketClient } from './client';
import { BitbucketError, isBitbucketError } from './errors';
import { type Project, ProjectSchema } from './projects';
import { RepositorySchema, repoPath } from './repos';

/** A repository with the settings this module changes (the index's schema leaves them out). */
export const CreatedRepositorySchema = v.object({
  ...RepositorySchema.entries,
  forkable: v.optional(v.boolean()),
});
export type CreatedRepositoryData = v.InferOutput<typeof CreatedRepositorySchema>;

/** Where a repository may be created: the projects the user has REPO_CREATE on. */
export async function listProjectsForCreation(
  client: BitbucketClient,
  options: { signal?: AbortSignal } = {},
): Promise<Project[]> {
  const list = (permission: string) =>
    client.getAllPages('/rest/api/1.0/projects', {
      operation: 'projects.list',
      query: { permission },
      itemSchema: ProjectSchema,
      limit: 100,
      maxPages: 20,
      signal: options.signal,
    });
  try {
    return await list('REPO_CREATE');
  } catch (error) {
    // Servers older than the REPO_CREATE permission refuse the filter (400): project admins may
    // create repositories there.
    if (isBitbucketError(error, 'bad-request')) return list('PROJECT_ADMIN');
    throw error;
  }
}

/** A personal project's key: `~` and the user's name upper-cased (`~ALICE`). */
export function personalProjectKey(userName: string): string {
  return `~${userName.toUpperCase()}`;
}

/**
 * Creates an empty git repository. A name already taken fails with kind 'conflict' and a sentence
 * saying so; the server's validation refusals (400) quote the server.
 */
export async function createRepository(
  client: BitbucketClient,
  projectKey: string,
  name: string,
  options: { signal?: AbortSignal } = {},
): Promise<CreatedRepositoryData> {
  try {
    const { data } = await client.post(`/rest/api/1.0/projects/${encodeURIComponent(projectKey)}/repos`, {
      operation: 'repos.create',
      body: { name, scmId: 'git' },
      schema: CreatedRepositorySchema,
      signal: options.signal,
    });
    return data;
  } catch (error) {
    if (isBitbucketError(error, 'conflict')) {
      const said = error.serverMessages.length ? ` (The server said: ${error.serverMessages.join(' ')})` : '';
      throw new BitbucketError(
        'conflict',
        `${projectKey} already has a repository named “${name}” or one with the same address.${said} Choose another name.`,
        { status: error.status, operation: 'repos.create', serverMessages: error.serverMessages },
      );
    }
    throw error;
  }
}

/**
 * The repository of a project with this exact name, or null: what a create call whose answer was
 * lost made (or not).
 */
export async function findRepositoryByName(
  client: BitbucketClient,
  projectKey: string,
  name: string,
  options: { signal?: AbortSignal } = {},
): Promise<CreatedRepositoryData | null> {
  const found = await client.getAllPages('/rest/api/1.0/repos', {
    operation: 'repos.list',
    query: { projectkey: projectKey, name },
    itemSchema: CreatedRepositorySchema,
    limit: 100,
    maxPages: 5,
    signal: options.signal,
  });
  return (
    found.find((r) => r.project.key.toUpperCase() === projectKey.toUpperCase() && r.name === name) ?? null
  );
}

/** Makes `branch` the repository's default branch (it may not exist yet). */
export async function setDefaultBranch(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  branch: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await client.put(`${repoPath(projectKey, slug)}/default-branch`, {
    operation: 'repos.default-branch',
    body: { id: `refs/heads/${branch}` },
    signal: options.signal,
  });
}

const DefaultBranchSchema = v.object({ id: v.string(), displayId: v.optional(v.string()) });

/** The configured default branch's name (it may have no commits yet). */
export async function getDefaultBranch(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  const { data } = await client.get(`${repoPath(projectKey, slug)}/default-branch`, {
    operation: 'repos.get',
    schema: DefaultBranchSchema,
    signal: options.signal,
  });
  return data.displayId ?? data.id.replace(/^refs\/heads\//, '');
}

export interface RepositorySettings {
  description?: string;
  forkable?: boolean;
  public?: boolean;
}

/** Reads one repository with its settings. */
export async function getRepository(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  options: { signal?: AbortSignal } = {},
): Promise<CreatedRepositoryData> {
  const { data } = await client.get(repoPath(projectKey, slug), {
    operation: 'repos.get',
    schema: CreatedRepositorySchema,
    signal: options.signal,
  });
  return data;
}

/** Changes the description, forkable and/or public; answers the repository as it is afterwards. */
export async function updateRepository(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  settings: RepositorySettings,
  options: { signal?: AbortSignal } = {},
): Promise<CreatedRepositoryData> {
  const { data } = await client.put(repoPath(projectKey, slug), {
    operation: 'repos.update',
    body: settings,
    schema: CreatedRepositorySchema,
    signal: options.signal,
  });
  return data;
}

const BranchSchema = v.object({
  id: v.string(),
  displayId: v.string(),
  latestCommit: v.optional(v.string()),
});

/** The names of the repository's branches (an empty repository has none). */
export async function listBranchNames(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  options: { signal?: AbortSignal } = {},
): Promise<string[]> {
  const branches = await client.getAllPages(`${repoPath(projectKey, slug)}/branches`, {
    operation: 'branches.list',
    itemSchema: BranchSchema,
    limit: 100,
    maxPages: 5,
    signal: options.signal,
  });
  return branches.map((b) => b.displayId);
}

export const CommitSchema = v.object({
  id: v.string(),
  displayId: v.optional(v.string()),
  message: v.optional(v.nullable(v.string())),
});
export type Commit = v.InferOutput<typeof CommitSchema>;

/** Each path segment encoded, the slashes kept. */
const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

export interface FileEdit {
  /** The whole new content of the file. */
  content: string;
  branch: string;
  message: string;
  /** The commit the file was last seen at; omitted for a new file. */
  sourceCommitId?: string;
}

/**
 * Commits one file through the file-edit API (`PUT …/browse/{path}`, multipart): one commit per
 * call, authored by the token's user.
 */
export async function commitFile(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  path: string,
  edit: FileEdit,
  options: { signal?: AbortSignal } = {},
): Promise<Commit> {
  const form = new FormData();
  // As a file part, like `curl -F content=@file`: a plain field's line breaks would be sent (and
  // committed) as CRLF, which multipart encoding does to text fields.
  const fileName = path.split('/').pop() || 'file';
  form.append('content', new Blob([edit.content], { type: 'application/octet-stream' }), fileName);
  form.append('branch', edit.branch);
  form.append('message', edit.message);
  if (edit.sourceCommitId) form.append('sourceCommitId', edit.sourceCommitId);
  const { data } = await client.put(`${repoPath(projectKey, slug)}/browse/${encodePath(path)}`, {
    operation: 'files.edit',
    form,
    schema: CommitSchema,
    signal: options.signal,
  });
  return data;
}

/** Whether a file exists on a branch (a 404 means it doesn't, or the branch doesn't). */
export async function fileExists(
  client: BitbucketClient,
  projectKey: string,
  slug: string,
  path: string,
  branch: string,
  options: { signal?: AbortSignal } = {},
): Promise<boolean> {
  try {
    await client.get(`${repoPath(projectKey, slug)}/browse/${encodePath(path)}`, {
      operation: 'files.read',
      query: { at: `refs/heads/${branch}`, limit: 1 },
      signal: options.signal,
    });
    return true;
  } catch (error) {
    if (isBitbucketError(error, 'not-found')) return false;
    throw error;
  }
}
