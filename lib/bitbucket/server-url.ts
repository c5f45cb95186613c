import { LIMITS, TOO_LONG } from '../messaging/limits';
import { looksLikeToken } from './token-format';

/**
 * Turning what a user pastes into a server base URL (origin + context path), and the URLs and
 * host-permission match patterns derived from it.
 */
export type NormalisedServerUrl =
  | { ok: true; baseUrl: string; origin: string; contextPath: string }
  | { ok: false; message: string };

/**
 * First path segments of Bitbucket's own pages and APIs. When a pasted URL contains one, whatever
 * comes before it is the context path (`https://host/bitbucket/projects/X` → `/bitbucket`).
 */
const ROUTE_STARTS = new Set([
  'projects',
  'users',
  'dashboard',
  'login',
  'logout',
  'repos',
  'account',
  'admin',
  'plugins',
  'rest',
  'scm',
  'profile',
  'mvc',
  'getting-started',
  'j_atl_security_check',
  'j_atl_security_logout',
]);

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function normaliseServerUrl(input: string): NormalisedServerUrl {
  const text = input.trim();
  if (!text) return { ok: false, message: 'Enter the address of your Bitbucket server.' };
  if (text.length > LIMITS.serverUrl) return { ok: false, message: TOO_LONG.serverUrl };
  // Checked before anything else: a token taken for a host name would go out as a DNS lookup.
  if (looksLikeToken(text)) {
    return {
      ok: false,
      message:
        'This looks like a token, not a server address. Enter the address you open in the browser, like https://bitbucket.example.com, and paste the token below.',
    };
  }
  let url: URL;
  try {
    url = new URL(HAS_SCHEME.test(text) ? text : `https://${text}`);
  } catch {
    return {
      ok: false,
      message: `“${text}” is not a web address. Enter one like https://bitbucket.example.com.`,
    };
  }
  if (url.protocol === 'ssh:' || url.protocol === 'git:') {
    return {
      ok: false,
      message:
        'That is a clone address. Enter the address you open in the browser, like https://bitbucket.example.com.',
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: 'The server address must start with https:// (or http://).' };
  }
  if (url.username || url.password) {
    return {
      ok: false,
      message: 'Leave the user name and password out of the address: the token identifies you.',
    };
  }
  if (!url.hostname) return { ok: false, message: 'The address has no host name.' };

  const segments = url.pathname.split('/').filter(Boolean);
  const routeAt = segments.findIndex((segment) => ROUTE_STARTS.has(segment.toLowerCase()));
  const context = routeAt === -1 ? segments : segments.slice(0, routeAt);
  const contextPath = context.length ? `/${context.join('/')}` : '';
  // URL already lower-cases the host and drops a default port; a non-default port stays.
  const origin = `${url.protocol}//${url.host.toLowerCase()}`;
  return { ok: true, baseUrl: origin + contextPath, origin, contextPath };
}

/**
 * The server's own page for creating a personal HTTP access token: per user when the slug is known
 * (the form seen on 8.x and later), otherwise the older generic page.
 */
export function tokenPageUrl(baseUrl: string, userSlug?: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return userSlug
    ? `${base}/plugins/servlet/access-tokens/users/${encodeURIComponent(userSlug)}/manage`
    : `${base}/plugins/servlet/access-tokens/manage`;
}

/**
 * The host-permission match pattern for a server, e.g. `http://127.0.0.1:7990/*`. Chrome's
 * patterns may carry a port; Firefox's can't, so with `firefox: true` it covers the whole host.
 */
export function originPattern(baseUrl: string, options: { firefox?: boolean } = {}): string {
  const url = new URL(baseUrl);
  const host = options.firefox ? url.hostname : url.host;
  return `${url.protocol}//${host}/*`;
}

/** The host-permission pattern of a server in this build's browser (Firefox's patterns carry no port). */
export function hostPermissionPattern(baseUrl: string): string {
  return originPattern(baseUrl, { firefox: import.meta.env.FIREFOX });
}
