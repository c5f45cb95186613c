import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SEED_TOKENS, startSimulator } from '../../simulator/index';
import { hasGit } from './support/simulator-checks';

// The simulator runs in this process: git must run asynchronously so the server can answer it.
const git = promisify(execFile);
const noPrompt = { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } };

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
      await git(
        'git',
        [
          '-c',
          `http.extraHeader=Authorization: Bearer ${SEED_TOKENS.aliceRead}`,
          'clone',
          '--quiet',
          `${sim.url}/scm/proj/api.git`,
          clone,
        ],
        noPrompt,
      );
      expect(readFileSync(path.join(clone, 'README.md'), 'utf8')).toContain('# api');

      // Without credentials a private repository asks for them; a public one clones.
      await expect(git('git', ['ls-remote', `${sim.url}/scm/proj/api.git`], noPrompt)).rejects.toThrow();
      const refs = (await git('git', ['ls-remote', `${sim.url}/scm/pub/toolkit.git`], noPrompt)).stdout;
      expect(refs).toContain('refs/heads/main');
    } finally {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
