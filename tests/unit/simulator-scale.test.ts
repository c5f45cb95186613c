import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_TOKENS, startSimulator } from '../../simulator/index';

interface Page {
  size: number;
  isLastPage: boolean;
  nextPageStart?: number;
  values: Array<{ id: number; project: { key: string } }>;
}

describe('simulator at scale', () => {
  it('starts with 20000 extra repositories in a few seconds and pages through them 1000 at a time', async () => {
    const started = Date.now();
    const sim = await startSimulator({ strict: true, repos: 20000 });
    try {
      expect(Date.now() - started).toBeLessThan(3000);
      const ids: number[] = [];
      let start = 0;
      let requests = 0;
      for (;;) {
        const res = await fetch(`${sim.url}/rest/api/1.0/repos?limit=1000&start=${start}`, {
          headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
        });
        expect(res.status).toBe(200);
        const page = (await res.json()) as Page;
        requests++;
        ids.push(...page.values.map((r) => r.id));
        if (page.isLastPage) break;
        expect(page.size).toBe(1000);
        start = page.nextPageStart!;
      }
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeGreaterThanOrEqual(20000);
      expect(requests).toBe(Math.ceil(ids.length / 1000));
      expect(sim.violations).toEqual([]);
    } finally {
      await sim.close();
    }
  }, 30_000);
});

const hasGit = (() => {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasGit)('simulator git repositories', () => {
  it('creates bare repositories with a README on the default branch and serves them to git with a token', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sim-git-test-'));
    const sim = await startSimulator({ gitDir: path.join(dir, 'git'), contextPath: '/bitbucket' });
    try {
      const bare = path.join(dir, 'git', 'proj', 'api.git');
      expect(existsSync(path.join(bare, 'HEAD'))).toBe(true);
      const api = sim.model.repo('PROJ', 'api')!;
      const head = execFileSync('git', ['rev-parse', 'refs/heads/main'], { cwd: bare }).toString().trim();
      expect(api.branches[0]).toEqual({ name: 'main', latestCommit: head });

      const clone = path.join(dir, 'clone');
      execFileSync(
        'git',
        ['-c', `http.extraHeader=Authorization: Bearer ${SEED_TOKENS.aliceRead}`, 'clone', '--quiet', `${sim.url}/scm/proj/api.git`, clone],
        { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      );
      expect(readFileSync(path.join(clone, 'README.md'), 'utf8')).toContain('# api');

      // Without credentials a private repository asks for them; a public one clones.
      expect(() =>
        execFileSync('git', ['ls-remote', `${sim.url}/scm/proj/api.git`], {
          env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
          stdio: 'pipe',
        }),
      ).toThrow();
      const refs = execFileSync('git', ['ls-remote', `${sim.url}/scm/pub/toolkit.git`], {
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
      }).toString();
      expect(refs).toContain('refs/heads/main');
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
