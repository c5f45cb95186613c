/** Draft pull requests exist from Bitbucket 8.18 on; older servers ignore the field. */
import { compareVersions } from '../../bitbucket/version-numbers';

export const DRAFTS_SINCE = '8.18';

export function draftsSupported(serverVersion: string): boolean {
  return compareVersions(serverVersion, DRAFTS_SINCE) >= 0;
}
