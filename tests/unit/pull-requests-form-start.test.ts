import { describe, expect, it } from 'vitest';
import type { ProfileRecord } from '../../lib/db/schema';
import { draftsSupported } from '../../lib/features/pull-requests/drafts';
import { repoOfContext } from '../../lib/features/pull-requests/popup/pull-requests-tab';
import { titleFromBranch } from '../../lib/features/pull-requests/title';
import type { PageContext } from '../../lib/messaging/protocol';

const profile = { id: 'p', baseUrl: 'https://git.example.com/bitbucket' } as ProfileRecord;
const page = (fields: Partial<PageContext>): PageContext => ({
  kind: 'repository',
  baseUrl: 'https://git.example.com/bitbucket',
  ...fields,
});

describe('where a new pull request starts', () => {
  it('takes the repository of a repository or pull-request page of the profile’s own server', () => {
    expect(repoOfContext(page({ projectKey: 'PROJ', repoSlug: 'api', repoName: 'API' }), profile)).toEqual({
      projectKey: 'PROJ',
      slug: 'api',
      name: 'API',
    });
    expect(
      repoOfContext(
        page({ kind: 'pull-request', projectKey: 'PROJ', repoSlug: 'api', pullRequestId: 3 }),
        profile,
      ),
    ).toMatchObject({ projectKey: 'PROJ', slug: 'api' });
    // A personal repository reached through /users/alice/repos/…
    expect(repoOfContext(page({ userSlug: 'alice', repoSlug: 'dotfiles' }), profile)).toMatchObject({
      projectKey: '~ALICE',
      slug: 'dotfiles',
    });
  });

  it('takes no repository from another server, a project page or no page', () => {
    expect(
      repoOfContext(
        page({ baseUrl: 'https://other.example.com', projectKey: 'PROJ', repoSlug: 'api' }),
        profile,
      ),
    ).toBeNull();
    expect(repoOfContext(page({ kind: 'project', projectKey: 'PROJ' }), profile)).toBeNull();
    expect(repoOfContext(null, profile)).toBeNull();
  });

  it('makes a title of the branch name', () => {
    expect(titleFromBranch('feature/rate-limit')).toBe('Rate limit');
    expect(titleFromBranch('bugfix/JIRA-12_login__redirect')).toBe('JIRA 12 login redirect');
    expect(titleFromBranch('develop')).toBe('Develop');
    expect(titleFromBranch('release/')).toBe('Release');
  });

  it('offers drafts from Bitbucket 8.18 on', () => {
    expect(draftsSupported('8.17.2')).toBe(false);
    expect(draftsSupported('8.18.0')).toBe(true);
    expect(draftsSupported('9.4.13')).toBe(true);
    expect(draftsSupported('10.0')).toBe(true);
  });
});
