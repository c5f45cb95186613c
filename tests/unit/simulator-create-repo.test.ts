import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as isogit from 'isomorphic-git';
import isoHttp from 'isomorphic-git/http/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_TOKENS, type Simulator, startSimulator } from '../../simulator/index';
import { slugify } from '../../simulator/model';
import { hasGit } from './support/simulator-checks';

// The simulator runs in this process: git must run asynchronously so the server can answer it.
const run = promisify(execFile);

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
    // The same resource under /rest/api/latest.
    const latest = await call<RestRepo>(
      'POST',
      '/rest/api/latest/projects/~BOB/repos',
      SEED_TOKENS.bobWrite,
      {
        name: 'Via Latest',
      },
    );
    expect(latest.status).toBe(201);
    expect(latest.body.slug).toBe('via-latest');
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

    // Description and archiving; renaming is refused with a sentence rather than ignored.
    const repoUrl = `${API}/projects/PROJ/repos/pushed-repo`;
    const described = await call<RestRepo & { description?: string }>(
      'PUT',
      repoUrl,
      SEED_TOKENS.aliceAdmin,
      {
        description: 'Pushed in a test.',
      },
    );
    expect(described.body.description).toBe('Pushed in a test.');
    const renamed = await call<ErrorBody>('PUT', repoUrl, SEED_TOKENS.aliceAdmin, { name: 'Other Name' });
    expect(renamed.status).toBe(400);
    expect(renamed.body.errors[0]?.context).toBe('name');
    expect((await call('PUT', repoUrl, SEED_TOKENS.aliceAdmin, { archived: true })).status).toBe(201);
    expect((await call('PUT', repoUrl, SEED_TOKENS.aliceAdmin, { forkable: true })).status).toBe(409);
    expect((await call('PUT', repoUrl, SEED_TOKENS.aliceAdmin, { archived: false })).status).toBe(201);
  }, 30_000);
});

interface RestCommit {
  id: string;
  displayId: string;
  message: string;
  author: { name: string; emailAddress: string };
  authorTimestamp: number;
  parents: Array<{ id: string }>;
}

/** PUT …/browse/{path} with multipart fields, as the extension and curl -F send them. */
async function putFile(
  repoPath: string,
  file: string,
  fields: Record<string, string | Blob>,
  token: string = SEED_TOKENS.aliceAdmin,
): Promise<{ status: number; body: RestCommit & ErrorBody }> {
  const form = new FormData();
  // The content as a file part: FormData turns the line ends of text fields into CRLF.
  for (const [name, value] of Object.entries(fields)) {
    form.append(name, name === 'content' && typeof value === 'string' ? new Blob([value]) : value);
  }
  const res = await fetch(`${sim.url}${API}/projects/${repoPath}/browse/${file}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as RestCommit & ErrorBody };
}

describe.skipIf(!hasGit)('a first commit pushed as the extension pushes it', () => {
  it('takes an isomorphic-git push with a Bearer token into a new repository', async () => {
    const { body: repo } = await create('~ALICE', { name: 'Iso Pushed' }, SEED_TOKENS.aliceWrite);
    const work = path.join(dir, 'iso-work');
    mkdirSync(work);
    await isogit.init({ fs, dir: work, defaultBranch: 'main' });
    writeFileSync(path.join(work, 'LICENSE'), 'MIT License\n');
    await isogit.add({ fs, dir: work, filepath: 'LICENSE' });
    await isogit.commit({
      fs,
      dir: work,
      message: 'Initial commit',
      author: { name: 'Alice', email: 'alice@example.com' },
    });
    const url = repo.links.clone?.find((l) => l.name === 'http')?.href ?? '';
    const result = await isogit.push({
      fs,
      http: isoHttp,
      dir: work,
      url,
      ref: 'main',
      headers: { Authorization: `Bearer ${SEED_TOKENS.aliceWrite}` },
    });
    expect(result.ok).toBe(true);
    const clone = path.join(dir, 'iso-clone');
    await git(['clone', '--quiet', '--branch', 'main', url, clone], SEED_TOKENS.aliceRead);
    expect((await git(['log', '--format=%s'], undefined, clone)).stdout.trim()).toBe('Initial commit');
    // A read token may not push.
    const denied = await isogit
      .push({
        fs,
        http: isoHttp,
        dir: work,
        url,
        ref: 'main',
        force: true,
        headers: { Authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
      })
      .then(
        () => 'pushed',
        (e: Error) => e.message,
      );
    expect(denied).toMatch(/403/);
  }, 30_000);
});

describe.skipIf(!hasGit)('the file-edit API and file reads', () => {
  it('makes the first commit of an empty repository and the next ones, checked with git clone', async () => {
    await create('PROJ', { name: 'Edited Repo' });
    await call('PUT', `${API}/projects/PROJ/repos/edited-repo/default-branch`, SEED_TOKENS.aliceAdmin, {
      id: 'refs/heads/main',
    });
    const first = await putFile('PROJ/repos/edited-repo', '.gitignore', {
      content: new Blob(['node_modules/\n.DS_Store\n']),
      branch: 'main',
      message: 'Add .gitignore',
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      message: 'Add .gitignore',
      author: { name: 'Alice Ångström', emailAddress: 'alice@example.com' },
      parents: [],
    });
    expect(first.body.displayId).toBe(first.body.id.slice(0, 11));
    const second = await putFile('PROJ/repos/edited-repo', 'docs/LICENSE', {
      content: 'MIT License\n',
      branch: 'main',
    });
    expect(second.status).toBe(200);
    expect(second.body.parents.map((p) => p.id)).toEqual([first.body.id]);
    expect(second.body.message).toBe('docs/LICENSE created online with Bitbucket');

    // The file exists: without sourceCommitId, with a stale one, or with the same content: 409.
    const again = await putFile('PROJ/repos/edited-repo', '.gitignore', { content: 'x\n', branch: 'main' });
    expect(again.status).toBe(409);
    expect(again.body.errors[0]?.message).toMatch(/already exists/);
    const same = await putFile('PROJ/repos/edited-repo', '.gitignore', {
      content: 'node_modules/\n.DS_Store\n',
      branch: 'main',
      sourceCommitId: second.body.id,
    });
    expect(same.status).toBe(409);
    const edited = await putFile('PROJ/repos/edited-repo', '.gitignore', {
      content: 'node_modules/\n',
      branch: 'main',
      sourceCommitId: second.body.id,
    });
    expect(edited.status).toBe(200);
    const stale = await putFile('PROJ/repos/edited-repo', '.gitignore', {
      content: 'dist/\n',
      branch: 'main',
      sourceCommitId: first.body.id,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0]?.message).toMatch(/has been changed since/);
    // A new branch from sourceBranch.
    const feature = await putFile('PROJ/repos/edited-repo', 'notes.md', {
      content: '# Notes\n',
      branch: 'feature/notes',
      sourceBranch: 'main',
    });
    expect(feature.status).toBe(200);
    expect(feature.body.parents.map((p) => p.id)).toEqual([edited.body.id]);

    const clone = path.join(dir, 'clone-edited');
    await git(['clone', '--quiet', `${sim.url}/scm/proj/edited-repo.git`, clone], SEED_TOKENS.aliceRead);
    expect(
      (await git(['log', '--format=%an <%ae>|%s', 'main'], undefined, clone)).stdout.trim().split('\n'),
    ).toEqual([
      'Alice Ångström <alice@example.com>|.gitignore edited online with Bitbucket',
      'Alice Ångström <alice@example.com>|docs/LICENSE created online with Bitbucket',
      'Alice Ångström <alice@example.com>|Add .gitignore',
    ]);
    expect(readFileSync(path.join(clone, '.gitignore'), 'utf8')).toBe('node_modules/\n');
    expect(readFileSync(path.join(clone, 'docs', 'LICENSE'), 'utf8')).toBe('MIT License\n');
    expect(sim.model.repo('PROJ', 'edited-repo')?.branches.map((b) => b.name)).toEqual([
      'main',
      'feature/notes',
    ]);
  }, 30_000);

  it('refuses edits without branch, content or write permission, and reads files as pages and raw', async () => {
    const base = 'PROJ/repos/edited-repo';
    expect((await putFile(base, 'a.txt', { content: 'a' })).body.errors[0]?.context).toBe('branch');
    expect((await putFile(base, 'a.txt', { branch: 'main' })).body.errors[0]?.context).toBe('content');
    expect(
      (await putFile(base, 'a.txt', { content: 'a', branch: 'main' }, SEED_TOKENS.chenRead)).status,
    ).toBe(401);
    expect((await putFile(base, 'a.txt', { content: 'a', branch: 'nope' })).status).toBe(404);

    const lines = await call<{ lines: Array<{ text: string }>; isLastPage: boolean; nextPageStart?: number }>(
      'GET',
      `${API}/projects/${base}/browse/docs/LICENSE?at=refs/heads/main`,
      SEED_TOKENS.aliceRead,
    );
    expect(lines.body).toMatchObject({ lines: [{ text: 'MIT License' }], isLastPage: true });
    const seeded = await call<{
      lines: Array<{ text: string }>;
      isLastPage: boolean;
      nextPageStart?: number;
    }>('GET', `${API}/projects/PROJ/repos/api/browse/README.md?limit=1`, SEED_TOKENS.aliceRead);
    expect(seeded.body.lines).toHaveLength(1);
    expect(seeded.body).toMatchObject({ isLastPage: false, nextPageStart: 1 });
    const dirList = await call<{ children: { values: Array<{ path: { toString: string }; type: string }> } }>(
      'GET',
      `${API}/projects/${base}/browse`,
      SEED_TOKENS.aliceRead,
    );
    expect(dirList.body.children.values.map((c) => `${c.type} ${c.path.toString}`)).toEqual([
      'FILE .gitignore',
      'DIRECTORY docs',
    ]);
    const raw = await fetch(`${sim.url}${API}/projects/${base}/raw/.gitignore`, {
      headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
    });
    expect(raw.status).toBe(200);
    expect(await raw.text()).toBe('node_modules/\n');
    const missing = await call<ErrorBody>(
      'GET',
      `${API}/projects/${base}/raw/none.txt`,
      SEED_TOKENS.aliceRead,
    );
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]?.exceptionName).toBe('com.atlassian.bitbucket.content.NoSuchPathException');
  }, 30_000);

  it('refuses the first commit of an empty repository when switched so', async () => {
    await create('PROJ', { name: 'Stays Empty' });
    sim.model.repoSettings.fileEditOnEmptyRepo = false;
    try {
      const refused = await putFile('PROJ/repos/stays-empty', 'README.md', {
        content: '# x\n',
        branch: 'master',
      });
      expect(refused.status).toBe(404);
      expect(refused.body.errors[0]).toMatchObject({
        exceptionName: 'com.atlassian.bitbucket.repository.NoSuchBranchException',
        message: 'Branch master does not exist in repository Stays Empty.',
      });
      expect(sim.model.repo('PROJ', 'stays-empty')?.branches).toEqual([]);
    } finally {
      sim.model.repoSettings.fileEditOnEmptyRepo = true;
    }
  });

  it('with HTTP(S) access off: no http clone links, and git over HTTP refused as the server refuses it', async () => {
    sim.model.repoSettings.httpAccess = false;
    try {
      const created = await create('PROJ', { name: 'No Http' });
      expect(created.body.links.clone?.map((l) => l.name)).toEqual(['ssh']);
      const docs = await call<RestRepo>('GET', `${API}/projects/INT/repos/docs-site`, SEED_TOKENS.aliceRead);
      expect(docs.body.links).not.toHaveProperty('clone');
      const failure = await git(['ls-remote', `${sim.url}/scm/proj/api.git`], SEED_TOKENS.aliceRead).then(
        () => '',
        (e: { stderr: string }) => e.stderr,
      );
      expect(failure).toContain('remote error: SCM access over HTTP(S) has been disabled');
      // The file-edit API still works.
      expect(
        (await putFile('PROJ/repos/no-http', 'README.md', { content: '# No Http\n', branch: 'master' }))
          .status,
      ).toBe(200);
    } finally {
      sim.model.repoSettings.httpAccess = true;
    }
    expect(
      (await git(['ls-remote', `${sim.url}/scm/proj/no-http.git`], SEED_TOKENS.aliceRead)).stdout,
    ).toContain('refs/heads/master');
  }, 30_000);
});
