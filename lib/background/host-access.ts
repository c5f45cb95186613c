import { browser } from 'wxt/browser';
import { hostPermissionPattern } from '../bitbucket/server-url';
import { UserFacingError } from './router';

export type HostAccessCheck = (baseUrl: string) => Promise<boolean>;

/** Whether the user has granted the extension access to the server (they can take it back any time). */
export const hasHostAccess: HostAccessCheck = async (baseUrl) => {
  try {
    return await browser.permissions.contains({ origins: [hostPermissionPattern(baseUrl)] });
  } catch {
    return false;
  }
};

/** The failure for a server the extension has no access to: without it every request looks offline. */
export function noHostAccess(baseUrl: string): UserFacingError {
  const url = new URL(baseUrl);
  return new UserFacingError(
    'no-host-access',
    `The extension has no access to ${url.host}${url.pathname.replace(/\/$/, '')} — Allow access, then try again.`,
  );
}

/** Refuses to go on (before any request is made) when the server's host permission is missing. */
export async function requireHostAccess(baseUrl: string, check: HostAccessCheck = hasHostAccess) {
  if (!(await check(baseUrl))) throw noHostAccess(baseUrl);
}
