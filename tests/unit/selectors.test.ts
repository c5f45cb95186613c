import { readFileSync } from 'node:fs';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SELECTORS } from '../../lib/bitbucket/selectors';
import { readPageRepository } from '../../lib/features/clone/in-page/repository-data';
import { detectPage } from '../../lib/page/detect';
import { type Simulator, startSimulator } from '../../simulator/index';

/** Every selector, checked on a real saved Bitbucket page and on the simulator's page of each version. */
const real76 = parseHTML(
  readFileSync('../shared/reference/bitbucket/html/bbs-7.6.16-source-page.html', 'utf8'),
).document;

describe('selectors on the real Bitbucket 7.6.16 repository page', () => {
  for (const [name, selector] of Object.entries(SELECTORS)) {
    it(`${name}: ${selector}`, () => {
      expect(real76.querySelector(selector)).not.toBeNull();
    });
  }
  it('page detection reads it as a personal repository', () => {
    // The page writes data-repoName; browsers match attribute names case-insensitively.
    const context = detectPage(
      real76,
      new URL('https://git.example.com/users/ben2rng/repos/uvast_final/browse'),
    );
    expect(context).toMatchObject({
      kind: 'repository',
      projectKey: '~BEN2RNG',
      repoSlug: 'uvast_final',
      repoName: 'UVAST_final',
    });
  });
  it('the clone action is a sidebar list item, and the page carries the repository with its clone links', () => {
    expect(real76.querySelector(SELECTORS.cloneButton)?.closest('li')?.className.trim()).toBe('clone-repo');
    const repo = readPageRepository(
      real76,
      new URL('https://git.example.com/users/ben2rng/repos/uvast_final/browse'),
    );
    expect(repo).toMatchObject({
      id: 111746,
      projectKey: '~BEN2RNG',
      slug: 'uvast_final',
      source: 'page-data',
      cloneAccess: 'listed',
    });
    expect(Object.keys(repo?.links ?? {}).sort()).toEqual(['http', 'ssh']);
  });
});

for (const version of ['8.19.29', '9.4.23', '10.4.2']) {
  describe(`selectors on the simulator's ${version} repository page`, () => {
    let sim: Simulator;
    let document: Document;
    let cookie: string;
    const fetchPage = async (path: string) => {
      const page = await fetch(`${sim.url}${path}`, { headers: { cookie } });
      expect(page.status).toBe(200);
      return parseHTML(await page.text()).document as unknown as Document;
    };
    const restRepo = async (key: string, slug: string) =>
      (await (
        await fetch(`${sim.url}/rest/api/1.0/projects/${key}/repos/${slug}`, { headers: { cookie } })
      ).json()) as { id: number; project: { key: string }; slug: string };
    beforeAll(async () => {
      sim = await startSimulator({ strict: true, version, contextPath: '/bitbucket' });
      const login = await fetch(`${sim.url}/j_atl_security_check`, {
        method: 'POST',
        body: new URLSearchParams({ j_username: 'alice', j_password: 'alice', submit: 'Log in' }),
        redirect: 'manual',
      });
      cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
      document = await fetchPage('/projects/PROJ/repos/api/browse');
    });
    afterAll(async () => {
      await sim.close();
      expect(sim.violations).toEqual([]);
    });
    for (const [name, selector] of Object.entries(SELECTORS)) {
      it(`${name}: ${selector}`, () => {
        expect(document.querySelector(selector)).not.toBeNull();
      });
    }
    it('the footer names the version', () => {
      expect(document.querySelector(SELECTORS.productVersion)?.textContent?.trim()).toBe(`v${version}`);
    });
    it('the clone action is a sidebar list item, as on the real page', () => {
      expect(document.querySelector(SELECTORS.cloneButton)?.closest('li')?.className.trim()).toBe(
        'clone-repo',
      );
    });
    it('project, personal and pull request pages carry the repository as REST has it', async () => {
      const cases: Array<[string, string, string]> = [
        ['/projects/PROJ/repos/api/browse', 'PROJ', 'api'],
        ['/users/alice/repos/dotfiles/browse', '~ALICE', 'dotfiles'],
        ['/projects/PROJ/repos/api/pull-requests/1/overview', 'PROJ', 'api'],
        ['/projects/INT/repos/ci-pipelines/browse', 'INT', 'ci-pipelines'],
      ];
      for (const [path, key, slug] of cases) {
        const page = await fetchPage(path);
        const repo = readPageRepository(page, new URL(`${sim.url}${path}`));
        const rest = await restRepo(key, slug);
        expect(repo, path).toMatchObject({
          id: rest.id,
          projectKey: rest.project.key,
          slug: rest.slug,
          baseUrl: sim.url,
          source: 'page-data',
        });
      }
    });
    it('the fallback test page has no clone action, and one without page data still names the repository', async () => {
      const bare = await fetchPage(
        '/projects/PROJ/repos/api/browse?simLayout=no-clone-button,no-repository-script',
      );
      expect(bare.querySelector(SELECTORS.cloneButton)).toBeNull();
      expect(readPageRepository(bare, new URL(`${sim.url}/projects/PROJ/repos/api/browse`))).toMatchObject({
        projectKey: 'PROJ',
        slug: 'api',
        source: 'content-attributes',
        cloneAccess: 'unknown',
      });
    });
  });
}
