import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Conformance } from '../../simulator/conformance';
import { defaultSpecPath, SEED_TOKENS, type Simulator, startSimulator } from '../../simulator/index';
import { closeChecked, hasGit } from './support/simulator-checks';

interface Pr {
  id: number;
  version: number;
  title: string;
  description?: string;
  draft?: boolean;
  state: string;
  author: { user: { name: string }; role: string };
  reviewers: Array<{ user: { name: string }; status: string }>;
  fromRef: { id: string; latestCommit: string; repository: { slug: string; project: { key: string } } };
  toRef: { id: string; repository: { slug: string; project: { key: string } } };
  links: { self: Array<{ href: string }> };
}
interface Page<T> {
  values: T[];
  isLastPage: boolean;
  nextPageStart?: number;
}
interface ErrorBody {
  errors: Array<{
    context: string | null;
    message: string;
    exceptionName: string | null;
    existingPullRequest?: Pr;
    reviewerErrors?: Array<{ context: string; message: string }>;
    validReviewers?: Array<{ name: string }>;
  }>;
}

const API = '/rest/api/1.0/projects/PROJ/repos/api';

async function call<T>(
  sim: Simulator,
  method: string,
  url: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.url}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as T };
}

const ref = (id: string, project?: string, slug?: string) => ({
  id,
  ...(project && slug ? { repository: { slug, project: { key: project } } } : {}),
});

describe('simulator pull requests (strict, seeded data)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ strict: true });
  });
  afterAll(() => closeChecked(sim));
  const ids = async (query: string, repo = API, token: string = SEED_TOKENS.aliceAdmin) => {
    const { status, body } = await call<Page<Pr>>(sim, 'GET', `${repo}/pull-requests?${query}`, token);
    expect(status).toBe(200);
    return body.values.map((pr) => pr.id);
  };

  it('filters the list by state, direction, at, filterText and draft, each for real', async () => {
    expect((await ids('')).sort()).toEqual([1, 2, 4]);
    expect(await ids('state=MERGED')).toEqual([3]);
    expect((await ids('state=ALL')).sort()).toEqual([1, 2, 3, 4]);
    expect(await ids('state=DECLINED')).toEqual([]);
    expect(await ids('state=DECLINED', '/rest/api/1.0/projects/PUB/repos/toolkit')).toEqual([1]);
    // OUTGOING lists the pull requests whose source is the repository: bob's fork → PROJ/api.
    // (alice can't read bob's fork at all.)
    expect(
      (await call(sim, 'GET', '/rest/api/1.0/projects/~BOB/repos/api/pull-requests', SEED_TOKENS.aliceAdmin))
        .status,
    ).toBe(401);
    const fork = '/rest/api/1.0/projects/~BOB/repos/api';
    expect(await ids('direction=OUTGOING', fork, SEED_TOKENS.bobWrite)).toEqual([4]);
    expect(await ids('direction=INCOMING', fork, SEED_TOKENS.bobWrite)).toEqual([]);
    expect(
      await ids('direction=OUTGOING&at=refs/heads/feature/bob-cache', fork, SEED_TOKENS.bobWrite),
    ).toEqual([4]);
    expect(await ids('direction=OUTGOING&at=refs/heads/main', fork, SEED_TOKENS.bobWrite)).toEqual([]);
    expect(await ids('direction=OUTGOING&at=refs/heads/feature/rate-limit')).toEqual([1]);
    expect((await ids('at=refs/heads/main')).sort()).toEqual([1, 2, 4]);
    expect(await ids('at=refs/heads/develop')).toEqual([]);
    expect(await ids('filterText=RATE')).toEqual([1]);
    expect(await ids('filterText=my%20fork')).toEqual([4]);
    expect(await ids('draft=true')).toEqual([4]);
    expect((await ids('draft=false')).sort()).toEqual([1, 2]);
  });

  it('orders newest or oldest first and pages as the other lists do', async () => {
    const newest = await ids('state=ALL');
    expect(await ids('state=ALL&order=OLDEST')).toEqual([...newest].reverse());
    const first = await call<Page<Pr>>(
      sim,
      'GET',
      `${API}/pull-requests?state=ALL&limit=2`,
      SEED_TOKENS.aliceRead,
    );
    expect(first.body).toMatchObject({ isLastPage: false, nextPageStart: 2 });
    expect(first.body.values.map((p) => p.id)).toEqual(newest.slice(0, 2));
    const second = await call<Page<Pr>>(
      sim,
      'GET',
      `${API}/pull-requests?state=ALL&limit=2&start=2`,
      SEED_TOKENS.aliceRead,
    );
    expect(second.body.isLastPage).toBe(true);
    expect(second.body.values.map((p) => p.id)).toEqual(newest.slice(2));
  });

  it('filters by participants: username.N with role.N and approved.N, all of them at once', async () => {
    expect(await ids('username.1=alice&role.1=REVIEWER')).toEqual(expect.arrayContaining([1, 4]));
    expect((await ids('username.1=alice&role.1=REVIEWER')).length).toBe(2);
    expect(await ids('username.1=alice&role.1=REVIEWER&approved.1=true')).toEqual([1]);
    expect(await ids('username.1=alice&approved.1=false')).toEqual(expect.arrayContaining([2, 4]));
    expect((await ids('username.1=bob&role.1=AUTHOR')).sort()).toEqual([1, 4]);
    expect(await ids('username.1=bob&role.1=AUTHOR&username.2=chen&role.2=REVIEWER')).toEqual([1]);
    expect(await ids('username.1=eve&role.1=PARTICIPANT')).toEqual([1]);
    expect(await ids('username.1=nobody')).toEqual([]);
    // Numbering must start at 1: a lone username.2 is no filter.
    expect((await ids('username.2=nobody')).sort()).toEqual([1, 2, 4]);
    const bad = await call<ErrorBody>(
      sim,
      'GET',
      `${API}/pull-requests?username.1=bob&role.1=BOSS`,
      SEED_TOKENS.aliceRead,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]?.message).toMatch(/AUTHOR, REVIEWER or PARTICIPANT/);
    expect((await call(sim, 'GET', `${API}/pull-requests?state=CLOSED`, SEED_TOKENS.aliceRead)).status).toBe(
      400,
    );
  });

  it('gets one pull request with its repositories and users in full, and 404 for a missing one', async () => {
    const { status, body } = await call<Pr>(sim, 'GET', `${API}/pull-requests/4`, SEED_TOKENS.chenRead);
    expect(status).toBe(200);
    expect(body.fromRef.repository).toMatchObject({ slug: 'api', project: { key: '~BOB' } });
    expect(body.author).toMatchObject({ user: { name: 'bob' }, role: 'AUTHOR' });
    expect(body.links.self[0]?.href).toBe(`${sim.url}/projects/PROJ/repos/api/pull-requests/4`);
    const missing = await call<ErrorBody>(sim, 'GET', `${API}/pull-requests/99`, SEED_TOKENS.chenRead);
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]?.exceptionName).toBe(
      'com.atlassian.bitbucket.pull.NoSuchPullRequestException',
    );
  });

  it('creates a pull request with reviewers (201) that the list and get then show', async () => {
    const { status, body } = await call<Pr>(sim, 'POST', `${API}/pull-requests`, SEED_TOKENS.aliceWrite, {
      title: '  Login redirect, again  ',
      description: 'Second try.',
      fromRef: ref('refs/heads/develop'),
      toRef: ref('refs/heads/main', 'PROJ', 'api'),
      reviewers: [{ user: { name: 'chen' } }, { user: { name: 'bob' } }],
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      id: 5,
      version: 0,
      title: 'Login redirect, again',
      state: 'OPEN',
      draft: false,
      author: { user: { name: 'alice' }, role: 'AUTHOR' },
      fromRef: { id: 'refs/heads/develop', repository: { slug: 'api', project: { key: 'PROJ' } } },
    });
    expect(body.reviewers.map((r) => [r.user.name, r.status])).toEqual([
      ['chen', 'UNAPPROVED'],
      ['bob', 'UNAPPROVED'],
    ]);
    expect(await ids('direction=OUTGOING&at=refs/heads/develop')).toEqual([5]);
    const got = await call<Pr>(sim, 'GET', `${API}/pull-requests/5`, SEED_TOKENS.chenRead);
    expect(got.body.title).toBe('Login redirect, again');
  });

  it('answers a duplicate with 409 DuplicatePullRequestException carrying the existing pull request', async () => {
    const { status, body } = await call<ErrorBody>(
      sim,
      'POST',
      `${API}/pull-requests`,
      SEED_TOKENS.aliceWrite,
      {
        title: 'Rate limits once more',
        fromRef: ref('refs/heads/feature/rate-limit'),
        toRef: ref('refs/heads/main'),
      },
    );
    expect(status).toBe(409);
    expect(body.errors[0]).toMatchObject({
      exceptionName: 'com.atlassian.bitbucket.pull.DuplicatePullRequestException',
      message: 'Only one pull request may be open for a given source and target branch',
      existingPullRequest: { id: 1, title: 'Add rate limiting to public endpoints' },
    });
    expect(body.errors[0]?.existingPullRequest?.links.self[0]?.href).toMatch(/\/pull-requests\/1$/);
  });

  it('answers reviewers who cannot review with 409, naming each and listing the valid ones', async () => {
    const { status, body } = await call<ErrorBody>(
      sim,
      'POST',
      `${API}/pull-requests`,
      SEED_TOKENS.aliceWrite,
      {
        title: 'Hotfix',
        fromRef: ref('refs/heads/bugfix/login-redirect'),
        toRef: ref('refs/heads/develop'),
        reviewers: [
          { user: { name: 'chen' } },
          { user: { name: 'nobody' } },
          { user: { name: 'dave' } },
          { user: { name: 'alice' } },
        ],
      },
    );
    expect(status).toBe(409);
    const [e] = body.errors;
    expect(e).toMatchObject({
      context: 'reviewers',
      exceptionName: 'com.atlassian.bitbucket.pull.InvalidPullRequestReviewersException',
    });
    expect(e?.reviewerErrors?.map((r) => r.context)).toEqual(['nobody', 'dave', 'alice']);
    expect(e?.reviewerErrors?.[0]?.message).toBe('nobody is not a user.');
    expect(e?.validReviewers?.map((u) => u.name)).toEqual(['chen']);
    // Nothing was created.
    expect(await ids('at=refs/heads/develop')).toEqual([]);
  });

  it('answers same branches, an archived target and nothing to merge with 409, other hierarchies with 400', async () => {
    const create = (repo: string, body: unknown) =>
      call<ErrorBody>(sim, 'POST', `${repo}/pull-requests`, SEED_TOKENS.aliceAdmin, body);
    const same = await create(API, {
      title: 'x',
      fromRef: ref('refs/heads/main'),
      toRef: ref('refs/heads/main'),
    });
    expect(same.status).toBe(409);
    expect(same.body.errors[0]?.message).toMatch(/must be different/);
    const archived = await create('/rest/api/1.0/projects/PROJ/repos/legacy-tools', {
      title: 'x',
      fromRef: ref('refs/heads/main'),
      toRef: ref('refs/heads/main'),
    });
    expect(archived.status).toBe(409);
    expect(archived.body.errors[0]?.exceptionName).toBe(
      'com.atlassian.bitbucket.repository.RepositoryArchivedException',
    );
    // release/1.0 sits at main's head: nothing to merge.
    const empty = await create(API, {
      title: 'x',
      fromRef: ref('refs/heads/release/1.0'),
      toRef: ref('refs/heads/main'),
    });
    expect(empty.status).toBe(409);
    expect(empty.body.errors[0]?.exceptionName).toBe(
      'com.atlassian.bitbucket.pull.EmptyPullRequestException',
    );
    const foreign = await create(API, {
      title: 'x',
      fromRef: ref('refs/heads/main', 'PUB', 'toolkit'),
      toRef: ref('refs/heads/main'),
    });
    expect(foreign.status).toBe(400);
    const noBranch = await create(API, {
      title: 'x',
      fromRef: ref('refs/heads/nope'),
      toRef: ref('refs/heads/main'),
    });
    expect(noBranch.status).toBe(404);
    expect(noBranch.body.errors[0]?.exceptionName).toBe(
      'com.atlassian.bitbucket.repository.NoSuchBranchException',
    );
    const untitled = await create(API, { fromRef: ref('refs/heads/develop'), toRef: ref('refs/heads/main') });
    expect(untitled.status).toBe(400);
  });

  it('needs read access to both repositories, and a token with Repository write', async () => {
    const body = { title: 'x', fromRef: ref('refs/heads/develop'), toRef: ref('refs/heads/main') };
    const readOnly = await call<ErrorBody>(sim, 'POST', `${API}/pull-requests`, SEED_TOKENS.aliceRead, body);
    expect(readOnly.status).toBe(401);
    expect(readOnly.body.errors[0]?.exceptionName).toBe('com.atlassian.bitbucket.AuthorisationException');
    // eve reads PROJ/api but not bob's fork.
    const eve = sim.createToken('eve', ['PROJECT_READ', 'REPO_WRITE']);
    const fromFork = await call<ErrorBody>(sim, 'POST', `${API}/pull-requests`, eve, {
      ...body,
      fromRef: ref('refs/heads/feature/bob-cache', '~BOB', 'api'),
    });
    expect(fromFork.status).toBe(401);
  });

  it('updates with the current version (200) and refuses a stale one with 409', async () => {
    const url = `${API}/pull-requests/2`;
    const before = await call<Pr>(sim, 'GET', url, SEED_TOKENS.aliceRead);
    const updated = await call<Pr>(sim, 'PUT', url, SEED_TOKENS.aliceWrite, {
      version: before.body.version,
      title: 'Fix the login redirect',
      reviewers: [{ user: { name: 'bob' } }, { user: { name: 'chen' } }],
    });
    expect(updated.status).toBe(200);
    expect(updated.body.version).toBe(before.body.version + 1);
    expect(updated.body.title).toBe('Fix the login redirect');
    // bob keeps the status he gave; chen is new.
    expect(updated.body.reviewers.map((r) => [r.user.name, r.status])).toEqual([
      ['bob', 'NEEDS_WORK'],
      ['chen', 'UNAPPROVED'],
    ]);
    const stale = await call<ErrorBody>(sim, 'PUT', url, SEED_TOKENS.aliceWrite, {
      version: before.body.version,
      title: 'Lost update',
    });
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0]?.exceptionName).toBe(
      'com.atlassian.bitbucket.pull.PullRequestOutOfDateException',
    );
    const noVersion = await call<ErrorBody>(sim, 'PUT', url, SEED_TOKENS.aliceWrite, { title: 'x' });
    expect(noVersion.status).toBe(400);
    expect((await call<Pr>(sim, 'GET', url, SEED_TOKENS.aliceRead)).body.title).toBe(
      'Fix the login redirect',
    );
  });

  it('creates drafts on 8.18 and later', async () => {
    const { status, body } = await call<Pr>(sim, 'POST', `${API}/pull-requests`, SEED_TOKENS.bobWrite, {
      title: 'Work in progress',
      draft: true,
      fromRef: ref('refs/heads/feature/bob-cache', '~BOB', 'api'),
      toRef: ref('refs/heads/develop'),
    });
    expect(status).toBe(201);
    expect(body.draft).toBe(true);
  });

  it('serves the merge settings, reviewer groups (repository and project) and default reviewers', async () => {
    const settings = await call<{
      mergeConfig: { defaultStrategy: { id: string }; strategies: Array<{ id: string; enabled: boolean }> };
    }>(sim, 'GET', `${API}/settings/pull-requests`, SEED_TOKENS.chenRead);
    expect(settings.body.mergeConfig.defaultStrategy.id).toBe('squash');
    expect(settings.body.mergeConfig.strategies.filter((s) => s.enabled).map((s) => s.id)).toEqual([
      'no-ff',
      'ff-only',
      'squash',
    ]);
    type Groups = Page<{ name: string; scope: { type: string }; users: Array<{ name: string }> }>;
    // eve may read PROJ/api only: the repository's groups, its project's included, but not the project's own list.
    const eve = SEED_TOKENS.eveRead;
    const repoGroups = await call<Groups>(sim, 'GET', `${API}/settings/reviewer-groups`, eve);
    expect(repoGroups.body.values.map((g) => [g.name, g.scope.type])).toEqual([
      ['API owners', 'REPOSITORY'],
      ['Backend', 'PROJECT'],
      ['Legacy team', 'PROJECT'],
    ]);
    expect(repoGroups.body.values[1]?.users.map((u) => u.name)).toEqual(['bob', 'chen']);
    expect((await call(sim, 'GET', '/rest/api/1.0/projects/PROJ/settings/reviewer-groups', eve)).status).toBe(
      401,
    );
    const projectGroups = await call<Groups>(
      sim,
      'GET',
      '/rest/api/1.0/projects/PROJ/settings/reviewer-groups',
      SEED_TOKENS.chenRead,
    );
    expect(projectGroups.body.values.map((g) => g.name)).toEqual(['Backend', 'Legacy team']);

    const api = sim.model.repo('PROJ', 'api')!;
    const reviewers = async (source: string, target: string) =>
      (
        await call<Array<{ name: string }>>(
          sim,
          'GET',
          `/rest/default-reviewers/1.0/projects/PROJ/repos/api/reviewers?sourceRepoId=${api.id}&targetRepoId=${api.id}&sourceRefId=${source}&targetRefId=${target}`,
          SEED_TOKENS.chenRead,
        )
      ).body.map((u) => u.name);
    expect(await reviewers('refs/heads/hotfix/boom', 'refs/heads/main')).toEqual(['alice', 'chen', 'bob']);
    expect(await reviewers('refs/heads/hotfix/boom', 'refs/heads/develop')).toEqual(['bob']);
    expect(await reviewers('refs/heads/feature/x', 'refs/heads/develop')).toEqual([]);
  });

  it('filters branches by text and users by who may read the repository', async () => {
    const branches = await call<Page<{ displayId: string }>>(
      sim,
      'GET',
      `${API}/branches?filterText=REDIRECT`,
      SEED_TOKENS.chenRead,
    );
    expect(branches.body.values.map((b) => b.displayId)).toEqual(['bugfix/login-redirect']);
    const users = async (filter: string, key: string, slug: string) =>
      (
        await call<Page<{ name: string }>>(
          sim,
          'GET',
          `/rest/api/1.0/users?filter=${filter}&permission.1=REPO_READ&permission.1.projectKey=${key}&permission.1.repositorySlug=${slug}`,
          SEED_TOKENS.chenRead,
        )
      ).body.values.map((u) => u.name);
    // Every e-mail address holds an "e"; dave is inactive, so he reads nothing.
    expect(await users('e', 'PROJ', 'api')).toEqual(['admin', 'alice', 'bob', 'chen', 'eve']);
    expect(await users('e', 'SEC', 'vault')).toEqual(['admin', 'chen']);
    expect(await users('ev', 'PROJ', 'web-app')).toEqual(['eve']);
    expect(await users('ev', 'SEC', 'vault')).toEqual([]);
  });
});

describe('simulator pull requests before 8.18', () => {
  it('ignores draft in the body and in the list, and sends no draft field', async () => {
    const sim = await startSimulator({ strict: true, version: '8.17.2' });
    try {
      const created = await call<Pr>(sim, 'POST', `${API}/pull-requests`, SEED_TOKENS.aliceWrite, {
        title: 'Not a draft here',
        draft: true,
        fromRef: ref('refs/heads/develop'),
        toRef: ref('refs/heads/main'),
      });
      expect(created.status).toBe(201);
      expect(created.body).not.toHaveProperty('draft');
      const list = await call<Page<Pr>>(sim, 'GET', `${API}/pull-requests?draft=true`, SEED_TOKENS.aliceRead);
      expect(list.body.values.map((p) => p.id).sort()).toEqual([1, 2, 4, 5]);
    } finally {
      await closeChecked(sim);
    }
  });
});

const git = promisify(execFile);

describe.skipIf(!hasGit)('simulator pull requests on real git repositories', () => {
  let sim: Simulator;
  let dir: string;
  let work: string;
  const run = (args: string[], token: string = SEED_TOKENS.aliceWrite) =>
    git('git', ['-c', `http.extraHeader=Authorization: Bearer ${token}`, ...args], {
      cwd: work,
      env: {
        ...process.env,
        GIT_TERMINAL_PROMPT: '0',
        GIT_AUTHOR_NAME: 'Alice',
        GIT_AUTHOR_EMAIL: 'alice@example.com',
        GIT_COMMITTER_NAME: 'Alice',
        GIT_COMMITTER_EMAIL: 'alice@example.com',
      },
    });
  const commit = async (file: string) => {
    writeFileSync(path.join(work, file), `${file}\n`);
    await run(['add', file]);
    await run(['-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', `Add ${file}`]);
  };
  const create = (
    fromBranch: string,
    toBranch = 'main',
    from?: [string, string],
    token: string = SEED_TOKENS.aliceWrite,
  ) =>
    call<ErrorBody & Pr>(sim, 'POST', `${API}/pull-requests`, token, {
      title: `From ${fromBranch}`,
      fromRef: ref(`refs/heads/${fromBranch}`, ...(from ?? [])),
      toRef: ref(`refs/heads/${toBranch}`),
    });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sim-pr-git-'));
    sim = await startSimulator({ strict: true, gitDir: path.join(dir, 'git') });
    work = path.join(dir, 'work');
    await git(
      'git',
      [
        '-c',
        `http.extraHeader=Authorization: Bearer ${SEED_TOKENS.aliceWrite}`,
        'clone',
        '--quiet',
        `${sim.url}/scm/proj/api.git`,
        work,
      ],
      {
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      },
    );
  }, 60_000);
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
    expect(sim.violations).toEqual([]);
  });

  it('offers a branch pushed with plain git push and opens a pull request from it', async () => {
    await run(['checkout', '--quiet', '-b', 'feature/pushed']);
    await commit('pushed.txt');
    await run(['push', '--quiet', 'origin', 'feature/pushed']);
    const branches = await call<Page<{ displayId: string; latestCommit: string }>>(
      sim,
      'GET',
      `${API}/branches?filterText=pushed`,
      SEED_TOKENS.aliceRead,
    );
    const head = (await run(['rev-parse', 'HEAD'])).stdout.trim();
    expect(branches.body.values).toEqual([
      expect.objectContaining({ displayId: 'feature/pushed', latestCommit: head }),
    ]);
    const created = await create('feature/pushed');
    expect(created.status).toBe(201);
    expect(created.body.fromRef.latestCommit).toBe(head);
    // What it merges, from git: the one commit pushed.
    const compare = await call<Page<{ id: string; message: string; parents: Array<{ id: string }> }>>(
      sim,
      'GET',
      `${API}/compare/commits?from=refs/heads/feature/pushed&to=refs/heads/main`,
      SEED_TOKENS.aliceRead,
    );
    expect(compare.body.values.map((c) => [c.id, c.message])).toEqual([[head, 'Add pushed.txt']]);
  });

  it('counts what is left to merge with git: a branch already merged into main is empty though its head differs', async () => {
    await run(['checkout', '--quiet', '-b', 'feature/merged', 'origin/main']);
    await commit('merged.txt');
    await run(['push', '--quiet', 'origin', 'feature/merged']);
    // main moves past it: the branch's commit is in main, main has one more.
    await run(['checkout', '--quiet', '-b', 'main-next', 'feature/merged']);
    await commit('after.txt');
    await run(['push', '--quiet', 'origin', 'main-next:main']);
    const merged = sim.model.repo('PROJ', 'api')!.branches;
    expect(merged.find((b) => b.name === 'feature/merged')?.latestCommit).not.toBe(
      merged.find((b) => b.name === 'main')?.latestCommit,
    );
    const empty = await create('feature/merged');
    expect(empty.status).toBe(409);
    expect(empty.body.errors[0]?.exceptionName).toBe(
      'com.atlassian.bitbucket.pull.EmptyPullRequestException',
    );
    const nothing = await call<Page<unknown>>(
      sim,
      'GET',
      `${API}/compare/commits?from=feature/merged&to=main`,
      SEED_TOKENS.aliceRead,
    );
    expect(nothing.body.values).toEqual([]);
    // The other way round main has a commit feature/merged lacks.
    expect((await create('main', 'feature/merged')).status).toBe(201);
  });

  it('reads both repositories of a fork: its own commits make a pull request, its copy of main does not', async () => {
    // bob's fork is a clone of PROJ/api's repository (as it was at start), with his own branch.
    const fromFork = await create('feature/bob-cache', 'develop', ['~BOB', 'api'], SEED_TOKENS.bobWrite);
    expect(fromFork.status).toBe(201);
    expect(fromFork.body.fromRef.repository.project.key).toBe('~BOB');
    const compare = await call<Page<{ message: string }>>(
      sim,
      'GET',
      `${API}/compare/commits?fromRepo=~BOB/api&from=feature/bob-cache&to=develop`,
      SEED_TOKENS.bobWrite,
    );
    expect(compare.body.values.map((c) => c.message)).toEqual(['Work on feature/bob-cache']);
    const forkMain = await create('main', 'main', ['~BOB', 'api'], SEED_TOKENS.bobWrite);
    expect(forkMain.status).toBe(409);
    expect(forkMain.body.errors[0]?.exceptionName).toBe(
      'com.atlassian.bitbucket.pull.EmptyPullRequestException',
    );
  });
});

describe('strict mode on what pull requests nest', () => {
  const spec = Conformance.fromFile(defaultSpecPath());
  const PR_PATH = '/rest/api/1.0/projects/P/repos/r/pull-requests/1';
  const user = {
    name: 'bob',
    slug: 'bob',
    displayName: 'Bob',
    id: 2,
    links: { self: [{ href: 'http://x/users/bob' }] },
  };
  const repository = {
    id: 1,
    slug: 'r',
    name: 'r',
    project: {
      key: 'P',
      id: 1,
      name: 'P',
      type: 'NORMAL',
      links: { self: [{ href: 'http://x/projects/P' }] },
    },
    links: { self: [{ href: 'http://x/projects/P/repos/r/browse' }] },
  };
  const pr = {
    id: 1,
    version: 0,
    title: 't',
    state: 'OPEN',
    fromRef: { id: 'refs/heads/a', displayId: 'a', repository },
    toRef: { id: 'refs/heads/main', displayId: 'main', repository },
    author: { user, role: 'AUTHOR', status: 'UNAPPROVED' },
    reviewers: [{ user, role: 'REVIEWER', status: 'UNAPPROVED' }],
    links: { self: [{ href: 'http://x/projects/P/repos/r/pull-requests/1' }] },
  };

  it('holds repositories in refs and users in participants to the fields a repository or user alone needs', () => {
    expect(spec.check('GET', PR_PATH, 200, pr)).toEqual([]);
    const { slug: _slug, ...noSlug } = repository;
    expect(
      spec.check('GET', PR_PATH, 200, { ...pr, fromRef: { ...pr.fromRef, repository: noSlug } }).join(),
    ).toMatch(/fromRef\/repository must have required property 'slug'/);
    const { slug: _userSlug, ...noUserSlug } = user;
    expect(
      spec
        .check('GET', PR_PATH, 200, { ...pr, reviewers: [{ ...pr.reviewers[0], user: noUserSlug }] })
        .join(),
    ).toMatch(/reviewers\/0\/user must have required property 'slug'/);
    expect(
      spec
        .check('GET', PR_PATH, 200, { ...pr, author: { ...pr.author, user: { ...user, links: {} } } })
        .join(),
    ).toMatch(/author\/user\/links must have required property 'self'/);
    expect(spec.check('GET', PR_PATH, 200, { ...pr, author: { role: 'AUTHOR' } }).join()).toMatch(/author/);
    expect(spec.check('GET', PR_PATH, 200, { ...pr, links: {} }).join()).toMatch(/self/);
  });

  it('checks the 409 bodies: existingPullRequest is a pull request, validReviewers are users', () => {
    const conflict = (extra: Record<string, unknown>) => ({
      errors: [{ context: null, message: 'm', exceptionName: 'x', ...extra }],
    });
    const CREATE = '/rest/api/1.0/projects/P/repos/r/pull-requests';
    expect(spec.check('POST', CREATE, 409, conflict({ existingPullRequest: pr }))).toEqual([]);
    expect(spec.check('POST', CREATE, 409, conflict({ existingPullRequest: { id: 1 } })).join()).toMatch(
      /title/,
    );
    expect(
      spec.check(
        'POST',
        CREATE,
        409,
        conflict({
          reviewerErrors: [{ context: 'x', message: 'x is not a user.', exceptionName: null }],
          validReviewers: [user],
        }),
      ),
    ).toEqual([]);
    expect(spec.check('POST', CREATE, 409, conflict({ validReviewers: [{ name: 'bob' }] })).join()).toMatch(
      /slug/,
    );
  });
});
