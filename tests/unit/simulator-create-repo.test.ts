import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_TOKENS, type Simulator, startSimulator } from '../../simulator/index';
import { slugify } from '../../simulator/model';

// The simulator runs in this process: git must run asynchronously so the server can answer it.
const run = promisify(execFile);
const hasGit = (() => {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface RestRepo {
  id: number;
  slug: string;
  name: string;
  forkable: boolean;
  public: boolean;
  project: { key: string };
  links: { clone?: Array<{ href: string; name: string }>; self: Array<{ href: string }> };
}
interface ErrorBody {
  errors: Array<{ context: string | null; message: string; exceptionName: string | null }>;
}

const API = '/rest/api/1.0';

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'sim-create-repo-'));
  sim = await startSimulator({ strict: true, gitDir: path.join(dir, 'git'), sshPort: false });
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
  expect(sim.violations).toEqual([]);
});

async function call<T>(
  method: string,
  apiPath: string,
  token: string | undefined,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sim.url}${apiPath}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const create = (key: string, body: unknown, token: string = SEED_TOKENS.aliceAdmin) =>
  call<RestRepo & ErrorBody>('POST', `${API}/projects/${key}/repos`, token, body);

/** Runs git with a Bearer token and no prompts; resolves with stdout and stderr. */
function git(args: string[], token?: string, cwd?: string) {
  return run('git', [...(token ? ['-c', `http.extraHeader=Authorization: Bearer ${token}`] : []), ...args], {
    ...(cwd ? { cwd } : {}),
    env: {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Tester',
      GIT_AUTHOR_EMAIL: 'tester@example.com',
      GIT_COMMITTER_NAME: 'Tester',
      GIT_COMMITTER_EMAIL: 'tester@example.com',
    },
  });
}

describe('slugs as the server makes them', () => {
  it('follows Atlassian\u2019s documented examples', () => {
    expect(slugify('foo bar')).toBe('foo-bar');
    expect(slugify('føøbar')).toBe('foobar');
    expect(slugify('a@b!-#c')).toBe('a-b---c');
    expect(slugify('My Repo.v2_final')).toBe('my-repo.v2_final');
    expect(slugify('Crème Brûlée')).toBe('creme-brulee');
  });
});

describe('POST /projects/{key}/repos', () => {
  it('creates an empty repository with the server slug, clone links and Repository admin for the creator', async () => {
    const { status, body } = await create('PROJ', {
      name: 'Billing Service',
      scmId: 'git',
      forkable: false,
      public: true,
      description: 'ignored on create',
    });
    expect(status).toBe(201);
    expect(body.slug).toBe('billing-service');
    expect(body.name).toBe('Billing Service');
    // Only name and scmId are used on create (the spec's words).
    expect(body.forkable).toBe(true);
    expect(body.public).toBe(false);
    expect(body).not.toHaveProperty('description');
    expect(body.links.clone).toEqual([
      { href: `${sim.url}/scm/proj/billing-service.git`, name: 'http' },
      {
        href: expect.stringMatching(/^ssh:\/\/git@127\.0\.0\.1:\d+\/proj\/billing-service\.git$/),
        name: 'ssh',
      },
    ]);
    expect(body.links.self).toEqual([{ href: `${sim.url}/projects/PROJ/repos/billing-service/browse` }]);

    // Listed at once (the extension's index sync), empty, with the server's default branch configured.
    const list = await call<{ values: RestRepo[] }>(
      'GET',
      `${API}/repos?name=billing&limit=100`,
      SEED_TOKENS.aliceRead,
    );
    expect(list.body.values.map((r) => r.slug)).toEqual(['billing-service']);
    expect(
      (
        await call(
          'GET',
          `${API}/projects/PROJ/repos/billing-service/branches/default`,
          SEED_TOKENS.aliceRead,
        )
      ).status,
    ).toBe(204);
    const configured = await call<{ id: string }>(
      'GET',
      `${API}/projects/PROJ/repos/billing-service/default-branch`,
      SEED_TOKENS.aliceRead,
    );
    expect(configured.body.id).toBe('refs/heads/master');
    expect(sim.model.repo('PROJ', 'billing-service')?.permissions.get('alice')).toBe(3);
  });

  it('refuses bad names with the server\u2019s 400 and a taken URL with 409, keeping what exists', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /name is required/],
      [{ name: '   ' }, /name is required/],
      [{ name: 'x'.repeat(129) }, /128 characters or fewer/],
      [{ name: '-leading' }, /must start with a letter or number/],
      [{ name: 'semi;colon' }, /may only contain letters/],
      [{ name: '日本' }, /can appear in its URL/],
    ];
    for (const [body, message] of cases) {
      const res = await create('PROJ', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ context: 'name', message: expect.stringMatching(message) });
    }
    const hg = await create('PROJ', { name: 'mercurial', scmId: 'hg' });
    expect(hg.status).toBe(400);
    expect(hg.body.errors[0]?.context).toBe('scmId');

    // "API" has the slug of the seeded PROJ/api.
    const taken = await create('PROJ', { name: 'API', scmId: 'git' });
    expect(taken.status).toBe(409);
    expect(taken.body.errors).toEqual([
      {
        context: 'name',
        message: "This repository URL is already taken by 'api' in 'Platform'",
        exceptionName: null,
      },
    ]);
    expect(sim.model.repos.filter((r) => r.project.key === 'PROJ' && r.slug === 'api')).toHaveLength(1);
  });

  it('needs REPO_CREATE on the project and a PROJECT_ADMIN token; the personal project always works for its owner', async () => {
    const bobBasic = `Basic ${Buffer.from('bob:bob').toString('base64')}`;
    // bob writes to PROJ: Project write does not create repositories.
    const bob = await fetch(`${sim.url}${API}/projects/PROJ/repos`, {
      method: 'POST',
      headers: { authorization: bobBasic, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bobs-repo' }),
    });
    expect(bob.status).toBe(401);
    expect(((await bob.json()) as ErrorBody).errors[0]).toEqual({
      context: null,
      message: 'You are not permitted to access this resource',
      exceptionName: 'com.atlassian.bitbucket.AuthorisationException',
    });
    // alice administers PROJ, but this token's scope is Project read.
    expect((await create('PROJ', { name: 'scoped' }, SEED_TOKENS.aliceWrite)).status).toBe(401);
    // alice holds "Create repository" on INT (no admin there).
    expect((await create('INT', { name: 'Made With Create Permission' })).status).toBe(201);
    // Anyone's own personal project, with any of their tokens.
    const personal = await create('~BOB', { name: 'Notes' }, SEED_TOKENS.bobWrite);
    expect(personal.status).toBe(201);
    expect(personal.body.project.key).toBe('~BOB');
    expect(personal.body.links.self[0]?.href).toBe(`${sim.url}/users/bob/repos/notes/browse`);
    expect((await create('~BOB', { name: 'Not Yours' }, SEED_TOKENS.aliceAdmin)).status).toBe(401);
    expect((await create('NOPE', { name: 'x' })).status).toBe(404);
  });

  it('lists the projects a user may create repositories in with permission=REPO_CREATE', async () => {
    const keys = async (permission: string, token: string) =>
      (
        await call<{ values: Array<{ key: string }> }>(
          'GET',
          `${API}/projects?permission=${permission}&limit=100`,
          token,
        )
      ).body.values.map((p) => p.key);
    expect(await keys('REPO_CREATE', SEED_TOKENS.aliceAdmin)).toEqual(
      expect.arrayContaining(['PROJ', 'INT']),
    );
    expect(await keys('PROJECT_ADMIN', SEED_TOKENS.aliceAdmin)).not.toContain('INT');
    expect(await keys('REPO_CREATE', SEED_TOKENS.aliceWrite)).toEqual([]);
    expect(await keys('PROJECT_WRITE', SEED_TOKENS.bobWrite)).toEqual([]);
    expect(await keys('PROJECT_READ', SEED_TOKENS.bobWrite)).toContain('PROJ');
  });
});

describe.skipIf(!hasGit)('created repositories in git', () => {
  it('takes a first push over HTTP with a Bearer token; the default branch and settings follow PUTs', async () => {
    const { body: repo } = await create('PROJ', { name: 'Pushed Repo', scmId: 'git' });
    const work = path.join(dir, 'work-pushed');
    await git(['init', '--quiet', '--initial-branch=main', work]);
    execFileSync('sh', ['-c', 'printf "node_modules/\\n" > .gitignore && printf "MIT\\n" > LICENSE'], {
      cwd: work,
    });
    await git(['add', '-A'], undefined, work);
    await git(['commit', '--quiet', '-m', 'Initial commit'], undefined, work);
    const http = repo.links.clone?.find((l) => l.name === 'http')?.href ?? '';
    await git(['push', '--quiet', http, 'main'], SEED_TOKENS.aliceAdmin, work);
    expect(sim.model.repo('PROJ', 'pushed-repo')?.branches.map((b) => b.name)).toEqual(['main']);

    const branch = await call(
      'PUT',
      `${API}/projects/PROJ/repos/pushed-repo/default-branch`,
      SEED_TOKENS.aliceAdmin,
      {
        id: 'refs/heads/main',
      },
    );
    expect(branch.status).toBe(204);
    const settings = await call<RestRepo>(
      'PUT',
      `${API}/projects/PROJ/repos/pushed-repo`,
      SEED_TOKENS.aliceAdmin,
      {
        forkable: false,
        public: true,
      },
    );
    expect(settings.status).toBe(201);
    const read = await call<RestRepo>('GET', `${API}/projects/PROJ/repos/pushed-repo`, SEED_TOKENS.aliceRead);
    expect(read.body).toMatchObject({ forkable: false, public: true });
    const def = await call<{ id: string }>(
      'GET',
      `${API}/projects/PROJ/repos/pushed-repo/branches/default`,
      SEED_TOKENS.aliceRead,
    );
    expect(def.body.id).toBe('refs/heads/main');

    // A clone checks out the new default branch: HEAD of the bare repository moved too.
    const clone = path.join(dir, 'clone-pushed');
    await git(['clone', '--quiet', http, clone], SEED_TOKENS.aliceRead);
    expect((await git(['rev-parse', '--abbrev-ref', 'HEAD'], undefined, clone)).stdout.trim()).toBe('main');
    expect((await git(['rev-list', '--count', 'HEAD'], undefined, clone)).stdout.trim()).toBe('1');
    expect(readFileSync(path.join(clone, '.gitignore'), 'utf8')).toBe('node_modules/\n');

    // Repository admin is needed for both; a write token is refused.
    expect(
      (
        await call('PUT', `${API}/projects/PROJ/repos/pushed-repo/default-branch`, SEED_TOKENS.bobWrite, {
          id: 'refs/heads/x',
        })
      ).status,
    ).toBe(401);
    expect(
      (await call('PUT', `${API}/projects/PROJ/repos/pushed-repo`, SEED_TOKENS.bobWrite, { public: false }))
        .status,
    ).toBe(401);
    expect(
      (
        await call('PUT', `${API}/projects/PROJ/repos/pushed-repo/default-branch`, SEED_TOKENS.aliceAdmin, {
          id: 'refs/tags/v1',
        })
      ).status,
    ).toBe(400);
  }, 30_000);
});
