import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BitbucketClient } from '../../lib/bitbucket/client';
import { CompanionDb } from '../../lib/db/schema';
import {
  forgetRepoIndex,
  markRepoUsed,
  refreshRecentRepos,
  syncDue,
  syncRepoIndex,
  toRepoRecord,
} from '../../lib/features/clone/repo-index';
import { type Simulator, startSimulator } from '../../simulator/index';

let sim: Simulator;
let db: CompanionDb;
let token: string;
beforeAll(async () => {
  sim = await startSimulator({ strict: true, repos: 2500 });
  token = sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']);
});
afterAll(async () => {
  await sim.close();
  expect(sim.violations).toEqual([]);
});
afterEach(async () => {
  sim.faults.clear();
  await db?.delete();
});
const fresh = () => {
  db = new CompanionDb(`repo-index-${Math.random()}`);
  return db;
};

/** A client whose requests are counted (and can be made to fail after some pages). */
function client(options: { failAfterPages?: number } = {}) {
  const pages: string[] = [];
  const fetcher: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    if (url.pathname.endsWith('/rest/api/1.0/repos')) {
      if (options.failAfterPages !== undefined && pages.length >= options.failAfterPages) {
        throw new TypeError('Failed to fetch');
      }
      pages.push(url.searchParams.get('start') ?? '');
    }
    return fetch(input, init);
  };
  return { pages, client: new BitbucketClient({ baseUrl: sim.url, token, fetch: fetcher }) };
}

/** What alice can read, archived ones included: the index must hold exactly these. */
async function expectedKeys(profileId: string) {
  const all = new BitbucketClient({ baseUrl: sim.url, token });
  const ids: number[] = [];
  for await (const page of all.pages('/rest/api/1.0/repos', {
    operation: 'repos.list',
    query: { archived: 'ALL' },
    itemSchema: (await import('../../lib/bitbucket/repos')).RepositorySchema,
    limit: 1000,
    maxPages: 1000,
  })) {
    ids.push(...page.map((r) => r.id));
  }
  return ids.map((id) => `${profileId}:${id}`).sort();
}

describe('repository index sync', () => {
  it('lists every readable repository, archived ones too, in pages of 1000', async () => {
    const db = fresh();
    const { client: c, pages } = client();
    const state = await syncRepoIndex(db, 'p1', c);
    expect(state).toMatchObject({ state: 'done', profileId: 'p1' });
    const keys = (await db.repos.where('profileId').equals('p1').primaryKeys()).sort();
    expect(keys).toEqual(await expectedKeys('p1'));
    expect(state.seen).toBe(keys.length);
    expect(pages.length).toBe(Math.ceil(keys.length / 1000));
    const archived = await db.repos.filter((r) => r.slug === 'legacy-tools').first();
    expect(archived).toMatchObject({ archived: true, projectKey: 'PROJ' });
  });

  it('resumes from its cursor after the worker stopped mid-sync, with nothing duplicated or lost', async () => {
    const db = fresh();
    const first = client({ failAfterPages: 1 });
    const stopped = await syncRepoIndex(db, 'p1', first.client);
    expect(stopped.state).toBe('failed');
    expect(stopped.cursor).toBeGreaterThan(0);
    const savedSoFar = await db.repos.count();
    expect(savedSoFar).toBe(stopped.seen);

    const second = client();
    const done = await syncRepoIndex(db, 'p1', second.client);
    expect(done.state).toBe('done');
    expect(second.pages[0]).toBe(String(stopped.cursor));
    expect((await db.repos.toCollection().primaryKeys()).sort()).toEqual(await expectedKeys('p1'));
  });

  it('keeps what it had when the server fails part-way, with the sentence, and removes gone repositories only after a full list', async () => {
    const db = fresh();
    await syncRepoIndex(db, 'p1', client().client);
    const before = await db.repos.count();
    await db.repos.put({ ...(await db.repos.toCollection().first())!, key: 'p1:999999', repoId: 999999 });

    sim.faults.set('/rest/api/1.0/repos', { status: 500 });
    const failed = await syncRepoIndex(db, 'p1', client().client, { now: () => Date.now() + 7 * 3600_000 });
    expect(failed.state).toBe('failed');
    expect(failed.error).toBe(
      `${sim.url} had an internal problem (HTTP 500). Try again in a moment; if it keeps happening, tell your Bitbucket administrators.`,
    );
    expect(await db.repos.count()).toBe(before + 1);

    sim.faults.clear();
    const done = await syncRepoIndex(db, 'p1', client().client, { now: () => Date.now() + 9 * 3600_000 });
    expect(done.state).toBe('done');
    expect(await db.repos.get('p1:999999')).toBeUndefined();
    expect(await db.repos.count()).toBe(before);
  });

  it('a long Retry-After (429) fails the sync with the sentence and records when to try again', async () => {
    const db = fresh();
    sim.faults.set('/rest/api/1.0/repos', { status: 429, retryAfterSeconds: 600 });
    const failed = await syncRepoIndex(db, 'p1', client().client, { now: () => 1_000_000 });
    expect(failed).toMatchObject({
      state: 'failed',
      error: 'The server is limiting requests right now: try again in 600 s.',
      retryAt: 1_000_000 + 600_000,
    });
  });

  it('honours a short Retry-After (429) and completes', async () => {
    const db = fresh();
    sim.faults.set('/rest/api/1.0/repos', { status: 429, retryAfterSeconds: 0, times: 1 });
    expect((await syncRepoIndex(db, 'p1', client().client)).state).toBe('done');
  });

  it('runs one sync at a time per profile', async () => {
    const db = fresh();
    const { client: c, pages } = client();
    const [a, b] = await Promise.all([syncRepoIndex(db, 'p1', c), syncRepoIndex(db, 'p1', c)]);
    expect(a).toEqual(b);
    expect(pages.length).toBe(Math.ceil(a.seen / 1000));
  });

  it('is due when never run, unfinished, stale, or failed a while ago', () => {
    const now = 10 * 3600_000;
    const base = { profileId: 'p', syncId: 's', cursor: 0, seen: 0, startedAt: 0 };
    expect(syncDue(undefined, now, 6 * 3600_000)).toBe(true);
    expect(syncDue({ ...base, state: 'running' }, now, 6 * 3600_000)).toBe(true);
    expect(syncDue({ ...base, state: 'done', lastCompleteAt: now - 3600_000 }, now, 6 * 3600_000)).toBe(
      false,
    );
    expect(syncDue({ ...base, state: 'done', lastCompleteAt: now - 7 * 3600_000 }, now, 6 * 3600_000)).toBe(
      true,
    );
    expect(syncDue({ ...base, state: 'failed', finishedAt: now - 60_000 }, now, 6 * 3600_000)).toBe(false);
    expect(syncDue({ ...base, state: 'failed', finishedAt: now - 600_000 }, now, 6 * 3600_000)).toBe(true);
    // The server asked to wait (429 Retry-After) longer than the usual 5 minutes.
    const limited = { ...base, state: 'failed' as const, finishedAt: now - 600_000, retryAt: now + 60_000 };
    expect(syncDue(limited, now, 6 * 3600_000)).toBe(false);
    expect(syncDue(limited, now + 60_000, 6 * 3600_000)).toBe(true);
  });

  it('usage survives a re-sync, and forgetting a profile removes its index', async () => {
    const db = fresh();
    await syncRepoIndex(db, 'p1', client().client);
    const one = (await db.repos.toCollection().first())!;
    await markRepoUsed(db, 'p1', one.repoId, 42);
    await syncRepoIndex(db, 'p1', client().client, { now: () => Date.now() + 7 * 3600_000 });
    expect((await db.repoUsage.get(one.key))?.lastUsedAt).toBe(42);
    await forgetRepoIndex(db, 'p1');
    expect(await db.repos.count()).toBe(0);
    expect(await db.repoUsage.count()).toBe(0);
    expect(await db.repoSyncs.count()).toBe(0);
  });

  it('stores each clone-link shape the server sends, user info removed, and "clone access off" when there are none', async () => {
    const db = fresh();
    await syncRepoIndex(db, 'p1', client().client);
    const bySlug = async (slug: string) =>
      db.repos.filter((r) => r.projectKey === 'INT' && r.slug === slug).first();
    expect(await bySlug('vendor-mirror')).toMatchObject({ cloneAccess: false });
    expect((await bySlug('vendor-mirror'))?.cloneHttp).toBeUndefined();
    expect(await bySlug('terraform-modules')).toMatchObject({ cloneAccess: true });
    expect((await bySlug('terraform-modules'))?.cloneHttp).toBeUndefined();
    expect((await bySlug('terraform-modules'))?.cloneSsh).toMatch(/^ssh:\/\//);
    const named = await bySlug('ci-pipelines');
    expect(named?.cloneHttp).toBe(`${sim.url}/scm/int/ci-pipelines.git`);
    expect(named?.cloneHttp).not.toContain('@');
    // A fork keeps where it came from (the project key as the server writes it, never from a URL).
    const fork = toRepoRecord(
      'p1',
      {
        id: 7,
        slug: 'api',
        name: 'api',
        project: { key: '~BOB', name: 'Bob', type: 'PERSONAL' },
        origin: { slug: 'api', project: { key: 'PROJ', name: 'Project' } },
        links: { clone: [{ name: 'ssh', href: 'ssh://git@h:7999/~bob/api.git' }] },
      },
      's',
    );
    expect(fork).toMatchObject({
      personal: true,
      origin: { projectKey: 'PROJ', slug: 'api' },
      cloneAccess: true,
    });
  });

  it('refreshes recently used repositories with one request, before any sync, and a later sync keeps them', async () => {
    const db = fresh();
    const c = client();
    const count = await refreshRecentRepos(db, 'p1', c.client);
    expect(count).toBeGreaterThan(0);
    expect(c.pages).toEqual([]);
    expect(await db.repos.count()).toBe(count);
    const done = await syncRepoIndex(db, 'p1', client().client);
    expect(done.state).toBe('done');
    expect((await db.repos.toCollection().primaryKeys()).sort()).toEqual(await expectedKeys('p1'));
  });
});
