import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { CompanionDb, RepoRecord, RepoSyncRecord } from '../../../db/schema';
import { useLiveQuery } from '../../../ui/use-live-query';
import { createSearchIndex, type SearchHit, type SearchIndex } from '../search';

export interface RepoSearch {
  /** Every indexed repository of the searched profiles, by key (`profileId:repoId`). */
  records: ReadonlyMap<string, RepoRecord>;
  /** Undefined until the index has been read from the database. */
  index: SearchIndex | undefined;
  syncs: ReadonlyMap<string, RepoSyncRecord>;
  hits: SearchHit[];
}

/** The first read is small so results show at once; later ones large, for fewer index rebuilds. */
const FIRST_CHUNK = 2_000;
const CHUNK = 25_000;

/**
 * Every repository of the profiles, in primary-key order (`profileId:repoId`), chunk by chunk
 * (one key-range read each); `onChunk` gets everything read so far.
 */
async function readInChunks(
  db: CompanionDb,
  profileIds: readonly string[],
  onChunk: (soFar: RepoRecord[]) => void,
  cancelled: () => boolean,
): Promise<void> {
  let all: RepoRecord[] = [];
  let size = FIRST_CHUNK;
  for (const id of profileIds) {
    const upper = `${id}:\uffff`;
    let lower = `${id}:`;
    let includeLower = true;
    for (;;) {
      const chunk = await db.repos
        .where('key')
        .between(lower, upper, includeLower, true)
        .limit(size)
        .toArray();
      if (cancelled()) return;
      all = all.concat(chunk);
      onChunk(all);
      const last = chunk[chunk.length - 1];
      if (!last || chunk.length < size) break;
      lower = last.key;
      includeLower = false;
      size = CHUNK;
    }
  }
  if (all.length === 0) onChunk(all);
}

/**
 * The repositories of some profiles, read straight from IndexedDB (no wait for the background) and
 * kept current while a sync adds pages, with the search over them.
 */
export function useRepoSearch(db: CompanionDb, profileIds: readonly string[], query: string): RepoSearch {
  const ids = profileIds.join('\n');
  // Small tables, watched live: how each sync stands and what was used here.
  const live = useLiveQuery(async () => {
    const [usage, syncs] = await Promise.all([
      db.repoUsage.where('profileId').anyOf(profileIds).toArray(),
      db.repoSyncs.bulkGet([...profileIds]),
    ]);
    return { usage, syncs };
  }, [ids]);
  // The repositories themselves are read again only when a sync saved more of them (at most once
  // a second while it runs), in primary-key chunks: the first small one shows results at once on a
  // server with 100,000 repositories, the rest follow while the user reads or types.
  const syncMarker = (live?.syncs ?? []).map((s) => (s ? `${s.syncId}:${s.state}:${s.seen}` : '-')).join('|');
  const [repos, setRepos] = useState<RepoRecord[] | undefined>(undefined);
  const lastRead = useRef(0);
  useEffect(() => {
    let stale = false;
    const running = (live?.syncs ?? []).some((s) => s?.state === 'running');
    const wait = running ? Math.max(0, 1000 - (Date.now() - lastRead.current)) : 0;
    const timer = setTimeout(() => {
      lastRead.current = Date.now();
      void readInChunks(
        db,
        profileIds,
        (soFar) => !stale && setRepos(soFar),
        () => stale,
      );
    }, wait);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [ids, syncMarker]);
  const data = useMemo(
    () => (repos && live ? { repos, usage: live.usage, syncs: live.syncs } : undefined),
    [repos, live],
  );

  const indexRef = useRef<SearchIndex | undefined>(undefined);
  const [version, setVersion] = useState(0);
  const records = useMemo(() => new Map((data?.repos ?? []).map((r) => [r.key, r])), [data]);

  useEffect(() => {
    if (!data) return;
    const used = new Map(data.usage.map((u) => [u.key, u.lastUsedAt]));
    const entries = data.repos.map((r) => ({
      key: r.key,
      projectKey: r.projectKey,
      projectName: r.projectName,
      name: r.name,
      slug: r.slug,
      lastUsedAt: used.get(r.key),
    }));
    if (indexRef.current) indexRef.current.replaceAll(entries);
    else indexRef.current = createSearchIndex(entries);
    setVersion((n) => n + 1);
  }, [data]);

  const hits = useMemo(
    () => (indexRef.current ? indexRef.current.search(query, { limit: 50 }) : []),
    [query, version],
  );
  const syncs = useMemo(
    () => new Map((data?.syncs ?? []).flatMap((s) => (s ? [[s.profileId, s] as const] : []))),
    [data],
  );
  return { records, index: indexRef.current, syncs, hits };
}
