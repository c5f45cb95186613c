import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as profiles from '../../lib/background/profiles';
import type { HandlerContext } from '../../lib/background/router';
import { CompanionDb } from '../../lib/db/schema';
import { createCreateRepoHandlers } from '../../lib/features/create-repo/handlers';
import type { PushOperation } from '../../lib/features/create-repo/push-channel';
import { type Simulator, startSimulator } from '../../simulator/index';

/**
 * The background side of "Create repositories" against the simulator with real bare repositories:
 * what a user sees in the repository afterwards (checked with git), and that nothing is made twice.
 */
const git = promisify(execFile);
const hostAccess = async () => true;
const page: HandlerContext = { from: 'extension-page' };

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'create-repo-handlers-'));
  sim = await startSimulator({ strict: true, gitDir: path.join(dir, 'git') });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
  expect(sim.violations).toEqual([]);
});

let db: CompanionDb;
let token: string;
let profileId: string;
beforeEach(async () => {
  db = new CompanionDb(`create-repo-${Math.random()}`);
  token = sim.createToken('alice', ['PROJECT_ADMIN', 'REPO_ADMIN']);
  ({
    profile: { id: profileId },
  } = await profiles.connect(db, { serverUrl: sim.url, token }, { hostAccess }));
});
afterEach(async () => {
  await db.delete();
});

const files = [
  { path: '.gitignore', content: 'node_modules/\n' },
  { path: 'LICENSE', content: 'MIT License\n' },
];
const request = (name: string, projectKey = 'PROJ') => ({
  type: 'create-repo.create' as const,
  profileId,
  projectKey,
  name,
  defaultBranch: 'trunk',
  forkable: false,
  public: false,
  files,
});

async function cloneOf(url: string, target: string) {
  const into = path.join(dir, target);
  await git('git', ['-c', `http.extraHeader=Authorization: Bearer ${token}`, 'clone', '--quiet', url, into], {
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  const log = (await git('git', ['log', '--all', '--format=%an|%s'], { cwd: into })).stdout
    .trim()
    .split('\n');
  const branch = (await git('git', ['branch', '--show-current'], { cwd: into })).stdout.trim();
  return { into, log, branch };
}

describe('create-repo handlers', () => {
  it('creates the repository, pushes one commit with every file, sets the branch and forking, indexes it', async () => {
    const handlers = createCreateRepoHandlers(db, { hostAccess });
    const answer = await handlers['create-repo.create'](request('Shiny Tool'), page);
    expect(answer.state).toBe('done');
    if (answer.state !== 'done') return;
    expect(answer.repo).toMatchObject({ projectKey: 'PROJ', slug: 'shiny-tool', name: 'Shiny Tool' });
    expect(answer.seeding).toMatchObject({ method: 'push', commits: 1 });
    expect(answer.settings).toEqual([
      { setting: 'default-branch', ok: true, message: 'Default branch: trunk' },
      { setting: 'forkable', ok: true, message: 'Forking not allowed' },
    ]);
    const clone = await cloneOf(answer.repo.cloneHttp ?? '', 'shiny');
    expect(clone.log).toEqual(['Alice Ångström|Initial commit: .gitignore, LICENSE']);
    expect(clone.branch).toBe('trunk');
    expect(readFileSync(path.join(clone.into, '.gitignore'), 'utf8')).toBe('node_modules/\n');
    expect(sim.model.repo('PROJ', 'shiny-tool')?.forkable).toBe(false);
    // In the local index at once.
    const indexed = await db.repos.where('profileId').equals(profileId).toArray();
    expect(indexed.map((r) => r.slug)).toContain('shiny-tool');
  });

  it('a name already taken fails with a sentence saying so, and nothing is created', async () => {
    const handlers = createCreateRepoHandlers(db, { hostAccess });
    const before = sim.model.repos.length;
    await expect(handlers['create-repo.create'](request('api'), page)).rejects.toMatchObject({
      kind: 'conflict',
      message: expect.stringContaining('already has a repository named “api”'),
    });
    expect(sim.model.repos.length).toBe(before);
  });

  it('a failed push leaves one repository, and "Add the files again" seeds that one', async () => {
    let pushes = 0;
    const failing = createCreateRepoHandlers(db, {
      hostAccess,
      push: async () => {
        pushes++;
        return { ok: false, failure: 'network', message: 'connection reset' };
      },
    });
    const answer = await failing['create-repo.create'](request('Half Made'), page);
    expect(answer).toMatchObject({
      state: 'seed-failed',
      message: expect.stringMatching(
        /^The repository PROJ\/half-made was created, but its files were not added: /,
      ),
    });
    expect(pushes).toBe(1);
    const count = sim.model.repos.length;
    // Created is created: it is in the local index already.
    expect((await db.repos.where('profileId').equals(profileId).toArray()).map((r) => r.slug)).toContain(
      'half-made',
    );

    const seen: PushOperation[] = [];
    const { runPush } = await import('../../lib/features/create-repo/push-runner');
    const working = createCreateRepoHandlers(db, {
      hostAccess,
      push: (op) => {
        seen.push(op);
        return runPush(op);
      },
    });
    const { type: _type, name: _name, ...settings } = request('Half Made');
    const again = await working['create-repo.seed'](
      { ...settings, type: 'create-repo.seed', slug: 'half-made' },
      page,
    );
    expect(again.state).toBe('done');
    expect(sim.model.repos.length).toBe(count);
    // A second "Add the files again" finds the commit there and pushes nothing.
    const twice = await working['create-repo.seed'](
      { ...settings, type: 'create-repo.seed', slug: 'half-made' },
      page,
    );
    expect(twice).toMatchObject({ state: 'done', seeding: { commits: 0 } });
    expect(seen).toHaveLength(1);
    const clone = await cloneOf(again.repo.cloneHttp ?? '', 'half');
    expect(clone.log).toHaveLength(1);
    expect(clone.branch).toBe('trunk');
    expect(readFileSync(path.join(clone.into, 'LICENSE'), 'utf8')).toBe('MIT License\n');
  });

  it('lists the projects the token may create in, and the personal project always', async () => {
    const handlers = createCreateRepoHandlers(db, { hostAccess });
    const answer = await handlers['create-repo.projects']({ type: 'create-repo.projects', profileId }, page);
    expect(answer.projects.at(-1)).toEqual({
      key: '~ALICE',
      name: 'Alice Ångström (personal)',
      personal: true,
    });
    expect(answer.projects.map((p) => p.key)).toContain('PROJ');
    expect(answer.author.name).toBe('Alice Ångström');
  });

  it('refuses content scripts', async () => {
    const handlers = createCreateRepoHandlers(db, { hostAccess });
    await expect(
      handlers['create-repo.create'](request('x'), { from: 'content-script', tabId: 1, origin: 'http://x' }),
    ).rejects.toMatchObject({ kind: 'refused' });
  });
});
