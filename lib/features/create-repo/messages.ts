/**
 * The "Create repositories" feature's part of the message protocol (assembled in lib/messaging).
 * Extension pages only: no content script may create a repository. The popup composes the files
 * (the templates and license texts live in its lazy chunk, not in the background); the background
 * creates the repository, commits them, and sets what creation can't.
 */
import * as v from 'valibot';
import type { SeedFile } from './push-channel';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(100));

export const NAME_MISSING = 'Give the repository a name.';
export const NAME_TOO_LONG = 'Keep the repository’s name to 128 characters or fewer.';
export const DESCRIPTION_TOO_LONG = 'Keep the description under 4,000 characters.';
export const BRANCH_INVALID =
  'That is not a branch name git accepts: no spaces, “..”, “~”, “^”, “:”, “?”, “*”, “[” or “\\”, and no “/” or “.” at either end.';
export const FILES_TOO_LARGE =
  'The chosen files are too large for a first commit made here (over 2 MB together).';

/** The rules of `git check-ref-format` for a branch name, in one test. */
export function isValidBranchName(name: string): boolean {
  if (!name || name.length > 200 || name === '@') return false;
  if ([...name].some((c) => c <= ' ' || c === '\u007f')) return false;
  if (/[~^:?*[\\]/.test(name)) return false;
  if (name.includes('..') || name.includes('@{') || name.includes('//')) return false;
  if (/^[/.]|[/.]$|\.lock$|\/\.|\.lock\//.test(name)) return false;
  return true;
}

const MAX_FILES_BYTES = 2 * 1024 * 1024;

const Files = v.pipe(
  v.array(
    v.object({
      path: v.pipe(
        v.string(),
        v.minLength(1),
        v.maxLength(200),
        v.check((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.includes('\u0000')),
      ),
      content: v.pipe(v.string(), v.maxLength(MAX_FILES_BYTES, FILES_TOO_LARGE)),
    }),
  ),
  v.maxLength(20),
  v.check((files) => files.reduce((n, f) => n + f.content.length, 0) <= MAX_FILES_BYTES, FILES_TOO_LARGE),
);

const Settings = {
  /** The first commit's branch, made the default. */
  defaultBranch: v.pipe(v.string(), v.trim(), v.check(isValidBranchName, BRANCH_INVALID)),
  /** Set after creation with forkable and public (creation only takes the name). */
  description: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(4000, DESCRIPTION_TOO_LONG))),
  forkable: v.boolean(),
  public: v.boolean(),
  /** In the first commit, in this order. */
  files: Files,
};

export const CREATE_REPO_REQUESTS = [
  /** Where the profile's user may create repositories, and who the first commit's author will be. */
  v.object({ type: v.literal('create-repo.projects'), profileId: Id }),
  v.object({
    type: v.literal('create-repo.create'),
    profileId: Id,
    projectKey: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
    name: v.pipe(v.string(), v.trim(), v.minLength(1, NAME_MISSING), v.maxLength(128, NAME_TOO_LONG)),
    ...Settings,
  }),
  /**
   * "Add the files again": seed a repository this extension created, whose first commit failed.
   * The server's state is read first, so nothing is committed twice and no repository is created.
   */
  v.object({
    type: v.literal('create-repo.seed'),
    profileId: Id,
    projectKey: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
    slug: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
    ...Settings,
  }),
] as const;

export const CREATE_REPO_INPUT_SENTENCES = [
  NAME_MISSING,
  NAME_TOO_LONG,
  DESCRIPTION_TOO_LONG,
  BRANCH_INVALID,
  FILES_TOO_LARGE,
] as const;

export type SeedFiles = SeedFile[];

export interface CreatableProject {
  key: string;
  name: string;
  personal: boolean;
}

export interface CreateRepoProjects {
  projects: CreatableProject[];
  /** Why the list holds only the personal project, when the server's list could not be read. */
  problem?: string;
  /** The first commit's author, from the profile's account. */
  author: { name: string; email: string };
}

export interface CreatedRepository {
  profileId: string;
  repoId: number;
  projectKey: string;
  projectName: string;
  slug: string;
  name: string;
  webUrl?: string;
  cloneHttp?: string;
  cloneSsh?: string;
}

/** One setting creation can't make, and whether the server took it. */
export interface SettingOutcome {
  setting: 'default-branch' | 'description' | 'forkable' | 'public';
  ok: boolean;
  /** "Default branch: main", or the refusal's sentence (naming the permission). */
  message: string;
}

export interface Seeding {
  /** `push`: one commit over smart HTTP; `file-edit`: one commit per file through the REST API. */
  method: 'push' | 'file-edit' | 'none';
  /** Commits made now (0 when an earlier attempt had already made them). */
  commits: number;
  /** What the user should know: the file-edit API made one commit per file, an earlier answer was lost… */
  notes: string[];
}

export type CreateRepoAnswer =
  | { state: 'done'; repo: CreatedRepository; seeding: Seeding; settings: SettingOutcome[] }
  /** The repository exists, its files are not (all) in it: "Add the files again" sends create-repo.seed. */
  | { state: 'seed-failed'; repo: CreatedRepository; message: string; notes: string[] };

/**
 * How far a creation has come, written to `storage.session` under `CREATE_REPO_PROGRESS_KEY` by the
 * background while it works, for the popup to show (it holds no secret).
 */
export const CREATE_REPO_PROGRESS_KEY = 'create-repo.progress';
export interface CreateRepoProgress {
  profileId: string;
  projectKey: string;
  step: 'creating' | 'pushing' | 'committing' | 'settings';
  /** While committing file by file: which file of how many. */
  file?: { index: number; count: number; path: string };
}

export interface CreateRepoResponses {
  'create-repo.projects': CreateRepoProjects;
  'create-repo.create': CreateRepoAnswer;
  'create-repo.seed': CreateRepoAnswer;
}
