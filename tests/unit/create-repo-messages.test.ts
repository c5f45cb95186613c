import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { refusedInput } from '../../lib/background/router';
import { BRANCH_INVALID, isValidBranchName, NAME_MISSING } from '../../lib/features/create-repo/messages';
import { RequestSchema } from '../../lib/messaging/protocol';

const create = (change: Record<string, unknown>) => ({
  type: 'create-repo.create',
  profileId: 'p1',
  projectKey: 'PROJ',
  name: 'Tool',
  defaultBranch: 'main',
  forkable: true,
  public: false,
  files: [],
  ...change,
});

/** The sentence the popup is told when the background refuses a request's input. */
const refusal = (request: unknown) => {
  const parsed = v.safeParse(RequestSchema, request);
  return parsed.success ? null : refusedInput(parsed.issues).message;
};

describe('create-repo messages', () => {
  it('takes branch names git takes and refuses the rest', () => {
    for (const ok of ['main', 'develop', 'release/1.0', 'feature/ÅB-12', 'v1.2']) {
      expect(isValidBranchName(ok), ok).toBe(true);
    }
    for (const bad of [
      '',
      'a b',
      'a..b',
      '/main',
      'main/',
      'main.',
      'x.lock',
      'a~1',
      'a^',
      'a:b',
      'a?',
      'a*',
      'a[b',
      'a\\b',
      '@',
      'a@{1}',
      '.hidden',
      'a//b',
      'a/.b',
    ]) {
      expect(isValidBranchName(bad), bad).toBe(false);
    }
  });

  it('a bad branch or an empty name is refused with the sentence the form shows', () => {
    expect(refusal(create({}))).toBeNull();
    expect(refusal(create({ defaultBranch: 'my branch' }))).toBe(BRANCH_INVALID);
    expect(refusal(create({ name: '   ' }))).toBe(NAME_MISSING);
  });

  it('refuses file paths that leave the repository', () => {
    for (const path of ['/etc/passwd', '../x', 'a/../../x']) {
      expect(refusal(create({ files: [{ path, content: '' }] })), path).not.toBeNull();
    }
    expect(refusal(create({ files: [{ path: 'docs/a.md', content: 'x' }] }))).toBeNull();
  });
});
