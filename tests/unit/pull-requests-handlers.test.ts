import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as profiles from '../../lib/background/profiles';
import { type HandlerContext, refusedInput } from '../../lib/background/router';
import type { TokenPermission } from '../../lib/bitbucket/permissions';
import { CompanionDb } from '../../lib/db/schema';
import { createPullRequestHandlers } from '../../lib/features/pull-requests/handlers';
import { PR_TITLE_MISSING } from '../../lib/features/pull-requests/messages';
import { RequestSchema } from '../../lib/messaging/protocol';
import { checkSender } from '../../lib/messaging/sender-policy';
import { type Simulator, startSimulator } from '../../simulator/index';

const hostAccess = async () => true;
const page: HandlerContext = { from: 'extension-page' };

let sim: Simulator;
let oldSim: Simulator;
beforeAll(async () => {
  [sim, oldSim] = await Promise.all([
    startSimulator({ strict: true }),
    startSimulator({ strict: true, version: '8.17.2' }),
  ]);
});
afterAll(async () => {
  await Promise.all([sim.close(), oldSim.close()]);
  expect(sim.violations).toEqual([]);
  expect(oldSim.violations).toEqual([]);
});

const dbs: CompanionDb[] = [];
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((db) => db.delete()));
});

/** The handlers for a profile of `user` on a simulator, with a token of those permissions. */
async function connectAs(
  user: string,
  permissions: TokenPermission[] = ['PROJECT_READ', 'REPO_WRITE'],
  on: Simulator = sim,
) {
  const db = new CompanionDb(`pr-${Math.random()}`);
  dbs.push(db);
  const token = on.createToken(user, permissions);
  const { profile } = await profiles.connect(db, { serverUrl: on.url, token }, { hostAccess });
  return { handlers: createPullRequestHandlers(db, { hostAccess }), profileId: profile.id };
}

/** A new branch in a simulated repository, with a commit of its own. */
function addBranch(on: Simulator, projectKey: string, slug: string, name: string) {
  const repo = on.model.repo(projectKey, slug);
  if (!repo) throw new Error(`no repository ${projectKey}/${slug}`);
  repo.branches.push({
    name,
    latestCommit: createHash('sha1').update(`${projectKey}/${slug}:${name}`).digest('hex'),
  });
  return repo;
}

const API = { projectKey: 'PROJ', slug: 'api' };
const BOB_FORK = { projectKey: '~BOB', slug: 'api' };
const createRequest = (
  profileId: string,
  fields: Partial<Parameters<ReturnType<typeof createPullRequestHandlers>['pr.create']>[0]>,
) => ({
  type: 'pr.create' as const,
  profileId,
  source: API,
  target: API,
  fromBranch: 'feature/x',
  toBranch: 'main',
  title: 'A change',
  description: '',
  reviewers: [],
  ...fields,
});

describe('pull-request handlers: what the form is offered', () => {
  it('offers a repository its own default branch, and a fork its origin first, with default branches', async () => {
    const alice = await connectAs('alice');
    const own = await alice.handlers['pr.targets'](
      { type: 'pr.targets', profileId: alice.profileId, repo: API },
      page,
    );
    expect(own.suggested).toEqual(API);
    expect(own.source).toMatchObject({
      projectKey: 'PROJ',
      slug: 'api',
      defaultBranch: 'main',
      archived: false,
    });

    const bob = await connectAs('bob');
    const fork = await bob.handlers['pr.targets'](
      { type: 'pr.targets', profileId: bob.profileId, repo: BOB_FORK },
      page,
    );
    expect(fork.source).toMatchObject({ projectKey: '~BOB', slug: 'api', origin: 'PROJ/api' });
    expect(fork.suggested).toEqual(API);
    expect(fork.targets.map((t) => `${t.projectKey}/${t.slug}`).slice(0, 2)).toEqual([
      '~BOB/api',
      'PROJ/api',
    ]);
    expect(fork.targets.find((t) => t.slug === 'api' && t.projectKey === 'PROJ')?.defaultBranch).toBe('main');
  });

  it('searches branches by text, marking the default one; a just-added branch is found', async () => {
    const alice = await connectAs('alice');
    addBranch(sim, 'PROJ', 'api', 'feature/search-me');
    const search = (filterText: string) =>
      alice.handlers['pr.branches'](
        { type: 'pr.branches', profileId: alice.profileId, repo: API, filterText },
        page,
      );
    expect((await search('search-me')).branches).toEqual([{ name: 'feature/search-me', isDefault: false }]);
    expect((await search('mai')).branches).toEqual([{ name: 'main', isDefault: true }]);
    expect((await search('no-such-branch')).branches).toEqual([]);
  });

  it('prefills the default reviewers without the author, and tells one commit (its subject) from none', async () => {
    const alice = await connectAs('alice');
    const repo = addBranch(sim, 'PROJ', 'api', 'feature/defaults');
    const ids = { ...API, id: repo.id };
    const defaults = (fromBranch: string) =>
      alice.handlers['pr.defaults'](
        {
          type: 'pr.defaults',
          profileId: alice.profileId,
          source: ids,
          target: ids,
          fromBranch,
          toBranch: 'main',
        },
        page,
      );
    // PROJ/api's condition names alice and chen for main; alice is the author.
    const one = await defaults('feature/defaults');
    expect(one.reviewers.map((r) => r.name)).toEqual(['chen']);
    expect(one.reviewers[0]).toMatchObject({ displayName: 'Chen 陈' });
    expect(one.commits).toEqual({ count: 1, subject: 'Work on feature/defaults' });
    // release/1.0 sits at main's head.
    expect((await defaults('release/1.0')).commits).toEqual({ count: 0 });

    // bob's hotfix branch: the project's hotfix/* condition adds bob, who is the author there.
    const bob = await connectAs('bob');
    addBranch(sim, 'PROJ', 'api', 'hotfix/now');
    const hot = await bob.handlers['pr.defaults'](
      {
        type: 'pr.defaults',
        profileId: bob.profileId,
        source: ids,
        target: ids,
        fromBranch: 'hotfix/now',
        toBranch: 'main',
      },
      page,
    );
    expect(hot.reviewers.map((r) => r.name).sort()).toEqual(['alice', 'chen']);
  });

  it('lists reviewer groups with their active members only, and never the author', async () => {
    const alice = await connectAs('alice');
    const { groups } = await alice.handlers['pr.groups'](
      { type: 'pr.groups', profileId: alice.profileId, repo: API },
      page,
    );
    const byName = Object.fromEntries(groups.map((g) => [g.name, g.members.map((m) => m.name)]));
    expect(byName).toEqual({ 'API owners': ['eve'], Backend: ['bob', 'chen'], 'Legacy team': ['eve'] });
    expect(groups.find((g) => g.name === 'API owners')?.scope).toBe('REPOSITORY');
  });

  it('finds reviewers among the people who can read the repository only', async () => {
    const alice = await connectAs('alice');
    const users = (repo: typeof API, filter: string) =>
      alice.handlers['pr.users']({ type: 'pr.users', profileId: alice.profileId, repo, filter }, page);
    expect((await users(API, 'bob')).users.map((u) => u.name)).toEqual(['bob']);
    // Only alice (and administrators) can read her personal repository.
    expect((await users({ projectKey: '~ALICE', slug: 'dotfiles' }, 'bob')).users).toEqual([]);
    // The author is not offered.
    expect((await users(API, 'alice')).users).toEqual([]);
  });
});

describe('pull-request handlers: creating', () => {
  it('creates the pull request with exactly the reviewers given, and answers its address', async () => {
    const alice = await connectAs('alice');
    addBranch(sim, 'PROJ', 'api', 'feature/created');
    const answer = await alice.handlers['pr.create'](
      createRequest(alice.profileId, {
        fromBranch: 'feature/created',
        title: '  Created here ',
        description: 'Why.',
        reviewers: ['chen', 'bob'],
        draft: true,
      }),
      page,
    );
    expect(answer.status).toBe('created');
    if (answer.status !== 'created') return;
    expect(answer.pullRequest).toMatchObject({ title: 'Created here', draft: true });
    expect(answer.pullRequest.url).toBe(
      `${sim.url}/projects/PROJ/repos/api/pull-requests/${answer.pullRequest.id}`,
    );
    const held = sim.model.pullRequests.find(
      (pr) => pr.repo.slug === 'api' && pr.id === answer.pullRequest.id,
    );
    expect(held?.reviewers.map((r) => r.user.name).sort()).toEqual(['bob', 'chen']);
    expect(held).toMatchObject({
      fromBranch: 'feature/created',
      toBranch: 'main',
      draft: true,
      description: 'Why.',
    });
  });

  it('creates from a fork into its origin', async () => {
    const bob = await connectAs('bob');
    addBranch(sim, '~BOB', 'api', 'feature/from-fork');
    const answer = await bob.handlers['pr.create'](
      createRequest(bob.profileId, {
        source: BOB_FORK,
        target: API,
        fromBranch: 'feature/from-fork',
        reviewers: ['alice'],
      }),
      page,
    );
    expect(answer.status).toBe('created');
    const held = sim.model.pullRequests.find((pr) => pr.fromBranch === 'feature/from-fork');
    expect(held?.fromRepo.project.key).toBe('~BOB');
    expect(held?.repo.project.key).toBe('PROJ');
  });

  it('answers a duplicate with the open pull request’s link', async () => {
    const bob = await connectAs('bob');
    const answer = await bob.handlers['pr.create'](
      createRequest(bob.profileId, { fromBranch: 'feature/rate-limit', title: 'Again' }),
      page,
    );
    expect(answer).toMatchObject({
      status: 'duplicate',
      existing: { id: 1, url: `${sim.url}/projects/PROJ/repos/api/pull-requests/1` },
    });
    if (answer.status === 'duplicate') expect(answer.message).toMatch(/already open: #1/);
  });

  it('names the reviewers who can’t review and keeps the valid ones', async () => {
    const alice = await connectAs('alice');
    addBranch(sim, 'PROJ', 'api', 'feature/reviewers');
    const answer = await alice.handlers['pr.create'](
      createRequest(alice.profileId, { fromBranch: 'feature/reviewers', reviewers: ['chen', 'nobody'] }),
      page,
    );
    expect(answer).toMatchObject({ status: 'invalid-reviewers', valid: ['chen'] });
    if (answer.status !== 'invalid-reviewers') return;
    expect(answer.invalid.map((r) => r.name)).toEqual(['nobody']);
    expect(answer.message).toContain('nobody');
    expect(sim.model.pullRequests.some((pr) => pr.fromBranch === 'feature/reviewers')).toBe(false);
  });

  it('says there is nothing to merge, for an up-to-date branch and for the same branch', async () => {
    const alice = await connectAs('alice');
    const upToDate = await alice.handlers['pr.create'](
      createRequest(alice.profileId, { fromBranch: 'release/1.0' }),
      page,
    );
    expect(upToDate).toMatchObject({ status: 'nothing-to-merge' });
    if (upToDate.status === 'nothing-to-merge')
      expect(upToDate.message).toMatch(/^Nothing to merge: main already has/);
    const same = await alice.handlers['pr.create'](
      createRequest(alice.profileId, { fromBranch: 'main' }),
      page,
    );
    expect(same).toMatchObject({ status: 'nothing-to-merge' });
  });

  it('says an archived target takes no pull request', async () => {
    const alice = await connectAs('alice');
    const legacy = { projectKey: 'PROJ', slug: 'legacy-tools' };
    addBranch(sim, 'PROJ', 'legacy-tools', 'fix');
    const answer = await alice.handlers['pr.create'](
      createRequest(alice.profileId, { source: legacy, target: legacy, fromBranch: 'fix' }),
      page,
    );
    expect(answer).toMatchObject({ status: 'archived' });
    if (answer.status === 'archived') expect(answer.message).toMatch(/PROJ\/legacy-tools is archived/);
  });

  it('says which permission a read-only token lacks', async () => {
    const alice = await connectAs('alice', ['PROJECT_READ', 'REPO_READ']);
    addBranch(sim, 'PROJ', 'api', 'feature/read-only');
    await expect(
      alice.handlers['pr.create'](createRequest(alice.profileId, { fromBranch: 'feature/read-only' }), page),
    ).rejects.toMatchObject({
      kind: 'missing-permission',
      message: expect.stringMatching(/Repository write/),
    });
  });

  it('sends no draft to a server older than 8.18', async () => {
    const alice = await connectAs('alice', ['PROJECT_READ', 'REPO_WRITE'], oldSim);
    addBranch(oldSim, 'PROJ', 'api', 'feature/old-server');
    const answer = await alice.handlers['pr.create'](
      createRequest(alice.profileId, { fromBranch: 'feature/old-server', draft: true }),
      page,
    );
    expect(answer).toMatchObject({ status: 'created', pullRequest: { draft: false } });
    expect(oldSim.model.pullRequests.find((pr) => pr.fromBranch === 'feature/old-server')?.draft).toBe(false);
  });

  it('takes these messages from the extension’s own pages only, never from a page of the server', () => {
    const ids = {
      extensionId: 'ext',
      extensionOrigin: 'chrome-extension://ext',
      connectedOrigins: new Set([sim.origin]),
    };
    const fromPage = {
      id: 'ext',
      url: `${sim.url}/projects/PROJ/repos/api/browse`,
      tab: { id: 3 },
      frameId: 0,
    };
    const fromPopup = { id: 'ext', url: 'chrome-extension://ext/popup.html' };
    for (const type of [
      'pr.branches',
      'pr.targets',
      'pr.defaults',
      'pr.groups',
      'pr.users',
      'pr.create',
    ] as const) {
      expect(checkSender(type, fromPage, ids).allowed).toBe(false);
      expect(checkSender(type, fromPopup, ids)).toEqual({ allowed: true, from: 'extension-page' });
    }
  });

  it('refuses an empty title before sending anything, with a sentence', () => {
    const parsed = v.safeParse(RequestSchema, createRequest('p', { title: '   ' }));
    expect(parsed.success).toBe(false);
    expect(refusedInput(parsed.issues ?? []).message).toBe(PR_TITLE_MISSING);
  });
});
