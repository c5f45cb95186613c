import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, seed, startSimulator } from '../../simulator/index';
import { SSH_RUN_ROOT, sshUnavailable } from '../../simulator/ssh';

const run = promisify(execFile);

// Real SSH needs root and Debian's openssh-server (.ci/run installs it); locally the tests skip with
// the reason, in CI a missing sshd fails the run.
const unavailable = sshUnavailable();
if (unavailable && process.env.CI === 'true') {
  throw new Error(`CI=true but the real SSH tests cannot run: ${unavailable}`);
}
if (unavailable) console.warn(`[simulator-ssh] skipped: ${unavailable}`);

// SEC/vault (which alice may not read) gets a real git repository too.
const SEED = {
  ...seed,
  repos: seed.repos.map((r) => (r.project === 'SEC' && r.name === 'vault' ? { ...r, git: true } : r)),
};

const basic = (user: string) => `Basic ${Buffer.from(`${user}:${user}`).toString('base64')}`;

interface Links {
  links: { clone: Array<{ href: string; name: string }> };
}

describe.skipIf(unavailable !== undefined)('real SSH (sshd on loopback)', () => {
  let dir = '';
  let sim: Simulator;
  let key = '';

  const sshUrl = async (project: string, slug: string): Promise<string> => {
    const res = await fetch(`${sim.url}/rest/api/1.0/projects/${project}/repos/${slug}`, {
      headers: { authorization: basic('admin') },
    });
    const body = (await res.json()) as Links;
    const href = body.links.clone.find((l) => l.name === 'ssh')?.href;
    if (!href) throw new Error(`no ssh clone link for ${project}/${slug}`);
    return href;
  };

  /** A git command over SSH with alice's key: whether it succeeded, and its stderr. */
  const gitSsh = async (args: string[], cwd = dir): Promise<{ ok: boolean; stderr: string }> => {
    try {
      await run('git', args, {
        cwd,
        env: {
          ...process.env,
          GIT_TERMINAL_PROMPT: '0',
          GIT_SSH_COMMAND: `ssh -i ${key} -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR`,
        },
        timeout: 15_000,
      });
      return { ok: true, stderr: '' };
    } catch (error) {
      return { ok: false, stderr: String((error as { stderr?: string }).stderr ?? error) };
    }
  };

  const clone = (url: string, target: string) => gitSsh(['clone', '--quiet', url, path.join(dir, target)]);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sim-ssh-'));
    key = path.join(dir, 'id');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice@test', '-f', key]);
    sim = await startSimulator({ strict: true, gitDir: path.join(dir, 'git'), sshPort: 0, seed: SEED });
  });

  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the real port in the SSH settings and the clone links', async () => {
    const port = sim.ssh?.port ?? 0;
    expect(port).toBeGreaterThan(0);
    const res = await fetch(`${sim.url}/rest/ssh/1.0/settings`, {
      headers: { authorization: basic('alice') },
    });
    expect(await res.json()).toMatchObject({ enabled: true, port, baseUrl: `ssh://git@127.0.0.1:${port}` });
    expect(await sshUrl('PROJ', 'api')).toBe(`ssh://git@127.0.0.1:${port}/proj/api.git`);
    expect(sim.ssh?.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('refuses an unknown key, clones with it once alice adds it, and refuses repositories she may not read', async () => {
    const api = await sshUrl('PROJ', 'api');
    const before = await clone(api, 'before');
    expect(before.ok, sim.ssh?.log()).toBe(false);
    expect(before.stderr).toMatch(/Permission denied/);

    const added = await fetch(`${sim.url}/rest/ssh/1.0/keys`, {
      method: 'POST',
      headers: { authorization: basic('alice'), 'content-type': 'application/json' },
      body: JSON.stringify({ text: readFileSync(`${key}.pub`, 'utf8').trim(), label: 'test' }),
    });
    expect(added.status).toBe(201);

    const after = await clone(api, 'api');
    expect(after.ok, `${after.stderr}\n${sim.ssh?.log()}`).toBe(true);
    expect(readFileSync(path.join(dir, 'api', 'src/server.ts'), 'utf8')).toBe('export const port = 8080;\n');

    const personal = await clone(await sshUrl('~ALICE', 'dotfiles'), 'dotfiles');
    expect(personal.ok, `${personal.stderr}\n${sim.ssh?.log()}`).toBe(true);

    // A push goes through git receive-pack and shows in the REST branches.
    const work = path.join(dir, 'dotfiles');
    writeFileSync(path.join(work, 'notes.md'), 'pushed over SSH\n');
    const who = ['-c', 'user.name=Alice', '-c', 'user.email=alice@example.com', '-c', 'commit.gpgsign=false'];
    await run('git', [...who, 'checkout', '--quiet', '-b', 'feature/ssh'], { cwd: work });
    await run('git', ['add', 'notes.md'], { cwd: work });
    await run('git', [...who, 'commit', '--quiet', '-m', 'Over SSH'], { cwd: work });
    const push = await gitSsh(['push', '--quiet', 'origin', 'feature/ssh'], work);
    expect(push.ok, `${push.stderr}\n${sim.ssh?.log()}`).toBe(true);
    await expect
      .poll(async () => {
        const res = await fetch(`${sim.url}/rest/api/1.0/projects/~ALICE/repos/dotfiles/branches`, {
          headers: { authorization: basic('alice') },
        });
        return ((await res.json()) as { values: Array<{ displayId: string }> }).values.map(
          (b) => b.displayId,
        );
      })
      .toContain('feature/ssh');

    const vault = await clone(await sshUrl('SEC', 'vault'), 'vault');
    expect(vault.ok).toBe(false);
    expect(vault.stderr).toMatch(/Repository not found/);
    expect(existsSync(path.join(dir, 'vault'))).toBe(false);
  }, 30_000);

  it("takes the first push of a repository created through REST (alice's key added above)", async () => {
    const created = await fetch(`${sim.url}/rest/api/1.0/projects/~ALICE/repos`, {
      method: 'POST',
      headers: { authorization: basic('alice'), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Over SSH', scmId: 'git' }),
    });
    expect(created.status).toBe(201);
    const url = await sshUrl('~ALICE', 'over-ssh');
    const work = path.join(dir, 'over-ssh');
    const who = ['-c', 'user.name=Alice', '-c', 'user.email=alice@example.com', '-c', 'commit.gpgsign=false'];
    await run('git', ['init', '--quiet', '--initial-branch=master', work]);
    writeFileSync(path.join(work, 'README.md'), '# Over SSH\n');
    await run('git', ['add', 'README.md'], { cwd: work });
    await run('git', [...who, 'commit', '--quiet', '-m', 'First'], { cwd: work });
    const push = await gitSsh(['push', '--quiet', url, 'master'], work);
    expect(push.ok, `${push.stderr}\n${sim.ssh?.log()}`).toBe(true);
    const again = await clone(url, 'over-ssh-clone');
    expect(again.ok, again.stderr).toBe(true);
    expect(readFileSync(path.join(dir, 'over-ssh-clone', 'README.md'), 'utf8')).toBe('# Over SSH\n');
  }, 30_000);

  it('stops sshd and removes its run directory on close', async () => {
    const runDirs = () => (existsSync(SSH_RUN_ROOT) ? readdirSync(SSH_RUN_ROOT) : []);
    const other = await startSimulator({ gitDir: path.join(dir, 'git2'), sshPort: 0 });
    const during = runDirs();
    await other.close();
    const after = runDirs();
    expect(during.length).toBe(after.length + 1);
  });
});
