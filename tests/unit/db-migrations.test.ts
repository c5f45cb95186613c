import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { CompanionDb, SCHEMA_VERSIONS } from '../../lib/db/schema';

/**
 * Each released schema version gets a fixture: data as that version wrote it. Opening it with the
 * current code must upgrade it without losing anything.
 */
type Rows = Record<string, unknown>[];
/** Rows per table; a version's fixture adds to those of the versions before it. */
const FIXTURES: Record<number, { profiles: Rows; settings: Rows } & Partial<Record<string, Rows>>> = {
  1: {
    profiles: [
      {
        id: 'p1',
        label: 'Alice @ git.example.com',
        baseUrl: 'https://git.example.com/bitbucket',
        origin: 'https://git.example.com',
        user: { id: 1, name: 'alice', slug: 'alice', displayName: 'Alice Ångström' },
        server: { version: '9.4.13', displayName: 'Example Bitbucket', support: 'supported' },
        access: { repoRead: true, repoWrite: true, repoAdmin: false, projectAdmin: false },
        token: { iv: new Uint8Array(12), data: new ArrayBuffer(16) },
        createdAt: 1,
        verifiedAt: 2,
        lastUsedAt: 3,
      },
    ],
    settings: [{ key: 'activeProfileId', value: 'p1' }],
  },
  2: {
    profiles: [],
    settings: [],
    repos: [
      {
        key: 'p1:11',
        profileId: 'p1',
        repoId: 11,
        projectKey: 'PROJ',
        projectName: 'Project',
        personal: false,
        slug: 'api',
        name: 'API',
        public: false,
        archived: false,
        cloneHttp: 'https://git.example.com/bitbucket/scm/proj/api.git',
        cloneAccess: true,
        syncId: 's1',
      },
    ],
    repoSyncs: [{ profileId: 'p1', state: 'done', syncId: 's1', cursor: 0, seen: 1, startedAt: 1 }],
    repoUsage: [{ key: 'p1:11', profileId: 'p1', lastUsedAt: 5 }],
  },
  3: {
    profiles: [],
    settings: [],
    keys: [
      {
        id: 'k1',
        kind: 'ssh',
        type: 'ed25519',
        bits: 256,
        label: 'Laptop',
        comment: 'alice@git.example.com',
        publicLine: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE alice@git.example.com',
        fingerprint: 'Cbg38r+gDCiNHqBk6Y1BKO+EvufFBqhFWIEXh8oq9MI',
        createdAt: 7,
        privateKey: { iv: new Uint8Array(12), data: new ArrayBuffer(16) },
        installedOn: [{ profileId: 'p1', serverKeyId: 3, installedAt: 8 }],
      },
    ],
  },
};

const names: string[] = [];
afterEach(async () => {
  for (const name of names.splice(0)) await Dexie.delete(name);
});

describe('database schema', () => {
  it('has a fixture for every schema version', () => {
    expect(Object.keys(FIXTURES).map(Number)).toEqual(SCHEMA_VERSIONS.map((s) => s.version));
  });

  for (const { version } of SCHEMA_VERSIONS) {
    it(`upgrades a database written by version ${version} without losing profiles or settings`, async () => {
      const name = `migration-${version}-${Math.random()}`;
      names.push(name);
      const old = new Dexie(name);
      for (const s of SCHEMA_VERSIONS.filter((s) => s.version <= version))
        old.version(s.version).stores(s.stores);
      for (const v of SCHEMA_VERSIONS.filter((s) => s.version <= version)) {
        for (const [table, rows] of Object.entries(FIXTURES[v.version]!))
          await old.table(table).bulkAdd(rows!);
      }
      old.close();

      const db = new CompanionDb(name);
      await db.open();
      expect(db.verno).toBe(SCHEMA_VERSIONS.at(-1)!.version);
      const profile = await db.profiles.get('p1');
      expect(profile).toMatchObject({
        label: 'Alice @ git.example.com',
        baseUrl: 'https://git.example.com/bitbucket',
      });
      expect(await db.profiles.where('origin').equals('https://git.example.com').count()).toBe(1);
      expect((await db.settings.get('activeProfileId'))?.value).toBe('p1');
      if (version >= 2) {
        expect(await db.repos.where('[profileId+syncId]').equals(['p1', 's1']).count()).toBe(1);
        expect((await db.repoSyncs.get('p1'))?.state).toBe('done');
        expect((await db.repoUsage.get('p1:11'))?.lastUsedAt).toBe(5);
      }
      if (version >= 3) {
        const key = await db.keys
          .where('[kind+fingerprint]')
          .equals(['ssh', 'Cbg38r+gDCiNHqBk6Y1BKO+EvufFBqhFWIEXh8oq9MI'])
          .first();
        expect(key).toMatchObject({ id: 'k1', label: 'Laptop', installedOn: [{ profileId: 'p1' }] });
        expect(key?.privateKey.iv).toBeInstanceOf(Uint8Array);
      }
      // Every table of the current schema opens, empty or not.
      for (const table of db.tables) await table.count();
      db.close();
    });
  }
});
