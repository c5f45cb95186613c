/**
 * Real bare git repositories for the seeded repositories marked `git: true`, created with the git
 * command line under the simulator's git directory (`<dir>/<lower-cased project key>/<slug>.git`),
 * and served over HTTP at `{ctx}/scm/<key>/<slug>.git` through `git http-backend` with the same
 * credentials as the REST API (Bearer token, Basic username + password or token).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Env, type Reply, type Req, readBody } from './http';
import type { Model } from './model';
import { Level, type Repo, type User } from './types';

const run = promisify(execFile);

/** Fixed dates make the seeded commits' ids the same on every run. */
const SEED_DATE = '2024-01-15T10:00:00Z';

async function git(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const { stdout } = await run(
    'git',
    ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args],
    {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...options.env },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stdout;
}

/** The files of a repository without git history of its own: its seed's, else a README from the description. */
export function repoFiles(repo: Repo): Map<string, string> {
  return repo.files ?? new Map([['README.md', `# ${repo.name}\n\n${repo.description ?? ''}\n`]]);
}

/** Who authored the seeded commits: the personal project's owner, else a project administrator. */
export function author(model: Model, repo: Repo): User | undefined {
  if (repo.project.owner) return repo.project.owner;
  for (const [name, level] of repo.project.permissions) {
    if (level === Level.ADMIN) return model.user(name);
  }
  return [...model.users.values()].find((u) => model.isAdmin(u));
}

export function gitPathOf(gitDir: string, repo: Repo): string {
  return path.join(gitDir, repo.project.key.toLowerCase(), `${repo.slug}.git`);
}

/**
 * Creates a repository's bare git repository. A fork is a bare clone of its origin's (so the two share
 * history, as on a real server) plus commits for its own branches; any other repository starts with
 * its files on the default branch and one commit per other branch. Branches of `branchesAt` point at
 * another branch's head and get no commit of their own.
 */
async function initRepository(model: Model, repo: Repo, bare: string): Promise<void> {
  await mkdir(path.dirname(bare), { recursive: true });
  const origin = repo.origin?.gitPath;
  if (origin) {
    await git(['clone', '--quiet', '--bare', origin, bare]);
    await git(['remote', 'remove', 'origin'], { cwd: bare });
  } else {
    await git(['init', '--quiet', '--bare', `--initial-branch=${repo.defaultBranch}`, bare]);
  }
  if (repo.branches.length === 0) return;
  const work = await mkdtemp(path.join(tmpdir(), 'bitbucket-sim-'));
  try {
    const who = author(model, repo);
    const env = {
      GIT_AUTHOR_NAME: who?.displayName ?? 'Bitbucket',
      GIT_AUTHOR_EMAIL: who?.emailAddress ?? 'noreply@example.com',
      GIT_COMMITTER_NAME: who?.displayName ?? 'Bitbucket',
      GIT_COMMITTER_EMAIL: who?.emailAddress ?? 'noreply@example.com',
      GIT_AUTHOR_DATE: SEED_DATE,
      GIT_COMMITTER_DATE: SEED_DATE,
    };
    const existing = new Set<string>();
    if (origin) {
      await git(['clone', '--quiet', bare, work]);
      const heads = await git(['for-each-ref', '--format=%(refname:short)', 'refs/heads'], { cwd: bare });
      for (const name of heads.split('\n').filter(Boolean)) existing.add(name);
    } else {
      await git(['init', '--quiet', `--initial-branch=${repo.defaultBranch}`, work]);
      for (const [file, content] of repoFiles(repo)) {
        const target = path.join(work, file);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, content);
      }
      await git(['add', '-A'], { cwd: work });
      await git(['commit', '--quiet', '-m', 'Initial commit'], { cwd: work, env });
      existing.add(repo.defaultBranch);
    }
    // In a clone of the fork the branches it already has are remote branches.
    const startOf = (name: string) => (origin ? `refs/remotes/origin/${name}` : `refs/heads/${name}`);
    const pointing = repo.branchesAt ?? {};
    for (const branch of repo.branches) {
      if (existing.has(branch.name) || branch.name in pointing) continue;
      await git(['checkout', '--quiet', '-b', branch.name, startOf(repo.defaultBranch)], { cwd: work });
      const notes = `${branch.name.replace(/[^A-Za-z0-9._-]/g, '-')}.md`;
      await writeFile(path.join(work, notes), `Work on ${branch.name}.\n`);
      await git(['add', '-A'], { cwd: work });
      await git(['commit', '--quiet', '-m', `Work on ${branch.name}`], { cwd: work, env });
      existing.add(branch.name);
    }
    for (const [name, at] of Object.entries(pointing)) {
      const local = await git(['branch', '--list', at], { cwd: work });
      await git(['branch', name, local.trim() ? `refs/heads/${at}` : startOf(at)], { cwd: work });
    }
    await git(['push', '--quiet', bare, 'refs/heads/*:refs/heads/*'], { cwd: work });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * How many commits of `sourceCommit` (in `source`) `targetCommit` (in `target`) lacks, read from the
 * bare repositories with `git rev-list` (the source's objects lent to the target's repository, so
 * nothing is written). Undefined when the target has no git repository or git does not know a commit.
 */
export async function commitsToMerge(
  source: Repo,
  sourceCommit: string,
  target: Repo,
  targetCommit: string,
): Promise<number | undefined> {
  if (!target.gitPath) return undefined;
  const lent =
    source.gitPath && source.gitPath !== target.gitPath
      ? { GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(source.gitPath, 'objects') }
      : {};
  try {
    const out = await git(['rev-list', '--count', sourceCommit, '--not', targetCommit], {
      cwd: target.gitPath,
      env: lent,
    });
    const count = Number.parseInt(out.trim(), 10);
    return Number.isFinite(count) ? count : undefined;
  } catch {
    return undefined;
  }
}

/** A commit as `git log` reports it. */
export interface GitCommit {
  id: string;
  authorName: string;
  authorEmail: string;
  /** Epoch ms. */
  authorTimestamp: number;
  committerName: string;
  committerEmail: string;
  committerTimestamp: number;
  parents: string[];
  message: string;
}

/**
 * The commits reachable from `from` (in `source`) and not from `to` (in `target`), newest first, read
 * with `git log` in the target's bare repository with the source's objects lent (nothing is
 * written). Undefined when the target has no git repository or git does not know a commit.
 */
export async function commitsBetween(
  source: Repo,
  from: string,
  target: Repo,
  to: string,
): Promise<GitCommit[] | undefined> {
  if (!target.gitPath) return undefined;
  const lent =
    source.gitPath && source.gitPath !== target.gitPath
      ? { GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(source.gitPath, 'objects') }
      : {};
  let out: string;
  try {
    out = await git(
      [
        'log',
        '--format=%H%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%P%x00%B%x1e',
        from,
        '--not',
        to,
        '--',
      ],
      {
        cwd: target.gitPath,
        env: lent,
      },
    );
  } catch {
    return undefined;
  }
  return out
    .split('\x1e')
    .map((record) => record.replace(/^\n/, ''))
    .filter(Boolean)
    .map((record) => {
      const [id = '', an = '', ae = '', at = '0', cn = '', ce = '', ct = '0', parents = '', message = ''] =
        record.split('\0');
      return {
        id,
        authorName: an,
        authorEmail: ae,
        authorTimestamp: Number(at) * 1000,
        committerName: cn,
        committerEmail: ce,
        committerTimestamp: Number(ct) * 1000,
        parents: parents.split(' ').filter(Boolean),
        message: message.replace(/\n+$/, ''),
      };
    });
}

/**
 * Runs git with binary-safe input and output (file contents, objects); rejects with git's own error
 * text when it fails.
 */
export function gitBytes(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; input?: Buffer | string },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], {
      cwd: options.cwd,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...options.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`git ${args[0]} failed: ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/**
 * A new, empty bare repository for a repository created through the REST API, its HEAD naming the
 * repository's default branch. Whatever an earlier simulator run left at that path is removed first:
 * the repository is new.
 */
export async function initEmptyRepository(repo: Repo, gitDir: string): Promise<void> {
  const bare = gitPathOf(gitDir, repo);
  await rm(bare, { recursive: true, force: true });
  await mkdir(path.dirname(bare), { recursive: true });
  await git(['init', '--quiet', '--bare', `--initial-branch=${repo.defaultBranch}`, bare]);
  repo.gitPath = bare;
  repo.branches = [];
}

/** Points the bare repository's HEAD at the repository's default branch (what a clone checks out). */
export async function writeHead(repo: Repo): Promise<void> {
  if (!repo.gitPath) return;
  await git(['symbolic-ref', 'HEAD', `refs/heads/${repo.defaultBranch}`], { cwd: repo.gitPath });
}

/**
 * Reads the branch heads of a repository's bare git repository into the model: the default branch,
 * then the most recently committed to first (the server's MODIFICATION order, so a branch just
 * pushed is listed before older ones; ties by name).
 */
export async function refreshBranches(repo: Repo): Promise<void> {
  if (!repo.gitPath) return;
  const out = await git(
    ['for-each-ref', '--sort=-committerdate', '--format=%(refname:short)%00%(objectname)', 'refs/heads'],
    { cwd: repo.gitPath },
  );
  const branches = out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name = '', latestCommit = ''] = line.split('\u0000');
      return { name, latestCommit };
    });
  branches.sort((a, b) => (a.name === repo.defaultBranch ? -1 : b.name === repo.defaultBranch ? 1 : 0));
  repo.branches = branches;
}

/** Creates (or reuses) the bare repositories of every repository that asks for one. */
export async function createGitRepositories(model: Model, gitDir: string): Promise<void> {
  for (const repo of model.repos) {
    if (!repo.git) continue;
    const bare = gitPathOf(gitDir, repo);
    if (!existsSync(path.join(bare, 'HEAD'))) await initRepository(model, repo, bare);
    repo.gitPath = bare;
    await refreshBranches(repo);
    // Forks without their own git repository share the origin's commits on the same branches.
    for (const fork of model.repos) {
      if (fork.origin !== repo || fork.gitPath) continue;
      for (const branch of fork.branches) {
        const head = repo.branches.find((b) => b.name === branch.name);
        if (head) branch.latestCommit = head.latestCommit;
      }
    }
  }
}

const text = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({
  kind: 'raw',
  status,
  body,
  headers: { 'content-type': 'text/plain;charset=UTF-8', ...headers },
});

/** A git pkt-line: four hex digits of length, then the data. */
function pktLine(data: string): string {
  return (Buffer.byteLength(data) + 4).toString(16).padStart(4, '0') + data;
}

const SCM_HTTP_DISABLED = 'SCM access over HTTP(S) has been disabled';

/**
 * What a server with HTTP(S) access off answers git (after authenticating): an `ERR` packet, which
 * git prints as "fatal: remote error: SCM access over HTTP(S) has been disabled" (the text quoted in
 * Atlassian's BSERV-11161); a plain 403 with the same sentence for anything that is not git.
 */
function scmHttpDisabled(req: Req, rest: string): Reply {
  const service = /\/(git-upload-pack|git-receive-pack)$/.exec(rest)?.[1] ?? req.query.get('service');
  if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
    return text(403, `${SCM_HTTP_DISABLED}\n`);
  }
  const advertising = rest.endsWith('/info/refs');
  const body = advertising
    ? `${pktLine(`# service=${service}\n`)}0000${pktLine(`ERR ${SCM_HTTP_DISABLED}`)}`
    : pktLine(`ERR ${SCM_HTTP_DISABLED}`);
  return {
    kind: 'raw',
    status: 200,
    body,
    headers: {
      'content-type': `application/x-${service}-${advertising ? 'advertisement' : 'result'}`,
      'cache-control': 'no-cache',
    },
  };
}

/** `{ctx}/scm/<key>/<slug>.git/…`: git's smart HTTP protocol. */
export async function handleGit(env: Env, req: Req): Promise<Reply> {
  const match = /^\/scm\/([^/]+)\/([^/]+?)(?:\.git)?(\/.*)?$/.exec(req.path);
  const key = match ? decodeURIComponent(match[1] ?? '') : '';
  const slug = match ? decodeURIComponent(match[2] ?? '') : '';
  const repo = match ? env.model.repo(key, slug) : undefined;
  const challenge = { 'www-authenticate': 'Basic realm="Atlassian Bitbucket"' };
  if (!env.model.repoSettings.httpAccess) {
    if (req.principal.kind === 'anonymous') return text(401, 'Authentication required\n', challenge);
    return scmHttpDisabled(req, match?.[3] ?? '/');
  }
  if (!repo?.gitPath || !env.gitDir) {
    return req.principal.kind === 'anonymous'
      ? text(401, 'Authentication required\n', challenge)
      : text(404, 'Repository not found\n');
  }
  const rest = match?.[3] ?? '/';
  const push = rest.endsWith('/git-receive-pack') || req.query.get('service') === 'git-receive-pack';
  const allowed = push
    ? env.model.repoLevel(req.principal, repo) >= Level.WRITE && !repo.archived
    : env.model.canReadRepo(req.principal, repo);
  if (!allowed) {
    if (req.principal.kind === 'anonymous') return text(401, 'Authentication required\n', challenge);
    return text(
      push ? 403 : 404,
      push ? 'You are not permitted to push to this repository\n' : 'Repository not found\n',
    );
  }

  const body = req.method === 'POST' ? await readBody(req.raw) : Buffer.alloc(0);
  const relative = path.relative(env.gitDir, repo.gitPath).split(path.sep).join('/');
  const cgiEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: env.gitDir,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${relative}${rest}`,
    REQUEST_METHOD: req.method,
    QUERY_STRING: req.query.toString(),
    CONTENT_TYPE: req.raw.headers['content-type'] ?? '',
    CONTENT_LENGTH: String(body.length),
    REMOTE_ADDR: req.raw.socket.remoteAddress ?? '127.0.0.1',
    ...(req.principal.kind !== 'anonymous' ? { REMOTE_USER: req.principal.user.name } : {}),
    ...(req.raw.headers['content-encoding']
      ? { HTTP_CONTENT_ENCODING: String(req.raw.headers['content-encoding']) }
      : {}),
    ...(req.raw.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.raw.headers['git-protocol']) } : {}),
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.receivepack',
    GIT_CONFIG_VALUE_0: 'true',
  };
  const output = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn('git', ['http-backend'], { env: cgiEnv });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve(Buffer.concat(chunks)));
    // The backend may exit before reading all of the request (EPIPE): its output is the answer,
    // and an unhandled stream error would take the whole simulator down.
    child.stdin.on('error', () => {});
    child.stdin.end(body);
  });
  if (push) await refreshBranches(repo);
  const split = output.indexOf('\r\n\r\n');
  const headerText = split >= 0 ? output.subarray(0, split).toString('latin1') : '';
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'status') status = Number.parseInt(value, 10) || 200;
    else headers[name] = value;
  }
  return { kind: 'raw', status, body: split >= 0 ? output.subarray(split + 4) : output, headers };
}
