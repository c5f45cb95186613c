import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as profiles from '../../lib/background/profiles';
import { CompanionDb } from '../../lib/db/schema';
import { openSecret } from '../../lib/db/secrets';
import { type Simulator, startSimulator } from '../../simulator/index';

let sim: Simulator;
let db: CompanionDb;
beforeAll(async () => {
  sim = await startSimulator({ strict: true });
});
afterAll(async () => {
  await sim.close();
  expect(sim.violations).toEqual([]);
});
afterEach(async () => {
  await db?.delete();
});
const fresh = () => {
  db = new CompanionDb(`connect-${Math.random()}`);
  return db;
};

describe('connect (background) against the simulator', () => {
  it('saves a verified profile with the sealed token and makes it active', async () => {
    const db = fresh();
    const token = sim.createToken('alice', ['PROJECT_ADMIN', 'REPO_ADMIN']);
    const { profile, warnings } = await profiles.connect(db, {
      serverUrl: `${sim.url}/projects/PROJ`,
      token,
    });
    expect(profile).toMatchObject({
      baseUrl: sim.url,
      userDisplayName: 'Alice Ångström',
      userSlug: 'alice',
      serverVersion: '9.4.13',
      supportStatus: 'supported',
      access: { repoRead: true, repoWrite: true, repoAdmin: true, projectAdmin: true },
    });
    expect(JSON.stringify(profile)).not.toContain(token);
    expect(warnings).toEqual([]);
    const stored = await db.profiles.get(profile.id);
    expect(await openSecret(db, stored!.token!)).toBe(token);
    expect(await profiles.activeProfileId(db)).toBe(profile.id);
  });

  it('finds the effective access: the lower of token scope and the user’s own permission', async () => {
    const db = fresh();
    const { profile, warnings } = await profiles.connect(db, {
      serverUrl: sim.url,
      token: sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']),
    });
    expect(profile.access).toEqual({
      repoRead: true,
      repoWrite: false,
      repoAdmin: false,
      projectAdmin: false,
    });
    expect(warnings.join(' ')).toContain('Repository write');
  });

  it('saves nothing when the token is wrong', async () => {
    const db = fresh();
    await expect(profiles.connect(db, { serverUrl: sim.url, token: 'nope' })).rejects.toMatchObject({
      kind: 'bad-token',
    });
    expect(await db.profiles.count()).toBe(0);
  });

  it('replacing a token keeps the profile, and refuses a token of another account', async () => {
    const db = fresh();
    const first = await profiles.connect(db, {
      serverUrl: sim.url,
      token: sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']),
    });
    await profiles.rename(db, first.profile.id, 'Work');
    const replaced = await profiles.connect(db, {
      serverUrl: sim.url,
      token: sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']),
      profileId: first.profile.id,
    });
    expect(replaced.profile).toMatchObject({
      id: first.profile.id,
      label: 'Work',
      access: { repoWrite: true },
    });
    await expect(
      profiles.connect(db, {
        serverUrl: sim.url,
        token: sim.createToken('bob', ['PROJECT_READ', 'REPO_READ']),
        profileId: first.profile.id,
      }),
    ).rejects.toMatchObject({ kind: 'wrong-account' });
    expect(await db.profiles.count()).toBe(1);
  });

  it('picks the most recently used profile for an origin, and moves "active" on removal', async () => {
    const db = fresh();
    const a = await profiles.connect(
      db,
      { serverUrl: sim.url, token: sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']) },
      { now: () => 1000 },
    );
    const b = await profiles.connect(
      db,
      { serverUrl: sim.url, token: sim.createToken('bob', ['PROJECT_READ', 'REPO_READ']) },
      { now: () => 2000 },
    );
    expect((await profiles.profileForOrigin(db, sim.origin))?.id).toBe(b.profile.id);
    await profiles.activate(db, a.profile.id, 3000);
    expect((await profiles.profileForOrigin(db, sim.origin))?.id).toBe(a.profile.id);
    await profiles.remove(db, a.profile.id);
    expect(await profiles.activeProfileId(db)).toBe(b.profile.id);
  });

  it('a revoked token fails the check and the profile stays as it was', async () => {
    const db = fresh();
    const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']);
    const { profile } = await profiles.connect(db, { serverUrl: sim.url, token });
    sim.revokeToken(token);
    await expect(profiles.check(db, profile.id)).rejects.toMatchObject({ kind: 'bad-token' });
    expect(await db.profiles.count()).toBe(1);
  });
});

describe('server versions at connect', () => {
  it('a version newer than the release table connects without a warning', async () => {
    const newer = await startSimulator({ strict: true, version: '11.0.0' });
    try {
      const db = fresh();
      const { profile, warnings } = await profiles.connect(db, {
        serverUrl: newer.url,
        token: newer.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']),
      });
      expect(profile).toMatchObject({ serverVersion: '11.0.0', supportStatus: 'unknown-newer' });
      expect(profile.supportMessage).toBeUndefined();
      expect(warnings).toEqual([]);
    } finally {
      await newer.close();
    }
  });
});
