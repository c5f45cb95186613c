import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
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
/** Which origins the user has granted the extension (all of them unless a test says otherwise). */
let granted: (pattern: string) => boolean = () => true;
beforeEach(() => {
  granted = () => true;
  vi.spyOn(browser.permissions, 'contains').mockImplementation(async (p) =>
    (p.origins ?? []).every((o) => granted(o)),
  );
});
afterEach(async () => {
  vi.restoreAllMocks();
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

describe('connect refuses what it can tell is wrong before sending anything', () => {
  /** A fetch that counts what would have gone out. */
  const counting = () => {
    const calls: string[] = [];
    const fn: typeof fetch = async (input, init) => {
      calls.push(String(input));
      return fetch(input, init);
    };
    return { calls, fn };
  };

  const refused: Array<[what: string, token: string, sentence: RegExp]> = [
    ['a zero-width space', 'MTAwMDAwMDAw\u200bMTAxOobvReo', /invisible character/],
    ['an emoji', 'MTAwMDAwMDAwMTAxOobvReo🙂', /characters no Bitbucket token has/],
    ['a control character', 'MTAwMDAwMDAwMTAx\u0007OobvReo', /control character/],
    ['an inner space', 'MTAwMDAw MDAwMTAxOobvReo', /contains spaces/],
    ['accents', 'MTAwMDAwMDAwMTAxÖobvReo', /characters no Bitbucket token has/],
    ['1,001 characters', 'A'.repeat(1001), /longer than any Bitbucket token/],
  ];
  for (const [what, token, sentence] of refused) {
    it(`a token with ${what} gets a sentence saying so, and no request is made`, async () => {
      const db = fresh();
      const { calls, fn } = counting();
      await expect(profiles.connect(db, { serverUrl: sim.url, token }, { fetch: fn })).rejects.toMatchObject({
        kind: 'bad-token',
        message: expect.stringMatching(sentence),
      });
      expect(calls).toEqual([]);
      expect(await db.profiles.count()).toBe(0);
    });
  }

  it('surrounding whitespace and line breaks around a good token are trimmed', async () => {
    const db = fresh();
    const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']);
    const { profile } = await profiles.connect(db, { serverUrl: sim.url, token: `\n  ${token}\t\n` });
    expect(await openSecret(db, (await db.profiles.get(profile.id))!.token!)).toBe(token);
  });

  it('a token pasted as the server address is refused before any request or permission prompt', async () => {
    const db = fresh();
    const { calls, fn } = counting();
    const asked: string[] = [];
    await expect(
      profiles.connect(
        db,
        { serverUrl: 'MTAwMDAwMDAwMTAxOobvReo/u2RlU4c1KNCJMbJCpfcn', token: 'x' },
        {
          fetch: fn,
          hostAccess: async (u) => {
            asked.push(u);
            return true;
          },
        },
      ),
    ).rejects.toMatchObject({ kind: 'bad-url', message: expect.stringContaining('This looks like a token') });
    expect(calls).toEqual([]);
    expect(asked).toEqual([]);
  });
});

describe('connecting the same account twice', () => {
  it('updates the existing profile with the new token and says so', async () => {
    const db = fresh();
    const first = await profiles.connect(db, {
      serverUrl: sim.url,
      token: sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']),
    });
    await profiles.rename(db, first.profile.id, 'Work');
    const newToken = sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);
    const again = await profiles.connect(db, { serverUrl: `${sim.url}/`, token: newToken });
    expect(again.updated).toBe(true);
    expect(again.profile).toMatchObject({ id: first.profile.id, label: 'Work', access: { repoWrite: true } });
    expect(again.warnings[0]).toBe(
      'You already had the profile “Work” for this account on this server: it now uses the new token.',
    );
    expect(await db.profiles.count()).toBe(1);
    expect(await openSecret(db, (await db.profiles.get(first.profile.id))!.token!)).toBe(newToken);
    expect(first.updated).toBe(false);
  });
});

describe('a server the user took the site access back from', () => {
  it('check says the extension has no access (not "can\'t reach"), sends nothing and changes nothing', async () => {
    const db = fresh();
    const { profile } = await profiles.connect(db, {
      serverUrl: sim.url,
      token: sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']),
    });
    const before = await db.profiles.get(profile.id);
    granted = () => false;
    const calls: string[] = [];
    await expect(
      profiles.check(db, profile.id, {
        fetch: async (input) => {
          calls.push(String(input));
          throw new TypeError('Failed to fetch');
        },
      }),
    ).rejects.toMatchObject({
      kind: 'no-host-access',
      message: `The extension has no access to ${new URL(sim.url).host} — Allow access, then try again.`,
    });
    expect(calls).toEqual([]);
    expect(await db.profiles.get(profile.id)).toEqual(before);
  });
});

describe('profile labels', () => {
  it('the label made from a very long display name fits the one label limit', () => {
    const label = profiles.defaultLabel('D'.repeat(300), 'git.example.com');
    expect(Array.from(label).length).toBeLessThanOrEqual(120);
    expect(label.endsWith(' @ git.example.com')).toBe(true);
    expect(label).toContain('…');
    expect(profiles.defaultLabel('Alice Ångström', 'git.example.com')).toBe(
      'Alice Ångström @ git.example.com',
    );
  });
});
