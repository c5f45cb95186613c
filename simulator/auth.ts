/**
 * Who is asking: an HTTP access token (Bearer, or as a Basic password), a username and password
 * (Basic), a web session cookie, or nobody.
 *
 * Like the real server (since 8.9.22 / 8.19.12 / 9.3.2), tokens work only on /rest/** and /scm/**;
 * a Bearer token on any other path is sent to the login page.
 */
import type { IncomingMessage } from 'node:http';
import { SESSION_COOKIE } from './http';
import type { Model } from './model';
import type { Principal, Session } from './types';

export type AuthResult =
  | { ok: true; principal: Principal; session?: Session }
  /** Credentials were sent but are wrong, revoked or expired. */
  | { ok: false; reason: 'bad-credentials' }
  /** A token was sent to a page path. */
  | { ok: false; reason: 'token-on-page' };

/** Whether tokens and Basic credentials are accepted on this path (below the context path). */
export function acceptsCredentials(path: string): boolean {
  return /^\/(rest|scm)(\/|$)/.test(path);
}

export function authenticate(
  model: Model,
  req: IncomingMessage,
  path: string,
  cookies: Map<string, string>,
  now = Date.now(),
): AuthResult {
  const header = req.headers.authorization?.trim();
  const credentialsAccepted = acceptsCredentials(path);
  if (header) {
    const [scheme = '', ...rest] = header.split(/\s+/);
    const value = rest.join(' ');
    if (scheme.toLowerCase() === 'bearer') {
      if (!credentialsAccepted) return { ok: false, reason: 'token-on-page' };
      const token = model.validToken(value, now);
      if (!token) return { ok: false, reason: 'bad-credentials' };
      token.lastAuthenticated = now;
      return { ok: true, principal: { kind: 'token', user: token.user, token } };
    }
    if (scheme.toLowerCase() === 'basic' && credentialsAccepted) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const username = colon >= 0 ? decoded.slice(0, colon) : decoded;
      const secret = colon >= 0 ? decoded.slice(colon + 1) : '';
      const user = model.user(username);
      if (!user?.active) return { ok: false, reason: 'bad-credentials' };
      if (secret === user.password) return { ok: true, principal: { kind: 'user', user, via: 'basic' } };
      // A personal token also works as the password of its own user.
      const token = model.validToken(secret, now);
      if (token && token.user === user) {
        token.lastAuthenticated = now;
        return { ok: true, principal: { kind: 'token', user, token } };
      }
      return { ok: false, reason: 'bad-credentials' };
    }
  }
  const sessionId = cookies.get(SESSION_COOKIE);
  const session = sessionId ? model.sessions.get(sessionId) : undefined;
  if (session?.user.active) {
    return { ok: true, principal: { kind: 'user', user: session.user, via: 'session', session }, session };
  }
  return { ok: true, principal: { kind: 'anonymous' } };
}
