/**
 * What a Bitbucket server can answer, and what the client makes of it. Bodies come from real
 * servers where ../shared has them (fixtures from public client libraries' tests).
 */
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { BitbucketClient } from '../../lib/bitbucket/client';
import { BitbucketError } from '../../lib/bitbucket/errors';
import { cloneLinks, RepositorySchema } from '../../lib/bitbucket/repos';

const FIXTURES = '../shared/reference/bitbucket/fixtures/go-scm-stash';
const fixture = (name: string) => readFileSync(`${FIXTURES}/${name}`, 'utf8');
const TOKEN = 'NzQ0MjE2OTk0OTE4OsecretTokenText';
const BASE = 'https://git.example.com/bitbucket';

interface Call {
  url: string;
  init: RequestInit;
}
type Reply = Response | (() => Response | Promise<Response>);

/** A fetch that answers from a script of replies and records every call. */
function fakeFetch(...replies: Reply[]) {
  const calls: Call[] = [];
  const fn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    const next = replies.length > 1 ? replies.shift()! : replies[0]!;
    return typeof next === 'function' ? next() : next.clone();
  }) as typeof fetch;
  return { fn, calls };
}
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8', ...headers },
  });
const errorBody = (exceptionName: string, message: string) => ({
  errors: [{ context: null, message, exceptionName }],
});
const client = (f: typeof fetch, extra: Partial<ConstructorParameters<typeof BitbucketClient>[0]> = {}) =>
  new BitbucketClient({ baseUrl: BASE, token: TOKEN, fetch: f, sleep: async () => {}, ...extra });

async function failure(promise: Promise<unknown>): Promise<BitbucketError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(BitbucketError);
    const e = error as BitbucketError;
    expect(e.message).not.toContain(TOKEN);
    expect(JSON.stringify(e.toJSON())).not.toContain(TOKEN);
    return e;
  }
  throw new Error('expected a failure');
}

describe('requests', () => {
  it('sends Bearer auth and Accept JSON, keeps the context path, and reads X-AUSERNAME', async () => {
    const f = fakeFetch(json(fixture('user.json'), 200, { 'x-ausername': 'jcitizen' }));
    const res = await client(f.fn).get('/rest/api/1.0/users/jcitizen', { operation: 'users.get' });
    expect(f.calls[0]!.url).toBe('https://git.example.com/bitbucket/rest/api/1.0/users/jcitizen');
    const headers = f.calls[0]!.init.headers as Record<string, string>;
    expect(headers.Authorization).toBe(`Bearer ${TOKEN}`);
    expect(headers.Accept).toBe('application/json');
    expect(headers['X-Atlassian-Token']).toBeUndefined();
    expect(f.calls[0]!.init.redirect).toBe('manual');
    expect(f.calls[0]!.init.credentials).toBe('omit');
    expect(res.username).toBe('jcitizen');
  });

  it('adds X-Atlassian-Token: no-check and a JSON body on writes', async () => {
    const f = fakeFetch(json({ id: 1 }, 201));
    await client(f.fn).post('/rest/api/1.0/projects/PRJ/repos', {
      operation: 'repos.create',
      body: { name: 'x', scmId: 'git' },
    });
    const headers = f.calls[0]!.init.headers as Record<string, string>;
    expect(headers['X-Atlassian-Token']).toBe('no-check');
    expect(headers['Content-Type']).toBe('application/json');
    expect(f.calls[0]!.init.body).toBe('{"name":"x","scmId":"git"}');
  });

  it('treats X-AUSERNAME "anonymous" or missing as nobody, and sends no Authorization without a token', async () => {
    const f = fakeFetch(json({ version: '9.4.13' }, 200, { 'x-ausername': 'anonymous' }));
    const res = await new BitbucketClient({ baseUrl: BASE, fetch: f.fn }).get(
      '/rest/api/1.0/application-properties',
      {
        operation: 'server.properties',
      },
    );
    expect(res.username).toBeNull();
    expect((f.calls[0]!.init.headers as Record<string, string>).Authorization).toBeUndefined();
  });

  it('validates the answer against the schema it expects', async () => {
    const f = fakeFetch(json(fixture('repo.json')));
    const { data } = await client(f.fn).get('/rest/api/1.0/projects/PRJ/repos/my-repo', {
      operation: 'repos.get',
      schema: RepositorySchema,
    });
    expect(data.project.key).toBe('PRJ');
    const bad = fakeFetch(json({ slug: 42 }));
    const e = await failure(client(bad.fn).get('/x', { operation: 'repos.get', schema: RepositorySchema }));
    expect(e.kind).toBe('invalid-response');
    expect(e.message).toMatch(/reading a repository/);
  });

  it('returns undefined data for 204 No Content', async () => {
    const f = fakeFetch(new Response(null, { status: 204 }));
    expect(
      (await client(f.fn).delete('/rest/ssh/1.0/keys/1', { operation: 'ssh-keys.add' })).data,
    ).toBeUndefined();
  });
});

describe('failures, each with its own sentence', () => {
  it('a bad or revoked token (401 IncorrectPasswordAuthenticationException) is never retried', async () => {
    const f = fakeFetch(
      json(
        errorBody(
          'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException',
          'Authentication failed. Please check your credentials and try again.',
        ),
        401,
      ),
    );
    const e = await failure(client(f.fn).get('/rest/api/1.0/repos', { operation: 'repos.list' }));
    expect(e.kind).toBe('bad-token');
    expect(e.message).toBe(
      `The server rejected the access token: it is wrong, expired or revoked. Create a new HTTP access token on ${BASE} and replace it in this profile.`,
    );
    expect(f.calls).toHaveLength(1);
  });

  it('a missing permission (401 AuthorisationException) names the permission the operation needs', async () => {
    const f = fakeFetch(
      json(
        errorBody(
          'com.atlassian.bitbucket.AuthorisationException',
          'You are not permitted to access this resource',
        ),
        401,
      ),
    );
    const e = await failure(
      client(f.fn).post('/rest/api/1.0/projects/P/repos/r/pull-requests', {
        operation: 'pull-requests.create',
      }),
    );
    expect(e.kind).toBe('missing-permission');
    expect(e.requiredPermission).toBe('REPO_WRITE');
    expect(e.message).toContain(
      'Your token lacks “Repository write” permission, which creating a pull request needs.',
    );
    expect(f.calls).toHaveLength(1);
  });

  it('404 NoSuchProjectException (real body) is "not found"', async () => {
    const f = fakeFetch(json(fixture('error.json'), 404));
    const e = await failure(client(f.fn).get('/rest/api/1.0/projects/dev', { operation: 'projects.get' }));
    expect(e.kind).toBe('not-found');
    expect(e.serverMessages).toEqual(['Project dev does not exist.']);
    expect(e.message).toMatch(/does not exist, or your account can't see it/);
  });

  it('409 carries the server’s own explanation', async () => {
    const f = fakeFetch(
      json(
        errorBody(
          'com.atlassian.bitbucket.repository.DuplicateRepositoryNameException',
          'A repository with same name already exists.',
        ),
        409,
      ),
    );
    const e = await failure(
      client(f.fn).post('/rest/api/1.0/projects/P/repos', { operation: 'repos.create' }),
    );
    expect(e.kind).toBe('conflict');
    expect(e.message).toBe('The server refused: A repository with same name already exists.');
  });

  it('429 with a short Retry-After is retried once for reads, then surfaced with the wait', async () => {
    const waits: number[] = [];
    const limited = () => json(errorBody('x', 'Too many requests'), 429, { 'retry-after': '2' });
    const retried = fakeFetch(limited(), json({ version: '9.4.13' }));
    const ok = await client(retried.fn, { sleep: async (ms) => void waits.push(ms) }).get('/a', {
      operation: 'server.properties',
    });
    expect(ok.data).toEqual({ version: '9.4.13' });
    expect(waits).toEqual([2000]);

    const twice = fakeFetch(limited());
    const e = await failure(client(twice.fn).get('/a', { operation: 'server.properties' }));
    expect(twice.calls).toHaveLength(2);
    expect(e.kind).toBe('rate-limited');
    expect(e.retryAfterSeconds).toBe(2);
    expect(e.message).toBe('The server is limiting requests right now. Try again in 2 s.');

    const long = fakeFetch(json(errorBody('x', 'slow down'), 429, { 'retry-after': '120' }));
    expect(
      (await failure(client(long.fn).get('/a', { operation: 'server.properties' }))).retryAfterSeconds,
    ).toBe(120);
    expect(long.calls).toHaveLength(1);

    const write = fakeFetch(limited());
    await failure(client(write.fn).post('/a', { operation: 'repos.create' }));
    expect(write.calls).toHaveLength(1);
  });

  it('5xx: 503 on a read is retried once; 500 is reported at once as a server problem', async () => {
    const f503 = fakeFetch(new Response('Service Unavailable', { status: 503 }), json({ ok: true }));
    expect((await client(f503.fn).get('/a', { operation: 'repos.list' })).data).toEqual({ ok: true });
    const f500 = fakeFetch(json(errorBody('java.lang.NullPointerException', 'oops'), 500));
    const e = await failure(client(f500.fn).get('/a', { operation: 'repos.list' }));
    expect(e.kind).toBe('server-error');
    expect(e.message).toMatch(/^The server had a problem \(HTTP 500\)/);
    expect(f500.calls).toHaveLength(1);
  });

  it('a server that does not answer in time is a timeout, not "offline"', async () => {
    const hang = ((_: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as typeof fetch;
    const e = await failure(client(hang, { timeoutMs: 30 }).get('/a', { operation: 'repos.list' }));
    expect(e.kind).toBe('timeout');
    expect(e.message).toMatch(/did not answer within/);
  });

  it('the caller’s own abort is passed on as an abort, not turned into a sentence', async () => {
    const hang = ((_: RequestInfo | URL, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      })) as typeof fetch;
    const controller = new AbortController();
    const pending = client(hang).get('/a', { operation: 'repos.list', signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toHaveProperty('name', 'AbortError');
  });

  it('a network failure (fetch TypeError) is "can’t reach"', async () => {
    const down = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    const e = await failure(client(down).get('/a', { operation: 'repos.list' }));
    expect(e.kind).toBe('offline');
    expect(e.message).toBe(`Can't reach ${BASE}: check the address, your network or VPN.`);
  });

  it('a redirect (opaque in the browser, 302 elsewhere) means a login or SSO page is in the way', async () => {
    const opaque = fakeFetch(() => {
      const r = new Response(null, { status: 200 });
      Object.defineProperty(r, 'type', { value: 'opaqueredirect' });
      Object.defineProperty(r, 'status', { value: 0 });
      return r;
    });
    expect((await failure(client(opaque.fn).get('/a', { operation: 'repos.list' }))).kind).toBe(
      'login-redirect',
    );
    const found = fakeFetch(new Response(null, { status: 302, headers: { location: '/login' } }));
    const e = await failure(client(found.fn).get('/a', { operation: 'repos.list' }));
    expect(e.kind).toBe('login-redirect');
    expect(e.message).toMatch(/login page instead of data/);
  });

  it('HTML instead of JSON: a login form is "login", any other page is "not JSON"', async () => {
    const login = fakeFetch(
      new Response('<html><form action="/j_atl_security_check"><input name="j_username"></form></html>', {
        headers: { 'content-type': 'text/html' },
      }),
    );
    expect((await failure(client(login.fn).get('/a', { operation: 'repos.list' }))).kind).toBe(
      'login-redirect',
    );
    const page = fakeFetch(
      new Response('<html><h1>Intranet</h1></html>', { headers: { 'content-type': 'text/html' } }),
    );
    const e = await failure(client(page.fn).get('/a', { operation: 'repos.list' }));
    expect(e.kind).toBe('not-json');
    expect(e.message).toMatch(/answered with a web page instead of data/);
  });

  it('errors survive the trip through the message protocol', () => {
    const e = new BitbucketError('rate-limited', 'wait', { status: 429, retryAfterSeconds: 3 });
    const again = BitbucketError.fromJSON(JSON.parse(JSON.stringify(e.toJSON())));
    expect(again).toMatchObject({ kind: 'rate-limited', message: 'wait', status: 429, retryAfterSeconds: 3 });
  });
});

describe('paging', () => {
  const page = (values: number[], start: number, isLastPage: boolean, nextPageStart?: number) =>
    json({
      size: values.length,
      limit: 2,
      start,
      isLastPage,
      values,
      ...(nextPageStart !== undefined ? { nextPageStart } : {}),
    });

  it('follows nextPageStart until isLastPage', async () => {
    const f = fakeFetch(page([1, 2], 0, false, 2), page([3, 4], 2, false, 4), page([5], 4, true));
    const all = await client(f.fn).getAllPages('/rest/api/1.0/repos', {
      operation: 'repos.list',
      query: { name: 'api' },
      itemSchema: v.number(),
      limit: 2,
    });
    expect(all).toEqual([1, 2, 3, 4, 5]);
    expect(f.calls.map((c) => new URL(c.url).search)).toEqual([
      '?name=api&start=0&limit=2',
      '?name=api&start=2&limit=2',
      '?name=api&start=4&limit=2',
    ]);
  });

  it('stops when nextPageStart does not move forward, and at maxPages', async () => {
    const stuck = fakeFetch(page([1], 0, false, 1), page([2], 1, false, 1));
    expect(
      await client(stuck.fn).getAllPages('/r', { operation: 'repos.list', itemSchema: v.number() }),
    ).toEqual([1, 2]);
    expect(stuck.calls).toHaveLength(2);
    const endless = fakeFetch(() => {
      const n = endless.calls.length;
      return page([n], n, false, n + 1);
    });
    const some = await client(endless.fn).getAllPages('/r', {
      operation: 'repos.list',
      itemSchema: v.number(),
      maxPages: 3,
    });
    expect(some).toHaveLength(3);
  });

  it('reads the real paged repository list', async () => {
    const f = fakeFetch(json(fixture('repos.json')));
    const repos = await client(f.fn).getAllPages('/rest/api/1.0/repos', {
      operation: 'repos.list',
      itemSchema: RepositorySchema,
    });
    expect(repos.length).toBeGreaterThan(0);
    expect(repos[0]!.project.key).toBeTruthy();
  });
});

describe('clone links', () => {
  it('picks http and ssh by name whatever the order, and strips the user name from http', () => {
    const repo = JSON.parse(fixture('repo.json'));
    const links = cloneLinks(repo);
    expect(links.ssh).toMatch(/^ssh:\/\//);
    expect(links.http).toMatch(/^https?:\/\//);
    expect(links.http).not.toContain('@');
    expect(
      cloneLinks({
        links: {
          clone: [
            { href: 'ssh://git@h:7999/prj/r.git', name: 'ssh' },
            { href: 'https://jdoe@h/scm/prj/r.git', name: 'http' },
          ],
        },
      }),
    ).toEqual({ ssh: 'ssh://git@h:7999/prj/r.git', http: 'https://h/scm/prj/r.git' });
  });

  it('copes with clone links missing (protocols turned off)', () => {
    expect(cloneLinks({ links: {} })).toEqual({});
    expect(cloneLinks({})).toEqual({});
    expect(cloneLinks({ links: { clone: [{ href: 'ssh://git@h/x.git', name: 'ssh' }] } })).toEqual({
      ssh: 'ssh://git@h/x.git',
    });
  });
});
