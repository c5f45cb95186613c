/**
 * Pull requests of a repository (`…/pull-requests`): list with the server's filters, get, find the
 * open one from a branch, create, update, and the repository's merge settings.
 *
 * Creating answers with a typed result for each refusal the user can act on — the pull request
 * already exists (with it, from the 409's `existingPullRequest` or looked up when absent), reviewers
 * who can't review (named, with the valid ones to keep), nothing to merge (the target has every
 * commit, or the same branch twice), an archived target — each with a sentence. Everything else
 * fails with a BitbucketError.
 */
import * as v from 'valibot';
import type { BitbucketClient, Query } from './client';
import { BitbucketError, isBitbucketError } from './errors';
import { PERMISSION_LABELS } from './permissions';
import { getRepo, type Repository, RepositorySchema, repoPath } from './repos';
import { UserSchema } from './users';

const ParticipantSchema = v.object({
  user: UserSchema,
  role: v.picklist(['AUTHOR', 'REVIEWER', 'PARTICIPANT']),
  approved: v.optional(v.boolean()),
  /** NEEDS_WORK is shown as "Requested changes" from 8.10 on. */
  status: v.optional(v.picklist(['UNAPPROVED', 'NEEDS_WORK', 'APPROVED'])),
});
export type Participant = v.InferOutput<typeof ParticipantSchema>;

const RefSchema = v.object({
  /** `refs/heads/feature/x`. */
  id: v.string(),
  displayId: v.string(),
  latestCommit: v.optional(v.string()),
  repository: RepositorySchema,
});
export type PullRequestRef = v.InferOutput<typeof RefSchema>;

export const PULL_REQUEST_STATES = ['OPEN', 'MERGED', 'DECLINED'] as const;
export type PullRequestState = (typeof PULL_REQUEST_STATES)[number];

export const PullRequestSchema = v.object({
  id: v.number(),
  /** Every change must send the current version back. */
  version: v.number(),
  title: v.string(),
  description: v.optional(v.string()),
  state: v.picklist(PULL_REQUEST_STATES),
  /** Only servers from 8.18 on send it. */
  draft: v.optional(v.boolean()),
  createdDate: v.optional(v.number()),
  updatedDate: v.optional(v.number()),
  fromRef: RefSchema,
  toRef: RefSchema,
  author: ParticipantSchema,
  reviewers: v.array(ParticipantSchema),
  participants: v.optional(v.array(ParticipantSchema)),
  links: v.object({ self: v.pipe(v.array(v.object({ href: v.string() })), v.minLength(1)) }),
});
export type PullRequest = v.InferOutput<typeof PullRequestSchema>;

/** Where the pull request is shown in Bitbucket. */
export function pullRequestUrl(pr: PullRequest): string {
  return pr.links.self[0]?.href ?? '';
}

/** A repository by project key and slug (`~ALICE` for a personal one). */
export interface RepoRef {
  projectKey: string;
  slug: string;
}

/** `feature/x` → `refs/heads/feature/x`; a fully qualified ref stays as it is. */
export function branchRef(branch: string): string {
  return branch.startsWith('refs/') ? branch : `refs/heads/${branch}`;
}

const shortRef = (ref: string) => ref.replace(/^refs\/heads\//, '');
const repoName = (repo: RepoRef) => `${repo.projectKey}/${repo.slug}`;
const sameRepo = (a: RepoRef, b: RepoRef) =>
  a.projectKey.toUpperCase() === b.projectKey.toUpperCase() && a.slug.toLowerCase() === b.slug.toLowerCase();

/**
 * The repositories a pull request from `repo` can go into: its fork hierarchy (`…/related`: origin,
 * forks, forks of forks) as far as the token can read it — the repository itself first, then its
 * origin, then the others in the server's order.
 */
export async function pullRequestTargets(
  client: BitbucketClient,
  repo: RepoRef,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<Repository[]> {
  const self = await getRepo(client, repo.projectKey, repo.slug, options);
  const related = await client.getAllPages(`${repoPath(repo.projectKey, repo.slug)}/related`, {
    operation: 'repos.related',
    itemSchema: RepositorySchema,
    limit: 100,
    maxPages: 10,
    signal: options.signal,
  });
  const origin = self.origin;
  const isOrigin = (r: Repository) =>
    origin !== undefined && r.slug === origin.slug && r.project.key === origin.project.key;
  return [self, ...related.filter(isOrigin), ...related.filter((r) => !isOrigin(r))];
}

/** One participant filter: pull requests where this user takes part (in that role, with that approval). */
export interface ParticipantFilter {
  username: string;
  role?: Participant['role'] | undefined;
  approved?: boolean | undefined;
}

/** The server takes at most 10 participant filters and drops the rest. */
export const MAX_PARTICIPANT_FILTERS = 10;

export interface ListPullRequestsOptions {
  /** Default OPEN (the server's default); ALL for any state. */
  state?: PullRequestState | 'ALL' | undefined;
  /** INCOMING (default): into this repository; OUTGOING: from it, into any repository of its hierarchy. */
  direction?: 'INCOMING' | 'OUTGOING' | undefined;
  /** A branch (`feature/x` or `refs/heads/feature/x`): the target for INCOMING, the source for OUTGOING. */
  at?: string | undefined;
  order?: 'NEWEST' | 'OLDEST' | undefined;
  /** Drafts only, or none (8.18 and later; older servers ignore it). */
  draft?: boolean | undefined;
  /** Only those whose title or description contains this text. */
  filterText?: string | undefined;
  participants?: readonly ParticipantFilter[] | undefined;
  /** Page size, default 100. */
  limit?: number | undefined;
  /** Default 10 pages. */
  maxPages?: number | undefined;
  signal?: AbortSignal | undefined;
}

function listQuery(options: ListPullRequestsOptions): Query {
  const participants = options.participants ?? [];
  if (participants.length > MAX_PARTICIPANT_FILTERS) {
    throw new RangeError(`At most ${MAX_PARTICIPANT_FILTERS} participant filters are possible.`);
  }
  const query: Query = {
    state: options.state,
    direction: options.direction,
    at: options.at === undefined ? undefined : branchRef(options.at),
    order: options.order,
    draft: options.draft,
    filterText: options.filterText?.trim() || undefined,
  };
  participants.forEach((p, i) => {
    query[`username.${i + 1}`] = p.username;
    query[`role.${i + 1}`] = p.role;
    query[`approved.${i + 1}`] = p.approved;
  });
  return query;
}

/** The pull requests of a repository matching every filter given (all pages up to `maxPages`). */
export function listPullRequests(
  client: BitbucketClient,
  repo: RepoRef,
  options: ListPullRequestsOptions = {},
): Promise<PullRequest[]> {
  return client.getAllPages(`${repoPath(repo.projectKey, repo.slug)}/pull-requests`, {
    operation: 'pull-requests.list',
    query: listQuery(options),
    itemSchema: PullRequestSchema,
    limit: options.limit ?? 100,
    maxPages: options.maxPages ?? 10,
    signal: options.signal,
  });
}

export async function getPullRequest(
  client: BitbucketClient,
  repo: RepoRef,
  id: number,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<PullRequest> {
  const { data } = await client.get(`${repoPath(repo.projectKey, repo.slug)}/pull-requests/${id}`, {
    operation: 'pull-requests.get',
    schema: PullRequestSchema,
    signal: options.signal,
  });
  return data;
}

/**
 * The open pull request from a branch (`direction=OUTGOING&at=<branch>` on the source repository),
 * into `target` and its branch when given; null when there is none.
 */
export async function findOpenPullRequest(
  client: BitbucketClient,
  from: { repo: RepoRef; branch: string },
  to: { repo?: RepoRef | undefined; branch?: string | undefined } = {},
  options: { signal?: AbortSignal | undefined } = {},
): Promise<PullRequest | null> {
  const prs = await listPullRequests(client, from.repo, {
    state: 'OPEN',
    direction: 'OUTGOING',
    at: from.branch,
    limit: 25,
    maxPages: 4,
    signal: options.signal,
  });
  const target = to.repo;
  const toRef = to.branch === undefined ? undefined : branchRef(to.branch);
  return (
    prs.find(
      (pr) =>
        (!target ||
          sameRepo(
            { projectKey: pr.toRef.repository.project.key, slug: pr.toRef.repository.slug },
            target,
          )) &&
        (toRef === undefined || pr.toRef.id === toRef),
    ) ?? null
  );
}

export interface NewPullRequest {
  /** The repository the pull request goes into (where it is created). */
  target: RepoRef;
  /** The repository it comes from; default the target. Must be of the target's fork hierarchy. */
  source?: RepoRef | undefined;
  /** Branch names or fully qualified refs. */
  fromBranch: string;
  toBranch: string;
  title: string;
  description?: string | undefined;
  /** User names (`name`, not the display name). */
  reviewers?: readonly string[] | undefined;
  /** Servers from 8.18 on; older ones ignore it and create an ordinary pull request. */
  draft?: boolean | undefined;
}

export type CreatePullRequestResult =
  | { status: 'created'; pullRequest: PullRequest }
  /** One is open between these branches already; `existing` is null when it could not be read. */
  | { status: 'duplicate'; existing: PullRequest | null; message: string }
  /** `invalid`: each refused reviewer with the server's reason; `valid`: the names it would accept. */
  | {
      status: 'invalid-reviewers';
      invalid: Array<{ name: string; reason: string }>;
      valid: string[];
      message: string;
    }
  /** The target already has every commit of the source, or source and target are the same branch. */
  | { status: 'nothing-to-merge'; message: string }
  | { status: 'archived'; message: string }
  /** Refused before asking the server (no title). */
  | { status: 'invalid'; message: string };

/** Bitbucket's limit on a pull request title. */
export const MAX_TITLE_LENGTH = 255;

const ConflictSchema = v.object({
  errors: v.array(
    v.object({
      message: v.nullish(v.string()),
      exceptionName: v.nullish(v.string()),
      existingPullRequest: v.optional(v.unknown()),
      reviewerErrors: v.optional(
        v.array(v.object({ context: v.nullish(v.string()), message: v.nullish(v.string()) })),
      ),
      /** User objects; some clients' recordings hold plain names. */
      validReviewers: v.optional(v.array(v.union([v.string(), v.object({ name: v.string() })]))),
    }),
  ),
});
type ConflictError = v.InferOutput<typeof ConflictSchema>['errors'][number];

function conflictErrors(error: BitbucketError): ConflictError[] {
  try {
    const parsed = v.safeParse(ConflictSchema, JSON.parse(error.serverBody ?? ''));
    return parsed.success ? parsed.output.errors : [];
  } catch {
    return [];
  }
}

const named = (e: ConflictError, exception: string) => e.exceptionName?.endsWith(`.${exception}`) === true;

function createBody(input: NewPullRequest, source: RepoRef): Record<string, unknown> {
  const repository = (repo: RepoRef) => ({ slug: repo.slug, project: { key: repo.projectKey } });
  const description = input.description?.trim();
  const reviewers = [...new Set(input.reviewers ?? [])];
  return {
    title: input.title.trim(),
    ...(description ? { description } : {}),
    fromRef: { id: branchRef(input.fromBranch), repository: repository(source) },
    toRef: { id: branchRef(input.toBranch), repository: repository(input.target) },
    reviewers: reviewers.map((name) => ({ user: { name } })),
    ...(input.draft ? { draft: true } : {}),
  };
}

/**
 * Creates a pull request. The server wants Repository read on both repositories for the account;
 * a token needs Repository write. A refusal for lack of either says so, naming both repositories.
 */
export async function createPullRequest(
  client: BitbucketClient,
  input: NewPullRequest,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<CreatePullRequestResult> {
  const source = input.source ?? input.target;
  const from = shortRef(branchRef(input.fromBranch));
  const to = shortRef(branchRef(input.toBranch));
  const title = input.title.trim();
  if (!title) return { status: 'invalid', message: 'A pull request needs a title.' };
  if (Array.from(title).length > MAX_TITLE_LENGTH) {
    return {
      status: 'invalid',
      message: `A pull request title can have at most ${MAX_TITLE_LENGTH} characters.`,
    };
  }
  if (sameRepo(source, input.target) && from === to) {
    return { status: 'nothing-to-merge', message: sameBranchMessage(from) };
  }
  try {
    const { data } = await client.post(
      `${repoPath(input.target.projectKey, input.target.slug)}/pull-requests`,
      {
        operation: 'pull-requests.create',
        body: createBody(input, source),
        schema: PullRequestSchema,
        signal: options.signal,
      },
    );
    return { status: 'created', pullRequest: data };
  } catch (error) {
    if (isBitbucketError(error, 'conflict')) {
      return conflictResult(client, error, { input, source, from, to }, options.signal);
    }
    if (isBitbucketError(error, 'missing-permission') && error.status === 401) {
      throw new BitbucketError('missing-permission', createRefused(source, input.target), {
        status: error.status,
        operation: 'pull-requests.create',
        requiredPermission: error.requiredPermission,
        serverMessages: error.serverMessages,
      });
    }
    throw error;
  }
}

function sameBranchMessage(branch: string): string {
  return `Nothing to merge: the source and the target are the same branch (${branch}). Pick another source or target branch.`;
}

function createRefused(source: RepoRef, target: RepoRef): string {
  const both = sameRepo(source, target)
    ? `Repository read on ${repoName(target)}`
    : `Repository read on both ${repoName(source)} and ${repoName(target)}`;
  return `The server refused to create the pull request: it needs ${both} for your account, and a token with ${PERMISSION_LABELS.REPO_WRITE}. Check your access to both repositories, or create a token with ${PERMISSION_LABELS.REPO_WRITE} and replace it in this profile.`;
}

async function conflictResult(
  client: BitbucketClient,
  error: BitbucketError,
  { input, source, from, to }: { input: NewPullRequest; source: RepoRef; from: string; to: string },
  signal: AbortSignal | undefined,
): Promise<CreatePullRequestResult> {
  const errors = conflictErrors(error);
  const said = (e: ConflictError | undefined) => e?.message?.trim() ?? error.serverMessages.join(' ');

  const reviewers = errors.find((e) => named(e, 'InvalidPullRequestReviewersException') || e.reviewerErrors);
  if (reviewers) {
    const invalid = (reviewers.reviewerErrors ?? []).map((r) => ({
      name: r.context ?? '',
      reason: r.message?.trim() || `${r.context ?? 'A reviewer'} can't review this pull request.`,
    }));
    const valid = (reviewers.validReviewers ?? []).map((r) => (typeof r === 'string' ? r : r.name));
    const reasons = invalid.map((r) => (/[.!?]$/.test(r.reason) ? r.reason : `${r.reason}.`)).join(' ');
    const kept = valid.length ? ` The others (${valid.join(', ')}) can review it.` : '';
    return {
      status: 'invalid-reviewers',
      invalid,
      valid,
      message: `This pull request can't have ${invalid.length === 1 ? 'this reviewer' : 'these reviewers'}: ${reasons || said(reviewers)}${kept}`,
    };
  }

  const duplicate = errors.find((e) => named(e, 'DuplicatePullRequestException') || e.existingPullRequest);
  if (duplicate) {
    const parsed = v.safeParse(PullRequestSchema, duplicate.existingPullRequest);
    const existing = parsed.success
      ? parsed.output
      : await findOpenPullRequest(
          client,
          { repo: source, branch: from },
          { repo: input.target, branch: to },
          { signal },
        ).catch(() => null);
    return {
      status: 'duplicate',
      existing,
      message: existing
        ? `A pull request from ${from} to ${to} is already open: #${existing.id} “${existing.title}”.`
        : `A pull request from ${from} to ${to} is already open.`,
    };
  }

  if (errors.some((e) => named(e, 'EmptyPullRequestException'))) {
    return {
      status: 'nothing-to-merge',
      message: `Nothing to merge: ${to} already has every commit of ${from}. Push new commits to ${from}, or pick another target branch.`,
    };
  }
  if (errors.some((e) => /same/i.test(e.message ?? '') && /branch/i.test(e.message ?? ''))) {
    return { status: 'nothing-to-merge', message: sameBranchMessage(from) };
  }
  if (errors.some((e) => named(e, 'RepositoryArchivedException') || /archived/i.test(e.message ?? ''))) {
    return {
      status: 'archived',
      message: `${repoName(input.target)} is archived, so no pull request can be opened in it. Ask its administrators to unarchive it, or pick another target.`,
    };
  }
  throw error;
}

export interface PullRequestChanges {
  title?: string | undefined;
  /** An empty text removes the description. */
  description?: string | undefined;
  /** The whole new reviewer list (user names); statuses of those who stay are kept. */
  reviewers?: readonly string[] | undefined;
  draft?: boolean | undefined;
}

export type UpdatePullRequestResult =
  | { status: 'updated'; pullRequest: PullRequest }
  /** Someone changed it meanwhile: reload it and apply the change again. */
  | { status: 'out-of-date'; message: string };

/** Changes a pull request; `version` is the one last read. */
export async function updatePullRequest(
  client: BitbucketClient,
  repo: RepoRef,
  pr: { id: number; version: number },
  changes: PullRequestChanges,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<UpdatePullRequestResult> {
  const body: Record<string, unknown> = { version: pr.version };
  if (changes.title !== undefined) body.title = changes.title.trim();
  if (changes.description !== undefined) body.description = changes.description;
  if (changes.reviewers !== undefined) {
    body.reviewers = [...new Set(changes.reviewers)].map((name) => ({ user: { name } }));
  }
  if (changes.draft !== undefined) body.draft = changes.draft;
  try {
    const { data } = await client.put(`${repoPath(repo.projectKey, repo.slug)}/pull-requests/${pr.id}`, {
      operation: 'pull-requests.update',
      body,
      schema: PullRequestSchema,
      signal: options.signal,
    });
    return { status: 'updated', pullRequest: data };
  } catch (error) {
    if (
      isBitbucketError(error, 'conflict') &&
      conflictErrors(error).some((e) => named(e, 'PullRequestOutOfDateException'))
    ) {
      return {
        status: 'out-of-date',
        message: `Pull request #${pr.id} was changed by someone else meanwhile. Reload it and try again.`,
      };
    }
    throw error;
  }
}

const MergeStrategySchema = v.object({
  id: v.string(),
  name: v.optional(v.string()),
  enabled: v.optional(v.boolean()),
});

export const PullRequestSettingsSchema = v.object({
  mergeConfig: v.object({
    defaultStrategy: MergeStrategySchema,
    strategies: v.array(MergeStrategySchema),
  }),
});
export type PullRequestSettings = v.InferOutput<typeof PullRequestSettingsSchema>;

/** The repository's merge strategies: the default one and those that may be picked. */
export async function getPullRequestSettings(
  client: BitbucketClient,
  repo: RepoRef,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<PullRequestSettings> {
  const { data } = await client.get(`${repoPath(repo.projectKey, repo.slug)}/settings/pull-requests`, {
    operation: 'pull-requests.settings',
    schema: PullRequestSettingsSchema,
    signal: options.signal,
  });
  return data;
}
