import { describe, expect, it } from 'vitest';
import { verifyConnection } from '../../lib/bitbucket/verify-token';

const BASE = 'https://git.example.com';
const json = (body: unknown, headers: Record<string, string> = {}, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** A tiny server: routes by path, and records whether each request carried the token. */
function server(routes: Record<string, (authorised: boolean) => Response>) {
  const seen: Array<{ path: string; authorised: boolean }> = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const authorised = Boolean((init?.headers as Record<string, string>)?.Authorization);
    seen.push({ path: url.pathname + url.search, authorised });
    const route = routes[url.pathname];
    return route ? route(authorised) : json({ errors: [{ message: 'nope' }] }, {}, 404);
  }) as typeof globalThis.fetch;
  return { fetch, seen };
}

const PROPS = {
  version: '10.4.2',
  buildNumber: '10004002',
  buildDate: '1',
  displayName: 'Example Bitbucket',
};
const USER = { id: 7, name: 'JDoe', slug: 'jdoe', displayName: 'Jane Doe', emailAddress: 'jane@example.com' };
const page = (values: unknown[]) =>
  json({ size: values.length, limit: 1, start: 0, isLastPage: true, values });

describe('verifying a server and token', () => {
  it('finds the version, the user (X-AUSERNAME → slug) and the access, with reads only', async () => {
    const s = server({
      '/rest/api/1.0/application-properties': (auth) => json(PROPS, auth ? { 'x-ausername': 'JDoe' } : {}),
      '/rest/api/1.0/users/jdoe': () => json(USER),
      '/rest/api/1.0/repos': () => page([{}]),
      '/rest/api/1.0/projects': () => page([]),
    });
    const result = await verifyConnection({
      baseUrl: BASE,
      token: 't',
      fetch: s.fetch,
      today: new Date('2026-11-25'),
    });
    expect(result).toMatchObject({
      serverVersion: '10.4.2',
      serverName: 'Example Bitbucket',
      support: { status: 'supported' },
      user: { slug: 'jdoe', displayName: 'Jane Doe' },
      access: { repoRead: true, repoWrite: true, repoAdmin: true, projectAdmin: false },
    });
    // The first request goes without the token: a wrong URL never receives it.
    expect(s.seen[0]).toEqual({ path: '/rest/api/1.0/application-properties', authorised: false });
  });

  it('falls back to a user search when the slug is not the lower-cased name', async () => {
    const s = server({
      '/rest/api/1.0/application-properties': () => json(PROPS, { 'x-ausername': 'j.doe@corp' }),
      '/rest/api/1.0/users': () => page([{ ...USER, name: 'j.doe@corp', slug: 'j.doe_corp' }]),
      '/rest/api/1.0/repos': () => page([]),
      '/rest/api/1.0/projects': () => page([]),
    });
    const result = await verifyConnection({ baseUrl: BASE, token: 't', fetch: s.fetch });
    expect(result.user.slug).toBe('j.doe_corp');
  });

  it('says "not a Bitbucket server" for a site without the REST API or with another product’s JSON', async () => {
    const html = server({});
    await expect(verifyConnection({ baseUrl: BASE, token: 't', fetch: html.fetch })).rejects.toMatchObject({
      kind: 'not-bitbucket',
      message: expect.stringContaining("doesn't look like a Bitbucket Server or Data Center"),
    });
    const other = server({ '/rest/api/1.0/application-properties': () => json({ hello: 'world' }) });
    await expect(verifyConnection({ baseUrl: BASE, token: 't', fetch: other.fetch })).rejects.toMatchObject({
      kind: 'not-bitbucket',
    });
    expect(other.seen.every((r) => !r.authorised)).toBe(true);
  });

  it('explains a missing X-AUSERNAME (a proxy stripping it) instead of guessing', async () => {
    const s = server({ '/rest/api/1.0/application-properties': () => json(PROPS) });
    await expect(verifyConnection({ baseUrl: BASE, token: 't', fetch: s.fetch })).rejects.toMatchObject({
      kind: 'invalid-response',
      message: expect.stringContaining('X-AUSERNAME'),
    });
  });
});
