import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushFirstCommit } from '../../lib/features/create-repo/push';
import { SEED_TOKENS, type Simulator, startSimulator } from '../../simulator/index';

const git = promisify(execFile);

let dir = '';
let sim: Simulator;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'create-repo-push-'));
  sim = await startSimulator({ gitDir: path.join(dir, 'git'), strict: true });
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pushFirstCommit', () => {
  it('pushes one commit holding every file, authored as given, to the branch', async () => {
    const token = sim.createToken('alice', ['PROJECT_ADMIN', 'REPO_ADMIN']);
    const reply = await pushFirstCommit({
      url: `${sim.url}/scm/proj/api.git`,
      token,
      branch: 'seeded',
      message: 'Initial commit',
      author: { name: 'Alice Ångström', email: 'alice@example.com' },
      files: [
        { path: '.gitignore', content: 'node_modules/\n' },
        { path: 'docs/LICENSE', content: 'MIT\n' },
      ],
      timestamp: 1_700_000_000,
    });
    expect(reply).toEqual({ ok: true, commitId: expect.stringMatching(/^[0-9a-f]{40}$/) });
    const clone = path.join(dir, 'clone');
    await git(
      'git',
      [
        '-c',
        `http.extraHeader=Authorization: Bearer ${token}`,
        'clone',
        '--quiet',
        '--branch',
        'seeded',
        `${sim.url}/scm/proj/api.git`,
        clone,
      ],
      { env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
    );
    const log = (await git('git', ['log', '--format=%an <%ae>|%s'], { cwd: clone })).stdout
      .trim()
      .split('\n');
    expect(log).toEqual(['Alice Ångström <alice@example.com>|Initial commit']);
    expect(readFileSync(path.join(clone, 'docs/LICENSE'), 'utf8')).toBe('MIT\n');
    expect(readFileSync(path.join(clone, '.gitignore'), 'utf8')).toBe('node_modules/\n');
    void SEED_TOKENS;
  });
});
