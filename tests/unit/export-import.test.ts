import { afterEach, describe, expect, it } from 'vitest';
import { exportProfiles, importProfiles } from '../../lib/background/export-import';
import { CompanionDb, type ProfileRecord } from '../../lib/db/schema';
import { openSecret, sealSecret } from '../../lib/db/secrets';

const dbs: CompanionDb[] = [];
function freshDb() {
  const db = new CompanionDb(`export-${Math.random()}`);
  dbs.push(db);
  return db;
}
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

async function profile(
  db: CompanionDb,
  over: Partial<ProfileRecord> & { tokenText: string },
): Promise<ProfileRecord> {
  const { tokenText, ...rest } = over;
  return {
    id: crypto.randomUUID(),
    label: 'Alice @ git.example.com',
    baseUrl: 'https://git.example.com/bitbucket',
    origin: 'https://git.example.com',
    user: { id: 1, name: 'alice', slug: 'alice', displayName: 'Alice Ångström' },
    server: { version: '9.4.13', displayName: 'Example', support: 'supported' },
    access: { repoRead: true, repoWrite: true, repoAdmin: false, projectAdmin: false },
    token: await sealSecret(db, tokenText),
    createdAt: 1,
    verifiedAt: 2,
    lastUsedAt: 3,
    ...rest,
  };
}

describe('profiles export and import', () => {
  it('round-trips profiles and tokens through a passphrase-encrypted file into another browser', async () => {
    const source = freshDb();
    const a = await profile(source, { tokenText: 'token-of-alice' });
    const b = await profile(source, {
      tokenText: 'token-of-bob',
      label: 'Bob',
      baseUrl: 'http://10.0.0.5:7990',
      origin: 'http://10.0.0.5:7990',
      user: { id: 2, name: 'bob', slug: 'bob', displayName: 'Bob' },
    });
    await source.profiles.bulkAdd([a, b]);
    await source.settings.put({ key: 'activeProfileId', value: b.id });

    const file = await exportProfiles(source, 'a long passphrase', new Date('2026-11-25T10:00:00Z'));
    expect(file.fileName).toBe('bitbucket-companion-profiles-2026-11-25.json.asc');
    expect(file.content).not.toContain('token-of-alice');
    expect(file.content).not.toContain('Alice');

    const target = freshDb();
    const result = await importProfiles(target, file.content, 'a long passphrase');
    expect(result).toEqual({ added: 2, updated: 0, withoutToken: [] });
    const restored = (await target.profiles.toArray()).sort((x, y) => x.label.localeCompare(y.label));
    expect(restored.map((p) => p.label)).toEqual(['Alice @ git.example.com', 'Bob']);
    expect(await openSecret(target, restored[0]!.token!)).toBe('token-of-alice');
    const active = await target.settings.get('activeProfileId');
    expect(active?.value).toBe(restored[1]!.id);
  });

  it('refuses a wrong passphrase and a foreign file without touching the database', async () => {
    const source = freshDb();
    await source.profiles.add(await profile(source, { tokenText: 't' }));
    const file = await exportProfiles(source, 'the right one');
    const target = freshDb();
    await expect(importProfiles(target, file.content, 'the wrong one')).rejects.toThrow(
      /passphrase does not open/,
    );
    await expect(importProfiles(target, file.content, undefined)).rejects.toThrow(/encrypted/);
    await expect(importProfiles(target, '{"hello": 1}', undefined)).rejects.toThrow(/not a profiles file/);
    await expect(importProfiles(target, 'not json', undefined)).rejects.toThrow(/not a profiles file/);
    expect(await target.profiles.count()).toBe(0);
  });

  it('without a passphrase exports no token, and importing it never erases a working token', async () => {
    const source = freshDb();
    const a = await profile(source, { tokenText: 'secret-token' });
    await source.profiles.add(a);
    const file = await exportProfiles(source, undefined);
    expect(file.content).not.toContain('secret-token');
    expect(file.withTokens).toBe(false);

    // Into the same database: the existing profile keeps its token.
    expect(await importProfiles(source, file.content, undefined)).toEqual({
      added: 0,
      updated: 0,
      withoutToken: [],
    });
    expect(await openSecret(source, (await source.profiles.get(a.id))!.token!)).toBe('secret-token');

    // Into an empty one: the profile arrives and needs a token.
    const target = freshDb();
    expect(await importProfiles(target, file.content, undefined)).toMatchObject({
      added: 1,
      withoutToken: [a.label],
    });
    expect((await target.profiles.toArray())[0]?.token).toBeNull();
  });
});
