/**
 * Which clone URL the in-page controls use, and the sentences they share with the Remotes menu.
 */
import { isSafeCloneUrl, stripUserInfo } from '../clients';
import type { CloneSettings } from '../settings';

export type Protocol = CloneSettings['protocol'];

export const PROTOCOL_NAMES: Record<Protocol, string> = { http: 'HTTPS', ssh: 'SSH' };

export const CREDENTIAL_HELPER_NOTE =
  'HTTPS clones sign in with your Git credential helper: no token goes into a URL or command.';

/**
 * The clone URL for the preferred protocol, or the other one when the repository has only that;
 * user info is taken out (an ssh URL keeps its user, `git@`), and a URL that is not safe to pass on is never picked.
 */
export function pickCloneUrl(
  links: { http?: string | undefined; ssh?: string | undefined },
  protocol: Protocol,
): { url: string; protocol: Protocol } | null {
  const order: Protocol[] = protocol === 'ssh' ? ['ssh', 'http'] : ['http', 'ssh'];
  for (const p of order) {
    const raw = links[p];
    if (!raw) continue;
    const url = stripUserInfo(raw);
    if (isSafeCloneUrl(url)) return { url, protocol: p };
  }
  return null;
}
