/**
 * The JSON the REST API answers with, shaped like the real server's responses (field names and order
 * as seen in captured responses; every field checked against the spec in strict mode).
 */
import { createHash } from 'node:crypto';
import type {
  AccessToken,
  Branch,
  GpgKey,
  Participant,
  Project,
  PullRequest,
  Repo,
  SshKey,
  User,
} from './types';

/** Where links point: the server's base URL (origin + context path) and SSH address. */
export interface Urls {
  /** e.g. "http://127.0.0.1:7990/bitbucket" (no trailing slash). */
  base: string;
  /** e.g. "/bitbucket", or "" (no trailing slash). */
  contextPath: string;
  sshHost: string;
  sshPort: number;
  /** The server's SCM switches (the model's live settings): no `http` clone links with HTTP(S) access off. */
  scm?: { readonly httpAccess: boolean };
}

export interface ServerVersion {
  text: string;
  major: number;
  minor: number;
  patch: number;
  /** True when this version is `other` or newer ("8.16" means 8.16.0). */
  atLeast(other: string): boolean;
}

export function parseVersion(text: string): ServerVersion {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) throw new Error(`not a version: ${text}`);
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  const value = (m: number, n: number, p: number) => m * 1_000_000 + n * 1_000 + p;
  return {
    text,
    major,
    minor,
    patch,
    atLeast(other: string) {
      const o = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(other);
      if (!o) throw new Error(`not a version: ${other}`);
      return value(major, minor, patch) >= value(Number(o[1]), Number(o[2]), Number(o[3] ?? 0));
    },
  };
}

/** Build facts reported by application-properties and the page footer, derived from the version. */
export function buildInfo(version: ServerVersion): {
  buildNumber: string;
  buildDate: string;
  commitId: string;
} {
  return {
    buildNumber: String(version.major * 1_000_000 + version.minor * 1_000 + version.patch),
    buildDate: String(Date.UTC(2015 + version.major, (version.minor * 2) % 12, 1 + (version.patch % 28))),
    commitId: createHash('sha1').update(`bitbucket ${version.text}`).digest('hex'),
  };
}

export interface RestLink {
  href: string;
  name?: string;
}

export interface RestUser {
  name: string;
  emailAddress: string;
  active: boolean;
  displayName: string;
  id: number;
  slug: string;
  type: 'NORMAL' | 'SERVICE';
  links: { self: RestLink[] };
  avatarUrl?: string;
}

export function userUrl(user: User, urls: Urls): string {
  return `${urls.base}/users/${encodeURIComponent(user.slug)}`;
}

export function avatarUrl(user: User, urls: Urls, size: number): string {
  return `${userUrl(user, urls)}/avatar.png?s=${size}&v=${1_500_000_000_000 + user.id}`;
}

/** RestApplicationUser. The avatar URL is only included when the caller asked for a size. */
export function restUser(user: User, urls: Urls, avatarSize?: number): RestUser {
  return {
    name: user.name,
    emailAddress: user.emailAddress,
    active: user.active,
    displayName: user.displayName,
    id: user.id,
    slug: user.slug,
    type: user.type,
    links: { self: [{ href: userUrl(user, urls) }] },
    ...(avatarSize ? { avatarUrl: avatarUrl(user, urls, avatarSize) } : {}),
  };
}

/** Path of a project's page: `/projects/KEY`, or `/users/slug` for a personal project. */
export function projectPath(project: Project): string {
  return project.owner
    ? `/users/${encodeURIComponent(project.owner.slug)}`
    : `/projects/${encodeURIComponent(project.key)}`;
}

/** Path of a repository's pages (`…/repos/slug`), under /users/ for personal repositories. */
export function repoPath(repo: Repo): string {
  return `${projectPath(repo.project)}/repos/${encodeURIComponent(repo.slug)}`;
}

export function restProject(project: Project, urls: Urls): Record<string, unknown> {
  if (project.type === 'PERSONAL' && project.owner) {
    return {
      key: project.key,
      id: project.id,
      name: project.name,
      type: 'PERSONAL',
      owner: restUser(project.owner, urls),
      links: { self: [{ href: `${urls.base}${projectPath(project)}` }] },
    };
  }
  return {
    key: project.key,
    id: project.id,
    name: project.name,
    ...(project.description !== undefined ? { description: project.description } : {}),
    public: project.public,
    type: project.type,
    links: { self: [{ href: `${urls.base}${projectPath(project)}` }] },
  };
}

/**
 * Both clone URLs of a repository, whatever its `links.clone` holds. With `caller`, and when the
 * repository is one whose http URL names the caller, the http URL carries the user name
 * (`http://alice@host/scm/…`).
 */
export function cloneUrls(repo: Repo, urls: Urls, caller?: User): { http: string; ssh: string } {
  const path = `${repo.project.key.toLowerCase()}/${repo.slug}.git`;
  const base =
    caller && repo.cloneUser
      ? urls.base.replace(/^([a-z]+:\/\/)/, `$1${encodeURIComponent(caller.name)}@`)
      : urls.base;
  return {
    http: `${base}/scm/${path}`,
    ssh: `ssh://git@${urls.sshHost}:${urls.sshPort}/${path}`,
  };
}

/**
 * The repository's `links.clone` entries in its own order, without `http` while the server has HTTP(S)
 * access off; undefined when no clone access is left.
 */
export function cloneLinks(repo: Repo, urls: Urls, caller?: User): RestLink[] | undefined {
  const names = repo.cloneLinks.filter((name) => name !== 'http' || urls.scm?.httpAccess !== false);
  if (names.length === 0) return undefined;
  const clone = cloneUrls(repo, urls, caller);
  return names.map((name) => ({ href: clone[name], name }));
}

/**
 * RestRepository; `archived` exists from 8.0 on. `caller` is the signed-in user the answer is for
 * (real servers put their user name into some http clone URLs).
 */
export function restRepository(
  repo: Repo,
  urls: Urls,
  version: ServerVersion,
  caller?: User,
): Record<string, unknown> {
  const clone = cloneLinks(repo, urls, caller);
  return {
    slug: repo.slug,
    id: repo.id,
    name: repo.name,
    ...(repo.description !== undefined ? { description: repo.description } : {}),
    hierarchyId: repo.hierarchyId,
    scmId: 'git',
    state: repo.state,
    statusMessage:
      repo.state === 'AVAILABLE' ? 'Available' : repo.state === 'OFFLINE' ? 'Offline' : 'Initialising',
    forkable: repo.forkable,
    ...(repo.origin ? { origin: restRepository(repo.origin, urls, version, caller) } : {}),
    project: restProject(repo.project, urls),
    public: repo.public,
    ...(version.atLeast('8.0') ? { archived: repo.archived } : {}),
    links: {
      ...(clone ? { clone } : {}),
      self: [{ href: `${urls.base}${repoPath(repo)}/browse` }],
    },
  };
}

export function restBranch(repo: Repo, branch: Branch): Record<string, unknown> {
  return {
    id: `refs/heads/${branch.name}`,
    displayId: branch.name,
    type: 'BRANCH',
    latestCommit: branch.latestCommit,
    latestChangeset: branch.latestCommit,
    isDefault: branch.name === repo.defaultBranch,
  };
}

function restParticipant(p: Participant, urls: Urls): Record<string, unknown> {
  return {
    user: restUser(p.user, urls),
    role: p.role,
    approved: p.status === 'APPROVED',
    status: p.status,
  };
}

function restRef(
  repo: Repo,
  branchName: string,
  urls: Urls,
  version: ServerVersion,
  caller?: User,
): Record<string, unknown> {
  const branch = repo.branches.find((b) => b.name === branchName);
  return {
    id: `refs/heads/${branchName}`,
    displayId: branchName,
    latestCommit: branch?.latestCommit ?? '0000000000000000000000000000000000000000',
    type: 'BRANCH',
    repository: restRepository(repo, urls, version, caller),
  };
}

/** RestPullRequest; `draft` exists from 8.18 on. `caller` as for restRepository. */
export function restPullRequest(
  pr: PullRequest,
  urls: Urls,
  version: ServerVersion,
  caller?: User,
): Record<string, unknown> {
  return {
    id: pr.id,
    version: pr.version,
    title: pr.title,
    ...(pr.description !== undefined ? { description: pr.description } : {}),
    state: pr.state,
    open: pr.state === 'OPEN',
    closed: pr.state !== 'OPEN',
    ...(version.atLeast('8.18') ? { draft: pr.draft } : {}),
    createdDate: pr.createdDate,
    updatedDate: pr.updatedDate,
    ...(pr.closedDate !== undefined ? { closedDate: pr.closedDate } : {}),
    fromRef: restRef(pr.fromRepo, pr.fromBranch, urls, version, caller),
    toRef: restRef(pr.repo, pr.toBranch, urls, version, caller),
    locked: false,
    author: restParticipant({ user: pr.author, role: 'AUTHOR', status: 'UNAPPROVED' }, urls),
    reviewers: pr.reviewers.map((p) => restParticipant(p, urls)),
    participants: pr.participants.map((p) => restParticipant(p, urls)),
    links: { self: [{ href: `${urls.base}${repoPath(pr.repo)}/pull-requests/${pr.id}` }] },
  };
}

export function restSshKey(key: SshKey): Record<string, unknown> {
  return {
    id: key.id,
    text: key.text,
    label: key.label,
    fingerprint: key.fingerprint,
    algorithmType: key.algorithm,
    bitLength: key.bitLength,
    createdDate: new Date(key.createdDate).toISOString(),
    ...(key.expiryDays !== undefined ? { expiryDays: key.expiryDays } : {}),
    // Epoch ms as a string of digits, as the spec's example ("1630041546434").
    ...(key.lastAuthenticated !== undefined ? { lastAuthenticated: String(key.lastAuthenticated) } : {}),
  };
}

/** RestGpgKey; RestGpgSubKey's `expiryDate` is a date-time string in the spec (the key's own is epoch ms). */
export function restGpgKey(key: GpgKey): Record<string, unknown> {
  return {
    id: key.id,
    fingerprint: key.fingerprint,
    emailAddress: key.emailAddress,
    ...(key.expiryDate !== undefined ? { expiryDate: key.expiryDate } : {}),
    subKeys: (key.subKeys ?? []).map((sub) => ({
      fingerprint: sub.fingerprint,
      ...(sub.expiryDate !== undefined ? { expiryDate: new Date(sub.expiryDate).toISOString() } : {}),
    })),
    text: key.text,
  };
}

/**
 * RestSshSettings. `baseUrl` is the SSH base URL clone links start with (`ssh://git@host:port`);
 * no host key fingerprint until the simulator has a real SSH server.
 */
export function restSshSettings(urls: Urls, enabled: boolean): Record<string, unknown> {
  if (!enabled) return { enabled: false, accessKeysEnabled: false };
  return {
    enabled: true,
    port: urls.sshPort,
    baseUrl: `ssh://git@${urls.sshHost}:${urls.sshPort}`,
    accessKeysEnabled: true,
  };
}

/** RestAccessToken (the raw token text only when it was just created). */
export function restAccessToken(token: AccessToken, withSecret: boolean): Record<string, unknown> {
  return {
    id: token.id,
    name: token.name,
    createdDate: new Date(token.createdDate).toISOString(),
    ...(withSecret ? { token: token.token } : {}),
  };
}

export interface Page<T> {
  size: number;
  limit: number;
  isLastPage: boolean;
  start: number;
  nextPageStart?: number;
  values: T[];
}

export const DEFAULT_PAGE_LIMIT = 25;
export const MAX_PAGE_LIMIT = 1000;

/**
 * Reads `start` and `limit` like the server: limit defaults to 25 and is capped at `maxPage` (1000
 * unless configured); the page's `limit` then reports the cap.
 */
export function pageRequest(
  query: URLSearchParams,
  maxPage: number = MAX_PAGE_LIMIT,
): { start: number; limit: number } {
  const start = Number.parseInt(query.get('start') ?? '', 10);
  const limit = Number.parseInt(query.get('limit') ?? '', 10);
  return {
    start: Number.isFinite(start) && start > 0 ? start : 0,
    limit:
      Number.isFinite(limit) && limit > 0 ? Math.min(limit, maxPage) : Math.min(DEFAULT_PAGE_LIMIT, maxPage),
  };
}

/** One page of `items`; `nextPageStart` only when there is a next page. */
export function page<T, R>(
  items: readonly T[],
  request: { start: number; limit: number },
  render: (item: T) => R,
): Page<R> {
  const values = items.slice(request.start, request.start + request.limit).map(render);
  const isLastPage = request.start + values.length >= items.length;
  return {
    size: values.length,
    limit: request.limit,
    isLastPage,
    start: request.start,
    ...(isLastPage ? {} : { nextPageStart: request.start + values.length }),
    values,
  };
}

/**
 * One page of the items the caller may see. By default the hidden items are dropped first and the
 * rest is paged ({@link page}). With `skipAhead` the page is cut on the whole list and the hidden
 * items are dropped afterwards, as real servers do when a permission check runs after the database
 * query: the page holds at most `limit` items (maybe none), `start` and `nextPageStart` count the
 * hidden items too, so `nextPageStart` can be greater than `start + size`.
 */
export function visiblePage<T, R>(
  items: readonly T[],
  visible: (item: T) => boolean,
  request: { start: number; limit: number },
  render: (item: T) => R,
  skipAhead: boolean,
): Page<R> {
  if (!skipAhead) return page(items.filter(visible), request, render);
  const end = Math.min(items.length, request.start + request.limit);
  const values: R[] = [];
  for (let i = request.start; i < end; i++) {
    const item = items[i] as T;
    if (visible(item)) values.push(render(item));
  }
  const isLastPage = end >= items.length;
  return {
    size: values.length,
    limit: request.limit,
    isLastPage,
    start: request.start,
    ...(isLastPage ? {} : { nextPageStart: end }),
    values,
  };
}

export interface RestErrorBody {
  errors: Array<{ context: string | null; message: string; exceptionName: string | null }>;
}

export function restErrors(
  message: string,
  exceptionName: string | null,
  context: string | null = null,
): RestErrorBody {
  return { errors: [{ context, message, exceptionName }] };
}

/** Exception names the real server reports. */
export const EXCEPTIONS = {
  badCredentials: 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException',
  notPermitted: 'com.atlassian.bitbucket.AuthorisationException',
  noSuchUser: 'com.atlassian.bitbucket.user.NoSuchUserException',
  noSuchProject: 'com.atlassian.bitbucket.project.NoSuchProjectException',
  noSuchRepository: 'com.atlassian.bitbucket.repository.NoSuchRepositoryException',
  noSuchPullRequest: 'com.atlassian.bitbucket.pull.NoSuchPullRequestException',
  noSuchBranch: 'com.atlassian.bitbucket.repository.NoSuchBranchException',
  badRequest: 'com.atlassian.bitbucket.validation.ArgumentValidationException',
  xsrf: 'com.atlassian.bitbucket.XsrfCheckFailedException',
  duplicateSshKey: 'com.atlassian.bitbucket.ssh.DuplicateSshKeyException',
  noSuchSshKey: 'com.atlassian.bitbucket.ssh.NoSuchSshKeyException',
  duplicateGpgKey: 'com.atlassian.bitbucket.gpg.DuplicateGpgKeyException',
  server: 'com.atlassian.bitbucket.ServiceException',
  /** guess: the name of the archived-repository refusal is not recorded */
  archivedRepository: 'com.atlassian.bitbucket.repository.ArchivedRepositoryException',
} as const;

export const MESSAGES = {
  badCredentials: 'Authentication failed. Please check your credentials and try again.',
  notPermitted: 'You are not permitted to access this resource',
  /** The spec's own description of addSshKey's 409. */
  duplicateSshKey: 'The SSH key already exists on the system.',
  duplicateGpgKey: 'The GPG key already exists on the system.',
  /** After the spec's description of addSshKey's 400. */
  invalidSshKey: 'The SSH key is not a valid RSA, DSA, ECDSA or Ed25519 key of a supported length.',
  invalidGpgKey: 'The text is not a valid ASCII-armoured GPG public key.',
} as const;
