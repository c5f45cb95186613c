import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type DocumentLike, detectPage } from '../../lib/page/detect';

/** A document stub that answers the selectors detection asks for. */
function doc(options: { bitbucket?: boolean; content?: Record<string, string> } = {}): DocumentLike {
  return {
    querySelector(selector: string) {
      if (selector.startsWith('meta') && options.bitbucket !== false)
        return { getAttribute: () => 'Bitbucket' };
      if (selector === '#content' && options.content) {
        const attrs = options.content;
        return { getAttribute: (name: string) => attrs[name] ?? null };
      }
      return null;
    },
  };
}
const at = (url: string) => new URL(url);

describe('page detection', () => {
  it('recognises a repository page with a context path', () => {
    expect(
      detectPage(
        doc({ content: { 'data-repoName': 'API Server' } }),
        at('https://git.example.com/bitbucket/projects/PROJ/repos/api/browse/src'),
      ),
    ).toEqual({
      kind: 'repository',
      baseUrl: 'https://git.example.com/bitbucket',
      projectKey: 'PROJ',
      repoSlug: 'api',
      repoName: 'API Server',
    });
  });

  it('recognises a personal repository reached through /users/', () => {
    expect(detectPage(doc(), at('http://127.0.0.1:7990/users/alice/repos/dotfiles/browse'))).toMatchObject({
      kind: 'repository',
      projectKey: '~ALICE',
      userSlug: 'alice',
      repoSlug: 'dotfiles',
      baseUrl: 'http://127.0.0.1:7990',
    });
  });

  it('recognises a pull request page and its id', () => {
    expect(
      detectPage(doc(), at('http://127.0.0.1:7990/projects/PROJ/repos/api/pull-requests/42/overview')),
    ).toMatchObject({ kind: 'pull-request', pullRequestId: 42, repoSlug: 'api' });
  });

  it('recognises project and dashboard pages', () => {
    expect(detectPage(doc(), at('http://h/projects/web'))).toMatchObject({
      kind: 'project',
      projectKey: 'WEB',
    });
    expect(detectPage(doc(), at('http://h/ctx/dashboard'))).toEqual({
      kind: 'dashboard',
      baseUrl: 'http://h/ctx',
    });
  });

  it('ignores pages that are not Bitbucket, and Bitbucket pages it does not know', () => {
    expect(detectPage(doc({ bitbucket: false }), at('http://h/projects/PROJ/repos/api/browse'))).toBeNull();
    expect(detectPage(doc(), at('http://h/admin/users'))).toBeNull();
  });

  it('reads the real 7.6.16 page: product meta and #content attributes are where the selectors say', () => {
    const html = readFileSync('../shared/reference/bitbucket/html/bbs-7.6.16-source-page.html', 'utf8');
    expect(html).toMatch(/<meta name="application-name" content="Bitbucket">/);
    expect(html).toMatch(/<section id="content"[^>]*data-repoSlug="uvast_final"/);
    expect(html).toMatch(/id=clone-repo-button/);
  });
});
