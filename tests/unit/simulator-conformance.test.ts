import { beforeAll, describe, expect, it } from 'vitest';
import { Conformance, SPEC_FIXES, specPathOf } from '../../simulator/conformance';
import { defaultSpecPath, SEED_TOKENS, startSimulator } from '../../simulator/index';
import { ROUTES } from '../../simulator/rest';

let spec: Conformance;
beforeAll(() => {
  spec = Conformance.fromFile(defaultSpecPath());
});

const repo = () => ({
  slug: 'api',
  id: 1,
  name: 'api',
  hierarchyId: '08e2c8a9055b008d8fe4',
  scmId: 'git',
  state: 'AVAILABLE',
  statusMessage: 'Available',
  forkable: true,
  project: {
    key: 'PROJ',
    id: 1,
    name: 'Platform',
    public: false,
    type: 'NORMAL',
    links: { self: [{ href: 'http://x/projects/PROJ' }] },
  },
  public: false,
  archived: false,
  links: {
    clone: [
      { href: 'http://x/scm/proj/api.git', name: 'http' },
      { href: 'ssh://git@x:7999/proj/api.git', name: 'ssh' },
    ],
    self: [{ href: 'http://x/projects/PROJ/repos/api/browse' }],
  },
});
const REPO_PATH = '/rest/api/1.0/projects/PROJ/repos/api';
const page = (values: unknown[]) => ({ size: values.length, limit: 25, isLastPage: true, start: 0, values });

describe('conformance check', () => {
  it('maps request paths to the spec (latest, relative to /rest)', () => {
    expect(specPathOf('/rest/api/1.0/repos')).toBe('/api/latest/repos');
    expect(specPathOf('/rest/ssh/latest/keys')).toBe('/ssh/latest/keys');
    expect(specPathOf('/rest/api/1.0/projects/PROJ/')).toBe('/api/latest/projects/PROJ');
    expect(specPathOf('/projects/PROJ')).toBeUndefined();
    expect(spec.findOperation('GET', '/rest/api/1.0/projects/PROJ/repos/api')?.operationId).toBe(
      'getRepository',
    );
    expect(spec.findOperation('GET', '/rest/api/1.0/projects/PROJ/repos/api/browse/src/a.ts')?.template).toBe(
      '/api/latest/projects/{projectKey}/repos/{repositorySlug}/browse/{path}',
    );
  });

  it('accepts a well-formed repository', () => {
    expect(spec.check('GET', REPO_PATH, 200, repo())).toEqual([]);
  });

  it('catches wrong types and missing fields the client reads', () => {
    const wrongType = { ...repo(), id: '1' };
    expect(spec.check('GET', REPO_PATH, 200, wrongType).join()).toMatch(/\/id must be integer/);
    const { slug: _slug, ...noSlug } = repo();
    expect(spec.check('GET', REPO_PATH, 200, noSlug).join()).toMatch(/must have required property 'slug'/);
    const badClone = repo();
    badClone.links.clone = [{ href: 'http://x/scm/proj/api.git' } as { href: string; name: string }];
    expect(spec.check('GET', REPO_PATH, 200, badClone).join()).toMatch(
      /links\/clone\/0 must have required property 'name'/,
    );
    const noProjectKey = { ...repo(), project: { id: 1, name: 'Platform', type: 'NORMAL' } };
    expect(spec.check('GET', REPO_PATH, 200, noProjectKey).join()).toMatch(
      /project must have required property 'key'/,
    );
    const badState = { ...repo(), state: 'SLEEPING' };
    expect(spec.check('GET', REPO_PATH, 200, badState).join()).toMatch(
      /state must be equal to one of the allowed values/,
    );
  });

  it('requires the paging fields', () => {
    expect(spec.check('GET', '/rest/api/1.0/repos', 200, page([repo()]))).toEqual([]);
    const { isLastPage: _last, ...noLast } = page([repo()]);
    expect(spec.check('GET', '/rest/api/1.0/repos', 200, noLast).join()).toMatch(/isLastPage/);
    expect(spec.check('GET', '/rest/api/1.0/repos', 200, page([{ ...repo(), id: 'x' }])).join()).toMatch(
      /values\/0\/id/,
    );
  });

  it('knows the spec errors: null error context, a page of users, default reviewers as users', () => {
    const error = {
      errors: [
        { context: null, message: 'No.', exceptionName: 'com.atlassian.bitbucket.AuthorisationException' },
      ],
    };
    expect(spec.check('GET', REPO_PATH, 401, error)).toEqual([]);
    expect(
      spec.check('GET', REPO_PATH, 404, { errors: [{ context: null, exceptionName: null }] }).join(),
    ).toMatch(/message/);
    const user = {
      name: 'alice',
      slug: 'alice',
      displayName: 'Alice',
      id: 1,
      links: { self: [{ href: 'http://x/users/alice' }] },
    };
    expect(spec.check('GET', '/rest/api/1.0/users', 200, page([user]))).toEqual([]);
    expect(
      spec.check('GET', '/rest/api/1.0/users', 200, page([{ ...user, slug: undefined }])).join(),
    ).toMatch(/slug/);
    expect(
      spec.check('GET', '/rest/default-reviewers/1.0/projects/P/repos/r/reviewers', 200, [user]),
    ).toEqual([]);
    // The authentication filter's 401 is allowed where an operation lists no 401.
    expect(spec.check('GET', '/rest/api/1.0/application-properties', 401, error)).toEqual([]);
    expect(SPEC_FIXES.map((f) => f.id)).toEqual([
      'error-context-null',
      'default-reviewers-returns-users',
      'users-is-a-page',
      'pull-request-author',
      'create-repository-no-such-project',
      'set-default-branch-validation',
      'filter-responses',
    ]);
    expect(spec.check('POST', '/rest/api/1.0/projects/NOPE/repos', 404, error)).toEqual([]);
  });

  it('refuses operations and statuses the spec does not have', () => {
    expect(spec.check('GET', '/rest/api/1.0/whoami', 200, {}).join()).toMatch(
      /no operation GET \/api\/latest\/whoami/,
    );
    expect(spec.check('GET', REPO_PATH, 418, {}).join()).toMatch(
      /status 418 is not documented for getRepository/,
    );
    expect(spec.check('PATCH', REPO_PATH, 200, {}).join()).toMatch(/no operation PATCH/);
  });

  it('documents 409 for a duplicate SSH key but none for a duplicate GPG key (the simulator answers 400 there)', () => {
    const errors = { errors: [{ context: null, message: 'x', exceptionName: 'x.Y' }] };
    expect(spec.check('POST', '/rest/ssh/1.0/keys', 409, errors)).toEqual([]);
    expect(spec.check('POST', '/rest/gpg/1.0/keys', 409, errors)).toEqual([
      'status 409 is not documented for addKey (POST /gpg/latest/keys)',
    ]);
    expect(spec.check('POST', '/rest/gpg/1.0/keys', 400, errors)).toEqual([]);
    expect(spec.documentedQueryParameters('POST', '/rest/ssh/1.0/keys')).toEqual(['user']);
    expect(
      spec.check('GET', '/rest/ssh/1.0/settings', 200, {
        enabled: true,
        port: 7999,
        baseUrl: 'ssh://git@h:7999',
      }),
    ).toEqual([]);
    expect(spec.check('GET', '/rest/ssh/1.0/settings', 200, { enabled: 'yes' })).not.toEqual([]);
  });
});

describe('query parameters the spec documents', () => {
  it('knows them per operation, numbered ones ("permission.N") included', () => {
    expect(spec.documentedQueryParameters('GET', '/rest/api/1.0/repos')?.sort()).toEqual(
      [
        'archived',
        'limit',
        'name',
        'permission',
        'projectkey',
        'projectname',
        'start',
        'state',
        'visibility',
      ].sort(),
    );
    expect(spec.documentedQueryParameters('GET', '/rest/api/1.0/projects/PROJ/repos')).toEqual([
      'start',
      'limit',
    ]);
    expect(spec.documentedQueryParameters('GET', '/rest/api/latest/profile/recent/repos')).toEqual([
      'permission',
      'start',
      'limit',
    ]);
    expect(spec.documentedQueryParameters('GET', '/rest/api/1.0/whoami')).toBeUndefined();
    const ignored = spec.ignoredQueryParameters(
      'GET',
      '/rest/api/1.0/users',
      ['permission.1', 'permission.1.projectKey', 'permission.12', 'group', 'avatarSize', 'filter'],
      ['filter', 'permission'],
    );
    expect(ignored).toEqual(['permission.1', 'permission.12', 'group']);
    // Names are case-sensitive, and parameters the spec doesn't have are the server's to ignore.
    expect(
      spec.ignoredQueryParameters('GET', '/rest/api/1.0/repos', ['projectKey', 'NAME', 'x'], []),
    ).toEqual([]);
    expect(spec.ignoredQueryParameters('GET', '/rest/api/1.0/repos', ['name', 'limit'], ['limit'])).toEqual([
      'name',
    ]);
  });

  it('lists, route by route, what the simulator leaves out (so a gap is a decision, not an accident)', () => {
    const requestPath = (template: string) => `/rest${template.replace(/\{[^}]+\}/g, 'x')}`;
    const gaps: Record<string, string[]> = {};
    const extras: Record<string, string[]> = {};
    for (const route of ROUTES) {
      const documented = spec.documentedQueryParameters(route.method, requestPath(route.template));
      expect(documented, route.template).toBeDefined();
      const name = `${route.method} ${route.template}`;
      const missing = (documented ?? []).filter((d) => !route.query.includes(d));
      const extra = route.query.filter((q) => !(documented ?? []).includes(q));
      if (missing.length) gaps[name] = missing;
      if (extra.length) extras[name] = extra;
    }
    const REPO = '/api/latest/projects/{projectKey}/repos/{repositorySlug}';
    expect(gaps).toEqual({
      [`GET ${REPO}/branches`]: ['boostMatches', 'context', 'details', 'base'],
      [`GET ${REPO}/pull-requests`]: ['withAttributes', 'withProperties'],
      [`GET ${REPO}/browse`]: ['noContent', 'blame'],
      [`GET ${REPO}/browse/{path}`]: ['noContent', 'blame'],
      [`GET ${REPO}/raw/{path}`]: ['markup', 'htmlEscape', 'includeHeadingId', 'hardwrap'],
    });
    // Honoured although the spec doesn't document them (real servers accept them too).
    expect(extras).toEqual({
      'GET /api/latest/users': ['start', 'limit'],
      'GET /api/latest/users/{userSlug}': ['avatarSize'],
      [`GET ${REPO}/browse`]: ['start', 'limit'],
      [`GET ${REPO}/browse/{path}`]: ['start', 'limit'],
    });
  });
});

describe('strict simulator', () => {
  it('refuses a documented query parameter its handler would ignore, before the handler runs', async () => {
    const sim = await startSimulator({ strict: true });
    const errorSpy = console.error;
    const logged: string[] = [];
    console.error = (...args: unknown[]) => logged.push(args.join(' '));
    const get = (path: string) =>
      fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` } });
    try {
      const res = await get(`${REPO_PATH}/pull-requests?state=ALL&withProperties=false`);
      expect(res.status).toBe(500);
      const body = (await res.json()) as { errors: Array<{ message: string; exceptionName: string }> };
      expect(body.errors[0]?.exceptionName).toBe('simulator.ConformanceViolation');
      expect(body.errors[0]?.message).toMatch(
        /^conformance violation: getPage \(GET .*\/pull-requests\): the simulator ignores the query parameter withProperties, which the spec documents/,
      );
      expect(body.errors[0]?.message).toContain('parameters honoured: state, direction, at');
      expect(sim.violations).toEqual([
        {
          method: 'GET',
          path: `${REPO_PATH}/pull-requests`,
          status: 500,
          operationId: 'getPage',
          message: expect.stringContaining('withProperties'),
        },
      ]);
      const two = await get(`${REPO_PATH}/branches?details=true&boostMatches=true&filterText=ma`);
      expect(two.status).toBe(500);
      expect(sim.violations[1]?.message).toMatch(/query parameters details, boostMatches, which/);
      expect(logged.join('\n')).toContain('ignores the query parameter');

      // Honoured and undocumented parameters pass; so does a wrongly cased name (not a parameter).
      for (const path of [
        `${REPO_PATH}/branches?filterText=ma&orderBy=ALPHABETICAL&limit=2`,
        `${REPO_PATH}?anything=1`,
        '/rest/api/1.0/repos?projectKey=PROJ&name=api&archived=ALL',
        '/rest/api/1.0/users?permission.1=REPO_READ&permission.1.projectKey=PROJ&permission.1.repositorySlug=api',
        '/rest/api/1.0/profile/recent/repos?permission=REPO_READ&limit=1',
      ]) {
        const ok = await get(path);
        expect(ok.status, path).toBe(200);
        await ok.arrayBuffer();
      }
      expect(sim.violations).toHaveLength(2);
    } finally {
      console.error = errorSpy;
      await sim.close();
    }
  });

  it('answers such a request without complaint when not strict (the parameter is just ignored)', async () => {
    const sim = await startSimulator({ specPath: '/nonexistent/openapi.json' });
    try {
      const res = await fetch(`${sim.url}${REPO_PATH}/pull-requests?withProperties=false`, {
        headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
      });
      expect(res.status).toBe(200);
      expect(sim.violations).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  it('turns a response that breaks the spec into a visible 500 and records it', async () => {
    const sim = await startSimulator({ strict: true });
    const errorSpy = console.error;
    const logged: string[] = [];
    console.error = (...args: unknown[]) => logged.push(args.join(' '));
    try {
      const repoInModel = sim.model.repo('PROJ', 'api')!;
      (repoInModel as unknown as { hierarchyId: number }).hierarchyId = 42;
      const res = await fetch(`${sim.url}/rest/api/1.0/projects/PROJ/repos/api`, {
        headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
      });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { errors: Array<{ message: string }> };
      expect(body.errors[0]?.message).toMatch(
        /^conformance violation: getRepository .*hierarchyId must be string/,
      );
      expect(sim.violations).toHaveLength(1);
      expect(sim.violations[0]).toMatchObject({
        method: 'GET',
        path: '/rest/api/1.0/projects/PROJ/repos/api',
        status: 200,
        operationId: 'getRepository',
      });

      const unimplemented = await fetch(`${sim.url}/rest/api/1.0/dashboard/pull-requests`, {
        headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
      });
      expect(unimplemented.status).toBe(500);
      expect(sim.violations[1]?.message).toMatch(/does not implement getPullRequests/);
      const invented = await fetch(`${sim.url}/rest/api/1.0/myself`);
      expect(invented.status).toBe(500);
      expect(sim.violations[2]?.message).toMatch(/the spec has no operation GET \/rest\/api\/1.0\/myself/);
      expect(logged.join('\n')).toContain('conformance violation');
    } finally {
      console.error = errorSpy;
      await sim.close();
    }
  });

  it('answers unknown REST paths with 404 when not strict, and needs no spec file', async () => {
    const sim = await startSimulator({ specPath: '/nonexistent/openapi.json' });
    try {
      const res = await fetch(`${sim.url}/rest/api/1.0/myself`);
      expect(res.status).toBe(404);
      expect(sim.violations).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
