import type { ProfileRecord } from '../../db/schema';

/** `<user>@<server host>`: says on the account page and in `~/.ssh` where the key belongs. */
export function defaultKeyComment(profile: Pick<ProfileRecord, 'baseUrl' | 'user'>): string {
  const host = new URL(profile.baseUrl).hostname;
  const user = (profile.user.name || profile.user.slug).replace(/\s+/g, '');
  return `${user}@${host}`;
}
