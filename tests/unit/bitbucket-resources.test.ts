/**
 * The resource modules (server, users, projects, repositories) read real answers, and the permission
 * table behind the "your token lacks …" sentences.
 */
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { BitbucketClient } from '../../lib/bitbucket/client';
import {
  grants,
  OPERATIONS,
  PERMISSION_LABELS,
  permits,
  TOKEN_PERMISSIONS,
} from '../../lib/bitbucket/permissions';
import { getProject, listProjects } from '../../lib/bitbucket/projects';
import { cloneLinks, getRepo, listRepos, RepositorySchema } from '../../lib/bitbucket/repos';
import { getApplicationProperties, isBitbucketProperties } from '../../lib/bitbucket/server';
import { getUser, searchUsers } from '../../lib/bitbucket/users';

const REFERENCE = new URL('../../../shared/reference/bitbucket/fixtures/', import.meta.url);
const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`go-scm-stash/${name}`, REFERENCE), 'utf8'));

/** The forks answer recorded by atlassian-python-api: a Python dict literal of the JSON. */
function pythonForksFixture(): unknown {
  const text = readFileSync(new URL('atlassian-python-api-forks-GET.py.txt', REFERENCE), 'utf8');
  const literal = text.slice(text.indexOf('{')).replace(/,(\s*[}\]])/g, '$1');
  return JSON.parse(literal);
}

function fakeServer(routes: Record<string, unknown>) {
  const urls: URL[] = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = new URL(String(input));
    urls.push(url);
    const body = routes[url.pathname];
    return body === undefined
      ? new Response('{"errors":[{"message":"nope"}]}', { status: 404 })
      : new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
  };
  return { client: new BitbucketClient({ baseUrl: 'https://h/bb', token: 't', fetch }), urls };
}

describe('server', () => {
  it('reads the version and the instance name', async () => {
    const { client } = fakeServer({
      '/bb/rest/api/1.0/application-properties': {
        version: '9.4.23',
        buildNumber: '9004023',
        buildDate: '1754870400000',
        displayName: 'Example.com Bitbucket',
      },
    });
    expect((await getApplicationProperties(client)).data).toEqual({
      version: '9.4.23',
      displayName: 'Example.com Bitbucket',
    });
  });

  it('recognises Bitbucket’s application properties, and nothing else', () => {
    expect(isBitbucketProperties({ version: '8.19.29', displayName: 'Bitbucket' })).toBe(true);
    expect(isBitbucketProperties({ version: 'latest', displayName: 'Bitbucket' })).toBe(false);
    expect(isBitbucketProperties({ version: '8.19.29' })).toBe(false);
    expect(isBitbucketProperties({ application: 'jira' })).toBe(false);
    expect(isBitbucketProperties('<html>')).toBe(false);
    // Bitbucket still, with a name nobody should keep: recognised, then refused by the schema.
    expect(isBitbucketProperties({ version: '9.4.1', displayName: 'B'.repeat(5_000) })).toBe(true);
  });

  it('keeps the instance name within 255 characters, refuses a far longer one or an absurd version', async () => {
    const answer = (body: object) =>
      getApplicationProperties(fakeServer({ '/bb/rest/api/1.0/application-properties': body }).client);
    const cut = await answer({ version: '9.4.23', displayName: `Example ${'n'.repeat(400)}` });
    expect(cut.data.displayName).toHaveLength(255);
    expect(cut.data.displayName.endsWith('…')).toBe(true);
    await expect(answer({ version: '9.4.23', displayName: 'n'.repeat(1_021) })).rejects.toMatchObject({
      kind: 'invalid-response',
    });
    await expect(answer({ version: `9.4.${'1'.repeat(60)}`, displayName: 'B' })).rejects.toMatchObject({
      kind: 'invalid-response',
    });
  });
});

describe('users', () => {
  it('reads a user by slug (real answer), encoding the slug', async () => {
    const { client, urls } = fakeServer({ '/bb/rest/api/1.0/users/jcitizen': fixture('user.json') });
    expect(await getUser(client, 'jcitizen')).toMatchObject({
      name: 'jcitizen',
      displayName: 'Jane Citizen',
    });
    await getUser(client, 'j doe').catch(() => undefined);
    expect(urls[1]!.pathname).toBe('/bb/rest/api/1.0/users/j%20doe');
  });

  it('keeps what Bitbucket allows: names and slugs up to 255 characters, display names cut to 255', async () => {
    const user = { id: 1, name: 'jdoe', slug: 'jdoe', displayName: 'Jane', emailAddress: 'j@example.com' };
    const read = (body: object) =>
      getUser(fakeServer({ '/bb/rest/api/1.0/users/jdoe': { ...user, ...body } }).client, 'jdoe');
    expect((await read({ name: 'n'.repeat(255) })).name).toHaveLength(255);
    expect((await read({ displayName: 'D'.repeat(600) })).displayName).toBe(`${'D'.repeat(254)}…`);
    for (const tooLong of [
      { name: 'n'.repeat(256) },
      { slug: 's'.repeat(256) },
      { emailAddress: `${'e'.repeat(250)}@example.com` },
      { displayName: 'D'.repeat(4 * 255 + 1) },
    ]) {
      await expect(read(tooLong), JSON.stringify(Object.keys(tooLong))).rejects.toMatchObject({
        kind: 'invalid-response',
        message: expect.stringMatching(
          /^The server's answer to reading user details was not in the expected shape\./,
        ),
      });
    }
  });

  it('searches users (real answer): one page', async () => {
    const { client, urls } = fakeServer({ '/bb/rest/api/1.0/users': fixture('user_search.json') });
    const users = await searchUsers(client, 'jane');
    expect(users.map((u) => u.slug)).toEqual(['jane_example']);
    expect(urls[0]!.searchParams.get('filter')).toBe('jane');
    expect(urls).toHaveLength(1);
  });
});

describe('projects', () => {
  it('lists projects with a permission filter, and reads one', async () => {
    const project = { key: 'PRJ', id: 2, name: 'PRJ', public: false, type: 'NORMAL' };
    const { client, urls } = fakeServer({
      '/bb/rest/api/1.0/projects': { size: 1, limit: 100, start: 0, isLastPage: true, values: [project] },
      '/bb/rest/api/1.0/projects/~JDOE': { key: '~JDOE', name: 'John Doe', type: 'PERSONAL' },
    });
    expect(await listProjects(client, { permission: 'PROJECT_ADMIN' })).toEqual([
      { key: 'PRJ', name: 'PRJ', type: 'NORMAL' },
    ]);
    expect(urls[0]!.searchParams.get('permission')).toBe('PROJECT_ADMIN');
    expect(await getProject(client, '~JDOE')).toEqual({ key: '~JDOE', name: 'John Doe', type: 'PERSONAL' });
  });
});

describe('repositories', () => {
  it('lists all pages of repositories with name and permission filters', async () => {
    const repo = fixture('repo.json');
    const pages = [
      { size: 1, limit: 1, start: 0, isLastPage: false, nextPageStart: 1, values: [repo] },
      { size: 1, limit: 1, start: 1, isLastPage: true, values: [repo] },
    ];
    const urls: URL[] = [];
    const client = new BitbucketClient({
      baseUrl: 'https://h',
      token: 't',
      fetch: async (input) => {
        urls.push(new URL(String(input)));
        return new Response(JSON.stringify(pages[urls.length - 1]), {
          headers: { 'content-type': 'application/json' },
        });
      },
    });
    const repos = await listRepos(client, { name: 'my-repo', permission: 'REPO_WRITE', limit: 1 });
    expect(repos).toHaveLength(2);
    expect(urls.map((u) => u.search)).toEqual([
      '?name=my-repo&permission=REPO_WRITE&start=0&limit=1',
      '?name=my-repo&permission=REPO_WRITE&start=1&limit=1',
    ]);
  });

  it('reads one repository (real answer), URL-encoding a personal project key', async () => {
    const { client, urls } = fakeServer({
      '/bb/rest/api/1.0/projects/PRJ/repos/my-repo': fixture('repo.json'),
    });
    const repo = await getRepo(client, 'PRJ', 'my-repo');
    expect(repo).toMatchObject({
      id: 1,
      slug: 'my-repo',
      name: 'my-repo',
      project: { key: 'PRJ', name: 'PRJ' },
    });
    expect(repo.origin).toBeUndefined();
    await getRepo(client, '~JDOE', 'dot files').catch(() => undefined);
    expect(urls[1]!.pathname).toBe('/bb/rest/api/1.0/projects/~JDOE/repos/dot%20files');
  });

  it('reads a fork’s origin (real answer from a personal project)', () => {
    const page = pythonForksFixture() as { values: unknown[] };
    const fork = v.parse(RepositorySchema, page.values[0]);
    expect(fork).toMatchObject({
      slug: 'my-repo',
      project: { key: '~JDOE', type: 'PERSONAL' },
      hierarchyId: 'e3c939f9ef4a7fae272e',
      origin: { slug: 'my-repo', project: { key: 'PRJ' } },
    });
  });
});

describe('clone links', () => {
  it('picks ssh and http by name when ssh comes first, and drops the user name (real answer)', () => {
    expect(cloneLinks(fixture('repo.json') as Parameters<typeof cloneLinks>[0])).toEqual({
      ssh: 'ssh://git@example.com:7999/prj/my-repo.git',
      http: 'http://example.com:7990/scm/prj/my-repo.git',
    });
  });

  it('picks them by name when http comes first; "http" may well be https', () => {
    expect(
      cloneLinks({
        links: {
          clone: [
            { href: 'https://jdoe@git.example.com/bitbucket/scm/qa/qa-resources.git', name: 'http' },
            { href: 'ssh://git@git.example.com:7999/qa/qa-resources.git', name: 'ssh' },
          ],
        },
      }),
    ).toEqual({
      http: 'https://git.example.com/bitbucket/scm/qa/qa-resources.git',
      ssh: 'ssh://git@git.example.com:7999/qa/qa-resources.git',
    });
  });

  it('copes with one protocol or none turned off', () => {
    expect(cloneLinks({ links: { clone: [{ href: 'ssh://git@h:7999/x/y.git', name: 'ssh' }] } })).toEqual({
      ssh: 'ssh://git@h:7999/x/y.git',
    });
    expect(cloneLinks({ links: { clone: [{ href: 'https://h/scm/x/y.git', name: 'http' }] } })).toEqual({
      http: 'https://h/scm/x/y.git',
    });
    expect(cloneLinks({ links: {} })).toEqual({});
    expect(cloneLinks({})).toEqual({});
  });
});

describe('permission table', () => {
  it('every operation names a known permission (or none) and a phrase for sentences', () => {
    for (const [id, op] of Object.entries(OPERATIONS)) {
      if (op.permission !== null) expect(TOKEN_PERMISSIONS, id).toContain(op.permission);
      expect(op.does, id).toMatch(/^[a-z]+ing /);
      expect(op.thing, id).toMatch(/^the /);
    }
    expect(PERMISSION_LABELS.REPO_WRITE).toBe('Repository write');
    expect(OPERATIONS['repos.create'].permission).toBe('PROJECT_ADMIN');
    expect(OPERATIONS['pull-requests.create'].permission).toBe('REPO_WRITE');
  });

  it('compares permissions: higher covers lower, a project permission covers its repositories', () => {
    expect(permits('REPO_ADMIN', 'REPO_WRITE')).toBe(true);
    expect(permits('REPO_READ', 'REPO_WRITE')).toBe(false);
    expect(permits('PROJECT_WRITE', 'REPO_WRITE')).toBe(true);
    expect(permits('REPO_ADMIN', 'PROJECT_READ')).toBe(false);
    expect(permits('PROJECT_WRITE', 'PROJECT_ADMIN')).toBe(false);
    expect(grants(['PROJECT_READ', 'REPO_WRITE'], 'REPO_READ')).toBe(true);
    expect(grants(['PROJECT_READ', 'REPO_READ'], 'REPO_WRITE')).toBe(false);
    expect(grants([], null)).toBe(true);
  });
});
