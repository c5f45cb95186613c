import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as profiles from '../../lib/background/profiles';
import type { HandlerContext } from '../../lib/background/router';
import { BitbucketClient } from '../../lib/bitbucket/client';
import {
  commitFile,
  createRepository,
  fileExists,
  findRepositoryByName,
  getDefaultBranch,
  listBranchNames,
  listProjectsForCreation,
  setDefaultBranch,
  updateRepository,
} from '../../lib/bitbucket/repo-create';
import { CompanionDb } from '../../lib/db/schema';
import { createCreateRepoHandlers } from '../../lib/features/create-repo/handlers';
import { type Simulator, startSimulator } from '../../simulator/index';
import { expectFailure } from './support/bitbucket-failure';

/** What the server can answer the calls that create a repository and set it up. */
const git = promisify(execFile);
const page: HandlerContext = { from: 'extension-page' };
const hostAccess = async () => true;

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'repo-create-rest-'));
  sim = await startSimulator({ strict: true, gitDir: path.join(dir, 'git') });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
  expect(sim.violations).toEqual([]);
});
afterEach(() => {
  sim.model.repoSettings.httpAccess = true;
  sim.model.repoSettings.fileEditOnEmptyRepo = true;
  sim.faults.clear();
});

const clientOf = (token: string, fetchFn?: typeof fetch) =>
  new BitbucketClient({ baseUrl: sim.url, token, ...(fetchFn ? { fetch: fetchFn } : {}) });
const admin = () => sim.createToken('alice', ['PROJECT_ADMIN', 'REPO_ADMIN']);

describe('repository creation REST', () => {
  it('creates an empty repository with the slug the server makes; lists where it may be created', async () => {
    const client = clientOf(admin());
    const repo = await createRepository(client, 'PROJ', 'Data Lake');
    expect(repo).toMatchObject({ slug: 'data-lake', name: 'Data Lake', project: { key: 'PROJ' } });
    expect(await listBranchNames(client, 'PROJ', 'data-lake')).toEqual([]);
    expect((await findRepositoryByName(client, 'PROJ', 'Data Lake'))?.id).toBe(repo.id);
    expect(await findRepositoryByName(client, 'PROJ', 'Data')).toBeNull();
    expect((await listProjectsForCreation(client)).map((p) => p.key)).toContain('PROJ');
  });

  it('a name taken is a conflict whose sentence says so and asks for another name', async () => {
    const token = admin();
    const e = await expectFailure(createRepository(clientOf(token), 'PROJ', 'API'), token);
    expect(e.kind).toBe('conflict');
    expect(e.message).toMatch(/^PROJ already has a repository named “API” or one with the same address\./);
    expect(e.message).toMatch(/Choose another name\.$/);
  });

  it('a token without project admin is told which permission creating needs', async () => {
    const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);
    const e = await expectFailure(createRepository(clientOf(token), 'PROJ', 'Nope'), token);
    expect(e.kind).toBe('missing-permission');
    expect(e.requiredPermission).toBe('PROJECT_ADMIN');
    expect(e.message).toContain('“Project admin” permission, which creating a repository needs');
  });

  it('sets the default branch before it exists, and forkable; refusals name Repository admin', async () => {
    const client = clientOf(admin());
    await createRepository(client, 'PROJ', 'Settings Box');
    await setDefaultBranch(client, 'PROJ', 'settings-box', 'trunk');
    expect(await getDefaultBranch(client, 'PROJ', 'settings-box')).toBe('trunk');
    expect(await updateRepository(client, 'PROJ', 'settings-box', { forkable: false })).toMatchObject({
      forkable: false,
    });
    const writer = sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);
    const e = await expectFailure(setDefaultBranch(clientOf(writer), 'PROJ', 'settings-box', 'main'), writer);
    expect(e).toMatchObject({ kind: 'missing-permission', requiredPermission: 'REPO_ADMIN' });
    expect(e.message).toContain('“Repository admin” permission, which setting the default branch needs');
  });

  it('commits files through the file-edit API (multipart), one commit each', async () => {
    const client = clientOf(admin());
    await createRepository(client, 'PROJ', 'Edited');
    expect(await fileExists(client, 'PROJ', 'edited', 'README.md', 'main')).toBe(false);
    const first = await commitFile(client, 'PROJ', 'edited', 'README.md', {
      content: '# Edited\n',
      branch: 'main',
      message: 'Add README.md',
    });
    await commitFile(client, 'PROJ', 'edited', 'docs/notes.md', {
      content: 'ünïcode\n',
      branch: 'main',
      message: 'Add docs/notes.md',
    });
    expect(first.id).toMatch(/^[0-9a-f]{40}$/);
    expect(await fileExists(client, 'PROJ', 'edited', 'README.md', 'main')).toBe(true);
    const bare = path.join(dir, 'git', 'proj', 'edited.git');
    const log = (await git('git', ['log', '--format=%s', 'main'], { cwd: bare })).stdout.trim().split('\n');
    expect(log).toEqual(['Add docs/notes.md', 'Add README.md']);
    expect((await git('git', ['show', 'main:docs/notes.md'], { cwd: bare })).stdout).toBe('ünïcode\n');
  });
});

describe('create-repo handlers when things go wrong on the way', () => {
  let db: CompanionDb;
  let token: string;
  let profileId: string;
  beforeEach(async () => {
    db = new CompanionDb(`repo-create-${Math.random()}`);
    token = admin();
    ({
      profile: { id: profileId },
    } = await profiles.connect(db, { serverUrl: sim.url, token }, { hostAccess }));
  });
  afterEach(async () => {
    await db.delete();
  });
  const request = (name: string) => ({
    type: 'create-repo.create' as const,
    profileId,
    projectKey: 'PROJ',
    name,
    defaultBranch: 'main',
    forkable: true,
    public: false,
    files: [{ path: 'README.md', content: `# ${name}\n` }],
  });

  it('an answer lost after the server created the repository: the server is asked, nothing is made twice', async () => {
    // The create call reaches the server, but its answer never comes back.
    const losing: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === 'POST' && String(input).endsWith('/projects/PROJ/repos')) {
        throw new TypeError('Failed to fetch');
      }
      return response;
    };
    const handlers = createCreateRepoHandlers(db, { hostAccess, fetch: losing });
    const before = sim.model.repos.length;
    const answer = await handlers['create-repo.create'](request('Lost Answer'), page);
    expect(answer).toMatchObject({ state: 'done', repo: { slug: 'lost-answer' }, seeding: { commits: 1 } });
    expect(sim.model.repos.length).toBe(before + 1);
    if (answer.state === 'done') {
      expect(answer.seeding.notes).toContain(
        'The server’s answer to the creation was lost; the repository it made is the one used.',
      );
    }
  });

  it('HTTP access off and a server that won’t make a first commit by file edit: a sentence, and the repository kept', async () => {
    sim.model.repoSettings.httpAccess = false;
    sim.model.repoSettings.fileEditOnEmptyRepo = false;
    const handlers = createCreateRepoHandlers(db, { hostAccess });
    const answer = await handlers['create-repo.create'](request('Air Gapped'), page);
    expect(answer.state).toBe('seed-failed');
    if (answer.state !== 'seed-failed') return;
    expect(answer.message).toMatch(
      /^The repository PROJ\/air-gapped was created, but its files were not added: the server would not make the first commit of an empty repository through the file-edit API/,
    );
    expect(answer.message).toContain('Clone the repository over SSH and push them with git');
    expect(answer.repo.cloneHttp).toBeUndefined();
    expect(sim.model.repo('PROJ', 'air-gapped')).toBeDefined();
  });
});
