/**
 * The background side of clone and remotes: keeping each profile's repository index fresh, usage,
 * settings, and a repository's forks and origin for `git remote add`.
 */
import { clientForProfile, type ProfileClientDeps } from '../../background/profile-client';
import { profileForOrigin } from '../../background/profiles';
import { type HandlerContext, UserFacingError } from '../../background/router';
import { cloneLinks, getRepo, listForks, type Repository } from '../../bitbucket/repos';
import type { CompanionDb } from '../../db/schema';
import type { RequestOf } from '../../messaging/protocol';
import { remoteSummaries } from '../remotes/remote-summaries';
import { findGitClient } from './clients';
import type { CloneResponses } from './messages';
import { isSyncRunning, markRepoUsed, refreshRecentRepos, syncDue, syncRepoIndex } from './repo-index';
import { readCloneSettings, writeCloneSettings } from './settings';

type CloneHandlers = {
  [T in keyof CloneResponses]: (request: RequestOf<T>, ctx: HandlerContext) => Promise<CloneResponses[T]>;
};

/**
 * Starts (or resumes) a profile's sync when it is due, or always with `force`. Resolves as soon as
 * it runs: progress is in the database, where the popup reads it.
 */
export async function startRepoSync(
  db: CompanionDb,
  profileId: string,
  options: { force?: boolean; now?: number; deps?: ProfileClientDeps } = {},
): Promise<{ started: boolean; done?: Promise<unknown> }> {
  if (isSyncRunning(profileId)) return { started: false };
  const state = await db.repoSyncs.get(profileId);
  const { syncIntervalHours } = await readCloneSettings();
  const now = options.now ?? Date.now();
  if (!options.force && !syncDue(state, now, syncIntervalHours * 3600_000)) return { started: false };
  const { client } = await clientForProfile(db, profileId, options.deps);
  const done = syncRepoIndex(db, profileId, client);
  return { started: true, done };
}

/** Every profile whose index is due gets its sync (started on wake-ups and by the alarm). */
export async function syncDueProfiles(db: CompanionDb): Promise<void> {
  for (const profile of await db.profiles.toArray()) {
    if (!profile.token) continue;
    await startRepoSync(db, profile.id).catch(() => {
      // No access or no token: the Repos tab says so when opened; nothing to do in the background.
    });
  }
}

/** The profile a request is about: the one named by an extension page, or the page's own server's. */
async function profileIdFor(db: CompanionDb, requested: string | undefined, ctx: HandlerContext) {
  if (ctx.from === 'content-script') {
    const profile = ctx.origin ? await profileForOrigin(db, ctx.origin) : undefined;
    if (!profile) throw new UserFacingError('not-found', 'No profile is connected to this server.');
    return profile.id;
  }
  if (!requested) throw new UserFacingError('not-found', 'Choose a profile first.');
  return requested;
}

const label = (repo: Pick<Repository, 'slug' | 'project'>) => `${repo.project.key} / ${repo.slug}`;

export function createCloneHandlers(db: CompanionDb, deps: ProfileClientDeps = {}): CloneHandlers {
  return {
    'repos.sync': async ({ profileId, force }) => {
      const { started } = await startRepoSync(db, profileId, { ...(force ? { force } : {}), deps });
      return { started };
    },
    'repos.recent': async ({ profileId }) => {
      const { client } = await clientForProfile(db, profileId, deps);
      return { count: await refreshRecentRepos(db, profileId, client) };
    },
    'repos.used': async ({ profileId, repoId }, ctx) => {
      await markRepoUsed(db, await profileIdFor(db, profileId, ctx), repoId);
      return null;
    },
    'repos.remotes': async ({ profileId, projectKey, slug }, ctx) => {
      const { client } = await clientForProfile(db, await profileIdFor(db, profileId, ctx), deps);
      const [repo, forks] = await Promise.all([
        getRepo(client, projectKey, slug),
        listForks(client, projectKey, slug),
      ]);
      const own = cloneLinks(repo);
      return {
        repository: { name: 'origin', label: label(repo), ...own },
        ...remoteSummaries(repo, forks),
      };
    },
    'clone.settings': ({ change }) => {
      if (change.client !== undefined && change.client !== 'copy' && !findGitClient(change.client)) {
        throw new UserFacingError(
          'bad-input',
          `There is no Git client “${change.client}” to open repositories in.`,
        );
      }
      return writeCloneSettings(change);
    },
  };
}
