import { readFileSync } from 'node:fs';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SELECTORS } from '../../lib/bitbucket/selectors';
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
});

for (const version of ['8.19.29', '9.4.23', '10.4.2']) {
  describe(`selectors on the simulator's ${version} repository page`, () => {
    let sim: Simulator;
    let document: Document;
    beforeAll(async () => {
      sim = await startSimulator({ strict: true, version });
      const login = await fetch(`${sim.url}/j_atl_security_check`, {
        method: 'POST',
        body: new URLSearchParams({ j_username: 'alice', j_password: 'alice', submit: 'Log in' }),
        redirect: 'manual',
      });
      const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
      const page = await fetch(`${sim.url}/projects/PROJ/repos/api/browse`, { headers: { cookie } });
      expect(page.status).toBe(200);
      document = parseHTML(await page.text()).document as unknown as Document;
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
  });
}
