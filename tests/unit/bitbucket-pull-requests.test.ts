import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDefaultBranch, searchBranches } from '../../lib/bitbucket/branches';
import { BitbucketClient } from '../../lib/bitbucket/client';
import { commitSubject, commitsToMerge } from '../../lib/bitbucket/commits';
import { getDefaultReviewers } from '../../lib/bitbucket/default-reviewers';
import {
  createPullRequest,
  findOpenPullRequest,
  getPullRequest,
  getPullRequestSettings,
  listPullRequests,
  pullRequestTargets,
  pullRequestUrl,
  updatePullRequest,
} from '../../lib/bitbucket/pull-requests';
import { getRepo } from '../../lib/bitbucket/repos';
import {
  listProjectReviewerGroups,
  listReviewerGroups,
  reviewersOf,
} from '../../lib/bitbucket/reviewer-groups';
import { searchRepositoryReaders } from '../../lib/bitbucket/users';
import { SEED_TOKENS, type Simulator, startSimulator } from '../../simulator/index';
import { expectFailure } from './support/bitbucket-failure';
import { closeChecked } from './support/simulator-checks';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ strict: true });
});
afterAll(() => closeChecked(sim));

const clientOf = (token: string, fetchImpl?: typeof fetch) =>
  new BitbucketClient({ baseUrl: sim.url, token, fetch: fetchImpl });
const API = { projectKey: 'PROJ', slug: 'api' };
const BOB_FORK = { projectKey: '~BOB', slug: 'api' };

describe('pull requests: reading', () => {
  it('lists with the server filters: state, participants, drafts, text, direction and branch', async () => {
    const client = clientOf(SEED_TOKENS.aliceRead);
    const ids = async (options: Parameters<typeof listPullRequests>[2]) =>
      (await listPullRequests(client, API, options)).map((pr) => pr.id).sort();
    expect(await ids({})).toEqual([1, 2, 4]);
    expect(await ids({ state: 'ALL' })).toEqual([1, 2, 3, 4]);
    expect(await ids({ participants: [{ username: 'bob', role: 'AUTHOR' }] })).toEqual([1, 4]);
    expect(
      await ids({ participants: [{ username: 'alice', role: 'REVIEWER', approved: true }], state: 'ALL' }),
    ).toEqual([1, 3]);
    expect(await ids({ draft: true })).toEqual([4]);
    expect(await ids({ filterText: ' rate ' })).toEqual([1]);
    expect(await ids({ direction: 'OUTGOING', at: 'feature/rate-limit' })).toEqual([1]);
    expect(() => listPullRequests(client, API, { participants: Array(11).fill({ username: 'x' }) })).toThrow(
      /At most 10/,
    );
  });

  it('reads one pull request with its fork repository, and its address in Bitbucket', async () => {
    const pr = await getPullRequest(clientOf(SEED_TOKENS.chenRead), API, 4);
    expect(pr).toMatchObject({ id: 4, draft: true, author: { user: { name: 'bob' }, role: 'AUTHOR' } });
    expect(pr.fromRef.repository).toMatchObject({ slug: 'api', project: { key: '~BOB' } });
    expect(pullRequestUrl(pr)).toBe(`${sim.url}/projects/PROJ/repos/api/pull-requests/4`);
    const missing = await expectFailure(
      getPullRequest(clientOf(SEED_TOKENS.chenRead), API, 99),
      SEED_TOKENS.chenRead,
    );
    expect(missing.kind).toBe('not-found');
  });

  it('finds the open pull request from a branch, also from a fork, by direction=OUTGOING', async () => {
    const bob = clientOf(SEED_TOKENS.bobWrite);
    expect((await findOpenPullRequest(bob, { repo: BOB_FORK, branch: 'feature/bob-cache' }))?.id).toBe(4);
    expect(
      (
        await findOpenPullRequest(
          bob,
          { repo: BOB_FORK, branch: 'feature/bob-cache' },
          { repo: API, branch: 'main' },
        )
      )?.id,
    ).toBe(4);
    expect(
      await findOpenPullRequest(
        bob,
        { repo: BOB_FORK, branch: 'feature/bob-cache' },
        { repo: API, branch: 'develop' },
      ),
    ).toBeNull();
    expect(await findOpenPullRequest(bob, { repo: API, branch: 'develop' })).toBeNull();
  });

  it('offers as targets the fork hierarchy the token can read: the repository, its origin, then the others', async () => {
    const names = async (token: string, repo: { projectKey: string; slug: string }) =>
      (await pullRequestTargets(clientOf(token), repo)).map((r) => `${r.project.key}/${r.slug}`);
    const chen = sim.createToken('chen', ['PROJECT_READ', 'REPO_WRITE']);
    // A fork of a fork: its origin is bob's fork, whose origin is PROJ/api.
    expect(await names(chen, { projectKey: '~CHEN', slug: 'cache-spike' })).toEqual([
      '~CHEN/cache-spike',
      '~BOB/api',
      'PROJ/api',
    ]);
    expect(await names(chen, API)).toEqual(['PROJ/api', '~BOB/api', '~CHEN/cache-spike']);
    // eve reads PROJ/api alone.
    expect(await names(SEED_TOKENS.eveRead, API)).toEqual(['PROJ/api']);
  });

  it('reads what a pull request would merge, also from a fork, and the subject a title can take', async () => {
    const client = clientOf(SEED_TOKENS.bobWrite);
    const develop = await commitsToMerge(client, { target: API, fromBranch: 'develop', toBranch: 'main' });
    expect(develop.more).toBe(false);
    expect(develop.commits.map(commitSubject)).toEqual(['Work on develop']);
    expect(
      await commitsToMerge(client, { target: API, fromBranch: 'release/1.0', toBranch: 'main' }),
    ).toEqual({
      commits: [],
      more: false,
    });
    const fork = await commitsToMerge(client, {
      target: API,
      source: BOB_FORK,
      fromBranch: 'feature/bob-cache',
      toBranch: 'main',
    });
    expect(fork.commits.map(commitSubject)).toEqual(['Work on feature/bob-cache']);
    expect(commitSubject({ id: 'a', displayId: 'a', message: 'Fix the thing\n\nLonger text.' })).toBe(
      'Fix the thing',
    );
  });

  it('reads branches by text, the default branch (none in an empty repository) and the merge settings', async () => {
    const client = clientOf(SEED_TOKENS.aliceRead);
    expect(
      (await searchBranches(client, 'PROJ', 'api', { filterText: 'LOGIN' })).map((b) => b.displayId),
    ).toEqual(['bugfix/login-redirect']);
    expect((await searchBranches(client, 'PROJ', 'api', { limit: 2 })).length).toBe(2);
    expect(await getDefaultBranch(client, 'PROJ', 'api')).toMatchObject({
      id: 'refs/heads/main',
      isDefault: true,
    });
    expect(await getDefaultBranch(client, 'PROJ', 'empty')).toBeNull();
    const settings = await getPullRequestSettings(client, API);
    expect(settings.mergeConfig.defaultStrategy.id).toBe('squash');
  });

  it('reads who reviews: default reviewers, reviewer groups and a search of people who can read the repository', async () => {
    const client = clientOf(SEED_TOKENS.chenRead);
    const api = await getRepo(client, 'PROJ', 'api');
    const defaults = await getDefaultReviewers(client, {
      target: { ...API, id: api.id },
      sourceRepoId: api.id,
      sourceRefId: 'refs/heads/hotfix/x',
      targetRefId: 'refs/heads/main',
    });
    expect(defaults.map((u) => u.name)).toEqual(['alice', 'chen', 'bob']);
    const groups = await listReviewerGroups(client, 'PROJ', 'api');
    expect(groups.map((g) => `${g.scope.type} ${g.name}`)).toEqual([
      'REPOSITORY API owners',
      'PROJECT Backend',
      'PROJECT Legacy team',
    ]);
    // dave left: a group still lists him, but he can't be added.
    const legacy = groups.find((g) => g.name === 'Legacy team')!;
    expect(reviewersOf(legacy)).toEqual(['eve']);
    expect(reviewersOf(groups[0]!, ['alice'])).toEqual(['eve']);
    expect((await listProjectReviewerGroups(client, 'PROJ')).map((g) => g.name)).toEqual([
      'Backend',
      'Legacy team',
    ]);
    const eve = await expectFailure(
      listProjectReviewerGroups(clientOf(SEED_TOKENS.eveRead), 'PROJ'),
      SEED_TOKENS.eveRead,
    );
    expect(eve.kind).toBe('missing-permission');
    expect(eve.message).toMatch(/Project read/);
    const readers = await searchRepositoryReaders(client, 'ev', { projectKey: 'PROJ', slug: 'web-app' });
    expect(readers.map((u) => u.name)).toEqual(['eve']);
    expect(await searchRepositoryReaders(client, 'ev', { projectKey: 'SEC', slug: 'vault' })).toEqual([]);
  });
});

describe('pull requests: creating', () => {
  it('creates one with a default reviewer, a reviewer group and a searched reviewer: the server holds exactly that', async () => {
    const client = clientOf(SEED_TOKENS.bobWrite);
    const api = await getRepo(client, 'PROJ', 'api');
    const [defaultReviewer] = await getDefaultReviewers(client, {
      target: { ...API, id: api.id },
      sourceRepoId: api.id,
      sourceRefId: 'refs/heads/develop',
      targetRefId: 'refs/heads/main',
    });
    const group = (await listReviewerGroups(client, 'PROJ', 'api')).find((g) => g.name === 'API owners')!;
    const [searched] = await searchRepositoryReaders(client, 'chen', API);
    const reviewers = [defaultReviewer!.name, ...reviewersOf(group, ['bob']), searched!.name];
    const result = await createPullRequest(client, {
      target: API,
      fromBranch: 'develop',
      toBranch: 'main',
      title: 'Release develop',
      description: 'Everything since the last release.',
      reviewers,
    });
    expect(result.status).toBe('created');
    if (result.status !== 'created') return;
    expect(result.pullRequest.reviewers.map((r) => r.user.name)).toEqual(['alice', 'eve', 'chen']);
    const held = sim.model.pullRequest(sim.model.repo('PROJ', 'api')!, result.pullRequest.id)!;
    expect(held).toMatchObject({
      title: 'Release develop',
      fromBranch: 'develop',
      toBranch: 'main',
      draft: false,
    });
    expect(held.author.name).toBe('bob');
    expect(held.reviewers.map((r) => r.user.name)).toEqual(['alice', 'eve', 'chen']);
  });

  it('creates one from a fork into its origin, as a draft on a new server', async () => {
    const result = await createPullRequest(clientOf(SEED_TOKENS.bobWrite), {
      source: BOB_FORK,
      target: API,
      fromBranch: 'feature/bob-cache',
      toBranch: 'develop',
      title: 'Cache lookups, on develop too',
      draft: true,
    });
    expect(result).toMatchObject({
      status: 'created',
      pullRequest: {
        draft: true,
        fromRef: { repository: { project: { key: '~BOB' } } },
        toRef: { id: 'refs/heads/develop' },
      },
    });
  });

  it('turns a duplicate into the existing pull request, from the 409 or looked up when the server leaves it out', async () => {
    const input = {
      target: API,
      fromBranch: 'feature/rate-limit',
      toBranch: 'main',
      title: 'Again',
    } as const;
    const result = await createPullRequest(clientOf(SEED_TOKENS.aliceWrite), input);
    expect(result).toMatchObject({ status: 'duplicate', existing: { id: 1 } });
    if (result.status !== 'duplicate') return;
    expect(result.message).toBe(
      'A pull request from feature/rate-limit to main is already open: #1 “Add rate limiting to public endpoints”.',
    );
    expect(pullRequestUrl(result.existing!)).toMatch(/\/pull-requests\/1$/);

    // A server whose 409 carries no existingPullRequest.
    const bare: typeof fetch = async (url, init) => {
      const response = await fetch(url, init);
      if (response.status !== 409) return response;
      const body = (await response.json()) as { errors: Array<Record<string, unknown>> };
      for (const e of body.errors) delete e.existingPullRequest;
      return new Response(JSON.stringify(body), { status: 409, headers: response.headers });
    };
    const looked = await createPullRequest(clientOf(SEED_TOKENS.aliceWrite, bare), input);
    expect(looked).toMatchObject({
      status: 'duplicate',
      existing: { id: 1, title: 'Add rate limiting to public endpoints' },
    });
  });

  it('names the reviewers who cannot review and keeps the valid ones', async () => {
    const result = await createPullRequest(clientOf(SEED_TOKENS.aliceWrite), {
      target: API,
      fromBranch: 'bugfix/login-redirect',
      toBranch: 'develop',
      title: 'Login fix for develop',
      reviewers: ['chen', 'nobody', 'dave'],
    });
    expect(result.status).toBe('invalid-reviewers');
    if (result.status !== 'invalid-reviewers') return;
    expect(result.invalid.map((r) => r.name)).toEqual(['nobody', 'dave']);
    expect(result.valid).toEqual(['chen']);
    expect(result.message).toBe(
      "This pull request can't have these reviewers: nobody is not a user. dave is not an active user and cannot review pull requests. The others (chen) can review it.",
    );
    // Keeping the valid ones works at once.
    const again = await createPullRequest(clientOf(SEED_TOKENS.aliceWrite), {
      target: API,
      fromBranch: 'bugfix/login-redirect',
      toBranch: 'develop',
      title: 'Login fix for develop',
      reviewers: result.valid,
    });
    expect(again.status).toBe('created');
  });

  it('says there is nothing to merge (empty on the server, or the same branch without asking) and that a target is archived', async () => {
    const client = clientOf(SEED_TOKENS.aliceAdmin);
    const empty = await createPullRequest(client, {
      target: API,
      fromBranch: 'release/1.0',
      toBranch: 'main',
      title: 'x',
    });
    expect(empty).toEqual({
      status: 'nothing-to-merge',
      message:
        'Nothing to merge: main already has every commit of release/1.0. Push new commits to release/1.0, or pick another target branch.',
    });
    const same = await createPullRequest(client, {
      target: API,
      fromBranch: 'main',
      toBranch: 'refs/heads/main',
      title: 'x',
    });
    expect(same.status).toBe('nothing-to-merge');
    const archived = await createPullRequest(client, {
      target: { projectKey: 'PROJ', slug: 'legacy-tools' },
      source: { projectKey: 'PROJ', slug: 'legacy-tools' },
      fromBranch: 'main',
      toBranch: 'develop',
      title: 'x',
    });
    expect(archived).toMatchObject({
      status: 'archived',
      message: expect.stringMatching(/^PROJ\/legacy-tools is archived/),
    });
    expect(
      await createPullRequest(client, { target: API, fromBranch: 'develop', toBranch: 'main', title: '  ' }),
    ).toEqual({
      status: 'invalid',
      message: 'A pull request needs a title.',
    });
  });

  it('says which access is missing when the token may not create it', async () => {
    const token = SEED_TOKENS.aliceRead;
    const error = await expectFailure(
      createPullRequest(clientOf(token), {
        target: API,
        fromBranch: 'develop',
        toBranch: 'main',
        title: 'x',
      }),
      token,
    );
    expect(error.kind).toBe('missing-permission');
    expect(error.requiredPermission).toBe('REPO_WRITE');
    expect(error.message).toMatch(
      /needs Repository read on PROJ\/api for your account, and a token with Repository write/,
    );
    const eve = sim.createToken('eve', ['PROJECT_READ', 'REPO_WRITE']);
    const fromFork = await expectFailure(
      createPullRequest(clientOf(eve), {
        source: BOB_FORK,
        target: API,
        fromBranch: 'feature/bob-cache',
        toBranch: 'develop',
        title: 'x',
      }),
      eve,
    );
    expect(fromFork.message).toMatch(/Repository read on both ~BOB\/api and PROJ\/api/);
  });
});

describe('pull requests: what a refusal keeps', () => {
  it('keeps the error answer for callers that read more, with the token removed however it was echoed', async () => {
    const token = SEED_TOKENS.aliceWrite;
    const echo: typeof fetch = async () =>
      new Response(
        JSON.stringify({
          errors: [
            {
              context: null,
              message: 'Conflict.',
              exceptionName: 'com.atlassian.bitbucket.pull.DuplicatePullRequestException',
              existingPullRequest: { title: `Bearer ${token}`, description: encodeURIComponent(token) },
            },
          ],
        }),
        { status: 409, headers: { 'content-type': 'application/json' } },
      );
    const error = await expectFailure(
      clientOf(token, echo).post('/rest/api/1.0/projects/PROJ/repos/api/pull-requests', {
        operation: 'pull-requests.create',
        body: {},
      }),
      token,
    );
    expect(error.kind).toBe('conflict');
    expect(error.serverBody).toContain('DuplicatePullRequestException');
    expect(error.serverBody).not.toContain(token);
    expect(error.serverBody).not.toContain(encodeURIComponent(token));
    expect(error.serverBody).toContain('[token]');
    // Never part of what crosses to the UI.
    expect(JSON.stringify(error.toJSON())).not.toContain('DuplicatePullRequestException');
  });
});

describe('pull requests: updating', () => {
  it('updates with the version read, and reports a stale version as out of date', async () => {
    const client = clientOf(SEED_TOKENS.aliceWrite);
    const pr = await getPullRequest(client, API, 2);
    const updated = await updatePullRequest(client, API, pr, {
      title: 'Fix the login redirect',
      reviewers: ['bob', 'chen'],
    });
    expect(updated.status).toBe('updated');
    if (updated.status !== 'updated') return;
    expect(updated.pullRequest.version).toBe(pr.version + 1);
    expect(updated.pullRequest.reviewers.map((r) => [r.user.name, r.status])).toEqual([
      ['bob', 'NEEDS_WORK'],
      ['chen', 'UNAPPROVED'],
    ]);
    const stale = await updatePullRequest(client, API, pr, { title: 'Lost' });
    expect(stale).toEqual({
      status: 'out-of-date',
      message: 'Pull request #2 was changed by someone else meanwhile. Reload it and try again.',
    });
    expect((await getPullRequest(client, API, 2)).title).toBe('Fix the login redirect');
  });
});
