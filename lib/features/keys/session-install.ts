/**
 * Installing a key through the user's signed-in browser session, for servers that refuse to let a
 * token add keys (401 AuthorisationException; see handlers.ts, `needsSession`).
 *
 * The write itself happens on the server's own keys page: its content script (lib/features/keys/
 * in-page/) sends a same-origin request with the page's session cookie, after checking that the
 * page's signed-in user is the profile's user. The background never sees the session and the page
 * never sees the token. Here: the pending install the popup asks for (kept in storage.session, which
 * content scripts can't read, for a few minutes, tied to profile and key), opening or focusing the
 * keys page, and what the page's script may ask — this browser's public keys, a new Ed25519 key,
 * and recording that the server took one — each only about a profile of the sender's own origin.
 */
import { browser } from 'wxt/browser';
import { PAGE_TYPES, serverRoot } from '../../background/content-scripts';
import { type HandlerContext, UserFacingError } from '../../background/router';
import type { CompanionDb, ProfileRecord } from '../../db/schema';
import type { RequestOf } from '../../messaging/protocol';
import { defaultKeyComment } from './key-comment';
import {
  getKeySummary,
  type KeySummary,
  listKeys,
  recordInstallation,
  saveGeneratedSshKey,
} from './key-store';
import type { KeysPageResponses, PageKey, PageProfile } from './page-messages';
import { generateSshKey } from './ssh-generate';

/** How long a pending install waits for the keys page (signing in included). */
export const PENDING_INSTALL_LIFETIME_MS = 10 * 60_000;

const PENDING_PREFIX = 'keys-session-install:';
const pendingKey = (profileId: string) => `${PENDING_PREFIX}${profileId}`;

export interface PendingInstall {
  profileId: string;
  keyId: string;
  kind: 'ssh' | 'gpg';
  expiresAt: number;
}

export interface SessionInstallDeps {
  now?: () => number;
  /** Opens `url` in a tab, or reloads and focuses a tab already showing a page that `pattern` matches. */
  openPage?: (url: string, pattern: string) => Promise<'opened' | 'focused'>;
}

type SessionInstallHandlers = {
  [T in keyof KeysPageResponses]: (
    request: RequestOf<T>,
    ctx: HandlerContext,
  ) => Promise<KeysPageResponses[T]>;
};

const NO_SUCH_KEY = 'That key is no longer in the extension.';

/** The server's own page for the account's keys of a kind. */
export function accountKeysPage(baseUrl: string, kind: 'ssh' | 'gpg'): string {
  return `${baseUrl}/plugins/servlet/${kind}/account/keys`;
}

export async function rememberPendingInstall(pending: PendingInstall): Promise<void> {
  await browser.storage.session.set({ [pendingKey(pending.profileId)]: pending });
}

/** The profile's pending install, unless it has expired (an expired one is forgotten). */
export async function pendingInstallOf(profileId: string, now = Date.now()): Promise<PendingInstall | null> {
  const key = pendingKey(profileId);
  const stored = (await browser.storage.session.get(key))[key] as PendingInstall | undefined;
  if (!stored) return null;
  if (!(stored.expiresAt > now)) {
    await browser.storage.session.remove(key);
    return null;
  }
  return stored;
}

export async function forgetPendingInstall(profileId: string, keyId?: string): Promise<void> {
  const pending = await pendingInstallOf(profileId);
  if (pending && (keyId === undefined || pending.keyId === keyId)) {
    await browser.storage.session.remove(pendingKey(profileId));
  }
}

async function openOrFocus(url: string, pattern: string): Promise<'opened' | 'focused'> {
  const [existing] = await browser.tabs.query({ url: pattern }).catch(() => []);
  if (existing?.id !== undefined) {
    // Load it again, so its script asks for the pending install now.
    await browser.tabs.update(existing.id, { active: true, url });
    try {
      // No windows API on some browsers (Firefox for Android): the tab is active anyway.
      if (existing.windowId !== undefined)
        await browser.windows?.update(existing.windowId, { focused: true });
    } catch {
      // The tab is active; its window keeps its place.
    }
    return 'focused';
  }
  await browser.tabs.create({ url });
  return 'opened';
}

export function typeName(key: KeySummary): string {
  if (key.kind === 'gpg') return 'GPG';
  return key.type === 'ed25519' ? 'Ed25519' : `RSA ${key.bits}`;
}

export function pageKey(key: KeySummary, profileId: string): PageKey {
  return {
    id: key.id,
    kind: key.kind,
    label: key.label,
    typeName: typeName(key),
    fingerprint: key.fingerprint,
    publicText: key.kind === 'ssh' ? key.publicLine : key.armoredPublic,
    installedHere: key.installedOn.some((i) => i.profileId === profileId),
  };
}

function pageProfile(profile: ProfileRecord): PageProfile {
  return {
    id: profile.id,
    label: profile.label,
    userName: profile.user.name,
    userSlug: profile.user.slug,
    displayName: profile.user.displayName,
  };
}

/** Where the keys pages' script runs, under a server's base URL (its registration's paths). */
const KEYS_PAGE_PATHS = (PAGE_TYPES.find((t) => t.name === 'keys-page')?.paths ?? []).map((path) =>
  path.replace(/\*$/, ''),
);

const sameUser = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function createSessionInstallHandlers(
  db: CompanionDb,
  deps: SessionInstallDeps = {},
): SessionInstallHandlers {
  const now = deps.now ?? Date.now;
  const openPage = deps.openPage ?? openOrFocus;

  /** The sender's origin; only a content script of a server's page has one. */
  const originOf = (ctx: HandlerContext): string => {
    if (ctx.from !== 'content-script' || !ctx.origin) {
      throw new UserFacingError('refused', 'Only the server’s own keys page may ask for this.');
    }
    return ctx.origin;
  };
  const profilesOf = (origin: string) => db.profiles.where('origin').equals(origin).toArray();

  /**
   * The profiles of the sender's server, when the sender is the keys pages' script on one of that
   * server's keys pages or its login page (the paths it is registered for): other pages of the same
   * origin, with other scripts of ours, may not ask for keys or record installations.
   */
  const keysPageProfiles = async (ctx: HandlerContext): Promise<ProfileRecord[]> => {
    const profiles = await profilesOf(originOf(ctx));
    const page = (ctx.url ?? '').replace(/[?#].*$/, '');
    const onKeysPage = profiles.some(
      (p) =>
        page.startsWith(`${p.baseUrl}/`) &&
        KEYS_PAGE_PATHS.some((path) => page.slice(p.baseUrl.length).startsWith(path)),
    );
    if (!onKeysPage) {
      throw new UserFacingError('refused', 'Only the server’s own keys page may ask for this.');
    }
    return profiles;
  };

  /** A profile of the sender's origin, by id, asked from its keys page; anything else is refused. */
  const ownProfile = async (profileId: string, ctx: HandlerContext): Promise<ProfileRecord> => {
    const profiles = await keysPageProfiles(ctx);
    const profile = profiles.find((p) => p.id === profileId);
    if (!profile) {
      throw new UserFacingError('refused', 'A page may only act for a profile of its own server.');
    }
    return profile;
  };

  return {
    'keys.session.start': async ({ keyId, profileId }) => {
      const profile = await db.profiles.get(profileId);
      if (!profile) throw new UserFacingError('not-found', 'That profile no longer exists.');
      const key = await getKeySummary(db, keyId);
      if (!key) throw new UserFacingError('not-found', NO_SUCH_KEY);
      await rememberPendingInstall({
        profileId,
        keyId,
        kind: key.kind,
        expiresAt: now() + PENDING_INSTALL_LIFETIME_MS,
      });
      const url = accountKeysPage(profile.baseUrl, key.kind);
      const root = serverRoot(profile.baseUrl, { firefox: import.meta.env.FIREFOX });
      const pattern = `${root ?? profile.baseUrl}/plugins/servlet/${key.kind}/account/keys*`;
      const tab = await openPage(url, pattern);
      return { url, tab, userName: profile.user.name, host: new URL(profile.baseUrl).host };
    },

    'keys.page.state': async ({ kind, signedInAs }, ctx) => {
      const profiles = (await keysPageProfiles(ctx)).sort((a, b) => b.lastUsedAt - a.lastUsedAt);
      // The page's signed-in user's own profile, else the one most recently used here.
      const profile =
        (signedInAs ? profiles.find((p) => sameUser(p.user.name, signedInAs)) : undefined) ?? profiles[0];
      if (!profile) throw new UserFacingError('not-found', 'No profile is connected to this server.');
      const all = await listKeys(db);
      const keys = kind ? all.filter((k) => k.kind === kind) : [];

      // A pending install of any profile of this origin (the newest), for the page to finish or refuse.
      let pending: KeysPageResponses['keys.page.state']['pending'] = null;
      const waiting = (await Promise.all(profiles.map((p) => pendingInstallOf(p.id, now()))))
        .filter((p): p is PendingInstall => p !== null && (!kind || p.kind === kind))
        .sort((a, b) => b.expiresAt - a.expiresAt);
      for (const candidate of waiting) {
        const key = all.find((k) => k.id === candidate.keyId);
        const owner = profiles.find((p) => p.id === candidate.profileId);
        if (!key || !owner) {
          await forgetPendingInstall(candidate.profileId, candidate.keyId);
          continue;
        }
        pending = { key: pageKey(key, owner.id), profile: pageProfile(owner) };
        break;
      }
      return {
        profile: pageProfile(profile),
        keys: keys.map((k) => pageKey(k, profile.id)),
        pending,
      };
    },

    'keys.page.generate': async ({ profileId }, ctx) => {
      const profile = await ownProfile(profileId, ctx);
      const comment = defaultKeyComment(profile);
      const generated = await generateSshKey({ type: 'ed25519' }, comment);
      const saved = await saveGeneratedSshKey(db, generated, comment);
      return pageKey(saved, profile.id);
    },

    'keys.page.installed': async ({ profileId, keyId, serverKeyId }, ctx) => {
      const profile = await ownProfile(profileId, ctx);
      const recorded = await recordInstallation(db, keyId, {
        profileId: profile.id,
        ...(serverKeyId !== undefined ? { serverKeyId } : {}),
        installedAt: now(),
      });
      if (!recorded) throw new UserFacingError('not-found', NO_SUCH_KEY);
      await forgetPendingInstall(profile.id, keyId);
      return { key: pageKey(recorded, profile.id) };
    },

    'keys.page.dismiss': async ({ profileId, keyId }, ctx) => {
      const profile = await ownProfile(profileId, ctx);
      await forgetPendingInstall(profile.id, keyId);
      return null;
    },
  };
}
