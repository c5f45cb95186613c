/**
 * The background side of "Create repositories": where the user may create one, creating it, its
 * first commit, and the settings creation can't make. Every step that can fail after the repository
 * exists is answered as "created, but…" with the repository, never by creating a second one; a lost
 * answer is followed by reading the server's state again, so nothing is made twice.
 *
 * The first commit is pushed with isomorphic-git outside the service worker (push-runner.ts); when
 * the server has HTTP(S) access off (no `http` clone link), the file-edit API commits each file.
 */

import { browser } from 'wxt/browser';
import { clientForProfile, type ProfileClientDeps } from '../../background/profile-client';
import { type HandlerContext, UserFacingError } from '../../background/router';
import type { BitbucketClient } from '../../bitbucket/client';
import { BitbucketError, isBitbucketError } from '../../bitbucket/errors';
import { PERMISSION_LABELS } from '../../bitbucket/permissions';
import {
  type CreatedRepositoryData,
  commitFile,
  createRepository,
  fileExists,
  findRepositoryByName,
  getRepository,
  listBranchNames,
  listProjectsForCreation,
  personalProjectKey,
  setDefaultBranch,
  updateRepository,
} from '../../bitbucket/repo-create';
import { cloneLinks } from '../../bitbucket/repos';
import { getUser } from '../../bitbucket/users';
import type { CompanionDb, ProfileRecord } from '../../db/schema';
import { openSecret } from '../../db/secrets';
import type { RequestOf } from '../../messaging/protocol';
import { markRepoUsed, toRepoRecord } from '../clone/repo-index';
import {
  CREATE_REPO_PROGRESS_KEY,
  type CreatableProject,
  type CreatedRepository,
  type CreateRepoAnswer,
  type CreateRepoProgress,
  type CreateRepoResponses,
  type SeedFiles,
  type SettingOutcome,
} from './messages';
import type { PushOperation, PushReply } from './push-channel';
import { runPush } from './push-runner';

type CreateRepoHandlers = {
  [T in keyof CreateRepoResponses]: (
    request: RequestOf<T>,
    ctx: HandlerContext,
  ) => Promise<CreateRepoResponses[T]>;
};

export interface CreateRepoDeps extends ProfileClientDeps {
  /** Where the push runs (default: the offscreen document in Chrome, here in Firefox and tests). */
  push?: (operation: PushOperation) => Promise<PushReply>;
  now?: () => number;
  /** Told each step as it starts (default: written to storage.session for the popup). */
  progress?: (progress: CreateRepoProgress) => void;
}

/** For the popup's progress line; a failure to write it never stops the work. */
function writeProgress(progress: CreateRepoProgress): void {
  void browser.storage.session.set({ [CREATE_REPO_PROGRESS_KEY]: progress }).catch(() => {});
}

interface SeedInput {
  defaultBranch: string;
  description?: string | undefined;
  forkable: boolean;
  public: boolean;
  files: SeedFiles;
}

/** Only the extension's own pages create repositories. */
function requireExtensionPage(ctx: HandlerContext) {
  if (ctx.from !== 'extension-page') {
    throw new UserFacingError('refused', 'Repositories are only created from the extension’s own pages.');
  }
}

/** Bitbucket's answer lost on the way: the request may or may not have been carried out. */
const answerLost = (error: unknown): boolean =>
  isBitbucketError(error, 'offline') ||
  isBitbucketError(error, 'timeout') ||
  (isBitbucketError(error, 'server-error') && [502, 503, 504].includes(error.status ?? 0));

const listFiles = (files: SeedFiles) => files.map((f) => f.path).join(', ');

function summary(profileId: string, repo: CreatedRepositoryData): CreatedRepository {
  const links = cloneLinks(repo);
  const webUrl = repo.links.self?.[0]?.href;
  return {
    profileId,
    repoId: repo.id,
    projectKey: repo.project.key,
    projectName: repo.project.name,
    slug: repo.slug,
    name: repo.name,
    ...(webUrl ? { webUrl } : {}),
    ...(links.http ? { cloneHttp: links.http } : {}),
    ...(links.ssh ? { cloneSsh: links.ssh } : {}),
  };
}

/** The first commit's author: the account's display name and e-mail (from the server if the profile has none). */
async function authorOf(profile: ProfileRecord, client: BitbucketClient) {
  let email = profile.user.emailAddress ?? '';
  if (!email) email = (await getUser(client, profile.user.slug).catch(() => null))?.emailAddress ?? '';
  return { name: profile.user.displayName, email };
}

/** Puts the new repository in the local index at once (search finds it before the next sync), ranked first. */
async function addToIndex(db: CompanionDb, profileId: string, repo: CreatedRepositoryData) {
  const sync = await db.repoSyncs.get(profileId);
  await db.repos.put(toRepoRecord(profileId, repo, sync?.syncId ?? 'recent'));
  await markRepoUsed(db, profileId, repo.id);
}

function pushFailure(reply: Exclude<PushReply, { ok: true }>): string {
  switch (reply.failure) {
    case 'refused':
      if (reply.status === 401 || reply.status === 403) {
        return `the server refused the push (HTTP ${reply.status}): the token needs “${PERMISSION_LABELS.REPO_WRITE}” permission to push.`;
      }
      return `the server refused the push (HTTP ${reply.status ?? '?'}).`;
    case 'rejected':
      return 'the server rejected the push: the branch already has other commits.';
    case 'network':
      return 'the push got no answer from the server (network or VPN).';
    default:
      return 'the commit could not be pushed.';
  }
}

export function createCreateRepoHandlers(db: CompanionDb, deps: CreateRepoDeps = {}): CreateRepoHandlers {
  const push = deps.push ?? runPush;
  const now = deps.now ?? Date.now;
  const progress = deps.progress ?? writeProgress;

  /** Commits the files (push, or the file-edit API without HTTP access), then the settings. */
  async function seed(
    profile: ProfileRecord,
    client: BitbucketClient,
    created: CreatedRepositoryData,
    input: SeedInput,
    notes: string[],
  ): Promise<CreateRepoAnswer> {
    const repo = summary(profile.id, created);
    const label = `${repo.projectKey}/${repo.slug}`;
    const failed = (why: string): CreateRepoAnswer => ({
      state: 'seed-failed',
      repo,
      message: `The repository ${label} was created, but its files were not added: ${why}`,
      notes,
    });
    const { projectKey, slug } = repo;
    const branch = input.defaultBranch;
    // Searchable at once, whatever happens next.
    await addToIndex(db, profile.id, created);
    let method: 'push' | 'file-edit' | 'none' = 'none';
    let commits = 0;

    if (input.files.length > 0) {
      let branches: string[];
      try {
        branches = await listBranchNames(client, projectKey, slug);
      } catch (error) {
        return failed(error instanceof Error ? error.message : 'its branches could not be read.');
      }
      const http = repo.cloneHttp;
      if (http) {
        method = 'push';
        progress({ profileId: profile.id, projectKey, step: 'pushing' });
        if (branches.includes(branch)) {
          notes.push(`${branch} already had a commit from an earlier attempt: nothing was pushed again.`);
        } else {
          const token = profile.token ? await openSecret(db, profile.token) : '';
          const reply = await push({
            url: http,
            token,
            branch,
            message: `Initial commit: ${listFiles(input.files)}`,
            author: await authorOf(profile, client),
            files: input.files,
            timestamp: Math.floor(now() / 1000),
          });
          if (!reply.ok) {
            // The push may have landed though its answer did not: the server says.
            const after = await listBranchNames(client, projectKey, slug).catch(() => [] as string[]);
            if (!after.includes(branch)) {
              if (reply.failure === 'failed') console.error('Push of a first commit failed', reply.message);
              return failed(pushFailure(reply));
            }
            notes.push('The push’s answer was lost, but the server has the commit.');
          }
          commits = reply.ok ? 1 : 0;
        }
      } else {
        method = 'file-edit';
        notes.push(
          `HTTP(S) access is off on this server, so the files were committed through Bitbucket’s file-edit API: one commit per file.`,
        );
        const exists = branches.includes(branch);
        for (const [i, file] of input.files.entries()) {
          try {
            // On a retry, files an earlier attempt committed are left as they are.
            if ((exists || i > 0) && (await fileExists(client, projectKey, slug, file.path, branch)))
              continue;
            await commitFile(client, projectKey, slug, file.path, {
              content: file.content,
              branch,
              message: `Add ${file.path}`,
            });
            commits++;
          } catch (error) {
            if (commits === 0 && !exists && error instanceof BitbucketError && !answerLost(error)) {
              const said = error.serverMessages.length
                ? ` (The server said: ${error.serverMessages.join(' ')})`
                : '';
              return failed(
                `the server would not make the first commit of an empty repository through the file-edit API${said}, and with HTTP(S) access off the files can’t be pushed either. Clone the repository over SSH and push them with git, or ask your Bitbucket administrators to turn HTTP(S) access on.`,
              );
            }
            return failed(
              `${file.path} could not be committed: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }
      }
    }

    const settings: SettingOutcome[] = [];
    progress({ profileId: profile.id, projectKey, step: 'settings' });
    try {
      await setDefaultBranch(client, projectKey, slug, branch);
      settings.push({ setting: 'default-branch', ok: true, message: `Default branch: ${branch}` });
    } catch (error) {
      settings.push({ setting: 'default-branch', ok: false, message: sentence(error, 'The default branch') });
    }
    const description = input.description?.trim();
    const change: { description?: string; forkable?: boolean; public?: boolean } = {};
    if (description && description !== (created.description ?? '')) change.description = description;
    if (input.forkable !== (created.forkable ?? true)) change.forkable = input.forkable;
    if (input.public !== (created.public ?? false)) change.public = input.public;
    let updated = created;
    // One call each, so a refusal says which setting it was (public may be off server-wide).
    for (const [setting, value] of Object.entries(change) as Array<[keyof typeof change, string | boolean]>) {
      try {
        updated = await updateRepository(client, projectKey, slug, { [setting]: value });
        settings.push({ setting, ok: true, message: settingText(setting, value) });
      } catch (error) {
        settings.push({ setting, ok: false, message: sentence(error, settingText(setting, value)) });
      }
    }
    await addToIndex(db, profile.id, updated);
    return {
      state: 'done',
      repo: summary(profile.id, updated),
      seeding: { method, commits, notes },
      settings,
    };
  }

  return {
    'create-repo.projects': async ({ profileId }, ctx) => {
      requireExtensionPage(ctx);
      const { profile, client } = await clientForProfile(db, profileId, deps);
      const personal: CreatableProject = {
        key: personalProjectKey(profile.user.name),
        name: `${profile.user.displayName} (personal)`,
        personal: true,
      };
      let projects: CreatableProject[] = [];
      let problem: string | undefined;
      try {
        projects = (await listProjectsForCreation(client))
          .filter((p) => p.key.toUpperCase() !== personal.key.toUpperCase() && p.type !== 'PERSONAL')
          .map((p) => ({ key: p.key, name: p.name, personal: false }));
      } catch (error) {
        problem = `Only your personal project is offered: ${error instanceof Error ? error.message : 'the projects could not be listed.'}`;
      }
      return {
        projects: [...projects, personal],
        ...(problem ? { problem } : {}),
        author: await authorOf(profile, client),
      };
    },

    'create-repo.create': async (request, ctx) => {
      requireExtensionPage(ctx);
      const { profile, client } = await clientForProfile(db, request.profileId, deps);
      const notes: string[] = [];
      progress({ profileId: profile.id, projectKey: request.projectKey, step: 'creating' });
      let created: CreatedRepositoryData;
      try {
        created = await createRepository(client, request.projectKey, request.name);
      } catch (error) {
        if (!answerLost(error)) throw error;
        // The server may have made it before the answer was lost: look before anything is tried again.
        const found = await findRepositoryByName(client, request.projectKey, request.name).catch(() => null);
        if (!found) throw error;
        created = found;
        notes.push('The server’s answer to the creation was lost; the repository it made is the one used.');
      }
      return seed(profile, client, created, request, notes);
    },

    'create-repo.seed': async (request, ctx) => {
      requireExtensionPage(ctx);
      const { profile, client } = await clientForProfile(db, request.profileId, deps);
      const repo = await getRepository(client, request.projectKey, request.slug);
      return seed(profile, client, repo, request, []);
    },
  };
}

function settingText(setting: SettingOutcome['setting'], value: string | boolean): string {
  switch (setting) {
    case 'description':
      return 'Description';
    case 'forkable':
      return value ? 'Forking allowed' : 'Forking not allowed';
    case 'public':
      return value ? 'Public (anyone may read it)' : 'Not public';
    default:
      return `Default branch: ${value}`;
  }
}

function sentence(error: unknown, what: string): string {
  const why = error instanceof Error ? error.message : 'the server did not take it.';
  return `${what} was not set: ${why}`;
}
