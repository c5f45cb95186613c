import { describe, expect, it } from 'vitest';
import { exportProfiles, importProfiles } from '../../lib/background/export-import';
import type { CompanionDb, ProfileRecord } from '../../lib/db/schema';
import { openSecret } from '../../lib/db/secrets';
import { aliceProfile, freshDbs } from './support/profile-records';

const freshDb = freshDbs('export');

function profile(db: CompanionDb, over: Partial<ProfileRecord> & { tokenText: string }) {
  const { tokenText, ...rest } = over;
  return aliceProfile(db, tokenText, rest);
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
    expect(result).toEqual({ added: 2, updated: 0, withoutToken: [], keysAdded: 0, keysAlready: 0 });
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
      keysAdded: 0,
      keysAlready: 0,
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

describe('import holds every record to the rules of connect', () => {
  const record = (over: Record<string, unknown> = {}) => ({
    label: 'x',
    baseUrl: 'https://git.example.com',
    user: { id: 9, name: 'zed', slug: 'zed', displayName: 'Zed' },
    server: { version: '9.4.13', displayName: 'x', support: 'supported' },
    access: { repoRead: true, repoWrite: false, repoAdmin: false, projectAdmin: false },
    createdAt: 1,
    lastUsedAt: 1,
    ...over,
  });
  const file = (...profiles: unknown[]) =>
    JSON.stringify({
      format: 'bitbucket-server-companion/profiles',
      version: 1,
      exportedAt: 'x',
      profiles,
    });

  it.each([
    ['javascript:alert(1)//', /“javascript:alert\(1\)\/\/” is not a web address/],
    ['data:text/html,<b>x</b>', /is not a web address/],
    ['chrome://extensions', /must start with https:\/\//],
    ['file:///etc/passwd', /must start with https:\/\//],
    ['https://alice:secret@git.example.com', /Leave the user name and password out/],
    ['MTAwMDAwMDAwMTAxOobvReo/u2RlU4c1KNCJMbJCpfcn', /This looks like a token/],
  ])(
    'a record with the address %s refuses the whole import, naming the record; nothing is saved',
    async (baseUrl, why) => {
      const db = freshDb();
      const good = record({
        label: 'Good one',
        baseUrl: 'https://ok.example.com',
        user: { id: 1, name: 'a', slug: 'a', displayName: 'A' },
      });
      const error = await importProfiles(db, file(good, record({ label: 'x', baseUrl })), undefined).catch(
        (e) => e,
      );
      expect(error).toMatchObject({ kind: 'bad-file' });
      expect(error.message).toMatch(/^Profile 2 \(“x”\) in this file has an unusable server address: /);
      expect(error.message).toMatch(why);
      expect(error.message).toMatch(/Nothing was imported\.$/);
      expect(await db.profiles.count()).toBe(0);
      expect(await db.settings.count()).toBe(0);
    },
  );

  it('normalises addresses exactly as connect does (trailing slash, case, default port, page paths)', async () => {
    const db = freshDb();
    await importProfiles(
      db,
      file(record({ baseUrl: 'HTTPS://Git.Example.com:443/bitbucket/projects/PROJ/' })),
      undefined,
    );
    const [saved] = await db.profiles.toArray();
    expect(saved).toMatchObject({
      baseUrl: 'https://git.example.com/bitbucket',
      origin: 'https://git.example.com',
    });
  });

  it('a record with a tampered token, or fields past their limits, is refused with its name', async () => {
    const db = freshDb();
    await expect(
      importProfiles(db, file(record({ token: 'abc\u0000def' })), undefined),
    ).rejects.toMatchObject({
      message:
        'Profile 1 (“x”) in this file has a damaged token: That token contains a control character (such as a line break or tab): copy it again from the token page. Nothing was imported.',
    });
    await expect(
      importProfiles(
        db,
        file(record(), record({ user: { id: 1, name: 'a', slug: 'a', displayName: 'D'.repeat(300) } })),
        undefined,
      ),
    ).rejects.toMatchObject({
      message:
        'Profile 2 (“x”) in this file is damaged or was changed (user.displayName is not what an export writes). Nothing was imported.',
    });
    expect(await db.profiles.count()).toBe(0);
  });

  it('the same server and account twice in one file becomes one profile', async () => {
    const db = freshDb();
    const result = await importProfiles(
      db,
      file(record({ label: 'first' }), record({ label: 'second', baseUrl: 'https://git.example.com/' })),
      undefined,
    );
    expect(result).toEqual({ added: 1, updated: 0, withoutToken: ['second'], keysAdded: 0, keysAlready: 0 });
    expect((await db.profiles.toArray()).map((p) => p.label)).toEqual(['second']);
  });
});

describe('what export writes, import reads', () => {
  it('a profile whose label an older version made over-long exports and imports again', async () => {
    const source = freshDb();
    const old = await profile(source, {
      tokenText: 'MTAwMDAwMDAwMTAxOobvReo/u2RlU4c1KNCJMbJCpfcn',
      label: `${'Ü'.repeat(200)} @ git.example.com`,
      user: { id: 1, name: 'alice', slug: 'alice', displayName: 'Ü'.repeat(300) },
      server: { version: '9.4.13', displayName: 'S'.repeat(400), support: 'supported' },
    });
    await source.profiles.add(old);
    const exported = await exportProfiles(source, 'correct horse battery staple');
    const target = freshDb();
    expect(await importProfiles(target, exported.content, 'correct horse battery staple')).toMatchObject({
      added: 1,
    });
    const [copy] = await target.profiles.toArray();
    expect(Array.from(copy!.label).length).toBeLessThanOrEqual(120);
    expect(await openSecret(target, copy!.token!)).toBe('MTAwMDAwMDAwMTAxOobvReo/u2RlU4c1KNCJMbJCpfcn');
  });
});
