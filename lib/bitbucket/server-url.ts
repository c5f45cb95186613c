/**
 * Turning what a user pastes into a server base URL (origin + context path), and the URLs and match
 * patterns derived from it.
 */
export type NormalisedServerUrl =
  | { ok: true; baseUrl: string; origin: string; contextPath: string }
  | { ok: false; message: string };

/** Path segments that start Bitbucket's own routes: whatever comes before them is the context path. */
const ROUTE_STARTS = [
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
  'j_atl_security_logout',
  'j_atl_security_check',
  'mvc',
  's',
];

export function normaliseServerUrl(input: string): NormalisedServerUrl {
  const text = input.trim();
  if (!text) return { ok: false, message: 'Enter the address of your Bitbucket server.' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return {
      ok: false,
      message: `“${text}” is not a web address. Enter one like https://bitbucket.example.com.`,
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
  const routeAt = segments.findIndex((s) => ROUTE_STARTS.includes(s.toLowerCase()));
  const contextSegments = routeAt === -1 ? segments : segments.slice(0, routeAt);
  const contextPath = contextSegments.length ? `/${contextSegments.join('/')}` : '';
  const origin = `${url.protocol}//${url.host.toLowerCase()}`;
  return { ok: true, baseUrl: origin + contextPath, origin, contextPath };
}

/** The server's own page for creating a personal HTTP access token. */
export function tokenPageUrl(baseUrl: string, userSlug?: string): string {
  return userSlug
    ? `${baseUrl}/plugins/servlet/access-tokens/users/${encodeURIComponent(userSlug)}/manage`
    : `${baseUrl}/plugins/servlet/access-tokens/manage`;
}

/**
 * The host-permission match pattern for a server. Chrome's patterns may carry a port; Firefox's
 * can't, so there the permission covers the whole host.
 */
export function originPattern(baseUrl: string, options: { firefox?: boolean } = {}): string {
  const url = new URL(baseUrl);
  const host = options.firefox ? url.hostname : url.host;
  return `${url.protocol}//${host}/*`;
}
