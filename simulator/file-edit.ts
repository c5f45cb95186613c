/**
 * Files over REST: the file-edit API `PUT …/browse/{path}` (multipart/form-data `content`, `branch`,
 * `message`, `sourceCommitId`, `sourceBranch`; 200 RestCommit), `GET …/browse[/{path}]` (a page of a
 * file's lines, a directory's children, `type` or `size`) and `GET …/raw/{path}`.
 *
 * Edits are real commits in the repository's bare git repository, written with git plumbing and a
 * temporary index (hash-object, read-tree, update-index, write-tree, commit-tree, update-ref with the
 * old value, so a concurrent push is not lost), authored and committed by the signed-in user. Reads
 * come from the bare repository too; a repository without one (no `gitDir`, or not marked `git`) is
 * read from the simulator's own file list (a README made from the description).
 *
 * Whether a real server's file-edit API makes the first commit of an empty repository is unconfirmed:
 * it does here unless `repoSettings.fileEditOnEmptyRepo` is false, which answers 404
 * NoSuchBranchException as for any branch that does not exist. Sentences marked "guess" are not
 * recorded from a real server (see simulator/README.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gitBytes, refreshBranches, repoFiles } from './git';
import { type Reply, type Req, readBody } from './http';
import { EXCEPTIONS } from './json';
import {
  badRequest,
  currentUser,
  error,
  findRepo,
  type Handler,
  isReply,
  json,
  notPermitted,
  REPO,
  type Route,
} from './rest-common';
import { Level, type Repo, type User } from './types';

const ZERO = '0'.repeat(40);
/** Lines per page of a file when the request names no `limit`, and the most a page holds. */
const DEFAULT_LINES = 500;
const MAX_LINES = 5000;

export const FILE_EXCEPTIONS = {
  noSuchPath: 'com.atlassian.bitbucket.content.NoSuchPathException',
  noSuchCommit: 'com.atlassian.bitbucket.commit.NoSuchCommitException',
  /** guess */
  fileExists: 'com.atlassian.bitbucket.content.FileAlreadyExistsException',
  /** guess */
  fileChanged: 'com.atlassian.bitbucket.content.FileContentModifiedException',
  /** guess */
  noChange: 'com.atlassian.bitbucket.content.NoChangeException',
} as const;

/** A repository path split into its components; undefined when git could not store it. */
function pathComponents(raw: string | undefined): string[] | undefined {
  const parts = (raw ?? '').split('/');
  if (parts.length === 0) return undefined;
  for (const part of parts) {
    if (!part || part === '.' || part === '..' || part.toLowerCase() === '.git' || /[\0\n]/.test(part)) {
      return undefined;
    }
  }
  return parts;
}

const git = (
  repo: Repo & { gitPath: string },
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: Buffer | string } = {},
) => gitBytes(args, { cwd: repo.gitPath, ...options });

function hasGit(repo: Repo): repo is Repo & { gitPath: string } {
  return repo.gitPath !== undefined;
}

/** The commit a ref, branch name or commit id names; undefined when there is none. */
async function commitOf(repo: Repo & { gitPath: string }, rev: string): Promise<string | undefined> {
  if (!rev || rev.startsWith('-')) return undefined;
  try {
    return (
      (await git(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).toString().trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}

interface TreeEntry {
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  id: string;
  size?: number;
  /** Name below the listed directory. */
  name: string;
}

/** The entries `git ls-tree -l` lists for `spec` (a path, or a directory with a trailing slash). */
async function lsTree(
  repo: Repo & { gitPath: string },
  commit: string,
  spec: string[],
): Promise<TreeEntry[]> {
  const out = (await git(repo, ['ls-tree', '-l', '-z', commit, '--', ...spec])).toString('utf8');
  return out
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode = '', type = '', id = '', size = ''] = line.slice(0, tab).split(/\s+/);
      return {
        mode,
        type: type as TreeEntry['type'],
        id,
        ...(size && size !== '-' ? { size: Number(size) } : {}),
        name: line.slice(tab + 1),
      };
    });
}

/** The entry at `parts` in `commit`, or undefined. */
async function entryAt(
  repo: Repo & { gitPath: string },
  commit: string,
  parts: string[],
): Promise<TreeEntry | undefined> {
  const wanted = parts.join('/');
  return (await lsTree(repo, commit, [wanted])).find((e) => e.name === wanted);
}

// ───────────────────────────── multipart ─────────────────────────────

type Fields = Map<string, Buffer | string>;

/** The fields of a multipart/form-data body (file parts as bytes), or the 400 to send. */
async function readMultipart(req: Req): Promise<Fields | Reply> {
  const type = req.raw.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    return badRequest('The file-edit API takes multipart/form-data (fields content, branch, message, …).');
  }
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(await readBody(req.raw)), {
      headers: { 'content-type': type },
    }).formData();
  } catch {
    return badRequest('The multipart/form-data body could not be read.');
  }
  const fields: Fields = new Map();
  for (const [name, value] of form) {
    if (fields.has(name)) continue;
    fields.set(name, typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer()));
  }
  return fields;
}

function textField(fields: Fields, name: string): string | undefined {
  const value = fields.get(name);
  if (value === undefined) return undefined;
  const text = (typeof value === 'string' ? value : value.toString('utf8')).trim();
  return text || undefined;
}

// ───────────────────────────── PUT …/browse/{path} ─────────────────────────────

function restCommit(
  id: string,
  message: string,
  user: User,
  timestamp: number,
  parent: string | undefined,
): Record<string, unknown> {
  const person = { name: user.displayName, emailAddress: user.emailAddress };
  return {
    id,
    displayId: id.slice(0, 11),
    author: person,
    authorTimestamp: timestamp,
    committer: person,
    committerTimestamp: timestamp,
    message,
    parents: parent ? [{ id: parent, displayId: parent.slice(0, 11) }] : [],
  };
}

const noSuchBranch = (repo: Repo, branch: string) =>
  error(404, EXCEPTIONS.noSuchBranch, `Branch ${branch} does not exist in repository ${repo.name}.`);

/**
 * Commits one file. 400: no `branch`, no `content`, a path git can't store, an unknown
 * `sourceCommitId`; 401: no write permission; 404: the branch (or `sourceBranch`) does not exist;
 * 409: the repository is archived, the file exists and no `sourceCommitId` was sent, the file changed
 * since `sourceCommitId`, the content changes nothing, a new branch that exists already, or the branch
 * moved while committing.
 */
const editFile: Handler = async (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const user = currentUser(req.principal);
  if (!user || env.model.repoLevel(req.principal, repo) < Level.WRITE) return notPermitted();
  if (repo.archived) return error(409, EXCEPTIONS.archivedRepository, `Repository ${repo.name} is archived.`);
  const parts = pathComponents(params.path);
  if (!parts) return badRequest(`${params.path ?? ''} is not a path a file can have.`, 'path');
  const fields = await readMultipart(req);
  if (isReply(fields)) return fields;
  const branch = textField(fields, 'branch')?.replace(/^refs\/heads\//, '');
  if (!branch) return badRequest('The branch to commit to is required.', 'branch');
  const content = fields.get('content');
  if (content === undefined) return badRequest('The content of the file is required.', 'content');
  if (!hasGit(repo)) {
    return error(
      409,
      null,
      `The simulator keeps no git repository for ${repo.project.key}/${repo.slug}: start it with gitDir (seeded repositories need git: true).`,
    );
  }
  const sourceBranch = textField(fields, 'sourceBranch')?.replace(/^refs\/heads\//, '');
  const sourceCommitId = textField(fields, 'sourceCommitId');
  const head = await commitOf(repo, `refs/heads/${branch}`);
  let base = head;
  if (sourceBranch && sourceBranch !== branch) {
    if (head)
      return error(409, null, `The branch ${branch} already exists; leave out sourceBranch to commit to it.`);
    base = await commitOf(repo, `refs/heads/${sourceBranch}`);
    if (!base) return noSuchBranch(repo, sourceBranch);
  } else if (!head && (repo.branches.length > 0 || !env.model.repoSettings.fileEditOnEmptyRepo)) {
    return noSuchBranch(repo, branch);
  }

  const existing = base ? await entryAt(repo, base, parts) : undefined;
  if (existing && existing.type !== 'blob') {
    return error(409, null, `${parts.join('/')} is a directory or a submodule, not a file.`);
  }
  if (sourceCommitId) {
    const source = await commitOf(repo, sourceCommitId);
    if (!source)
      return badRequest(
        `Commit ${sourceCommitId} does not exist in repository ${repo.name}.`,
        'sourceCommitId',
      );
    const before = await entryAt(repo, source, parts);
    if (before?.id !== existing?.id) {
      return error(
        409,
        FILE_EXCEPTIONS.fileChanged,
        `The file ${parts.join('/')} has been changed since ${sourceCommitId.slice(0, 11)}.`,
      );
    }
  } else if (existing) {
    return error(
      409,
      FILE_EXCEPTIONS.fileExists,
      `The file ${parts.join('/')} already exists on ${branch}: send sourceCommitId to change it.`,
    );
  }

  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const blob = (await git(repo, ['hash-object', '-w', '--stdin'], { input: bytes })).toString().trim();
  if (existing?.id === blob) {
    return error(409, FILE_EXCEPTIONS.noChange, `The content does not change ${parts.join('/')}.`);
  }
  const filePath = parts.join('/');
  const message =
    textField(fields, 'message') ?? `${filePath} ${existing ? 'edited' : 'created'} online with Bitbucket`;
  const seconds = Math.floor(Date.now() / 1000);
  const scratch = await mkdtemp(path.join(tmpdir(), 'bitbucket-sim-edit-'));
  try {
    const indexEnv = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    if (base) await git(repo, ['read-tree', base], { env: indexEnv });
    try {
      await git(
        repo,
        ['update-index', '--add', '--cacheinfo', `${existing?.mode ?? '100644'},${blob},${filePath}`],
        {
          env: indexEnv,
        },
      );
    } catch {
      return error(409, null, `${filePath} can't be added: a file is in the way of its directory.`);
    }
    const tree = (await git(repo, ['write-tree'], { env: indexEnv })).toString().trim();
    const date = `@${seconds} +0000`;
    const commit = (
      await git(repo, ['commit-tree', tree, ...(base ? ['-p', base] : []), '-F', '-'], {
        input: message,
        env: {
          GIT_AUTHOR_NAME: user.displayName,
          GIT_AUTHOR_EMAIL: user.emailAddress,
          GIT_AUTHOR_DATE: date,
          GIT_COMMITTER_NAME: user.displayName,
          GIT_COMMITTER_EMAIL: user.emailAddress,
          GIT_COMMITTER_DATE: date,
        },
      })
    )
      .toString()
      .trim();
    try {
      await git(repo, ['update-ref', `refs/heads/${branch}`, commit, head ?? ZERO]);
    } catch {
      return error(
        409,
        FILE_EXCEPTIONS.fileChanged,
        `The branch ${branch} changed while committing; try again.`,
      );
    }
    await refreshBranches(repo);
    return json(200, restCommit(commit, message, user, seconds * 1000, base));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
};

// ───────────────────────────── GET …/browse, …/raw ─────────────────────────────

/** What a path names at a revision: a file's bytes, or a directory's entries. */
type Found =
  | { kind: 'file'; content: Buffer }
  | {
      kind: 'directory';
      children: Array<{ name: string; type: 'FILE' | 'DIRECTORY' | 'SUBMODULE'; id: string; size?: number }>;
    }
  | { kind: 'submodule' };

/**
 * Looks a path up at `at` (default: the default branch), or answers the 404 to send: no such
 * revision (an empty repository has none), no such path.
 */
async function lookup(
  req: Req,
  repo: Repo,
  parts: string[],
): Promise<{ found: Found; revision: string } | Reply> {
  const at = req.query.get('at')?.trim() || `refs/heads/${repo.defaultBranch}`;
  const missingPath = () =>
    error(
      404,
      FILE_EXCEPTIONS.noSuchPath,
      `The path "${parts.join('/')}" does not exist at revision "${at}"`,
    );
  if (hasGit(repo)) {
    const commit = (await commitOf(repo, at)) ?? (await commitOf(repo, `refs/heads/${at}`));
    if (!commit) {
      return error(
        404,
        FILE_EXCEPTIONS.noSuchCommit,
        `Commit '${at}' does not exist in repository '${repo.name}'.`,
      );
    }
    const entry = parts.length ? await entryAt(repo, commit, parts) : { type: 'tree' as const, id: commit };
    if (!entry) return missingPath();
    if (entry.type === 'commit') return { found: { kind: 'submodule' }, revision: at };
    if (entry.type === 'blob') {
      return {
        found: { kind: 'file', content: await git(repo, ['cat-file', 'blob', entry.id]) },
        revision: at,
      };
    }
    const listed = await lsTree(repo, commit, parts.length ? [`${parts.join('/')}/`] : []);
    const prefix = parts.length ? `${parts.join('/')}/` : '';
    return {
      found: {
        kind: 'directory',
        children: listed.map((e) => ({
          name: e.name.slice(prefix.length),
          type: e.type === 'blob' ? 'FILE' : e.type === 'tree' ? 'DIRECTORY' : 'SUBMODULE',
          id: e.id,
          ...(e.size !== undefined ? { size: e.size } : {}),
        })),
      },
      revision: at,
    };
  }
  // No git repository: the simulator's own files, on any existing branch.
  const branch = at.replace(/^refs\/heads\//, '');
  const known = repo.branches.find((b) => b.name === branch || b.latestCommit === at);
  if (!known)
    return error(
      404,
      FILE_EXCEPTIONS.noSuchCommit,
      `Commit '${at}' does not exist in repository '${repo.name}'.`,
    );
  const files = repoFiles(repo);
  const wanted = parts.join('/');
  const file = files.get(wanted);
  if (file !== undefined) return { found: { kind: 'file', content: Buffer.from(file) }, revision: at };
  const prefix = wanted ? `${wanted}/` : '';
  const children = new Map<string, { name: string; type: 'FILE' | 'DIRECTORY'; id: string; size?: number }>();
  for (const [name, content] of files) {
    if (!name.startsWith(prefix)) continue;
    const [first = '', ...rest] = name.slice(prefix.length).split('/');
    children.set(first, {
      name: first,
      type: rest.length ? 'DIRECTORY' : 'FILE',
      id: fakeContentId(repo, prefix + first),
      ...(rest.length ? {} : { size: Buffer.byteLength(content) }),
    });
  }
  if (children.size === 0) return missingPath();
  return { found: { kind: 'directory', children: [...children.values()] }, revision: at };
}

function fakeContentId(repo: Repo, name: string): string {
  return Buffer.from(`${repo.id}:${name}`).toString('hex').padEnd(40, '0').slice(0, 40);
}

/** RestPath-like JSON: components, parent, name, extension, toString. */
function restPath(parts: string[]): Record<string, unknown> {
  const name = parts.at(-1) ?? '';
  const dot = name.lastIndexOf('.');
  return {
    components: parts,
    parent: parts.slice(0, -1).join('/'),
    name,
    ...(dot > 0 ? { extension: name.slice(dot + 1) } : {}),
    toString: parts.join('/'),
  };
}

function lineWindow(query: URLSearchParams): { start: number; limit: number } {
  const start = Number.parseInt(query.get('start') ?? '', 10);
  const limit = Number.parseInt(query.get('limit') ?? '', 10);
  return {
    start: Number.isFinite(start) && start > 0 ? start : 0,
    limit: Number.isFinite(limit) && limit > 0 ? Math.min(limit, MAX_LINES) : DEFAULT_LINES,
  };
}

function pageOf<T>(items: T[], { start, limit }: { start: number; limit: number }) {
  const values = items.slice(start, start + limit);
  const isLastPage = start + values.length >= items.length;
  return {
    values,
    size: values.length,
    start,
    limit,
    isLastPage,
    ...(isLastPage ? {} : { nextPageStart: start + values.length }),
  };
}

/**
 * GET …/browse[/{path}]: `type=true` → `{type}`, `size=true` → `{size}` (files), else a page of a
 * file's lines (`lines[].text`, `start`, `size`, `isLastPage`, `nextPageStart`; at most 5000 a page,
 * 500 unless `limit` says otherwise) or of a directory's children.
 */
const getContent: Handler = async (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const parts = params.path === undefined ? [] : pathComponents(params.path);
  if (!parts) return badRequest(`${params.path} is not a path in a repository.`, 'path');
  const result = await lookup(req, repo, parts);
  if (isReply(result)) return result;
  const { found, revision } = result;
  if (req.query.get('type') === 'true') {
    return json(200, {
      type: found.kind === 'file' ? 'FILE' : found.kind === 'directory' ? 'DIRECTORY' : 'SUBMODULE',
    });
  }
  if (req.query.get('size') === 'true') {
    if (found.kind !== 'file')
      return badRequest(`${parts.join('/') || '/'} is not a file: it has no size.`, 'path');
    return json(200, { size: found.content.length });
  }
  const window = lineWindow(req.query);
  if (found.kind === 'file') {
    const text = found.content.toString('utf8');
    const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    const { values, ...paging } = pageOf(lines, window);
    return json(200, { lines: values.map((line) => ({ text: line })), ...paging });
  }
  if (found.kind === 'submodule')
    return json(200, { path: restPath(parts), revision, children: pageOf([], window) });
  const { values, ...paging } = pageOf(found.children, window);
  return json(200, {
    path: restPath(parts),
    revision,
    children: {
      ...paging,
      values: values.map((c) => ({
        path: restPath(c.name.split('/')),
        contentId: c.id,
        type: c.type,
        ...(c.size !== undefined ? { size: c.size } : {}),
      })),
    },
  });
};

/** GET …/raw/{path}: the file's bytes at `at` (default: the default branch); directories are 404. */
const streamRaw: Handler = async (env, req, params) => {
  const repo = findRepo(env, req, params);
  if (isReply(repo)) return repo;
  const parts = pathComponents(params.path);
  if (!parts) return badRequest(`${params.path ?? ''} is not a path in a repository.`, 'path');
  const result = await lookup(req, repo, parts);
  if (isReply(result)) return result;
  if (result.found.kind !== 'file') {
    return error(
      404,
      FILE_EXCEPTIONS.noSuchPath,
      `The path "${parts.join('/')}" is not a file at revision "${result.revision}"`,
    );
  }
  const { content } = result.found;
  const binary = content.subarray(0, 8000).includes(0);
  return {
    kind: 'raw',
    status: 200,
    body: content,
    headers: {
      'content-type': binary ? 'application/octet-stream' : 'text/plain;charset=UTF-8',
      'content-disposition': `inline; filename="${encodeURIComponent(parts.at(-1) ?? '')}"`,
      'x-content-type-options': 'nosniff',
    },
  };
};

export const FILE_EDIT_ROUTES: readonly Route[] = [
  { method: 'PUT', template: `${REPO}/browse/{path}`, handler: editFile, query: [] },
  {
    method: 'GET',
    template: `${REPO}/browse`,
    handler: getContent,
    query: ['at', 'size', 'type', 'start', 'limit'],
  },
  {
    method: 'GET',
    template: `${REPO}/browse/{path}`,
    handler: getContent,
    query: ['at', 'size', 'type', 'start', 'limit'],
  },
  { method: 'GET', template: `${REPO}/raw/{path}`, handler: streamRaw, query: ['at'] },
];
