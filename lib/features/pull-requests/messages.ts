/**
 * The pull-request feature's part of the message protocol (assembled in lib/messaging): what the
 * "New pull request" form asks the background (which holds the token). Only extension pages (the
 * popup and the form's own window) send these.
 */
import * as v from 'valibot';
import { MAX_TITLE_LENGTH } from '../../bitbucket/pull-requests';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
const Key = v.pipe(v.string(), v.minLength(1), v.maxLength(300));
const RepoId = v.pipe(v.number(), v.integer(), v.minValue(0));
/** Git allows long ref names; Bitbucket's branch names stay well below this. */
const Branch = v.pipe(v.string(), v.minLength(1), v.maxLength(1_000));
const Search = v.pipe(v.string(), v.maxLength(200));

/** Bitbucket keeps a description of up to 32,768 characters (an assumption; the spec states no limit). */
export const MAX_DESCRIPTION_LENGTH = 32_768;
/** The server takes many reviewers; a form that sends more than this is not one a person filled in. */
export const MAX_REVIEWERS = 100;

export const PR_TITLE_MISSING = 'Give the pull request a title.';
export const PR_TITLE_TOO_LONG = `A pull request title can have at most ${MAX_TITLE_LENGTH} characters.`;
export const PR_DESCRIPTION_TOO_LONG = `A pull request description can have at most ${MAX_DESCRIPTION_LENGTH.toLocaleString('en-US')} characters.`;
export const PR_TOO_MANY_REVIEWERS = `A pull request here can have at most ${MAX_REVIEWERS} reviewers.`;

const RepoRefSchema = v.object({ projectKey: Key, slug: Key });
const RepoWithIdSchema = v.object({ projectKey: Key, slug: Key, id: RepoId });

export const PR_REQUESTS = [
  /** Branches of a repository whose name contains `filterText` (all when empty), for the pickers. */
  v.object({
    type: v.literal('pr.branches'),
    profileId: Id,
    repo: RepoRefSchema,
    filterText: Search,
  }),
  /** The repositories a pull request from `repo` can go into, each with its default branch. */
  v.object({ type: v.literal('pr.targets'), profileId: Id, repo: RepoRefSchema }),
  /** The server's default reviewers from one branch to another, and what the source would merge. */
  v.object({
    type: v.literal('pr.defaults'),
    profileId: Id,
    source: RepoWithIdSchema,
    target: RepoWithIdSchema,
    fromBranch: Branch,
    toBranch: Branch,
  }),
  /** The target repository's reviewer groups (its own, then its project's). */
  v.object({ type: v.literal('pr.groups'), profileId: Id, repo: RepoRefSchema }),
  /** People who can read the repository whose name, display name or e-mail contains `filter`. */
  v.object({
    type: v.literal('pr.users'),
    profileId: Id,
    repo: RepoRefSchema,
    filter: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200)),
  }),
  v.object({
    type: v.literal('pr.create'),
    profileId: Id,
    source: RepoRefSchema,
    target: RepoRefSchema,
    fromBranch: Branch,
    toBranch: Branch,
    title: v.pipe(
      v.string(),
      v.trim(),
      v.minLength(1, PR_TITLE_MISSING),
      v.check((t) => Array.from(t).length <= MAX_TITLE_LENGTH, PR_TITLE_TOO_LONG),
    ),
    description: v.pipe(v.string(), v.maxLength(MAX_DESCRIPTION_LENGTH, PR_DESCRIPTION_TOO_LONG)),
    reviewers: v.pipe(
      v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(255))),
      v.maxLength(MAX_REVIEWERS, PR_TOO_MANY_REVIEWERS),
    ),
    draft: v.optional(v.boolean()),
  }),
] as const;

/** The sentences of these schemas, shown to the extension's pages when input is refused. */
export const PR_INPUT_SENTENCES = [
  PR_TITLE_MISSING,
  PR_TITLE_TOO_LONG,
  PR_DESCRIPTION_TOO_LONG,
  PR_TOO_MANY_REVIEWERS,
] as const;

/** A person as the form shows them: enough to name, search and send. */
export interface PersonSummary {
  /** The login name: what a pull request's reviewer list carries. */
  name: string;
  displayName: string;
  emailAddress?: string;
}

export interface BranchSummary {
  /** `feature/x`. */
  name: string;
  isDefault: boolean;
}

export interface RepoSummary {
  id: number;
  projectKey: string;
  slug: string;
  name: string;
  archived: boolean;
  /** The repository's default branch; null when it has none (nothing pushed yet). */
  defaultBranch: string | null;
  /** Set on forks: the repository it was forked from, `KEY/slug`. */
  origin?: string;
}

export interface TargetsAnswer {
  /** The repository the pull request comes from. */
  source: RepoSummary;
  /** Where it can go: the source itself first, then its origin, then the rest of the hierarchy. */
  targets: RepoSummary[];
  /** The target a new pull request goes to unless the user picks another: a fork's origin, else itself. */
  suggested: { projectKey: string; slug: string };
}

export interface DefaultsAnswer {
  reviewers: PersonSummary[];
  /**
   * What the source has that the target lacks: none (nothing to merge), one commit (its subject is
   * offered as the title), several, or unknown (the comparison failed; creating will tell).
   */
  commits: { count: 0 } | { count: 1; subject: string } | { count: 'several' | 'unknown' };
}

export interface ReviewerGroupSummary {
  id: number;
  name: string;
  scope: 'GLOBAL' | 'PROJECT' | 'REPOSITORY';
  description?: string;
  /** Active members only: those who can be added. */
  members: PersonSummary[];
}

export interface CreatedPullRequest {
  id: number;
  title: string;
  /** Where it is shown in Bitbucket. */
  url: string;
  reviewers: string[];
  draft: boolean;
}

export type CreateAnswer =
  | { status: 'created'; pullRequest: CreatedPullRequest }
  /** `existing` is null when the open one could not be read. */
  | { status: 'duplicate'; message: string; existing: { id: number; title: string; url: string } | null }
  | {
      status: 'invalid-reviewers';
      message: string;
      invalid: Array<{ name: string; reason: string }>;
      valid: string[];
    }
  | { status: 'nothing-to-merge' | 'archived' | 'invalid'; message: string };

export interface PrResponses {
  'pr.branches': { branches: BranchSummary[] };
  'pr.targets': TargetsAnswer;
  'pr.defaults': DefaultsAnswer;
  'pr.groups': { groups: ReviewerGroupSummary[] };
  'pr.users': { users: PersonSummary[] };
  'pr.create': CreateAnswer;
}
