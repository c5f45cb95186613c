import { BitbucketClient } from '../bitbucket/client';
import type { CompanionDb, ProfileRecord } from '../db/schema';
import { openSecret } from '../db/secrets';
import { type HostAccessCheck, requireHostAccess } from './host-access';
import { UserFacingError } from './router';

export interface ProfileClientDeps {
  fetch?: typeof fetch;
  hostAccess?: HostAccessCheck;
}

/**
 * A saved profile with its token opened: only for the background. Refuses (with a sentence) a
 * profile that is gone, has no token yet, or whose server the user took access back from.
 */
export async function profileWithToken(
  db: CompanionDb,
  profileId: string,
  hostAccess?: HostAccessCheck,
): Promise<{ profile: ProfileRecord; token: string }> {
  const profile = await db.profiles.get(profileId);
  if (!profile) throw new UserFacingError('not-found', 'That profile no longer exists.');
  if (!profile.token) {
    throw new UserFacingError('bad-token', 'This profile has no token yet: use “Replace token” to add one.');
  }
  await requireHostAccess(profile.baseUrl, hostAccess);
  return { profile, token: await openSecret(db, profile.token) };
}

/** The REST client of a saved profile, with its token (refusals as profileWithToken's). */
export async function clientForProfile(
  db: CompanionDb,
  profileId: string,
  deps: ProfileClientDeps = {},
): Promise<{ profile: ProfileRecord; client: BitbucketClient }> {
  const { profile, token } = await profileWithToken(db, profileId, deps.hostAccess);
  return {
    profile,
    client: new BitbucketClient({
      baseUrl: profile.baseUrl,
      token,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    }),
  };
}
