/**
 * The local index of every repository a profile's token can read (background only). Bitbucket has
 * no "changed since" filter for repositories, so a sync is a full re-list, page by page; each page
 * is saved with the cursor to the next one, so a service worker stopped mid-sync resumes where it
 * was on its next wake, and a finished sync removes what it did not see.
 */
import * as v from 'valibot';
import type { BitbucketClient } from '../../bitbucket/client';
import { BitbucketError } from '../../bitbucket/errors';
import {
  cloneLinks,
  getRecentRepos,
  getReposPage,
  type Repository,
  RepositorySchema,
} from '../../bitbucket/repos';
import type { CompanionDb, RepoRecord, RepoSyncRecord } from '../../db/schema';

/** The largest page real servers send (`limit` above it is capped). */
export const SYNC_PAGE_SIZE = 1000;
/** A sync stopped longer ago than this starts over instead of resuming. */
const RESUME_WINDOW_MS = 60 * 60 * 1000;
/** Repositories never synced more often than this per profile, unless asked ("Refresh"). */
export const DEFAULT_SYNC_INTERVAL_MS = 6 * 60 * 60 * 1000;

export const repoKey = (profileId: string, repoId: number) => `${profileId}:${repoId}`;

/** A repository of the server's answer as the index keeps it. */
export function toRepoRecord(profileId: string, repo: Repository, syncId: string): RepoRecord {
  const links = cloneLinks(repo);
  const web = repo.links.self?.[0]?.href;
  return {
    key: repoKey(profileId, repo.id),
    profileId,
    repoId: repo.id,
    projectKey: repo.project.key,
    projectName: repo.project.name,
    personal: repo.project.type === 'PERSONAL' || repo.project.key.startsWith('~'),
    slug: repo.slug,
    name: repo.name,
    ...(repo.description ? { description: repo.description.slice(0, 500) } : {}),
    public: repo.public ?? false,
    archived: repo.archived ?? false,
    ...(repo.origin ? { origin: { projectKey: repo.origin.project.key, slug: repo.origin.slug } } : {}),
    ...(links.http ? { cloneHttp: links.http } : {}),
    ...(links.ssh ? { cloneSsh: links.ssh } : {}),
    cloneAccess: repo.links.clone !== undefined,
    ...(web ? { webUrl: web } : {}),
    syncId,
  };
}

/** Items of a page that are repositories; anything else (a proxy's damage) is skipped, not fatal. */
function readRepositories(values: readonly unknown[]): Repository[] {
  const repos: Repository[] = [];
  for (const value of values) {
    const parsed = v.safeParse(RepositorySchema, value);
    if (parsed.success) repos.push(parsed.output);
  }
  return repos;
}

export interface SyncDeps {
  now?: () => number;
  newId?: () => string;
  signal?: AbortSignal;
  /** Called after each saved page. */
  onPage?: (state: RepoSyncRecord) => void;
}

const running = new Map<string, Promise<RepoSyncRecord>>();

/**
 * Syncs one profile's index: resumes a sync a stopped worker left behind, or starts a new one.
 * One sync at a time per profile: a second call while one runs gets the running one's result.
 */
export function syncRepoIndex(
  db: CompanionDb,
  profileId: string,
  client: BitbucketClient,
  deps: SyncDeps = {},
): Promise<RepoSyncRecord> {
  const current = running.get(profileId);
  if (current) return current;
  const run = runSync(db, profileId, client, deps).finally(() => running.delete(profileId));
  running.set(profileId, run);
  return run;
}

/** Whether a sync of this profile is running in this worker. */
export const isSyncRunning = (profileId: string) => running.has(profileId);

async function runSync(
  db: CompanionDb,
  profileId: string,
  client: BitbucketClient,
  deps: SyncDeps,
): Promise<RepoSyncRecord> {
  const now = deps.now ?? Date.now;
  const previous = await db.repoSyncs.get(profileId);
  const resumable =
    previous &&
    (previous.state === 'running' || previous.state === 'failed') &&
    now() - previous.startedAt < RESUME_WINDOW_MS;
  let state: RepoSyncRecord = resumable
    ? { ...previous, state: 'running' }
    : {
        profileId,
        state: 'running',
        syncId: deps.newId?.() ?? crypto.randomUUID(),
        cursor: 0,
        seen: 0,
        startedAt: now(),
        ...(previous?.lastCompleteAt ? { lastCompleteAt: previous.lastCompleteAt } : {}),
      };
  delete state.error;
  delete state.retryAt;
  await db.repoSyncs.put(state);

  try {
    for (;;) {
      const page = await getReposPage(client, {
        start: state.cursor,
        limit: SYNC_PAGE_SIZE,
        signal: deps.signal,
      });
      const records = readRepositories(page.values).map((repo) =>
        toRepoRecord(profileId, repo, state.syncId),
      );
      const next = page.nextPageStart;
      const last = page.isLastPage || next === undefined || next === null || next <= state.cursor;
      const saved: RepoSyncRecord = last
        ? { ...state, seen: state.seen + records.length }
        : { ...state, cursor: next, seen: state.seen + records.length };
      await db.transaction('rw', db.repos, db.repoSyncs, async () => {
        // The profile may have been removed meanwhile: then nothing is written.
        if (!(await db.repoSyncs.get(profileId))) throw new SyncCancelled();
        await db.repos.bulkPut(records);
        await db.repoSyncs.put(saved);
      });
      state = saved;
      deps.onPage?.(state);
      if (last) break;
    }
    const done: RepoSyncRecord = { ...state, state: 'done', finishedAt: now(), lastCompleteAt: now() };
    await db.transaction('rw', db.repos, db.repoSyncs, async () => {
      await db.repos
        .where('profileId')
        .equals(profileId)
        .filter((r) => r.syncId !== done.syncId)
        .delete();
      await db.repoSyncs.put(done);
    });
    return done;
  } catch (error) {
    if (error instanceof SyncCancelled)
      return { ...state, state: 'failed', error: 'The profile was removed.' };
    // What was saved stays searchable; the next sync resumes from the cursor.
    const retryAfter = error instanceof BitbucketError ? error.retryAfterSeconds : undefined;
    const failed: RepoSyncRecord = {
      ...state,
      state: 'failed',
      finishedAt: now(),
      ...(retryAfter !== undefined ? { retryAt: now() + retryAfter * 1000 } : {}),
      error:
        error instanceof BitbucketError
          ? error.message
          : 'The repository list could not be read. Try Refresh in a moment.',
    };
    if (await db.repoSyncs.get(profileId)) await db.repoSyncs.put(failed);
    if (!(error instanceof BitbucketError)) console.error('Repository sync failed', error);
    return failed;
  }
}

class SyncCancelled extends Error {}

/** Whether a profile's index is due for a sync (never synced, stale, or left unfinished). */
export function syncDue(state: RepoSyncRecord | undefined, now: number, intervalMs: number): boolean {
  if (!state) return true;
  if (state.state === 'running') return true;
  if (state.state === 'failed') {
    // A server that asked to wait is left alone until then; otherwise a failed sync is retried after 5 minutes.
    const earliest = Math.max(state.retryAt ?? 0, (state.finishedAt ?? state.startedAt) + 5 * 60 * 1000);
    return now >= earliest;
  }
  return now - (state.lastCompleteAt ?? 0) >= intervalMs;
}

/**
 * Refreshes the repositories the user opened recently on the server (one cheap request), so they
 * are there and current even before a full sync.
 */
export async function refreshRecentRepos(
  db: CompanionDb,
  profileId: string,
  client: BitbucketClient,
  options: { signal?: AbortSignal } = {},
): Promise<number> {
  const repos = readRepositories(await getRecentRepos(client, { limit: 25, signal: options.signal }));
  await db.transaction('rw', db.repos, db.repoSyncs, async () => {
    const sync = await db.repoSyncs.get(profileId);
    if (!sync) {
      // No sync yet: start the index with these (the first sync will own them).
      await db.repoSyncs.put({
        profileId,
        state: 'failed',
        syncId: 'recent',
        cursor: 0,
        seen: 0,
        startedAt: 0,
      });
    }
    const syncId = sync?.syncId ?? 'recent';
    const existing = await db.repos.bulkGet(repos.map((r) => repoKey(profileId, r.id)));
    // A record the running sync already saw keeps its mark, so the sync's clean-up keeps it.
    await db.repos.bulkPut(
      repos.map((repo, i) => toRepoRecord(profileId, repo, existing[i]?.syncId ?? syncId)),
    );
  });
  return repos.length;
}

/** Forgets a profile's index (the profile was removed). */
export async function forgetRepoIndex(db: CompanionDb, profileId: string): Promise<void> {
  await db.transaction('rw', db.repos, db.repoSyncs, db.repoUsage, async () => {
    await db.repos.where('profileId').equals(profileId).delete();
    await db.repoSyncs.delete(profileId);
    await db.repoUsage.where('profileId').equals(profileId).delete();
  });
}

/** Records that the user opened or cloned a repository through the extension (ranks it first). */
export async function markRepoUsed(db: CompanionDb, profileId: string, repoId: number, now = Date.now()) {
  await db.repoUsage.put({ key: repoKey(profileId, repoId), profileId, lastUsedAt: now });
}
