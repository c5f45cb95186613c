import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { CompanionDb, SCHEMA_VERSIONS } from '../../lib/db/schema';

/**
 * Each released schema version gets a fixture: data as that version wrote it. Opening it with the
 * current code must upgrade it without losing anything.
 */
const FIXTURES: Record<number, { profiles: Record<string, unknown>[]; settings: Record<string, unknown>[] }> =
  {
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
      const fixture = FIXTURES[version]!;
      await old.table('profiles').bulkAdd(fixture.profiles);
      await old.table('settings').bulkAdd(fixture.settings);
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
      db.close();
    });
  }
});
