/**
 * A catalogue of what a Bitbucket server can answer, and what the REST client makes of it.
 * Bodies are real where ../shared has them (responses recorded in public client libraries' tests).
 */
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  ANSWER_LIMITS,
  BitbucketClient,
  type BitbucketClientOptions,
  GLANCE_LIMIT,
  type Method,
} from '../../lib/bitbucket/client';
import { BITBUCKET_ERROR_KINDS, BitbucketError, type BitbucketErrorKind } from '../../lib/bitbucket/errors';
import type { OperationId } from '../../lib/bitbucket/permissions';
import { RepositorySchema } from '../../lib/bitbucket/repos';
import { scrubToken } from '../../lib/bitbucket/scrub';
import { UserSchema } from '../../lib/bitbucket/users';
import { expectFailure } from './support/bitbucket-failure';

const FIXTURES = new URL('../../../shared/reference/bitbucket/fixtures/go-scm-stash/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

const TOKEN = 'NzQ0MjE2OTk0OTE4OsecretTokenText';
const BASE = 'https://git.example.com/bitbucket';
/** The same server at a plain-HTTP address. */
const HTTP_BASE = 'http://git.example.com/bitbucket';

interface Call {
  url: string;
  init: RequestInit;
}
type Reply = Response | ((call: Call) => Response | Promise<Response>);

/** A fetch that answers from a script of replies (the last one repeats) and records every call. */
function fakeFetch(...replies: Reply[]) {
  const calls: Call[] = [];
  const fn: typeof fetch = async (input, init) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    const next = replies.length > 1 ? replies.shift()! : replies[0]!;
    return typeof next === 'function' ? next(call) : next.clone();
  };
  return { fn, calls };
}
const headersOf = (call: Call | undefined) => (call?.init.headers ?? {}) as Record<string, string>;

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json;charset=UTF-8', ...headers },
  });
const html = (body: string, status = 200) =>
  new Response(body, { status, headers: { 'content-type': 'text/html;charset=UTF-8' } });
const errorBody = (exceptionName: string | null, message: string) => ({
  errors: [{ context: null, message, exceptionName }],
});

/** A fetch that never answers until its signal aborts, like a server that hangs. */
const hangingFetch: typeof fetch = (_input, init) =>
  new Promise<Response>((_resolve, reject) => {
    init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  });

const client = (f: typeof fetch, extra: Partial<BitbucketClientOptions> = {}) =>
  new BitbucketClient({ baseUrl: BASE, token: TOKEN, fetch: f, sleep: async () => {}, ...extra });

const failure = (promise: Promise<unknown>) => expectFailure(promise, TOKEN);

describe('what the client sends', () => {
  it('Bearer token, Accept JSON, no cookies, redirects not followed, context path kept', async () => {
    const f = fakeFetch(json(fixture('user.json'), 200, { 'x-ausername': 'jcitizen' }));
    await client(f.fn).get('/rest/api/1.0/users/jcitizen', { operation: 'users.get' });
    const [call] = f.calls;
    expect(call!.url).toBe('https://git.example.com/bitbucket/rest/api/1.0/users/jcitizen');
    expect(headersOf(call)).toEqual({ Accept: 'application/json', Authorization: `Bearer ${TOKEN}` });
    expect(call!.init).toMatchObject({ method: 'GET', redirect: 'manual', credentials: 'omit' });
    expect(call!.init.body).toBeUndefined();
  });

  it('no Authorization header at all without a token', async () => {
    const f = fakeFetch(json({ version: '9.4.23', displayName: 'B' }));
    await new BitbucketClient({ baseUrl: BASE, fetch: f.fn }).get('/rest/api/1.0/application-properties', {
      operation: 'server.properties',
    });
    expect(headersOf(f.calls[0])).toEqual({ Accept: 'application/json' });
  });

  it.each<[Method, boolean]>([
    ['GET', false],
    ['POST', true],
    ['PUT', true],
    ['DELETE', true],
  ])('%s carries X-Atlassian-Token: no-check: %s', async (method, expected) => {
    const f = fakeFetch(new Response(null, { status: 204 }));
    await client(f.fn).request(method, '/rest/api/1.0/projects/P/repos/r', { operation: 'repos.get' });
    expect(headersOf(f.calls[0])['X-Atlassian-Token']).toBe(expected ? 'no-check' : undefined);
  });

  it('sends a body as JSON with its Content-Type', async () => {
    const f = fakeFetch(json({ id: 1 }, 201));
    await client(f.fn).post('/rest/api/1.0/projects/PRJ/repos', {
      operation: 'repos.create',
      body: { name: 'x', scmId: 'git' },
    });
    expect(headersOf(f.calls[0])['Content-Type']).toBe('application/json');
    expect(f.calls[0]!.init.body).toBe('{"name":"x","scmId":"git"}');
  });

  it('builds the query: undefined dropped, arrays repeated, numbers and booleans as text', async () => {
    const f = fakeFetch(json({}));
    await client(f.fn).get('/rest/api/1.0/dashboard/pull-requests', {
      operation: 'dashboard.pull-requests',
      query: {
        state: 'OPEN',
        role: undefined,
        participantStatus: ['APPROVED', 'NEEDS_WORK'],
        limit: 5,
        x: true,
      },
    });
    expect(new URL(f.calls[0]!.url).search).toBe(
      '?state=OPEN&participantStatus=APPROVED&participantStatus=NEEDS_WORK&limit=5&x=true',
    );
  });

  it('only calls REST paths: the token never goes to a web page', async () => {
    const f = fakeFetch(json({}));
    await expect(
      client(f.fn).get('/plugins/servlet/applinks/whoami', { operation: 'users.get' }),
    ).rejects.toThrow(/only calls REST paths/);
    expect(f.calls).toHaveLength(0);
  });

  it('a trailing slash on the base URL does not double up', async () => {
    const f = fakeFetch(json({}));
    await client(f.fn, { baseUrl: `${BASE}/` }).get('/rest/api/1.0/repos', { operation: 'repos.list' });
    expect(f.calls[0]!.url).toBe(`${BASE}/rest/api/1.0/repos`);
  });
});

describe('what the client makes of good answers', () => {
  it('reads who the server thinks we are from X-AUSERNAME; "anonymous" or none is nobody', async () => {
    const get = (headers: Record<string, string>) =>
      client(fakeFetch(json({}, 200, headers)).fn).get('/rest/api/1.0/application-properties', {
        operation: 'server.properties',
      });
    expect((await get({ 'x-ausername': 'jcitizen' })).username).toBe('jcitizen');
    expect((await get({ 'x-ausername': 'anonymous' })).username).toBeNull();
    expect((await get({})).username).toBeNull();
  });

  it('validates the answer with the schema and keeps only the fields we read', async () => {
    const f = fakeFetch(json(fixture('user.json')));
    const { data, status } = await client(f.fn).get('/rest/api/1.0/users/jcitizen', {
      operation: 'users.get',
      schema: UserSchema,
    });
    expect(status).toBe(200);
    expect(data).toEqual({
      id: 1,
      name: 'jcitizen',
      slug: 'jcitizen',
      displayName: 'Jane Citizen',
      emailAddress: 'jane@example.com',
      active: true,
    });
  });

  it('204 No Content is undefined data', async () => {
    const f = fakeFetch(new Response(null, { status: 204 }));
    const res = await client(f.fn).delete('/rest/ssh/1.0/keys/1', { operation: 'ssh-keys.add' });
    expect(res).toEqual({ data: undefined, status: 204, username: null });
  });

  it('JSON mislabelled as text/plain is still read', async () => {
    const f = fakeFetch(new Response('{"a":1}', { headers: { 'content-type': 'text/plain' } }));
    expect((await client(f.fn).get('/rest/api/1.0/x', { operation: 'repos.list' })).data).toEqual({ a: 1 });
  });
});

interface FailureCase {
  title: string;
  /** Default BASE (https). */
  base?: string;
  replies: Reply[];
  operation?: OperationId;
  method?: Method;
  token?: boolean;
  kind: BitbucketErrorKind;
  status?: number;
  message: string | RegExp;
  /** How many requests reached the server (retries included). */
  calls?: number;
  extra?: Partial<Pick<BitbucketError, 'requiredPermission' | 'retryAfterSeconds' | 'serverMessages'>>;
}

const opaqueRedirect = () => {
  const r = new Response(null, { status: 200 });
  Object.defineProperty(r, 'type', { value: 'opaqueredirect' });
  Object.defineProperty(r, 'status', { value: 0 });
  return r;
};

/** What an anonymous fetch that follows a redirect sees: where it ended, or a failure for want of permission. */
const landedOn = (url: string) => () => {
  const r = new Response('<!DOCTYPE html><html><body><form id="login-form"></form></body></html>', {
    headers: { 'content-type': 'text/html' },
  });
  Object.defineProperty(r, 'url', { value: url });
  return r;
};
const refusedFollow = () => {
  throw new TypeError('Failed to fetch');
};

/** The answer to `GET …/projects/PRJ/repos/r` (the path the catalogue asks for), `size` bytes of JSON. */
const hugeRepo = (size: number) =>
  json({ id: 1, slug: 'r', name: 'r', project: { key: 'PRJ', name: 'P' }, links: {}, pad: 'x'.repeat(size) });

const REDIRECT_HTTPS_SENTENCE =
  'This address redirects — if your server uses https://, enter that address (https://git.example.com/bitbucket).';

const LOGIN_PAGE = `<!DOCTYPE html><html><head><meta name="application-name" content="Bitbucket"></head>
<body><form action="/bitbucket/j_atl_security_check" method="post" id="login-form">
<input name="j_username"><input type="password" name="j_password"></form></body></html>`;

const BAD_TOKEN_SENTENCE = `The server rejected the access token: it is wrong, expired or revoked. Create a new HTTP access token on ${BASE} and replace it in this profile.`;

const FAILURES: FailureCase[] = [
  {
    title: '401 IncorrectPasswordAuthenticationException: a wrong, expired or revoked token',
    replies: [
      json(
        errorBody(
          'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException',
          'Authentication failed. Please check your credentials and try again.',
        ),
        401,
      ),
    ],
    kind: 'bad-token',
    status: 401,
    message: BAD_TOKEN_SENTENCE,
    calls: 1,
  },
  {
    title: '401 without an exception name, with a token: a bad token too',
    replies: [json({ errors: [{ message: 'Authentication required' }] }, 401)],
    kind: 'bad-token',
    message: BAD_TOKEN_SENTENCE,
    calls: 1,
  },
  {
    title: '401 AuthorisationException: the token lacks the permission the operation needs',
    replies: [
      json(
        errorBody(
          'com.atlassian.bitbucket.AuthorisationException',
          'You are not permitted to access this resource',
        ),
        401,
      ),
    ],
    operation: 'pull-requests.create',
    method: 'POST',
    kind: 'missing-permission',
    status: 401,
    message:
      'Your token lacks “Repository write” permission, which creating a pull request needs. Create a token with Repository write (or ask a project admin for that access) and replace it in this profile.',
    calls: 1,
    extra: {
      requiredPermission: 'REPO_WRITE',
      serverMessages: ['You are not permitted to access this resource'],
    },
  },
  {
    title: '401 without an exception name that says "not permitted": a missing permission',
    replies: [json({ errors: [{ message: 'You are not permitted to access this resource' }] }, 401)],
    operation: 'repos.list',
    kind: 'missing-permission',
    message: /^Your token lacks “Repository read” permission, which listing repositories needs\./,
    extra: { requiredPermission: 'REPO_READ' },
  },
  {
    title: '401 AuthorisationException on adding an SSH key: points to the account page',
    replies: [json(errorBody('com.atlassian.bitbucket.AuthorisationException', 'Not permitted'), 401)],
    operation: 'ssh-keys.add',
    method: 'POST',
    kind: 'missing-permission',
    message:
      /^The server refused adding an SSH key: your account or token is not allowed to do it\. HTTP access tokens may not be allowed to change account settings/,
    extra: { requiredPermission: undefined },
  },
  {
    title: '401 on a request without a token: sign-in needed',
    replies: [json(errorBody('com.atlassian.bitbucket.AuthorisationException', 'Not permitted'), 401)],
    token: false,
    kind: 'missing-permission',
    message: `${BASE} only allows listing repositories for signed-in users, and this request carried no token. Add an HTTP access token to this profile.`,
  },
  {
    title: '403: refused, with the server’s reason',
    replies: [
      json(
        errorBody(null, 'This operation requires a project or repository access token with a valid user.'),
        403,
      ),
    ],
    operation: 'files.edit',
    method: 'PUT',
    kind: 'missing-permission',
    status: 403,
    message:
      /^Your token lacks “Repository write” permission, which committing a file needs\. \(The server said: This operation requires/,
  },
  {
    title: '404 NoSuchProjectException (real body): not found, in the server’s words',
    replies: [json(fixture('error.json'), 404)],
    operation: 'projects.get',
    kind: 'not-found',
    status: 404,
    message: "Project dev does not exist. It may have been renamed or deleted, or your account can't see it.",
    extra: { serverMessages: ['Project dev does not exist.'] },
  },
  {
    title: '404 without a body: not found, naming what',
    replies: [new Response('', { status: 404 })],
    operation: 'repos.get',
    kind: 'not-found',
    message:
      "The repository was not found. It may have been renamed or deleted, or your account can't see it.",
  },
  {
    title: '409: a conflict, with the server’s explanation',
    replies: [
      json(
        errorBody(
          'com.atlassian.bitbucket.repository.DuplicateRepositoryNameException',
          'A repository with same name already exists.',
        ),
        409,
      ),
    ],
    operation: 'repos.create',
    method: 'POST',
    kind: 'conflict',
    status: 409,
    message: 'The server refused creating a repository: A repository with same name already exists.',
  },
  {
    title: '400: the request was refused, with the server’s reason',
    replies: [
      json(
        errorBody(null, 'The key is not a valid RSA, DSA, ECDSA or Ed25519 key of a supported length.'),
        400,
      ),
    ],
    operation: 'ssh-keys.add',
    method: 'POST',
    kind: 'bad-request',
    status: 400,
    message:
      'The server refused adding an SSH key: The key is not a valid RSA, DSA, ECDSA or Ed25519 key of a supported length.',
  },
  {
    title: '429 on a read with a short Retry-After, twice: retried once, then surfaced with the wait',
    replies: [json(errorBody(null, 'Too many requests'), 429, { 'retry-after': '2' })],
    kind: 'rate-limited',
    status: 429,
    message: 'The server is limiting requests right now: try again in 2 s.',
    calls: 2,
    extra: { retryAfterSeconds: 2 },
  },
  {
    title: '429 with a long Retry-After: not retried',
    replies: [json(errorBody(null, 'Too many requests'), 429, { 'retry-after': '120' })],
    kind: 'rate-limited',
    message: 'The server is limiting requests right now: try again in 120 s.',
    calls: 1,
    extra: { retryAfterSeconds: 120 },
  },
  {
    title: '429 without Retry-After: not retried',
    replies: [new Response('', { status: 429 })],
    kind: 'rate-limited',
    message: 'The server is limiting requests right now: try again in a minute.',
    calls: 1,
  },
  {
    title: '429 on a write: never retried',
    replies: [json(errorBody(null, 'Too many requests'), 429, { 'retry-after': '1' })],
    method: 'POST',
    operation: 'pull-requests.create',
    kind: 'rate-limited',
    calls: 1,
    message: /try again in 1 s/,
  },
  {
    title: '500: a server problem, reported at once',
    replies: [json(errorBody('java.lang.NullPointerException', 'oops'), 500)],
    kind: 'server-error',
    status: 500,
    message: `${BASE} had an internal problem (HTTP 500). Try again in a moment; if it keeps happening, tell your Bitbucket administrators.`,
    calls: 1,
  },
  {
    title: '503 twice on a read: retried once, then reported',
    replies: [html('<h1>Service Unavailable</h1>', 503)],
    kind: 'server-error',
    status: 503,
    message: /had an internal problem \(HTTP 503\)/,
    calls: 2,
  },
  {
    title: '502 on a write: not retried',
    replies: [html('<h1>Bad Gateway</h1>', 502)],
    method: 'PUT',
    operation: 'files.edit',
    kind: 'server-error',
    calls: 1,
    message: /HTTP 502/,
  },
  {
    title: 'the network is down (fetch TypeError): can’t reach',
    replies: [
      () => {
        throw new TypeError('Failed to fetch');
      },
    ],
    kind: 'offline',
    message: `Can't reach ${BASE}: check the address, your network or VPN.`,
  },
  {
    title: 'a manual redirect in the browser (opaque): a login or SSO page is in the way',
    replies: [opaqueRedirect],
    kind: 'login-redirect',
    message: `The server answered with a login page instead of data: a single sign-on proxy or the server's login is in the way. Open ${BASE} in a tab, sign in, and try again.`,
  },
  {
    title:
      'an http:// address, redirected in the browser (opaque) where the extension may not follow: it redirects',
    base: HTTP_BASE,
    replies: [opaqueRedirect, refusedFollow],
    kind: 'redirect',
    message: REDIRECT_HTTPS_SENTENCE,
    calls: 2,
  },
  {
    title:
      'an http:// address, redirected in the browser (opaque) to a sign-on page on its own origin: login',
    base: HTTP_BASE,
    replies: [
      opaqueRedirect,
      landedOn('http://git.example.com/bitbucket/plugins/servlet/samlsso?redirectTo=x'),
    ],
    kind: 'login-redirect',
    message: `The server answered with a login page instead of data: a single sign-on proxy or the server's login is in the way. Open ${HTTP_BASE} in a tab, sign in, and try again.`,
    calls: 2,
  },
  {
    title: 'an http:// address whose 302 leads to https://: it redirects, and names the address',
    base: HTTP_BASE,
    replies: [
      new Response(null, {
        status: 302,
        headers: { location: 'https://git.example.com/bitbucket/rest/api/1.0/projects/PRJ/repos/r' },
      }),
    ],
    kind: 'redirect',
    status: 302,
    message:
      'This address redirects to https://git.example.com/bitbucket — if that is your Bitbucket server, enter that address.',
    calls: 1,
  },
  {
    title: 'an http:// address whose 301 has no Location: it redirects',
    base: HTTP_BASE,
    replies: [new Response(null, { status: 301 })],
    kind: 'redirect',
    status: 301,
    message: REDIRECT_HTTPS_SENTENCE,
  },
  {
    title: 'an http:// address whose 302 goes to its own login page: login',
    base: HTTP_BASE,
    replies: [new Response(null, { status: 302, headers: { location: '/bitbucket/login?next=/rest' } })],
    kind: 'login-redirect',
    message: /login page instead of data/,
  },
  {
    title: 'an http:// address whose 302 goes to an outside sign-on page: login',
    base: HTTP_BASE,
    replies: [
      new Response(null, {
        status: 302,
        headers: { location: 'https://idp.example.com/adfs/ls/?SAMLRequest=abc' },
      }),
    ],
    kind: 'login-redirect',
    message: /login page instead of data/,
  },
  {
    title: 'an answer far larger than any real one for its call: too large',
    replies: [hugeRepo(2 * 1024 * 1024)],
    operation: 'repos.get',
    kind: 'too-large',
    status: 200,
    message: `${BASE} sent a far larger answer than Bitbucket sends for reading a repository (over 1 MB), so the extension stopped reading it. A proxy in front of Bitbucket may be changing answers; if not, tell your Bitbucket administrators.`,
    calls: 1,
  },
  {
    title: 'a 302 to the login page',
    replies: [new Response(null, { status: 302, headers: { location: `${BASE}/login` } })],
    kind: 'login-redirect',
    status: 302,
    message: /login page instead of data/,
    calls: 1,
  },
  {
    title: 'Bitbucket’s login form served with 200',
    replies: [html(LOGIN_PAGE)],
    kind: 'login-redirect',
    message: /login page instead of data/,
  },
  {
    title: 'a login form fragment labelled as JSON (a proxy rewriting answers)',
    replies: [
      new Response('  <form action="/j_atl_security_check"><input name="j_username"></form>', {
        headers: { 'content-type': 'application/json' },
      }),
    ],
    kind: 'login-redirect',
    message: /login page instead of data/,
  },
  {
    title: 'a login form served with 401',
    replies: [html(LOGIN_PAGE, 401)],
    kind: 'login-redirect',
    message: /login page instead of data/,
    calls: 1,
  },
  {
    title: 'some other web page: not JSON',
    replies: [html('<!DOCTYPE html><html><body><h1>Intranet</h1></body></html>')],
    kind: 'not-json',
    message: `${BASE} answered with a web page instead of data. Check that the address is your Bitbucket server, including any path such as /bitbucket.`,
  },
  {
    title: 'a body that is not JSON at all',
    replies: [new Response('OK', { headers: { 'content-type': 'application/json' } })],
    kind: 'not-json',
    message: /instead of data/,
  },
  {
    title: 'JSON in the wrong shape: invalid response',
    replies: [json({ slug: 42 })],
    operation: 'repos.get',
    kind: 'invalid-response',
    status: 200,
    message:
      "The server's answer to reading a repository was not in the expected shape. A proxy in front of Bitbucket may be changing answers; if not, please report it.",
  },
];

describe('failures, each with its sentence', () => {
  it.each(FAILURES)('$title', async (c) => {
    const f = fakeFetch(...c.replies);
    const operation = c.operation ?? 'repos.list';
    const schema = c.kind === 'invalid-response' ? RepositorySchema : undefined;
    const e = await failure(
      client(f.fn, {
        ...(c.token === false ? { token: undefined } : {}),
        ...(c.base ? { baseUrl: c.base } : {}),
      }).request(c.method ?? 'GET', '/rest/api/1.0/projects/PRJ/repos/r', { operation, schema }),
    );
    expect(e.kind).toBe(c.kind);
    expect(e.operation).toBe(operation);
    if (typeof c.message === 'string') expect(e.message).toBe(c.message);
    else expect(e.message).toMatch(c.message);
    if (c.status !== undefined) expect(e.status).toBe(c.status);
    if (c.calls !== undefined) expect(f.calls).toHaveLength(c.calls);
    if (c.extra) expect(e).toMatchObject(c.extra);
    if (c.extra && 'requiredPermission' in c.extra && c.extra.requiredPermission === undefined) {
      expect(e.requiredPermission).toBeUndefined();
    }
  });

  it('the catalogue covers every kind the client itself produces', () => {
    const produced = new Set(FAILURES.map((c) => c.kind));
    produced.add('timeout'); // below, with a hanging server
    const onlyFromVerification: BitbucketErrorKind[] = ['not-bitbucket', 'unsupported-version'];
    expect([...produced].sort()).toEqual(
      BITBUCKET_ERROR_KINDS.filter((k) => !onlyFromVerification.includes(k)).sort(),
    );
  });

  it('a 401 is never retried, whatever the method and body', async () => {
    for (const body of [errorBody('com.atlassian.bitbucket.AuthorisationException', 'no'), {}, 'x']) {
      const f = fakeFetch(json(body, 401, { 'retry-after': '1' }));
      await failure(client(f.fn).get('/rest/api/1.0/repos', { operation: 'repos.list' }));
      expect(f.calls).toHaveLength(1);
    }
  });

  it('429 then 200 on a read: waits as asked, then succeeds', async () => {
    const waits: number[] = [];
    const f = fakeFetch(json(errorBody(null, 'slow down'), 429, { 'retry-after': '3' }), json({ ok: true }));
    const res = await client(f.fn, { sleep: async (ms) => void waits.push(ms) }).get('/rest/api/1.0/repos', {
      operation: 'repos.list',
    });
    expect(res.data).toEqual({ ok: true });
    expect(waits).toEqual([3000]);
  });

  it('503 then 200 on a read: one short wait, then the data', async () => {
    const waits: number[] = [];
    const f = fakeFetch(html('<h1>Service Unavailable</h1>', 503), json({ ok: true }));
    const res = await client(f.fn, { sleep: async (ms) => void waits.push(ms) }).get('/rest/api/1.0/repos', {
      operation: 'repos.list',
    });
    expect(res.data).toEqual({ ok: true });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThanOrEqual(10_000);
  });

  it('a server that does not answer in time: a timeout, not "offline"', async () => {
    const e = await failure(
      client(hangingFetch, { timeoutMs: 20 }).get('/rest/api/1.0/repos', { operation: 'repos.list' }),
    );
    expect(e.kind).toBe('timeout');
    expect(e.message).toBe(`${BASE} did not answer within 1 s. Check your network or VPN and try again.`);
  });

  it('the caller’s own abort stays an AbortError: during the request, before it, and while waiting to retry', async () => {
    const during = new AbortController();
    const pending = client(hangingFetch).get('/rest/api/1.0/repos', {
      operation: 'repos.list',
      signal: during.signal,
    });
    during.abort();
    await expect(pending).rejects.toHaveProperty('name', 'AbortError');

    const f = fakeFetch(json({}));
    await expect(
      client(f.fn).get('/rest/api/1.0/repos', { operation: 'repos.list', signal: AbortSignal.abort() }),
    ).rejects.toHaveProperty('name', 'AbortError');
    expect(f.calls).toHaveLength(0);

    const waiting = new AbortController();
    const limited = fakeFetch(json({}, 429, { 'retry-after': '5' }));
    const slowSleep = () => new Promise<void>((resolve) => setTimeout(resolve, 1000));
    const retrying = client(limited.fn, { sleep: slowSleep }).get('/rest/api/1.0/repos', {
      operation: 'repos.list',
      signal: waiting.signal,
    });
    setTimeout(() => waiting.abort(), 10);
    await expect(retrying).rejects.toHaveProperty('name', 'AbortError');
    expect(limited.calls).toHaveLength(1);
  });

  it('the token never reaches a message, even when the server echoes it', async () => {
    const f = fakeFetch(json(errorBody(null, `Token ${TOKEN} is not valid for this operation`), 400));
    const e = await failure(client(f.fn).post('/rest/api/1.0/x', { operation: 'files.edit', body: {} }));
    expect(e.serverMessages).toEqual(['Token [token] is not valid for this operation']);
  });

  it('errors survive the trip through the message channel', () => {
    const e = new BitbucketError('missing-permission', 'Your token lacks …', {
      status: 401,
      requiredPermission: 'REPO_WRITE',
      operation: 'files.edit',
      serverMessages: ['no'],
    });
    const wire: unknown = JSON.parse(JSON.stringify(e));
    expect(wire).toEqual({
      kind: 'missing-permission',
      message: 'Your token lacks …',
      status: 401,
      requiredPermission: 'REPO_WRITE',
    });
    const again = BitbucketError.parse(wire);
    expect(again).toBeInstanceOf(BitbucketError);
    expect(again).toMatchObject({
      kind: 'missing-permission',
      status: 401,
      requiredPermission: 'REPO_WRITE',
    });
    expect(
      BitbucketError.fromJSON({ kind: 'rate-limited', message: 'wait', retryAfterSeconds: 3 }),
    ).toMatchObject({
      kind: 'rate-limited',
      retryAfterSeconds: 3,
      serverMessages: [],
    });
    expect(BitbucketError.parse({ kind: 'nonsense', message: 'x' })).toBeNull();
  });
});

describe('redirects from an http:// address', () => {
  it('the anonymous look at where an opaque redirect leads carries no token and follows it', async () => {
    const f = fakeFetch(opaqueRedirect, refusedFollow);
    await failure(
      client(f.fn, { baseUrl: HTTP_BASE }).get('/rest/api/1.0/repos', { operation: 'repos.list' }),
    );
    expect(f.calls).toHaveLength(2);
    expect(f.calls[1]!.url).toBe(f.calls[0]!.url);
    expect(headersOf(f.calls[1])).toEqual({ Accept: 'application/json' });
    expect(f.calls[1]!.init).toMatchObject({ method: 'GET', redirect: 'follow', credentials: 'omit' });
  });

  it('an https:// address is never followed: a redirect there is a login in the way', async () => {
    const f = fakeFetch(opaqueRedirect, refusedFollow);
    const e = await failure(client(f.fn).get('/rest/api/1.0/repos', { operation: 'repos.list' }));
    expect(e.kind).toBe('login-redirect');
    expect(f.calls).toHaveLength(1);
  });

  it('a redirect to the context path it lacks names that address', async () => {
    const f = fakeFetch(
      new Response(null, {
        status: 301,
        headers: { location: 'http://git.example.com/stash/rest/api/1.0/repos?limit=25' },
      }),
    );
    const e = await failure(
      client(f.fn, { baseUrl: 'http://git.example.com' }).get('/rest/api/1.0/repos', {
        operation: 'repos.list',
        query: { limit: 25 },
      }),
    );
    expect(e.kind).toBe('redirect');
    expect(e.message).toBe(
      'This address redirects to http://git.example.com/stash — if that is your Bitbucket server, enter that address.',
    );
  });
});

/** A body of `size` bytes of JSON made on demand, counting the bytes anyone read of it. */
function countedBody(size: number, chunk = 64 * 1024) {
  const head = new TextEncoder().encode('{"values":["');
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (produced >= size) return controller.close();
        const bytes = produced === 0 ? head : new Uint8Array(Math.min(chunk, size - produced)).fill(0x61);
        produced += bytes.byteLength;
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, read: () => produced };
}

describe('huge answers: reading stops at the limit of the call', () => {
  const FIFTY_MB = 50 * 1024 * 1024;

  it('a 50 MB user: refused after reading about 64 KB, with a sentence', async () => {
    const body = countedBody(FIFTY_MB);
    const f = fakeFetch(() => new Response(body.stream, { headers: { 'content-type': 'application/json' } }));
    const e = await failure(
      client(f.fn).get('/rest/api/1.0/users/jdoe', { operation: 'users.get', schema: UserSchema }),
    );
    expect(e.kind).toBe('too-large');
    expect(e.message).toBe(
      `${BASE} sent a far larger answer than Bitbucket sends for reading user details (over 64 KB), so the extension stopped reading it. A proxy in front of Bitbucket may be changing answers; if not, tell your Bitbucket administrators.`,
    );
    expect(body.read()).toBeLessThan(ANSWER_LIMITS.small + 2 * 64 * 1024);
    expect(f.calls).toHaveLength(1);
  });

  it('an answer whose Content-Length is past the limit is not read at all', async () => {
    const body = countedBody(FIFTY_MB);
    const f = fakeFetch(
      () =>
        new Response(body.stream, {
          headers: { 'content-type': 'application/json', 'content-length': String(FIFTY_MB) },
        }),
    );
    const e = await failure(
      client(f.fn).get('/rest/api/1.0/application-properties', { operation: 'server.properties' }),
    );
    expect(e.kind).toBe('too-large');
    expect(e.message).toMatch(/for reading the server version \(over 64 KB\)/);
    expect(body.read()).toBe(0);
  });

  it('a page of several MB (1000 large items) is read whole', async () => {
    const values = Array.from({ length: 1000 }, (_, i) => `${i}:${'r'.repeat(5_000)}`);
    const f = fakeFetch(json({ size: 1000, limit: 1000, start: 0, isLastPage: true, values }));
    const all = await client(f.fn).getAllPages('/rest/api/1.0/repos', {
      operation: 'repos.list',
      itemSchema: v.string(),
      limit: 1000,
    });
    expect(all).toHaveLength(1000);
    expect(all[999]).toBe(values[999]);
  });

  it('a page past its limit (32 MB): too large, naming the call', async () => {
    const body = countedBody(ANSWER_LIMITS.page + 1024 * 1024, 1024 * 1024);
    const f = fakeFetch(() => new Response(body.stream, { headers: { 'content-type': 'application/json' } }));
    const e = await failure(
      client(f.fn).getAllPages('/rest/api/1.0/repos', { operation: 'repos.list', itemSchema: v.string() }),
    );
    expect(e.kind).toBe('too-large');
    expect(e.message).toMatch(/for listing repositories \(over 32 MB\)/);
    expect(body.read()).toBeLessThan(ANSWER_LIMITS.page + 2 * 1024 * 1024);
  });

  it('a huge error answer is judged by its beginning (its status), and only that is read', async () => {
    const body = countedBody(FIFTY_MB);
    const f = fakeFetch(
      () => new Response(body.stream, { status: 500, headers: { 'content-type': 'application/json' } }),
    );
    const e = await failure(client(f.fn).get('/rest/api/1.0/repos', { operation: 'repos.list' }));
    expect(e.kind).toBe('server-error');
    expect(body.read()).toBeLessThan(GLANCE_LIMIT + 2 * 64 * 1024);
  });

  it('a huge web page instead of data is judged by its beginning too', async () => {
    const page = `<!DOCTYPE html><html><body><h1>Intranet</h1>${'<p>news</p>'.repeat(1_000_000)}</body></html>`;
    const f = fakeFetch(html(page));
    const e = await failure(client(f.fn).get('/rest/api/1.0/repos', { operation: 'repos.list' }));
    expect(e.kind).toBe('not-json');
  });

  it('a server message is quoted at most 1000 characters long', async () => {
    const f = fakeFetch(json(errorBody(null, `Bad key: ${'k'.repeat(5_000)}`), 400));
    const e = await failure(client(f.fn).post('/rest/ssh/1.0/keys', { operation: 'ssh-keys.add', body: {} }));
    expect(e.serverMessages[0]!.length).toBeLessThanOrEqual(1_000);
    expect(e.message.length).toBeLessThan(1_200);
  });
});

/** Random text of base64 characters, like a Bitbucket token (44 characters by default). */
function randomToken(length = 44): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return btoa(String.fromCharCode(...bytes)).slice(0, length);
}

const base64Of = (text: string) => btoa(text);

/**
 * Whether `text` still shows `part` of the token in one of the forms a server may echo it in. Checked
 * without the scrubber's own machinery: each form is made, then looked for.
 */
function shows(text: string, part: string): boolean {
  const decoded = (() => {
    try {
      return decodeURIComponent(decodeURIComponent(text));
    } catch {
      return text;
    }
  })();
  const texts = [text, decoded];
  if (texts.some((t) => t.toLowerCase().includes(part.toLowerCase()))) return true;
  // Base64 of the part after 0–2 other bytes: the groups wholly inside the part are its own.
  return ['', 'a', 'ab'].some((lead) => {
    const core = base64Of(lead + part).slice(4, -4);
    const urlSafe = core.replace(/\+/g, '-').replace(/\//g, '_');
    return core.length >= 8 && texts.some((t) => t.includes(core) || t.includes(urlSafe));
  });
}

describe('the token in any form never reaches an error', () => {
  const FORMS: Array<[string, (text: string) => string]> = [
    ['as is', (t) => t],
    ['URL-encoded', (t) => encodeURIComponent(t)],
    ['URL-encoded twice', (t) => encodeURIComponent(encodeURIComponent(t))],
    ['lower-cased', (t) => t.toLowerCase()],
    ['upper-cased', (t) => t.toUpperCase()],
    ['base64', (t) => base64Of(t)],
    ['base64 after one byte', (t) => base64Of(`x${t}`)],
    ['base64 after two bytes', (t) => base64Of(`xy${t}`)],
    ['base64url', (t) => base64Of(`?${t}`).replace(/\+/g, '-').replace(/\//g, '_')],
    ['base64, URL-encoded', (t) => encodeURIComponent(base64Of(`ab${t}`))],
  ];

  it.each(FORMS)('the whole token, %s, inside "Bearer …" in a message', (_name, form) => {
    const message = `Header was: ${form(`Bearer ${TOKEN}`)} (rejected).`;
    expect(shows(message, TOKEN.slice(0, 12))).toBe(true);
    const scrubbed = scrubToken(message, TOKEN);
    expect(scrubbed).toContain('[token]');
    expect(scrubbed.startsWith('Header was: ')).toBe(true);
    expect(scrubbed.endsWith(' (rejected).')).toBe(true);
    for (let i = 0; i + 12 <= TOKEN.length; i++) expect(shows(scrubbed, TOKEN.slice(i, i + 12))).toBe(false);
  });

  it('any 12-character part of random tokens, in every form, anywhere in a message', () => {
    for (let round = 0; round < 300; round++) {
      const token = randomToken();
      const at = round % (token.length - 11);
      const length = 12 + (round % 5);
      const part = token.slice(at, at + length);
      const [, form] = FORMS[round % FORMS.length]!;
      const message = `${'word '.repeat(round % 7)}${form(part)} ${'tail '.repeat(round % 3)}`;
      expect(shows(message, part.slice(0, 12)), message).toBe(true);
      const scrubbed = scrubToken(message, token);
      expect(shows(scrubbed, part.slice(0, 12)), `${message} → ${scrubbed}`).toBe(false);
    }
  });

  it('leaves messages without the token as they are, and parts shorter than 12 characters', () => {
    const plain =
      'Repository "api" of project PROJ does not exist. Bearer tokens must be 44 characters (%20ok).';
    expect(scrubToken(plain, TOKEN)).toBe(plain);
    const eleven = `left ${TOKEN.slice(3, 14)} right`;
    expect(scrubToken(eleven, TOKEN)).toBe(eleven);
    expect(scrubToken('anything', undefined)).toBe('anything');
  });

  it('a server echoing the header URL-encoded and lower-cased: neither form in the error', async () => {
    const f = fakeFetch(
      json(
        {
          errors: [
            { message: `Authorization: Bearer%20${encodeURIComponent(TOKEN)} is not valid` },
            { message: `token ${TOKEN.toLowerCase()} rejected` },
          ],
        },
        400,
      ),
    );
    const e = await failure(client(f.fn).post('/rest/api/1.0/x', { operation: 'files.edit', body: {} }));
    expect(e.serverMessages).toEqual([
      'Authorization: Bearer%20[token] is not valid',
      'token [token] rejected',
    ]);
    for (const text of [e.message, ...e.serverMessages, JSON.stringify(e.toJSON())]) {
      expect(shows(text, TOKEN.slice(0, 12))).toBe(false);
      expect(shows(text, TOKEN.slice(-12))).toBe(false);
    }
  });

  it('a 401 echoing the Basic credentials in base64: scrubbed from the sentence and the messages', async () => {
    const f = fakeFetch(
      json({ errors: [{ message: `Authentication failed for Basic ${btoa(`jdoe:${TOKEN}`)}` }] }, 403),
    );
    const e = await failure(client(f.fn).put('/rest/api/1.0/x', { operation: 'files.edit', body: {} }));
    expect(e.serverMessages).toEqual(['Authentication failed for Basic [token]']);
    expect(e.message).toContain('(The server said: Authentication failed for Basic [token].)');
  });

  it('an answer in the wrong shape quoting the token: the cause is scrubbed too', async () => {
    const f = fakeFetch(json({ id: 1, slug: `Bearer ${TOKEN.toUpperCase()}` }));
    const e = await failure(
      client(f.fn).get('/rest/api/1.0/x', {
        operation: 'repos.get',
        schema: v.object({ slug: v.pipe(v.string(), v.regex(/^[a-z-]+$/)) }),
      }),
    );
    expect(e.kind).toBe('invalid-response');
    expect(String(e.cause)).toContain('slug');
    expect(shows(String(e.cause), TOKEN.slice(0, 12))).toBe(false);
  });
});

describe('paging', () => {
  const page = (values: unknown[], start: number, isLastPage: boolean, nextPageStart?: number) =>
    json({
      size: values.length,
      limit: 2,
      start,
      isLastPage,
      values,
      ...(nextPageStart !== undefined ? { nextPageStart } : {}),
    });
  const startsOf = (calls: Call[]) => calls.map((c) => new URL(c.url).searchParams.get('start'));

  it('follows nextPageStart across three pages until isLastPage', async () => {
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

  it('asks for 100 per page by default', async () => {
    const f = fakeFetch(page([], 0, true));
    await client(f.fn).getAllPages('/rest/api/1.0/repos', {
      operation: 'repos.list',
      itemSchema: v.number(),
    });
    expect(new URL(f.calls[0]!.url).searchParams.get('limit')).toBe('100');
  });

  it('stops when nextPageStart does not move forward', async () => {
    const f = fakeFetch(page([1], 0, false, 1), page([2], 1, false, 1), page([3], 1, false, 1));
    const all = await client(f.fn).getAllPages('/rest/api/1.0/repos', {
      operation: 'repos.list',
      itemSchema: v.number(),
    });
    expect(all).toEqual([1, 2]);
    expect(startsOf(f.calls)).toEqual(['0', '1']);
  });

  it('stops when nextPageStart is missing, even if isLastPage is false (real answer)', async () => {
    const f = fakeFetch(json(fixture('repos.json')));
    const repos = await client(f.fn).getAllPages('/rest/api/1.0/repos', {
      operation: 'repos.list',
      itemSchema: RepositorySchema,
    });
    expect(f.calls).toHaveLength(1);
    expect(repos.map((r) => `${r.project.key}/${r.slug}`)).toEqual(['PRJ/my-repo', 'PRJ/quux']);
  });

  it('stops after maxPages', async () => {
    const f = fakeFetch(({ url }) => {
      const start = Number(new URL(url).searchParams.get('start'));
      return page([start], start, false, start + 1);
    });
    const some = await client(f.fn).getAllPages('/rest/api/1.0/repos', {
      operation: 'repos.list',
      itemSchema: v.number(),
      maxPages: 3,
    });
    expect(some).toEqual([0, 1, 2]);
  });

  it('pages() yields page by page and stops fetching when the caller stops reading', async () => {
    const f = fakeFetch(page([1, 2], 0, false, 2), page([3, 4], 2, false, 4), page([5], 4, true));
    const seen: number[][] = [];
    for await (const items of client(f.fn).pages('/rest/api/1.0/repos', {
      operation: 'repos.list',
      itemSchema: v.number(),
      limit: 2,
    })) {
      seen.push(items);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(f.calls).toHaveLength(2);
  });

  it('an item in the wrong shape, or a body that is not a page: invalid response', async () => {
    const bad = fakeFetch(page([1, 'two'], 0, true));
    const e = await failure(
      client(bad.fn).getAllPages('/rest/api/1.0/repos', { operation: 'repos.list', itemSchema: v.number() }),
    );
    expect(e.kind).toBe('invalid-response');
    expect(String(e.cause)).toContain('1');
    const notPaged = fakeFetch(json([1, 2]));
    expect(
      (
        await failure(
          client(notPaged.fn).getAllPages('/rest/api/1.0/repos', {
            operation: 'repos.list',
            itemSchema: v.number(),
          }),
        )
      ).kind,
    ).toBe('invalid-response');
  });
});
