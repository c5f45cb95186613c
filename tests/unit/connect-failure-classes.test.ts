/**
 * Every failure class the README promises for connecting, through the background's connect against
 * the simulator (or a plain HTTP server where no Bitbucket can be): the exact sentence the user is
 * shown, and that nothing was saved.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as profiles from '../../lib/background/profiles';
import { CompanionDb } from '../../lib/db/schema';
import { type Simulator, startSimulator } from '../../simulator/index';

let sim: Simulator;
let db: CompanionDb;
beforeAll(async () => {
  sim = await startSimulator({ strict: true });
});
afterAll(async () => {
  await sim.close();
  expect(sim.violations).toEqual([]);
});
afterEach(async () => {
  sim.faults.clear();
  expect(await db.profiles.count(), 'nothing is saved after a failed connect').toBe(0);
  expect(await db.settings.count()).toBe(0);
  await db.delete();
});

const granted = { hostAccess: async () => true };

async function refusal(serverUrl: string, token: string, deps: profiles.ProfileDeps = granted) {
  db = new CompanionDb(`failure-${Math.random()}`);
  const error = await profiles.connect(db, { serverUrl, token }, deps).then(
    () => {
      throw new Error('connect succeeded');
    },
    (e: unknown) => e as { kind: string; message: string },
  );
  expect(error.message).not.toContain(token);
  return error;
}

async function plainServer(handler: Parameters<typeof createServer>[1]): Promise<[Server, string]> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

describe('connect: each failure class gets its sentence and saves nothing', () => {
  const token = () => sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);

  /** A web server answering every path with this HTML page is named as not Bitbucket. */
  async function expectNotBitbucket(status: number, html: string) {
    const [server, url] = await plainServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end(html);
    });
    try {
      expect(await refusal(url, token())).toMatchObject({
        kind: 'not-bitbucket',
        message: `${url} doesn't look like a Bitbucket Server or Data Center: it has no Bitbucket REST API at /rest/api/1.0. Check the address, including any path such as /bitbucket.`,
      });
    } finally {
      server.close();
    }
  }

  it('a wrong URL', async () => {
    expect(await refusal('https://exa mple.com', 'MTAwMDAwMDAwMTAxOobvReo')).toMatchObject({
      kind: 'bad-url',
      message: '“https://exa mple.com” is not a web address. Enter one like https://bitbucket.example.com.',
    });
  });

  it('a server that is down', async () => {
    const [server, url] = await plainServer(() => {});
    await new Promise((resolve) => server.close(resolve));
    expect(await refusal(url, token())).toMatchObject({
      kind: 'offline',
      message: `Can't reach ${url}: check the address, your network or VPN.`,
    });
  });

  it('a site that is not Bitbucket', async () => {
    await expectNotBitbucket(404, '<!doctype html><h1>Not here</h1>');
  });

  it('a single sign-on page in the way', async () => {
    sim.faults.set('/rest', { ssoRedirect: true });
    expect(await refusal(sim.url, token())).toMatchObject({
      kind: 'login-redirect',
      message: `The server answered with a login page instead of data: a single sign-on proxy or the server's login is in the way. Open ${sim.url} in a tab, sign in, and try again.`,
    });
  });

  it('a wrong token, and a revoked one', async () => {
    const sentence = `The server rejected the access token: it is wrong, expired or revoked. Create a new HTTP access token on ${sim.url} and replace it in this profile.`;
    expect(await refusal(sim.url, 'MTAwMDAwMDAwOTk5Ondyb25nLXRva2Vu')).toMatchObject({
      kind: 'bad-token',
      message: sentence,
    });
    const revoked = token();
    sim.revokeToken(revoked);
    await db.delete();
    expect(await refusal(sim.url, revoked)).toMatchObject({ kind: 'bad-token', message: sentence });
  });

  it('a token missing Repository read', async () => {
    // The server refuses the Repository read probe as Bitbucket does: 401 with AuthorisationException.
    const refusingRepoRead: typeof fetch = async (input, init) => {
      const url = new URL(String(input));
      if (
        url.pathname.endsWith('/rest/api/1.0/repos') &&
        url.searchParams.get('permission') === 'REPO_READ'
      ) {
        return new Response(
          JSON.stringify({
            errors: [
              {
                context: null,
                message: 'You are not permitted to access this resource',
                exceptionName: 'com.atlassian.bitbucket.AuthorisationException',
              },
            ],
          }),
          { status: 401, headers: { 'content-type': 'application/json' } },
        );
      }
      return fetch(input, init);
    };
    expect(await refusal(sim.url, token(), { ...granted, fetch: refusingRepoRead })).toMatchObject({
      kind: 'missing-permission',
      message:
        'Your token lacks “Repository read” permission, which listing repositories needs. Create a token with Repository read (or ask a project admin for that access) and replace it in this profile.',
    });
  });

  it('a server limiting requests (429 with a long Retry-After)', async () => {
    sim.faults.set('/rest/api/1.0/application-properties', { status: 429, retryAfterSeconds: 120 });
    expect(await refusal(sim.url, token())).toMatchObject({
      kind: 'rate-limited',
      message: 'The server is limiting requests right now: try again in 120 s.',
    });
  });

  it('a server error (500)', async () => {
    sim.faults.set('/rest/api/1.0/application-properties', { status: 500 });
    expect(await refusal(sim.url, token())).toMatchObject({
      kind: 'server-error',
      message: `${sim.url} had an internal problem (HTTP 500). Try again in a moment; if it keeps happening, tell your Bitbucket administrators.`,
    });
  });

  it('a server that does not answer in time', async () => {
    sim.faults.set('/rest/api/1.0/application-properties', { latencyMs: 2_000 });
    expect(await refusal(sim.url, token(), { ...granted, timeoutMs: 200 })).toMatchObject({
      kind: 'timeout',
      message: `${sim.url} did not answer within 1 s. Check your network or VPN and try again.`,
    });
  });

  it('a web page instead of JSON', async () => {
    await expectNotBitbucket(200, '<!doctype html><title>Intranet</title><h1>Welcome</h1>');
  });

  it('a server too old for access tokens', async () => {
    const old = await startSimulator({ strict: true, version: '5.4.2' });
    try {
      expect(await refusal(old.url, old.createToken('alice', ['PROJECT_READ', 'REPO_READ']))).toMatchObject({
        kind: 'unsupported-version',
        message:
          'Bitbucket 5.4.2 is too old for this extension: it needs 5.5 or later, the first version with HTTP access tokens. Ask your Bitbucket administrators about upgrading.',
      });
    } finally {
      await old.close();
    }
  });

  it('a huge answer (a 50 MB display name)', async () => {
    sim.faults.set('/rest/api/1.0/users', { pad: 'displayName', length: 50_000_000 });
    expect(await refusal(sim.url, token())).toMatchObject({
      kind: 'too-large',
      message: `${sim.url} sent a far larger answer than Bitbucket sends for reading user details (over 64 KB), so the extension stopped reading it. A proxy in front of Bitbucket may be changing answers; if not, tell your Bitbucket administrators.`,
    });
  });

  it('an http:// address that redirects elsewhere', async () => {
    sim.faults.set('*', { httpsRedirect: true });
    // Node sees where the redirect goes (a browser doesn't: the e2e test has that sentence).
    const httpsUrl = sim.url.replace(/^http:/, 'https:');
    expect(await refusal(sim.url, token())).toMatchObject({
      kind: 'redirect',
      message: `This address redirects to ${httpsUrl} — if that is your Bitbucket server, enter that address.`,
    });
  });

  it('no host permission for the server', async () => {
    const url = new URL(sim.url);
    expect(await refusal(sim.url, token(), { hostAccess: async () => false })).toMatchObject({
      kind: 'no-host-access',
      message: `The extension has no access to ${url.host} — Allow access, then try again.`,
    });
  });
});

describe('connect on a server that cuts pages before filtering them', () => {
  it('finds a permission even when the first page is empty but not the last', async () => {
    const skipping = await startSimulator({ strict: true, skipAhead: true });
    try {
      db = new CompanionDb(`skip-${Math.random()}`);
      // eve can write to one repository only (PROJ/web-app): the first one-item page hides it.
      const { profile } = await profiles.connect(
        db,
        { serverUrl: skipping.url, token: skipping.createToken('eve', ['PROJECT_READ', 'REPO_WRITE']) },
        granted,
      );
      expect(profile.access).toMatchObject({ repoRead: true, repoWrite: true, repoAdmin: false });
      await db.profiles.clear();
      await db.settings.clear();
    } finally {
      expect(skipping.violations).toEqual([]);
      await skipping.close();
    }
  });
});
