/**
 * Verifying a server address and a token: what the user sees for each answer a server can give.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyConnection } from '../../lib/bitbucket/verify-token';
import { type Simulator, startSimulator } from '../../simulator/index';
import { expectFailure } from './support/bitbucket-failure';

const FIXTURES = new URL('../../../shared/reference/bitbucket/fixtures/go-scm-stash/', import.meta.url);
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

const BASE = 'https://git.example.com/bitbucket';
const TOKEN = 'MDM0MjM5NDc2MDxxxxSecretToken';
const TODAY = new Date('2026-11-25T12:00:00Z');

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  authorised: boolean;
}
interface Request {
  authorised: boolean;
  url: URL;
}
type Route = (request: Request) => Response | Promise<Response>;

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const page = (values: unknown[]) =>
  json({ size: values.length, limit: 1, start: 0, isLastPage: true, values });
const errorBody = (exceptionName: string, message: string) => ({
  errors: [{ context: null, message, exceptionName }],
});

/** A tiny fake server: routes by path (below the context path) and records every request. */
function server(routes: Record<string, Route>) {
  const seen: Seen[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const authorisation = (init?.headers as Record<string, string> | undefined)?.Authorization;
    if (authorisation !== undefined) expect(authorisation).toBe(`Bearer ${TOKEN}`);
    const request = { authorised: authorisation !== undefined, url };
    seen.push({
      method: init?.method ?? 'GET',
      path: url.pathname.replace(/^\/bitbucket/, ''),
      query: Object.fromEntries(url.searchParams),
      authorised: request.authorised,
    });
    const route = routes[url.pathname.replace(/^\/bitbucket/, '')];
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return route ? await route(request) : json({ errors: [{ message: 'Not found' }] }, 404);
    } finally {
      inFlight--;
    }
  };
  return { fetch, seen, maxInFlight: () => maxInFlight };
}

const PROPS = {
  version: '10.4.2',
  buildNumber: '10004002',
  buildDate: '1754870400000',
  displayName: 'Example Bitbucket',
};
const USER = {
  id: 7,
  name: 'JDoe',
  slug: 'jdoe',
  displayName: 'Jane Doe',
  emailAddress: 'jane@example.com',
  active: true,
};

/** A healthy 10.4 server where the token belongs to JDoe and can write to one repository. */
function healthy(overrides: Record<string, Route> = {}) {
  return server({
    '/rest/api/1.0/application-properties': ({ authorised }) =>
      json(PROPS, 200, { 'x-ausername': authorised ? 'JDoe' : 'anonymous' }),
    '/rest/api/1.0/users/jdoe': () => json(USER),
    '/rest/api/1.0/repos': ({ url }) =>
      page(url.searchParams.get('permission') === 'REPO_ADMIN' ? [] : [fixture('repo.json')]),
    '/rest/api/1.0/projects': () => page([]),
    ...overrides,
  });
}

const failure = (promise: Promise<unknown>) => expectFailure(promise, TOKEN);

const verify = (s: { fetch: typeof fetch }) =>
  verifyConnection({ baseUrl: BASE, token: TOKEN, fetch: s.fetch, today: TODAY });

describe('verifying a server and token: success', () => {
  it('finds the version, the user (X-AUSERNAME → slug) and the access', async () => {
    const s = healthy();
    expect(await verify(s)).toEqual({
      serverVersion: '10.4.2',
      serverName: 'Example Bitbucket',
      support: { status: 'supported', line: '10.4' },
      user: { id: 7, name: 'JDoe', slug: 'jdoe', displayName: 'Jane Doe', emailAddress: 'jane@example.com' },
      access: { repoRead: true, repoWrite: true, repoAdmin: false, projectAdmin: false },
    });
  });

  it('asks anonymously first, so a wrong address never receives the token', async () => {
    const s = healthy();
    await verify(s);
    expect(s.seen[0]).toMatchObject({ path: '/rest/api/1.0/application-properties', authorised: false });
    expect(s.seen.slice(1).every((r) => r.authorised)).toBe(true);
  });

  it('only reads: every request is a GET, and probes ask for one item per permission, in parallel', async () => {
    const s = healthy();
    await verify(s);
    expect(s.seen.every((r) => r.method === 'GET')).toBe(true);
    const probes = s.seen
      .filter((r) => r.path === '/rest/api/1.0/repos' || r.path === '/rest/api/1.0/projects')
      .map((r) => `${r.path}?permission=${r.query.permission}&limit=${r.query.limit}`)
      .sort();
    expect(probes).toEqual([
      '/rest/api/1.0/projects?permission=PROJECT_ADMIN&limit=1',
      '/rest/api/1.0/repos?permission=REPO_ADMIN&limit=1',
      '/rest/api/1.0/repos?permission=REPO_READ&limit=1',
      '/rest/api/1.0/repos?permission=REPO_WRITE&limit=1',
    ]);
    expect(s.maxInFlight()).toBeGreaterThanOrEqual(4);
  });

  it('falls back to a user search when the slug is not the lower-cased name (real search answer)', async () => {
    const s = healthy({
      '/rest/api/1.0/application-properties': ({ authorised }) =>
        json(PROPS, 200, authorised ? { 'x-ausername': 'jane@example' } : {}),
      '/rest/api/1.0/users': () => json(fixture('user_search.json')),
    });
    const result = await verify(s);
    expect(result.user).toEqual({
      id: 1,
      name: 'jane@example',
      slug: 'jane_example',
      displayName: 'Jane Citizen',
      emailAddress: 'jane@example.com',
    });
    expect(s.seen.map((r) => r.path)).toContain('/rest/api/1.0/users/jane%40example');
    expect(s.seen.find((r) => r.path === '/rest/api/1.0/users')?.query.filter).toBe('jane@example');
  });

  it('a read-only token: read access only, no failure', async () => {
    const s = healthy({
      '/rest/api/1.0/repos': ({ url }) =>
        page(url.searchParams.get('permission') === 'REPO_READ' ? [fixture('repo.json')] : []),
    });
    expect((await verify(s)).access).toEqual({
      repoRead: true,
      repoWrite: false,
      repoAdmin: false,
      projectAdmin: false,
    });
  });

  it('a refusal of a stronger permission only means the token lacks it', async () => {
    const refused = () =>
      json(
        errorBody(
          'com.atlassian.bitbucket.AuthorisationException',
          'You are not permitted to access this resource',
        ),
        401,
      );
    const s = healthy({
      '/rest/api/1.0/repos': ({ url }) =>
        url.searchParams.get('permission') === 'REPO_READ' ? page([fixture('repo.json')]) : refused(),
      '/rest/api/1.0/projects': refused,
    });
    expect((await verify(s)).access).toEqual({
      repoRead: true,
      repoWrite: false,
      repoAdmin: false,
      projectAdmin: false,
    });
  });

  it('an old server still connects, with a warning to show', async () => {
    const s = healthy({
      '/rest/api/1.0/application-properties': ({ authorised }) =>
        json({ ...PROPS, version: '8.18.0' }, 200, authorised ? { 'x-ausername': 'JDoe' } : {}),
    });
    const { support } = await verify(s);
    expect(support.status).toBe('old');
    expect(support.message).toContain('The oldest supported release line is 8.19.');
  });
});

describe('verifying a server and token: each failure', () => {
  it('a site without the Bitbucket REST API (HTML 404): not Bitbucket, and the token was never sent', async () => {
    const s = server({});
    const e = await failure(verify(s));
    expect(e.kind).toBe('not-bitbucket');
    expect(e.message).toBe(
      `${BASE} doesn't look like a Bitbucket Server or Data Center: it has no Bitbucket REST API at /rest/api/1.0. Check the address, including any path such as /bitbucket.`,
    );
    expect(s.seen.every((r) => !r.authorised)).toBe(true);
  });

  it('a web page with 200: not Bitbucket', async () => {
    const s = server({
      '/rest/api/1.0/application-properties': () =>
        new Response('<!DOCTYPE html><html><body>Welcome</body></html>', {
          headers: { 'content-type': 'text/html' },
        }),
    });
    expect((await failure(verify(s))).kind).toBe('not-bitbucket');
  });

  it('another product’s JSON: not Bitbucket', async () => {
    const s = server({
      '/rest/api/1.0/application-properties': () => json({ application: 'jira', version: 'x' }),
    });
    const e = await failure(verify(s));
    expect(e.kind).toBe('not-bitbucket');
    expect(e.message).toContain('its answer carries no Bitbucket version.');
    expect(s.seen.every((r) => !r.authorised)).toBe(true);
  });

  it('a single sign-on redirect: sign in first', async () => {
    const s = server({
      '/rest/api/1.0/application-properties': () => {
        const r = new Response(null, { status: 200 });
        Object.defineProperty(r, 'type', { value: 'opaqueredirect' });
        Object.defineProperty(r, 'status', { value: 0 });
        return r;
      },
    });
    const e = await failure(verify(s));
    expect(e.kind).toBe('login-redirect');
    expect(e.message).toContain(`Open ${BASE} in a tab, sign in, and try again.`);
    expect(s.seen.every((r) => !r.authorised)).toBe(true);
  });

  it('an unreachable server: offline', async () => {
    const e = await failure(
      verifyConnection({
        baseUrl: BASE,
        token: TOKEN,
        fetch: async () => {
          throw new TypeError('fetch failed');
        },
      }),
    );
    expect(e.kind).toBe('offline');
    expect(e.message).toBe(`Can't reach ${BASE}: check the address, your network or VPN.`);
  });

  it('a server older than HTTP access tokens (5.5): unsupported, and the token was never sent', async () => {
    const s = server({ '/rest/api/1.0/application-properties': () => json({ ...PROPS, version: '5.4.2' }) });
    const e = await failure(verify(s));
    expect(e.kind).toBe('unsupported-version');
    expect(e.message).toBe(
      'Bitbucket 5.4.2 is too old for this extension: it needs 5.5 or later, the first version with HTTP access tokens. Ask your Bitbucket administrators about upgrading.',
    );
    expect(s.seen.every((r) => !r.authorised)).toBe(true);
  });

  it('a wrong, expired or revoked token: bad token, asked once and never again', async () => {
    const s = healthy({
      '/rest/api/1.0/application-properties': ({ authorised }) =>
        authorised
          ? json(
              errorBody(
                'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException',
                'Authentication failed. Please check your credentials and try again.',
              ),
              401,
            )
          : json(PROPS),
    });
    const e = await failure(verify(s));
    expect(e.kind).toBe('bad-token');
    expect(e.message).toBe(
      `The server rejected the access token: it is wrong, expired or revoked. Create a new HTTP access token on ${BASE} and replace it in this profile.`,
    );
    expect(s.seen.filter((r) => r.authorised)).toHaveLength(1);
  });

  it('no X-AUSERNAME (a proxy stripping it): says so instead of guessing', async () => {
    const s = healthy({ '/rest/api/1.0/application-properties': () => json(PROPS) });
    const e = await failure(verify(s));
    expect(e.kind).toBe('invalid-response');
    expect(e.message).toMatch(
      /^The server accepted the token but did not say whose it is: the X-AUSERNAME header/,
    );
  });

  it('a token that can’t read repositories at all: missing “Repository read”', async () => {
    const s = healthy({
      '/rest/api/1.0/repos': () =>
        json(
          errorBody(
            'com.atlassian.bitbucket.AuthorisationException',
            'You are not permitted to access this resource',
          ),
          401,
        ),
    });
    const e = await failure(verify(s));
    expect(e.kind).toBe('missing-permission');
    expect(e.requiredPermission).toBe('REPO_READ');
    expect(e.message).toMatch(
      /^Your token lacks “Repository read” permission, which listing repositories needs\./,
    );
  });

  it('the user named by the server can’t be found: says so', async () => {
    const s = healthy({
      '/rest/api/1.0/application-properties': ({ authorised }) =>
        json(PROPS, 200, authorised ? { 'x-ausername': 'ghost' } : {}),
      '/rest/api/1.0/users': () => page([USER]),
    });
    const e = await failure(verify(s));
    expect(e.kind).toBe('invalid-response');
    expect(e.message).toContain('the token belongs to “ghost”');
  });

  it('the server failing midway: a server error, not a wrong token', async () => {
    const s = healthy({
      '/rest/api/1.0/users/jdoe': () => json(errorBody('java.lang.IllegalStateException', 'x'), 500),
    });
    expect((await failure(verify(s))).kind).toBe('server-error');
  });
});

/** A fetch to the real network (the simulator) that counts the body bytes the client read. */
function countingFetch() {
  let read = 0;
  const requests: Array<{ url: string; authorised: boolean }> = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    requests.push({ url: String(input), authorised: 'Authorization' in headers });
    const response = await globalThis.fetch(input, init);
    if (!response.body) return response;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          read += chunk.byteLength;
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: response.status, headers: response.headers });
  };
  return { fetch, requests, read: () => read };
}

describe('verifying against the simulator: huge answers, long names, redirects', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    expect(sim?.violations ?? []).toEqual([]);
    sim = undefined;
  });
  const start = async () => {
    sim = await startSimulator({ strict: true, contextPath: '/bitbucket' });
    return { sim, token: sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']) };
  };
  const FIFTY_MB = 50 * 1024 * 1024;

  it('a 50 MB user display name: refused after reading little of it, with a sentence, nothing returned', async () => {
    const { sim, token } = await start();
    sim.model.user('alice')!.displayName = 'A'.repeat(FIFTY_MB);
    const counting = countingFetch();
    const e = await expectFailure(
      verifyConnection({ baseUrl: sim.url, token, fetch: counting.fetch }),
      token,
    );
    expect(e.kind).toBe('too-large');
    expect(e.message).toBe(
      `${sim.url} sent a far larger answer than Bitbucket sends for reading user details (over 64 KB), so the extension stopped reading it. A proxy in front of Bitbucket may be changing answers; if not, tell your Bitbucket administrators.`,
    );
    expect(counting.read()).toBeLessThan(2 * 1024 * 1024);
  });

  it('a 50 MB server name: refused on the first, anonymous, request', async () => {
    const { sim, token } = await start();
    sim.faults.set('/rest/api/1.0/application-properties', { pad: 'displayName', length: FIFTY_MB });
    const counting = countingFetch();
    const e = await expectFailure(
      verifyConnection({ baseUrl: sim.url, token, fetch: counting.fetch }),
      token,
    );
    expect(e.kind).toBe('too-large');
    expect(e.message).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/bitbucket sent a far larger answer than Bitbucket sends for reading the server version \(over 64 KB\)/,
    );
    expect(counting.read()).toBeLessThan(2 * 1024 * 1024);
    expect(counting.requests.every((r) => !r.authorised)).toBe(true);
  });

  it('names a little past Bitbucket’s 255 characters are cut to 255; far past it, refused', async () => {
    const { sim, token } = await start();
    sim.model.user('alice')!.displayName = `Alice ${'Å'.repeat(300)}`;
    sim.faults.set('/rest/api/1.0/application-properties', { pad: 'displayName', length: 400 });
    const verified = await verifyConnection({ baseUrl: sim.url, token });
    expect(Array.from(verified.user.displayName)).toHaveLength(255);
    expect(verified.user.displayName).toMatch(/^Alice Å+…$/);
    expect(verified.serverName).toHaveLength(255);

    sim.model.user('alice')!.displayName = 'A'.repeat(5_000);
    const e = await expectFailure(verifyConnection({ baseUrl: sim.url, token }), token);
    expect(e.kind).toBe('invalid-response');
    expect(e.message).toBe(
      "The server's answer to reading user details was not in the expected shape. A proxy in front of Bitbucket may be changing answers; if not, please report it.",
    );
  });

  it('an http:// address that redirects to https://: says so and names the address', async () => {
    const { sim, token } = await start();
    sim.faults.set('/rest', { httpsRedirect: true });
    const counting = countingFetch();
    const e = await expectFailure(
      verifyConnection({ baseUrl: sim.url, token, fetch: counting.fetch }),
      token,
    );
    expect(e.kind).toBe('redirect');
    expect(e.message).toBe(
      `This address redirects to ${sim.url.replace(/^http:/, 'https:')} — if that is your Bitbucket server, enter that address.`,
    );
    expect(counting.requests.every((r) => !r.authorised)).toBe(true);
  });

  it('an http:// address with a single sign-on redirect on its own origin: still a login in the way', async () => {
    const { sim, token } = await start();
    sim.faults.set('/rest', { ssoRedirect: true });
    const e = await expectFailure(verifyConnection({ baseUrl: sim.url, token }), token);
    expect(e.kind).toBe('login-redirect');
    expect(e.message).toContain(`Open ${sim.url} in a tab, sign in, and try again.`);
  });
});

describe('verifying: the token in any form never reaches the error', () => {
  it('a 401 echoing the header URL-encoded and lower-cased', async () => {
    const s = healthy({
      '/rest/api/1.0/application-properties': ({ authorised }) =>
        authorised
          ? json(
              {
                errors: [
                  {
                    message: `Bad credentials in Bearer%20${encodeURIComponent(TOKEN)} / ${TOKEN.toLowerCase()}`,
                    exceptionName: 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException',
                  },
                ],
              },
              401,
            )
          : json(PROPS),
    });
    const e = await failure(verify(s));
    expect(e.kind).toBe('bad-token');
    expect(e.serverMessages).toEqual(['Bad credentials in Bearer%20[token] / [token]']);
  });

  it('an X-AUSERNAME far longer than any user name: refused, not looked up', async () => {
    const s = healthy({
      '/rest/api/1.0/application-properties': ({ authorised }) =>
        json(PROPS, 200, authorised ? { 'x-ausername': 'j'.repeat(300) } : {}),
    });
    const e = await failure(verify(s));
    expect(e.kind).toBe('invalid-response');
    expect(s.seen.some((r) => r.path.startsWith('/rest/api/1.0/users'))).toBe(false);
  });
});
