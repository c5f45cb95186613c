import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_TOKENS, type Simulator, startSimulator } from '../../simulator/index';
import { type Page, parseVersion, restRepository, type Urls } from '../../simulator/json';
import { closeChecked } from './support/simulator-checks';

interface Repo {
  id: number;
  slug: string;
  name: string;
  hierarchyId: string;
  public: boolean;
  project: { key: string; type: string; owner?: { slug: string } };
  origin?: { slug: string; project: { key: string } };
  links: { clone: Array<{ href: string; name: string }>; self: Array<{ href: string }> };
}
interface ErrorBody {
  errors: Array<{ context: string | null; message: string; exceptionName: string | null }>;
}

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ strict: true });
});
afterAll(() => closeChecked(sim));

function get(path: string, token?: string): Promise<Response> {
  return fetch(`${sim.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}
async function getJson<T>(path: string, token?: string): Promise<{ status: number; body: T; res: Response }> {
  const res = await get(path, token);
  return { status: res.status, body: (await res.json()) as T, res };
}
async function allPages<T>(path: string, token?: string): Promise<T[]> {
  const values: T[] = [];
  let start = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const { body } = await getJson<Page<T>>(`${path}${sep}start=${start}`, token);
    values.push(...body.values);
    if (body.isLastPage) return values;
    start = body.nextPageStart!;
  }
}

describe('simulator REST: application properties and authentication', () => {
  it('answers application-properties without credentials and without X-AUSERNAME', async () => {
    const { status, body, res } = await getJson<Record<string, string>>(
      '/rest/api/1.0/application-properties',
    );
    expect(status).toBe(200);
    expect(body).toEqual({
      version: '9.4.13',
      buildNumber: '9004013',
      buildDate: expect.any(String),
      displayName: 'Bitbucket',
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-ausername')).toBeNull();
  });

  it('serves the same resources under /rest/api/latest', async () => {
    const { status, body } = await getJson<{ version: string }>('/rest/api/latest/application-properties');
    expect(status).toBe(200);
    expect(body.version).toBe('9.4.13');
  });

  it('authenticates a Bearer token and names the user in X-AUSERNAME and X-AUSERID', async () => {
    const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']);
    const res = await get('/rest/api/1.0/application-properties', token);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ausername')).toBe('alice');
    expect(res.headers.get('x-auserid')).toBe(String(sim.model.user('alice')!.id));
  });

  it('refuses an unknown token with 401 IncorrectPasswordAuthenticationException, even where anonymous is fine', async () => {
    const { status, body } = await getJson<ErrorBody>('/rest/api/1.0/application-properties', 'not-a-token');
    expect(status).toBe(401);
    expect(body).toEqual({
      errors: [
        {
          context: null,
          message: 'Authentication failed. Please check your credentials and try again.',
          exceptionName: 'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException',
        },
      ],
    });
  });

  it('refuses revoked and expired tokens', async () => {
    const token = sim.createToken('bob', ['PROJECT_READ', 'REPO_READ']);
    expect((await get('/rest/api/1.0/users/bob', token)).status).toBe(200);
    sim.revokeToken(token);
    const revoked = await getJson<ErrorBody>('/rest/api/1.0/users/bob', token);
    expect(revoked.status).toBe(401);
    expect(revoked.body.errors[0]?.exceptionName).toBe(
      'com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException',
    );
    expect((await get('/rest/api/1.0/repos', SEED_TOKENS.aliceExpired)).status).toBe(401);
  });

  it('accepts the seeded tokens', async () => {
    for (const [name, token] of Object.entries(SEED_TOKENS)) {
      const res = await get('/rest/api/1.0/application-properties', token);
      expect(res.status, name).toBe(name === 'aliceExpired' ? 401 : 200);
    }
  });

  it('accepts Basic auth with a password or with a token as the password', async () => {
    const basic = (user: string, secret: string) =>
      `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
    const ok = await fetch(`${sim.url}/rest/api/1.0/users/chen`, {
      headers: { authorization: basic('chen', 'chen') },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ausername')).toBe('chen');
    const viaToken = await fetch(`${sim.url}/rest/api/1.0/users/chen`, {
      headers: { authorization: basic('chen', SEED_TOKENS.chenRead) },
    });
    expect(viaToken.status).toBe(200);
    const wrong = await fetch(`${sim.url}/rest/api/1.0/users/chen`, {
      headers: { authorization: basic('chen', 'nope') },
    });
    expect(wrong.status).toBe(401);
  });
});

describe('simulator REST: users', () => {
  it('returns a user with links and an avatar only when asked for a size', async () => {
    const { body } = await getJson<Record<string, unknown>>(
      '/rest/api/1.0/users/alice',
      SEED_TOKENS.aliceRead,
    );
    expect(body).toMatchObject({
      name: 'alice',
      slug: 'alice',
      displayName: 'Alice Ångström',
      emailAddress: 'alice@example.com',
      active: true,
      type: 'NORMAL',
      links: { self: [{ href: `${sim.url}/users/alice` }] },
    });
    expect(body).not.toHaveProperty('avatarUrl');
    const sized = await getJson<{ avatarUrl: string }>(
      '/rest/api/1.0/users/alice?avatarSize=64',
      SEED_TOKENS.aliceRead,
    );
    expect(sized.body.avatarUrl).toContain('s=64');
  });

  it('answers 404 NoSuchUserException for an unknown user', async () => {
    const { status, body } = await getJson<ErrorBody>('/rest/api/1.0/users/nobody', SEED_TOKENS.aliceRead);
    expect(status).toBe(404);
    expect(body.errors[0]?.exceptionName).toBe('com.atlassian.bitbucket.user.NoSuchUserException');
  });

  it('searches users by name, display name or e-mail, for signed-in callers only', async () => {
    const byName = await getJson<Page<{ name: string }>>(
      '/rest/api/1.0/users?filter=陈',
      SEED_TOKENS.aliceRead,
    );
    expect(byName.body.values.map((u) => u.name)).toEqual(['chen']);
    const byMail = await getJson<Page<{ name: string }>>(
      '/rest/api/1.0/users?filter=BOB@EXAMPLE',
      SEED_TOKENS.aliceRead,
    );
    expect(byMail.body.values.map((u) => u.name)).toEqual(['bob']);
    const repoReaders = await getJson<Page<{ name: string }>>(
      '/rest/api/1.0/users?permission.1=REPO_WRITE&permission.1.projectKey=PROJ&permission.1.repositorySlug=api',
      SEED_TOKENS.aliceRead,
    );
    expect(repoReaders.body.values.map((u) => u.name).sort()).toEqual(['admin', 'alice', 'bob']);
    const admins = await getJson<Page<{ name: string }>>(
      '/rest/api/1.0/users?permission=ADMIN',
      SEED_TOKENS.aliceRead,
    );
    expect(admins.body.values.map((u) => u.name)).toEqual(['admin']);
    const anonymous = await getJson<ErrorBody>('/rest/api/1.0/users');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0]?.exceptionName).toBe('com.atlassian.bitbucket.AuthorisationException');
  });
});

describe('simulator REST: projects and repositories', () => {
  it('shapes a repository like the real server, with clone and self links', async () => {
    const { body } = await getJson<Repo>('/rest/api/1.0/projects/PROJ/repos/api', SEED_TOKENS.aliceRead);
    expect(body).toMatchObject({
      slug: 'api',
      name: 'api',
      scmId: 'git',
      state: 'AVAILABLE',
      statusMessage: 'Available',
      forkable: true,
      public: false,
      archived: false,
      project: { key: 'PROJ', name: 'Platform', type: 'NORMAL', public: false },
      links: {
        clone: [
          { href: `${sim.url}/scm/proj/api.git`, name: 'http' },
          { href: 'ssh://git@127.0.0.1:7999/proj/api.git', name: 'ssh' },
        ],
        self: [{ href: `${sim.url}/projects/PROJ/repos/api/browse` }],
      },
    });
    expect(body.hierarchyId).toMatch(/^[0-9a-f]{20}$/);
    expect(body).not.toHaveProperty('origin');
  });

  it('shows forks with their origin and the shared hierarchy id, in personal projects', async () => {
    const fork = await getJson<Repo>('/rest/api/1.0/projects/~BOB/repos/api', SEED_TOKENS.bobWrite);
    const origin = await getJson<Repo>('/rest/api/1.0/projects/PROJ/repos/api', SEED_TOKENS.bobWrite);
    expect(fork.status).toBe(200);
    expect(fork.body.project).toMatchObject({ key: '~BOB', type: 'PERSONAL', owner: { slug: 'bob' } });
    expect(fork.body.origin).toMatchObject({ slug: 'api', project: { key: 'PROJ' } });
    expect(fork.body.hierarchyId).toBe(origin.body.hierarchyId);
    expect(fork.body.links.clone[0]?.href).toBe(`${sim.url}/scm/~bob/api.git`);
    const forks = await getJson<Page<Repo>>(
      '/rest/api/1.0/projects/PROJ/repos/api/forks',
      SEED_TOKENS.bobWrite,
    );
    expect(forks.body.values.map((r) => r.project.key)).toEqual(['~BOB']);
    // Bob's personal fork is private: alice, who administers the origin, doesn't see it.
    expect((await get('/rest/api/1.0/projects/~BOB/repos/api', SEED_TOKENS.aliceAdmin)).status).toBe(401);
    const aliceForks = await getJson<Page<Repo>>(
      '/rest/api/1.0/projects/PROJ/repos/api/forks',
      SEED_TOKENS.aliceAdmin,
    );
    expect(aliceForks.body.values).toEqual([]);
  });

  it('answers 401 AuthorisationException for a repository the caller cannot read, 404 for none', async () => {
    const hidden = await getJson<ErrorBody>('/rest/api/1.0/projects/SEC/repos/vault', SEED_TOKENS.aliceAdmin);
    expect(hidden.status).toBe(401);
    expect(hidden.body.errors[0]).toMatchObject({
      message: 'You are not permitted to access this resource',
      exceptionName: 'com.atlassian.bitbucket.AuthorisationException',
    });
    expect((await get('/rest/api/1.0/projects/SEC/repos/vault', SEED_TOKENS.chenRead)).status).toBe(200);
    const missing = await getJson<ErrorBody>(
      '/rest/api/1.0/projects/PROJ/repos/nope',
      SEED_TOKENS.aliceAdmin,
    );
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]?.exceptionName).toBe(
      'com.atlassian.bitbucket.repository.NoSuchRepositoryException',
    );
    const noProject = await getJson<ErrorBody>('/rest/api/1.0/projects/NOPE', SEED_TOKENS.aliceAdmin);
    expect(noProject.status).toBe(404);
    expect(noProject.body.errors[0]?.exceptionName).toBe(
      'com.atlassian.bitbucket.project.NoSuchProjectException',
    );
  });

  it('lets anonymous callers see public repositories only', async () => {
    const repos = await allPages<Repo>('/rest/api/1.0/repos');
    expect(repos.length).toBeGreaterThan(0);
    for (const r of repos) expect(r.public || r.project.key === 'PUB').toBe(true);
    expect(repos.map((r) => `${r.project.key}/${r.slug}`)).toEqual(
      expect.arrayContaining(['PUB/toolkit', 'PUB/website', '~ALICE/scratch']),
    );
    // An anonymous REPO_READ filter is always empty (implicit read is lower than REPO_READ).
    const explicit = await getJson<Page<Repo>>('/rest/api/1.0/repos?permission=REPO_READ');
    expect(explicit.body.values).toEqual([]);
    expect((await get('/rest/api/1.0/projects/PROJ/repos/api')).status).toBe(401);
    expect((await get('/rest/api/1.0/projects/PUB/repos/toolkit')).status).toBe(200);
  });

  it('uses the lower of token scope and user permission', async () => {
    const keys = async (token: string, query: string) =>
      (await allPages<Repo>(`/rest/api/1.0/repos?${query}`, token)).map((r) => `${r.project.key}/${r.slug}`);
    // alice administers PROJ, but a read-only token may only read there.
    expect(await keys(SEED_TOKENS.aliceRead, 'permission=REPO_WRITE')).toEqual([]);
    expect(await keys(SEED_TOKENS.aliceRead, 'permission=REPO_READ')).toContain('PROJ/api');
    expect(await keys(SEED_TOKENS.aliceWrite, 'permission=REPO_WRITE')).toContain('PROJ/api');
    expect(await keys(SEED_TOKENS.aliceWrite, 'permission=REPO_ADMIN')).toEqual([]);
    expect(await keys(SEED_TOKENS.aliceAdmin, 'permission=REPO_ADMIN')).toEqual(
      expect.arrayContaining(['PROJ/api', '~ALICE/dotfiles']),
    );
    // A token never gives more than the user has: bob writes to PROJ, but can't administer it.
    const bobAdmin = sim.createToken('bob', ['PROJECT_ADMIN', 'REPO_ADMIN']);
    expect(await keys(bobAdmin, 'permission=REPO_ADMIN&projectkey=PROJ')).toEqual([]);
    expect(await keys(bobAdmin, 'permission=REPO_WRITE&projectkey=PROJ')).toContain('PROJ/api');
    // The same applies to projects.
    const projects = async (token: string) =>
      (
        await getJson<Page<{ key: string }>>('/rest/api/1.0/projects?permission=PROJECT_ADMIN', token)
      ).body.values.map((p) => p.key);
    expect(await projects(SEED_TOKENS.aliceRead)).toEqual([]);
    expect(await projects(SEED_TOKENS.aliceAdmin)).toEqual(expect.arrayContaining(['PROJ', 'XSS']));
  });

  it('rejects an unknown permission filter with 400', async () => {
    const { status, body } = await getJson<ErrorBody>(
      '/rest/api/1.0/repos?permission=PROJECT_READ',
      SEED_TOKENS.aliceRead,
    );
    expect(status).toBe(400);
    expect(body.errors[0]?.message).toContain('PROJECT_READ');
  });

  it('pages with start, limit, isLastPage and nextPageStart', async () => {
    const first = await getJson<Page<Repo>>('/rest/api/1.0/repos?limit=3', SEED_TOKENS.adminAdmin);
    expect(first.body).toMatchObject({ size: 3, limit: 3, isLastPage: false, start: 0, nextPageStart: 3 });
    const all = await allPages<Repo>('/rest/api/1.0/repos?limit=3', SEED_TOKENS.adminAdmin);
    const everything = await getJson<Page<Repo>>('/rest/api/1.0/repos?limit=1000', SEED_TOKENS.adminAdmin);
    expect(everything.body.isLastPage).toBe(true);
    expect(everything.body).not.toHaveProperty('nextPageStart');
    expect(all.map((r) => r.id)).toEqual(everything.body.values.map((r) => r.id));
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
    const last = await getJson<Page<Repo>>(
      `/rest/api/1.0/repos?limit=3&start=${all.length - 1}`,
      SEED_TOKENS.adminAdmin,
    );
    expect(last.body).toMatchObject({ size: 1, isLastPage: true, start: all.length - 1 });
    const defaults = await getJson<Page<Repo>>('/rest/api/1.0/repos', SEED_TOKENS.adminAdmin);
    expect(defaults.body.limit).toBe(25);
    const capped = await getJson<Page<Repo>>('/rest/api/1.0/repos?limit=5000', SEED_TOKENS.adminAdmin);
    expect(capped.body.limit).toBe(1000);
  });

  it('filters repositories by name (case-insensitive contains), project and archived state', async () => {
    const names = async (query: string) =>
      (await allPages<Repo>(`/rest/api/1.0/repos?${query}`, SEED_TOKENS.adminAdmin)).map(
        (r) => `${r.project.key}/${r.slug}`,
      );
    expect(await names('name=API')).toEqual(['PROJ/api', '~BOB/api']);
    expect(await names('name=web&projectkey=proj')).toEqual(['PROJ/web-app']);
    expect(await names('projectname=open%20source')).toEqual(['PUB/toolkit', 'PUB/website']);
    expect(await names('name=legacy')).toEqual([]);
    expect(await names('name=legacy&archived=ARCHIVED')).toEqual(['PROJ/legacy-tools']);
    expect(await names('visibility=public&projectkey=PUB')).toEqual(['PUB/toolkit', 'PUB/website']);
  });

  it('lists projects the caller can see, without personal projects', async () => {
    const keys = async (token?: string) =>
      (await allPages<{ key: string }>('/rest/api/1.0/projects', token)).map((p) => p.key).sort();
    expect(await keys(SEED_TOKENS.aliceRead)).toEqual(['ARCH', 'INT', 'PROJ', 'PUB', 'XSS']);
    expect(await keys(SEED_TOKENS.chenRead)).toEqual(['ARCH', 'PROJ', 'PUB', 'SEC']);
    expect(await keys()).toEqual(['PUB']);
    const personal = await getJson<{ key: string; type: string }>(
      '/rest/api/1.0/projects/~ALICE',
      SEED_TOKENS.aliceRead,
    );
    expect(personal.body).toMatchObject({ key: '~ALICE', type: 'PERSONAL' });
    const repos = await getJson<Page<Repo>>('/rest/api/1.0/projects/~ALICE/repos', SEED_TOKENS.aliceRead);
    expect(repos.body.values.map((r) => r.slug)).toEqual(['dotfiles', 'scratch']);
  });

  it('serves branches, pull requests, keys and default reviewers from the seed', async () => {
    const t = SEED_TOKENS.aliceAdmin;
    const branches = await getJson<Page<{ displayId: string; isDefault: boolean }>>(
      '/rest/api/1.0/projects/PROJ/repos/api/branches',
      t,
    );
    expect(branches.body.values[0]).toMatchObject({ displayId: 'main', isDefault: true });
    expect((await get('/rest/api/1.0/projects/PROJ/repos/empty/branches/default', t)).status).toBe(204);
    const prs = await getJson<Page<{ id: number; reviewers: Array<{ status: string }> }>>(
      '/rest/api/1.0/projects/PROJ/repos/api/pull-requests',
      t,
    );
    expect(prs.body.values.map((p) => p.id).sort()).toEqual([1, 2, 4]);
    const pr = await getJson<{ fromRef: { repository: { project: { key: string } } } }>(
      '/rest/api/1.0/projects/PROJ/repos/api/pull-requests/4',
      t,
    );
    expect(pr.body.fromRef.repository.project.key).toBe('~BOB');
    const keys = await getJson<Page<{ text: string }>>('/rest/ssh/1.0/keys', t);
    expect(keys.body.values[0]?.text).toMatch(/^ssh-ed25519 /);
    const api = (await getJson<Repo>('/rest/api/1.0/projects/PROJ/repos/api', t)).body;
    const reviewers = await getJson<Array<{ name: string }>>(
      `/rest/default-reviewers/1.0/projects/PROJ/repos/api/reviewers?sourceRepoId=${api.id}&targetRepoId=${api.id}&sourceRefId=refs/heads/feature/x&targetRefId=refs/heads/main`,
      t,
    );
    expect(reviewers.body.map((u) => u.name)).toEqual(['alice', 'chen']);
  });
});

describe('simulator REST: repository filters, as the spec documents them', () => {
  const keys = async (query: string, token: string | undefined = SEED_TOKENS.adminAdmin) =>
    (await allPages<Repo>(`/rest/api/1.0/repos?${query}`, token)).map((r) => `${r.project.key}/${r.slug}`);

  it('matches name and projectname case-insensitively by contains, with the value trimmed', async () => {
    expect(await keys('name=%20%20Pipe%20')).toEqual(['INT/ci-pipelines']);
    expect(await keys('name=KEY')).toEqual(['INT/deploy-keys']);
    expect(await keys('name=cache')).toEqual(['~CHEN/cache-spike']);
    expect(await keys('projectname=INTEGRATION')).toEqual([
      'INT/ci-pipelines',
      'INT/deploy-keys',
      'INT/docs-site',
      'INT/release-notes',
      'INT/status-page',
      'INT/terraform-modules',
      'INT/vendor-mirror',
    ]);
    expect(await keys('name=no-such-repository')).toEqual([]);
  });

  it('matches projectkey as the whole key, case-insensitively; personal projects too', async () => {
    expect(await keys('projectkey=%20pub%20')).toEqual(['PUB/toolkit', 'PUB/website']);
    expect(await keys('projectkey=PU')).toEqual([]);
    expect(await keys('projectkey=~chen')).toEqual(['~CHEN/cache-spike', '~CHEN/toolkit']);
    // Parameter names are case-sensitive: projectKey is not a parameter of this resource.
    expect((await keys('projectKey=PUB')).length).toBeGreaterThan(2);
  });

  it('filters by state, visibility and permission, and refuses values outside their enums', async () => {
    const all = await keys('');
    expect(await keys('state=AVAILABLE')).toEqual(all);
    expect(await keys('state=OFFLINE')).toEqual([]);
    expect((await get('/rest/api/1.0/repos?state=offline', SEED_TOKENS.adminAdmin)).status).toBe(400);
    // A fork of a public repository is private unless made public itself (~CHEN/toolkit).
    expect(await keys('visibility=public')).toEqual(['PUB/toolkit', 'PUB/website', '~ALICE/scratch']);
    expect(await keys('visibility=private&projectkey=INT')).toHaveLength(7);
    expect(await keys('visibility=public&projectkey=INT')).toEqual([]);
    // bob reads INT (project read) and writes PROJ.
    expect(await keys('permission=REPO_WRITE', SEED_TOKENS.bobWrite)).toEqual([
      'PROJ/api',
      'PROJ/empty',
      'PROJ/web-app',
      '~BOB/api',
    ]);
    expect(await keys('permission=REPO_READ&projectkey=INT', SEED_TOKENS.bobWrite)).toHaveLength(7);
    const bad = await getJson<ErrorBody>('/rest/api/1.0/repos?visibility=PUBLIC', SEED_TOKENS.adminAdmin);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.context).toBe('visibility');
  });

  it('lists archived repositories only with archived=ARCHIVED or ALL (case-insensitive)', async () => {
    expect(await keys('projectkey=PROJ')).toEqual(['PROJ/api', 'PROJ/empty', 'PROJ/web-app']);
    expect(await keys('projectkey=PROJ&archived=ACTIVE')).toEqual(['PROJ/api', 'PROJ/empty', 'PROJ/web-app']);
    expect(await keys('projectkey=PROJ&archived=archived')).toEqual(['PROJ/legacy-tools']);
    expect(await keys('projectkey=PROJ&archived=All')).toEqual([
      'PROJ/api',
      'PROJ/empty',
      'PROJ/legacy-tools',
      'PROJ/web-app',
    ]);
    // The project's own list has no such filter in the spec: it holds archived repositories too.
    const project = await allPages<Repo>('/rest/api/1.0/projects/PROJ/repos', SEED_TOKENS.adminAdmin);
    expect(project.map((r) => r.slug)).toContain('legacy-tools');
  });
});

describe('simulator REST: clone links as real servers send them', () => {
  const urls = (): Urls => ({ base: 'http://h:7990/bb', contextPath: '/bb', sshHost: 'h', sshPort: 7999 });
  const repo = async (path: string, token?: string) =>
    (await getJson<Repo>(`/rest/api/1.0/projects/${path}`, token)).body;
  const ssh = (path: string) => `ssh://git@127.0.0.1:7999/${path}.git`;

  it('keeps each repository its own order, protocols and user name in the http URL', async () => {
    const withUser = sim.url.replace('http://', 'http://alice@');
    const t = SEED_TOKENS.aliceRead;
    expect((await repo('INT/repos/ci-pipelines', t)).links.clone).toEqual([
      { href: `${withUser}/scm/int/ci-pipelines.git`, name: 'http' },
      { href: ssh('int/ci-pipelines'), name: 'ssh' },
    ]);
    expect((await repo('INT/repos/deploy-keys', t)).links.clone).toEqual([
      { href: ssh('int/deploy-keys'), name: 'ssh' },
      { href: `${sim.url}/scm/int/deploy-keys.git`, name: 'http' },
    ]);
    expect((await repo('INT/repos/release-notes', t)).links.clone).toEqual([
      { href: ssh('int/release-notes'), name: 'ssh' },
      { href: `${withUser}/scm/int/release-notes.git`, name: 'http' },
    ]);
    expect((await repo('INT/repos/docs-site', t)).links.clone).toEqual([
      { href: `${sim.url}/scm/int/docs-site.git`, name: 'http' },
    ]);
    expect((await repo('INT/repos/terraform-modules', t)).links.clone).toEqual([
      { href: ssh('int/terraform-modules'), name: 'ssh' },
    ]);
    const none = await repo('INT/repos/vendor-mirror', t);
    expect(none.links).not.toHaveProperty('clone');
    expect(none.links.self[0]?.href).toBe(`${sim.url}/projects/INT/repos/vendor-mirror/browse`);
  });

  it('names the caller, not the owner, and nobody for anonymous callers', async () => {
    expect((await repo('INT/repos/status-page', SEED_TOKENS.bobWrite)).links.clone).toEqual([
      { href: `${sim.url.replace('http://', 'http://bob@')}/scm/int/status-page.git`, name: 'http' },
    ]);
    const listed = await allPages<Repo>('/rest/api/1.0/repos?projectkey=INT', SEED_TOKENS.adminAdmin);
    expect(listed.find((r) => r.slug === 'ci-pipelines')?.links.clone[0]?.href).toContain('//admin@');
    const anonymous = restRepository(sim.model.repo('INT', 'status-page')!, urls(), parseVersion('9.4.13'));
    expect(anonymous.links).toEqual({
      clone: [{ href: 'http://h:7990/bb/scm/int/status-page.git', name: 'http' }],
      self: [{ href: 'http://h:7990/bb/projects/INT/repos/status-page/browse' }],
    });
    const named = restRepository(
      sim.model.repo('INT', 'status-page')!,
      urls(),
      parseVersion('9.4.13'),
      sim.model.user('eve'),
    );
    expect(named.links).toMatchObject({
      clone: [{ href: 'http://eve@h:7990/bb/scm/int/status-page.git', name: 'http' }],
    });
  });

  it('has a fork of a fork sharing the hierarchy, its origin carrying its own origin', async () => {
    const spike = await getJson<Repo & { origin: Repo & { origin?: Repo } }>(
      '/rest/api/1.0/projects/~CHEN/repos/cache-spike',
      SEED_TOKENS.chenRead,
    );
    expect(spike.status).toBe(200);
    expect(spike.body.origin).toMatchObject({ slug: 'api', project: { key: '~BOB' } });
    expect(spike.body.origin.origin).toMatchObject({ slug: 'api', project: { key: 'PROJ' } });
    const root = await repo('PROJ/repos/api', SEED_TOKENS.chenRead);
    expect(spike.body.hierarchyId).toBe(root.hierarchyId);
    const forks = await getJson<Page<Repo>>(
      '/rest/api/1.0/projects/~BOB/repos/api/forks',
      SEED_TOKENS.adminAdmin,
    );
    expect(forks.body.values.map((r) => `${r.project.key}/${r.slug}`)).toEqual(['~CHEN/cache-spike']);
  });
});

describe('simulator REST: recently accessed repositories', () => {
  it('lists the seeded ones, most recent first, then what the user looks at', async () => {
    const own = await startSimulator({ strict: true });
    try {
      const recent = async (token?: string, query = '') => {
        const res = await fetch(`${own.url}/rest/api/1.0/profile/recent/repos${query}`, {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
        return { status: res.status, body: (await res.json()) as Page<Repo> };
      };
      const keys = async (token: string, query = '') =>
        (await recent(token, query)).body.values.map((r) => `${r.project.key}/${r.slug}`);
      // SEC/vault was seeded as recent, but alice can no longer read it.
      expect(await keys(SEED_TOKENS.aliceRead)).toEqual([
        'INT/ci-pipelines',
        'PROJ/api',
        '~ALICE/dotfiles',
        'PUB/toolkit',
      ]);
      expect(await keys(SEED_TOKENS.aliceAdmin, '?permission=REPO_ADMIN')).toEqual([
        'PROJ/api',
        '~ALICE/dotfiles',
      ]);
      // The lower of token scope and user permission applies.
      expect(await keys(SEED_TOKENS.aliceRead, '?permission=REPO_WRITE')).toEqual([]);
      const first = (await recent(SEED_TOKENS.aliceRead, '?limit=1')).body;
      expect(first).toMatchObject({ size: 1, limit: 1, isLastPage: false, nextPageStart: 1 });
      expect(first.values[0]?.links.clone[0]?.href).toContain('//alice@');

      await fetch(`${own.url}/rest/api/1.0/projects/PROJ/repos/web-app`, {
        headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
      });
      await fetch(`${own.url}/rest/api/1.0/projects/PUB/repos/toolkit`, {
        headers: { authorization: `Bearer ${SEED_TOKENS.aliceWrite}` },
      });
      expect(await keys(SEED_TOKENS.aliceRead)).toEqual([
        'PUB/toolkit',
        'PROJ/web-app',
        'INT/ci-pipelines',
        'PROJ/api',
        '~ALICE/dotfiles',
      ]);
      // Per user: bob has none until he looks at one; anonymous looks are not recorded.
      expect(await keys(SEED_TOKENS.bobWrite)).toEqual([]);
      await fetch(`${own.url}/rest/api/1.0/projects/PUB/repos/website`);
      await fetch(`${own.url}/rest/api/1.0/projects/PUB/repos/website`, {
        headers: { authorization: `Bearer ${SEED_TOKENS.bobWrite}` },
      });
      // Public access alone is below the default REPO_READ; bob holds no grant on PUB.
      expect(await keys(SEED_TOKENS.bobWrite)).toEqual([]);
      expect(own.model.recentRepos(own.model.user('bob')!).map((r) => r.slug)).toEqual(['website']);
      expect(own.model.recordRepoAccess('bob', own.model.repo('PROJ', 'api')!.id)).toBe(true);
      expect(await keys(SEED_TOKENS.bobWrite)).toEqual(['PROJ/api']);
      expect(own.model.recordRepoAccess('nobody', 1)).toBe(false);

      expect((await recent()).status).toBe(401);
      const bad = await recent(SEED_TOKENS.aliceRead, '?permission=PROJECT_READ');
      expect(bad.status).toBe(400);
      expect(own.violations).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

describe('simulator REST: page size cap and pages cut before the permission check', () => {
  it('caps limit at maxPage and says so in the page', async () => {
    const small = await startSimulator({ strict: true, maxPage: 4 });
    try {
      const res = await fetch(`${small.url}/rest/api/1.0/repos?limit=100`, {
        headers: { authorization: `Bearer ${SEED_TOKENS.adminAdmin}` },
      });
      const body = (await res.json()) as Page<Repo>;
      expect(body).toMatchObject({ size: 4, limit: 4, isLastPage: false, nextPageStart: 4 });
      expect(small.violations).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('skips ahead: short or empty pages, nextPageStart past the hidden items, nothing lost', async () => {
    const ahead = await startSimulator({ strict: true, skipAhead: true });
    try {
      const pages = async (path: string, token: string) => {
        const seen: Array<Page<Repo>> = [];
        let start = 0;
        for (;;) {
          const sep = path.includes('?') ? '&' : '?';
          const res = await fetch(`${ahead.url}${path}${sep}limit=3&start=${start}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          const body = (await res.json()) as Page<Repo>;
          seen.push(body);
          if (body.isLastPage) return seen;
          start = body.nextPageStart!;
        }
      };
      const chen = await pages('/rest/api/1.0/repos', SEED_TOKENS.chenRead);
      for (const p of chen) {
        expect(p.limit).toBe(3);
        expect(p.size).toBe(p.values.length);
        expect(p.size).toBeLessThanOrEqual(3);
        if (!p.isLastPage) expect(p.nextPageStart).toBe(p.start + 3);
      }
      expect(chen.some((p) => !p.isLastPage && p.nextPageStart! > p.start + p.size)).toBe(true);
      expect(chen.some((p) => !p.isLastPage && p.size === 0)).toBe(true);
      // Following nextPageStart finds exactly what a filter-first server lists.
      const followed = chen.flatMap((p) => p.values.map((r) => `${r.project.key}/${r.slug}`));
      const filterFirst = (await allPages<Repo>('/rest/api/1.0/repos', SEED_TOKENS.chenRead)).map(
        (r) => `${r.project.key}/${r.slug}`,
      );
      expect(followed).toEqual(filterFirst);
      // A client adding size to start instead would start its second page inside the hidden items
      // and miss repositories.
      const naive: string[] = [];
      let start = 0;
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${ahead.url}/rest/api/1.0/repos?limit=3&start=${start}`, {
          headers: { authorization: `Bearer ${SEED_TOKENS.chenRead}` },
        });
        const body = (await res.json()) as Page<Repo>;
        naive.push(...body.values.map((r) => `${r.project.key}/${r.slug}`));
        if (body.isLastPage || body.size === 0) break;
        start += body.size;
      }
      expect(naive.length).toBeLessThan(filterFirst.length);
      // The switch can be flipped on a running simulator.
      ahead.model.paging.skipAhead = false;
      const flat = await pages('/rest/api/1.0/repos', SEED_TOKENS.chenRead);
      expect(flat.slice(0, -1).every((p) => p.size === 3)).toBe(true);
      expect(ahead.violations).toEqual([]);
    } finally {
      await ahead.close();
    }
  });
});

describe('simulator REST: with a context path', () => {
  it('puts the context path into every link and serves nothing outside it', async () => {
    const ctx = await startSimulator({ strict: true, contextPath: '/bitbucket', version: '10.4.2' });
    try {
      expect(ctx.url).toBe(`${ctx.origin}/bitbucket`);
      const res = await fetch(`${ctx.url}/rest/api/1.0/projects/PROJ/repos/api`, {
        headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
      });
      const repo = (await res.json()) as Repo;
      expect(repo.links.clone[0]?.href).toBe(`${ctx.origin}/bitbucket/scm/proj/api.git`);
      expect(repo.links.self[0]?.href).toBe(`${ctx.origin}/bitbucket/projects/PROJ/repos/api/browse`);
      const props = (await (await fetch(`${ctx.url}/rest/api/1.0/application-properties`)).json()) as {
        version: string;
      };
      expect(props.version).toBe('10.4.2');
      expect((await fetch(`${ctx.origin}/rest/api/1.0/application-properties`)).status).toBe(404);
      expect(ctx.violations).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('omits fields the reported version does not have yet', async () => {
    const old = await startSimulator({ strict: true, version: '7.21.0' });
    try {
      const repo = (await (
        await fetch(`${old.url}/rest/api/1.0/projects/PUB/repos/toolkit`)
      ).json()) as Record<string, unknown>;
      expect(repo).not.toHaveProperty('archived');
      expect(old.violations).toEqual([]);
    } finally {
      await old.close();
    }
  });
});

describe('simulator REST: HTTP access tokens resource', () => {
  it('creates a token with a session or password, but not with a token', async () => {
    const auth = `Basic ${Buffer.from('chen:chen').toString('base64')}`;
    const res = await fetch(`${sim.url}/rest/access-tokens/1.0/users/chen`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'CI', permissions: ['PROJECT_READ', 'REPO_READ'], expiryDays: 30 }),
    });
    expect(res.status).toBe(200);
    const created = (await res.json()) as { id: string; token: string; name: string };
    expect(created.name).toBe('CI');
    expect((await get('/rest/api/1.0/users/chen', created.token)).headers.get('x-ausername')).toBe('chen');
    const list = await getJson<Page<{ id: string }>>(
      '/rest/access-tokens/1.0/users/chen',
      SEED_TOKENS.chenRead,
    );
    expect(list.body.values.map((t) => t.id)).toContain(created.id);
    const withToken = await fetch(`${sim.url}/rest/access-tokens/1.0/users/chen`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${SEED_TOKENS.chenRead}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', permissions: ['PROJECT_READ', 'REPO_READ'] }),
    });
    expect(withToken.status).toBe(401);
    const invalid = await fetch(`${sim.url}/rest/access-tokens/1.0/users/chen`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', permissions: ['PROJECT_WRITE', 'REPO_READ'] }),
    });
    expect(invalid.status).toBe(400);
    const removed = await fetch(`${sim.url}/rest/access-tokens/1.0/users/chen/${created.id}`, {
      method: 'DELETE',
      headers: { authorization: auth },
    });
    expect(removed.status).toBe(204);
    expect((await get('/rest/api/1.0/users/chen', created.token)).status).toBe(401);
  });
});

describe('simulator REST: the whole seeded surface conforms to the spec', () => {
  it('answers every implemented operation for every kind of caller without a violation', async () => {
    const callers = [undefined, ...Object.values(SEED_TOKENS)];
    const repoPaths = sim.model.repos.map(
      (r) => `/rest/api/1.0/projects/${encodeURIComponent(r.project.key)}/repos/${r.slug}`,
    );
    const paths = [
      '/rest/api/1.0/application-properties',
      '/rest/api/latest/users',
      '/rest/api/1.0/users?filter=a&limit=2',
      ...[...sim.model.users.keys()].map((slug) => `/rest/api/1.0/users/${slug}?avatarSize=48`),
      '/rest/api/1.0/projects',
      ...[...sim.model.projects.keys()].map((key) => `/rest/api/1.0/projects/${encodeURIComponent(key)}`),
      ...[...sim.model.projects.keys()].map(
        (key) => `/rest/api/1.0/projects/${encodeURIComponent(key)}/repos`,
      ),
      '/rest/api/1.0/repos?limit=1000&archived=ALL',
      '/rest/api/1.0/repos?name=%20API%20&projectname=plat&projectkey=proj&state=AVAILABLE&visibility=private&permission=REPO_READ&archived=all',
      '/rest/api/1.0/repos?state=ASLEEP',
      '/rest/api/1.0/repos?archived=SOMETIMES',
      '/rest/api/1.0/profile/recent/repos',
      '/rest/api/1.0/profile/recent/repos?permission=REPO_ADMIN&limit=2',
      '/rest/api/1.0/profile/recent/repos?permission=PROJECT_READ',
      '/rest/api/1.0/repos?visibility=sideways',
      ...repoPaths,
      ...repoPaths.flatMap((p) => [
        `${p}/branches`,
        `${p}/default-branch`,
        `${p}/branches/default`,
        `${p}/pull-requests?state=ALL`,
        `${p}/pull-requests/1`,
        `${p}/forks`,
      ]),
      '/rest/ssh/1.0/keys',
      '/rest/gpg/1.0/keys',
      '/rest/ssh/1.0/keys?user=bob',
      '/rest/ssh/1.0/keys?userName=nobody',
      '/rest/ssh/1.0/keys/1',
      '/rest/ssh/1.0/keys/999',
      '/rest/ssh/1.0/settings',
      '/rest/gpg/1.0/keys?user=bob',
      '/rest/gpg/1.0/keys?user=nobody',
      ...[...sim.model.users.keys()].map((slug) => `/rest/access-tokens/1.0/users/${slug}`),
    ];
    for (const token of callers) {
      for (const path of paths) {
        const res = await get(path, token);
        expect(res.status, `${path} with ${token ?? 'no token'}`).not.toBe(500);
        await res.arrayBuffer();
      }
    }
    expect(sim.violations).toEqual([]);
  });
});
