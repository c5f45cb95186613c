import { runInNewContext } from 'node:vm';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED_TOKENS, type Simulator, startSimulator } from '../../simulator/index';

let sim: Simulator;
let ctxSim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ strict: true });
  ctxSim = await startSimulator({ strict: true, contextPath: '/bitbucket', version: '10.4.2' });
});
afterAll(async () => {
  await sim.close();
  await ctxSim.close();
  expect(sim.violations).toEqual([]);
  expect(ctxSim.violations).toEqual([]);
});

/** Signs in through the login form and returns the session cookie ("name=value"). */
async function signIn(target: Simulator, user: string, password = user): Promise<string> {
  const res = await fetch(`${target.url}/j_atl_security_check`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ j_username: user, j_password: password, submit: 'Log in' }),
  });
  expect(res.status).toBe(302);
  const cookie = res.headers.get('set-cookie') ?? '';
  return cookie.split(';')[0] ?? '';
}

async function getPage(target: Simulator, path: string, cookie?: string) {
  const res = await fetch(`${target.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const text = await res.text();
  return { res, text, document: parseHTML(text).document };
}

/** Runs the page's inline scripts with a recording `require` and `define`, returning every call. */
function onReadyCalls(document: Document): Array<{ module: string; args: unknown[] }> {
  const calls: Array<{ module: string; args: unknown[] }> = [];
  const context = {
    require: (module: string) => ({
      onReady: (...args: unknown[]) => calls.push({ module, args }),
      preload: () => {},
      initMenu: () => {},
    }),
    define: (module: string, value: unknown) => calls.push({ module, args: [value] }),
    window: {},
    document: { getElementById: () => null },
    navigator: {},
  };
  for (const script of document.querySelectorAll('script')) {
    const code = script.textContent ?? '';
    if (code.includes("require('bitbucket/") || code.includes('define(')) runInNewContext(code, context);
  }
  return calls;
}

describe('simulator pages: sign-in and sessions', () => {
  it('sends signed-out visitors of private pages to the login page and back afterwards', async () => {
    const { res } = await getPage(sim, '/projects/PROJ/repos/api/browse');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      `${sim.url}/login?next=${encodeURIComponent('/projects/PROJ/repos/api/browse')}`,
    );
    const login = await getPage(sim, '/login?next=%2Fprojects%2FPROJ');
    const form = login.document.querySelector('form[action="/j_atl_security_check"]');
    expect(form).not.toBeNull();
    for (const name of ['j_username', 'j_password', '_atl_remember_me', 'submit', 'next']) {
      expect(form?.querySelector(`[name="${name}"]`), name).not.toBeNull();
    }
    const res2 = await fetch(`${sim.url}/j_atl_security_check`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ j_username: 'alice', j_password: 'alice', next: '/projects/PROJ' }),
    });
    expect(res2.headers.get('location')).toBe(`${sim.url}/projects/PROJ`);
    expect(res2.headers.get('set-cookie')).toMatch(/^BITBUCKETSESSIONID=\w+; Path=\/; HttpOnly/);
  });

  it('refuses wrong passwords and inactive users, and never redirects off-site', async () => {
    const wrong = await fetch(`${sim.url}/j_atl_security_check`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ j_username: 'alice', j_password: 'nope' }),
    });
    expect(wrong.status).toBe(200);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('Your username and password are incorrect');
    const inactive = await fetch(`${sim.url}/j_atl_security_check`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ j_username: 'dave', j_password: 'dave' }),
    });
    expect(inactive.headers.get('set-cookie')).toBeNull();
    const offsite = await fetch(`${sim.url}/j_atl_security_check`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ j_username: 'alice', j_password: 'alice', next: '//evil.example/' }),
    });
    expect(offsite.headers.get('location')).toBe(`${sim.url}/dashboard`);
  });

  it('a session cookie opens pages and authenticates REST calls; logging out ends it', async () => {
    const cookie = await signIn(sim, 'alice');
    expect((await getPage(sim, '/')).res.headers.get('location')).toBe(`${sim.url}/dashboard`);
    const dashboard = await getPage(sim, '/dashboard', cookie);
    expect(dashboard.res.status).toBe(200);
    expect(dashboard.res.headers.get('x-ausername')).toBe('alice');
    expect(dashboard.document.querySelector('#dashboard-container .main-panel h2')).not.toBeNull();
    expect(
      dashboard.document.querySelectorAll('.reviewing-pull-requests tr.pull-request-row').length,
    ).toBeGreaterThan(0);
    const rest = await fetch(`${sim.url}/rest/api/1.0/projects/PROJ/repos/api`, { headers: { cookie } });
    expect(rest.status).toBe(200);
    expect(rest.headers.get('x-ausername')).toBe('alice');
    // Changes with a session need the XSRF header.
    const put = (headers: Record<string, string>) =>
      fetch(`${sim.url}/rest/access-tokens/1.0/users/alice`, {
        method: 'PUT',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'x', permissions: ['PROJECT_READ', 'REPO_READ'] }),
      });
    expect((await put({})).status).toBe(403);
    expect((await put({ 'x-atlassian-token': 'no-check' })).status).toBe(200);
    const out = await getPage(sim, '/j_atl_security_logout', cookie);
    expect(out.res.status).toBe(302);
    expect((await getPage(sim, '/dashboard', cookie)).res.status).toBe(302);
  });

  it('sends a Bearer token on a page path to the login page', async () => {
    const res = await fetch(`${sim.url}/projects/PROJ/repos/api/browse`, {
      redirect: 'manual',
      headers: { authorization: `Bearer ${SEED_TOKENS.aliceAdmin}` },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${sim.url}/login\\?`));
  });

  it('shows public repositories without signing in', async () => {
    for (const path of [
      '/projects/PUB/repos/toolkit/browse',
      '/users/alice/repos/scratch/browse',
      '/repos',
    ]) {
      const { res, document } = await getPage(sim, path);
      expect(res.status, path).toBe(200);
      expect(document.querySelector('#current-user')).toBeNull();
      expect(document.querySelector('#login-link')).not.toBeNull();
    }
  });
});

describe('simulator pages: repository page DOM', () => {
  it('has the anchors of a real repository page', async () => {
    const cookie = await signIn(sim, 'alice');
    const { res, document, text } = await getPage(sim, '/projects/PROJ/repos/api/browse', cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const root = document.documentElement;
    expect(root.getAttribute('lang')).toBe('en');
    expect(root.getAttribute('data-color-mode')).toBe('light');
    expect(root.getAttribute('data-theme')).toBe('light:light');
    expect(document.querySelector('meta[name="application-name"][content="Bitbucket"]')).not.toBeNull();
    expect(document.body.className).toBe('aui-page-sidebar bitbucket-theme');
    expect(document.querySelector('header[role="banner"]#header .bitbucket-header-logo')).not.toBeNull();
    const user = document.querySelector('#current-user.aui-avatar');
    expect(user?.getAttribute('data-username')).toBe('alice');
    expect(user?.getAttribute('data-emailaddress')).toBe('alice@example.com');
    const version = document.querySelector('#footer .footer-body #product-version');
    expect(version?.textContent).toBe(' v9.4.13');
    expect(version?.getAttribute('data-system-build-number')).toMatch(/^[0-9a-f]{7}$/);

    const content = document.querySelector('section#content[role="main"]');
    // Written in camel case like the real page (browsers lower-case attribute names; this parser doesn't).
    expect(content?.getAttribute('data-repoSlug')).toBe('api');
    expect(content?.getAttribute('data-projectKey')).toBe('PROJ');
    expect(content?.getAttribute('data-repoName')).toBe('api');
    expect(content?.getAttribute('data-projectName')).toBe('Platform');
    expect(text).toContain('data-repoSlug="api"');

    expect(document.querySelector('.aui-sidebar .aui-navgroup-vertical>.aui-navgroup-inner')).not.toBeNull();
    const clone = document.querySelector('.sidebar-actions li.clone-repo > a#clone-repo-button.aui-nav-item');
    expect(clone?.getAttribute('href')).toBe('#');
    expect(clone?.querySelector('span.aui-icon.icon-clone')).not.toBeNull();
    expect(clone?.querySelector('.aui-nav-item-label')?.textContent).toBe('Clone');
    expect(document.querySelector('.sidebar-actions li.create-branch a.aui-nav-item')).not.toBeNull();
    expect(document.querySelector('.sidebar-actions li.create-pull-request a')?.getAttribute('href')).toBe(
      '/projects/PROJ/repos/api/pull-requests?create',
    );
    const nav = ['files', 'commits', 'branches', 'pull-requests', 'forks'].map((n) =>
      document.querySelector(`#repository-nav-${n}`)?.getAttribute('href'),
    );
    expect(nav).toEqual([
      '/projects/PROJ/repos/api/browse',
      '/projects/PROJ/repos/api/commits',
      '/projects/PROJ/repos/api/branches',
      '/projects/PROJ/repos/api/pull-requests',
      '/projects/PROJ/repos/api/forks',
    ]);
    const selector = document.querySelector('#repository-layout-revision-selector');
    expect(selector?.getAttribute('title')).toBe('main');
    expect(selector?.querySelector('.name')?.getAttribute('data-id')).toBe('refs/heads/main');
    expect(document.querySelector('#branch-actions')).not.toBeNull();
    const files = [...document.querySelectorAll('#browse-table tr.file-row a')].map((a) => a.textContent);
    expect(files).toEqual(['src', 'README.md', 'package.json']);
    const dialog = document.querySelector('aui-inline-dialog#repo-clone-dialog');
    expect(dialog?.querySelector('#http-clone-url')?.getAttribute('data-clone-url')).toBe(
      `${sim.url}/scm/proj/api.git`,
    );
    expect(dialog?.querySelector('#ssh-clone-url')?.getAttribute('data-clone-url')).toBe(
      'ssh://git@127.0.0.1:7999/proj/api.git',
    );

    const calls = onReadyCalls(document);
    const base = calls.find((c) => c.module === 'bitbucket/internal/layout/base/base');
    expect(base?.args[0]).toMatchObject({
      name: 'alice',
      slug: 'alice',
      displayName: 'Alice Ångström',
      type: 'NORMAL',
    });
    expect(base?.args[1]).toBe('Example Bitbucket');
    const repository = calls.find((c) => c.module === 'bitbucket/internal/layout/repository/repository');
    const restRepo = await (
      await fetch(`${sim.url}/rest/api/1.0/projects/PROJ/repos/api`, { headers: { cookie } })
    ).json();
    expect(repository?.args).toEqual([restRepo, '#clone-repo-button']);
  });

  it('serves personal repositories under /users/ and the other repository tabs', async () => {
    const cookie = await signIn(sim, 'alice');
    const personal = await getPage(sim, '/users/alice/repos/dotfiles/browse', cookie);
    expect(personal.document.querySelector('#content')?.getAttribute('data-projectKey')).toBe('~ALICE');
    expect(personal.document.querySelector('#repository-nav-files')?.getAttribute('href')).toBe(
      '/users/alice/repos/dotfiles/browse',
    );
    const sameRepo = await getPage(sim, '/projects/~ALICE/repos/dotfiles/browse', cookie);
    expect(sameRepo.res.status).toBe(200);
    const file = await getPage(sim, '/projects/PROJ/repos/api/browse/src/server.ts', cookie);
    expect(file.document.querySelector('#file-content pre.source')?.textContent).toContain('port = 8080');
    const branch = await getPage(sim, '/projects/PROJ/repos/api/browse?at=refs%2Fheads%2Fdevelop', cookie);
    expect(branch.document.querySelector('#repository-layout-revision-selector')?.getAttribute('title')).toBe(
      'develop',
    );
    const prs = await getPage(sim, '/projects/PROJ/repos/api/pull-requests', cookie);
    expect(prs.document.querySelectorAll('#pull-requests-content tr.pull-request-row').length).toBe(3);
    const branches = await getPage(sim, '/projects/PROJ/repos/api/branches', cookie);
    expect(branches.document.querySelector('#branch-name-column')).not.toBeNull();
    const project = await getPage(sim, '/projects/PROJ', cookie);
    const names = [...project.document.querySelectorAll('#repositories-container .repository-name a')].map(
      (a) => a.textContent,
    );
    expect(names).toEqual(['api', 'empty', 'legacy-tools', 'Web App']);
    const hidden = await getPage(sim, '/projects/SEC/repos/vault/browse', cookie);
    expect(hidden.res.status).toBe(403);
    const missing = await getPage(sim, '/projects/PROJ/repos/nope/browse', cookie);
    expect(missing.res.status).toBe(404);
  });

  it('has a pull request page with its data in the initial-data module', async () => {
    const cookie = await signIn(sim, 'alice');
    expect(
      (await getPage(sim, '/projects/PROJ/repos/api/pull-requests/1', cookie)).res.headers.get('location'),
    ).toBe(`${sim.url}/projects/PROJ/repos/api/pull-requests/1/overview`);
    const { res, document } = await getPage(sim, '/projects/PROJ/repos/api/pull-requests/1/overview', cookie);
    expect(res.status).toBe(200);
    expect(document.querySelector('#content')?.getAttribute('data-repoSlug')).toBe('api');
    expect(
      document.querySelector(
        '#pull-requests-container > header.pull-request-header .pull-request-header-bar',
      ),
    ).not.toBeNull();
    expect(document.querySelector('h2.pull-request-title')?.textContent).toBe(
      'Add rate limiting to public endpoints',
    );
    expect([...document.querySelectorAll('.ref-lozenge-content')].map((e) => e.textContent)).toEqual([
      'feature/rate-limit',
      'main',
    ]);
    expect(document.querySelector('[data-testid="pull-request-author--image"]')).not.toBeNull();
    expect(document.querySelector('[data-testid="tab-OVERVIEW"].active-tab')).not.toBeNull();
    expect(document.querySelector('.merge-button')).not.toBeNull();
    const reviewers = [...document.querySelectorAll('.summary-panel li.reviewer')].map((li) => [
      li.getAttribute('data-username'),
      li.getAttribute('data-status'),
    ]);
    expect(reviewers).toEqual([
      ['alice', 'APPROVED'],
      ['chen', 'UNAPPROVED'],
    ]);
    const data = onReadyCalls(document).find((c) => c.module === '@bitbucket/apps/pull-requests/initial-data')
      ?.args[0] as {
      currentUser: { slug: string };
      repository: { slug: string };
      pullRequest: { id: number; reviewers: Array<{ user: { name: string }; status: string }> };
      userAttributes: { canWrite: boolean };
    };
    expect(data.currentUser.slug).toBe('alice');
    expect(data.repository.slug).toBe('api');
    expect(data.pullRequest.id).toBe(1);
    expect(data.pullRequest.reviewers.map((r) => r.user.name)).toEqual(['alice', 'chen']);
    expect(data.userAttributes.canWrite).toBe(true);
    const rest = await (
      await fetch(`${sim.url}/rest/api/1.0/projects/PROJ/repos/api/pull-requests/1`, { headers: { cookie } })
    ).json();
    expect(data.pullRequest).toEqual(rest);
    expect(
      (await getPage(sim, '/projects/PROJ/repos/api/pull-requests/99/overview', cookie)).res.status,
    ).toBe(404);
    const diff = await getPage(sim, '/projects/PROJ/repos/api/pull-requests/4/diff', cookie);
    expect(diff.document.querySelector('[data-testid="tab-DIFF"].active-tab')).not.toBeNull();
  });

  it('switches to dark from the user theme or ?atlThemeColorMode, and has no theme before 8.16', async () => {
    const bob = await signIn(sim, 'bob');
    const dark = await getPage(sim, '/dashboard', bob);
    expect(dark.document.documentElement.getAttribute('data-color-mode')).toBe('dark');
    expect(dark.document.documentElement.getAttribute('data-theme')).toBe('dark:dark');
    const alice = await signIn(sim, 'alice');
    const asked = await getPage(sim, '/dashboard?atlThemeColorMode=dark', alice);
    expect(asked.document.documentElement.getAttribute('data-color-mode')).toBe('dark');
    const old = await startSimulator({ version: '8.15.0' });
    try {
      const page = await getPage(old, '/login');
      expect(page.document.documentElement.hasAttribute('data-color-mode')).toBe(false);
      expect(page.document.querySelector('#product-version')?.textContent).toBe(' v8.15.0');
    } finally {
      await old.close();
    }
  });
});

describe('simulator pages: clone links, layout switches, in-page navigation', () => {
  const repositoryData = (document: Document) =>
    onReadyCalls(document).find((c) => c.module === 'bitbucket/internal/layout/repository/repository')
      ?.args[0] as { links: { clone?: Array<{ href: string; name: string }> } } | undefined;

  it('carries the repository JSON exactly as REST answers the signed-in user, whatever shape its clone links have', async () => {
    const cookie = await signIn(sim, 'alice');
    for (const slug of ['ci-pipelines', 'deploy-keys', 'docs-site', 'terraform-modules', 'vendor-mirror']) {
      const page = await getPage(sim, `/projects/INT/repos/${slug}/browse`, cookie);
      const rest = await (
        await fetch(`${sim.url}/rest/api/1.0/projects/INT/repos/${slug}`, { headers: { cookie } })
      ).json();
      expect(repositoryData(page.document), slug).toEqual(rest);
      // The clone dialog offers the protocols the repository has, and nothing when it has none.
      const protocols = [...page.document.querySelectorAll('#repo-clone-dialog .repository-protocol')].map(
        (b) => b.textContent,
      );
      const names = ((rest as { links: { clone?: Array<{ name: string }> } }).links.clone ?? []).map((l) =>
        l.name.toUpperCase(),
      );
      expect(protocols, slug).toEqual(names);
    }
    const ci = repositoryData(
      (await getPage(sim, '/projects/INT/repos/ci-pipelines/browse', cookie)).document,
    );
    expect(ci?.links.clone?.find((l) => l.name === 'http')?.href).toBe(
      `${sim.origin.replace('//', '//alice@')}/scm/int/ci-pipelines.git`,
    );
    const off = await getPage(sim, '/projects/INT/repos/vendor-mirror/browse', cookie);
    expect(repositoryData(off.document)?.links.clone).toBeUndefined();
    expect(off.document.querySelector('#repo-clone-dialog')?.textContent).toContain('Cloning is disabled');
  });

  it('leaves out the Clone button or the repository script on request (?simLayout=)', async () => {
    const cookie = await signIn(sim, 'alice');
    const noButton = await getPage(sim, '/projects/PROJ/repos/api/browse?simLayout=no-clone-button', cookie);
    expect(noButton.document.querySelector('#clone-repo-button')).toBeNull();
    expect(noButton.document.querySelector('#repo-clone-dialog')).toBeNull();
    expect(noButton.document.querySelector('.sidebar-actions li.create-branch')).not.toBeNull();
    expect(repositoryData(noButton.document)).toBeDefined();
    const neither = await getPage(
      sim,
      '/users/alice/repos/dotfiles/browse?simLayout=no-clone-button,no-repository-script',
      cookie,
    );
    expect(neither.document.querySelector('#clone-repo-button')).toBeNull();
    expect(repositoryData(neither.document)).toBeUndefined();
    expect(neither.document.querySelector('#content')?.getAttribute('data-repoSlug')).toBe('dotfiles');
    const pr = await getPage(
      sim,
      '/projects/PROJ/repos/api/pull-requests/1/overview?simLayout=no-clone-button',
      cookie,
    );
    expect(pr.document.querySelector('#clone-repo-button')).toBeNull();
  });

  it('marks the file tree, breadcrumbs and branch list for in-page navigation, handled by one page script', async () => {
    const cookie = await signIn(sim, 'alice');
    const page = await getPage(sim, '/projects/PROJ/repos/api/browse/src', cookie);
    const inPage = (selector: string) =>
      [...page.document.querySelectorAll(selector)].every((a) => a.hasAttribute('data-sim-in-page'));
    expect(page.document.querySelectorAll('#browse-table a').length).toBeGreaterThan(0);
    expect(inPage('#browse-table a')).toBe(true);
    expect(inPage('.breadcrumbs a')).toBe(true);
    expect(inPage('#inline-dialog-repository-layout-revision-selector-dialog a')).toBe(true);
    const scripts = [...page.document.querySelectorAll('script')].map((s) => s.textContent ?? '');
    expect(scripts.filter((code) => code.includes('history.pushState'))).toHaveLength(1);
  });
});

describe('simulator pages: escaping', () => {
  it('renders HTML-looking names as text, in markup and in inline scripts', async () => {
    const bob = await signIn(sim, 'bob');
    const page = await getPage(sim, '/projects/PROJ/repos/api/browse', bob);
    expect(page.text).not.toContain("<b>O'Brien</b>");
    expect(page.document.querySelector('.user-dropdown-trigger')?.getAttribute('title')).toBe(
      "Logged in as Bob <b>O'Brien</b> & Co (bob)",
    );
    expect(page.document.querySelector('#header b')).toBeNull();

    const eve = await signIn(sim, 'eve');
    const evePage = await getPage(sim, '/projects/XSS/repos/sandbox/browse', eve);
    expect(evePage.res.status).toBe(200);
    expect(evePage.document.querySelector('img[src="x"]')).toBeNull();
    expect(evePage.document.querySelectorAll('script').length).toBe(
      (evePage.text.match(/<script/g) ?? []).length,
    );
    // Data in inline scripts can't close the element or open a tag: no "<" at all.
    for (const script of evePage.document.querySelectorAll('script')) {
      expect(script.textContent).not.toContain('<');
    }
    const calls = onReadyCalls(evePage.document);
    expect(calls.find((c) => c.module.endsWith('base/base'))?.args[0]).toMatchObject({
      displayName: 'Eve "</script><img src=x onerror=alert(1)>',
    });
    const repo = calls.find((c) => c.module.endsWith('repository/repository'))?.args[0] as {
      description: string;
      project: { name: string };
    };
    expect(repo.description).toContain('<script>alert("repository description")</script>');
    expect(repo.project.name).toContain('<img src=x');
    expect(evePage.document.querySelector('.repository-description')?.textContent).toContain('<script>');
    expect(evePage.document.querySelector('#content')?.getAttribute('data-projectName')).toBe(
      '<img src=x onerror=alert("project")> Tools & "Things"',
    );
    const pr = await getPage(sim, '/projects/PROJ/repos/api/pull-requests/2/overview', eve);
    expect(pr.document.querySelector('h2.pull-request-title')?.textContent).toBe(
      'Fix login redirect <script>alert("pr")</script>',
    );
    for (const script of pr.document.querySelectorAll('script'))
      expect(script.textContent).not.toContain('<');
    const branch = await getPage(sim, '/projects/XSS/repos/sandbox/branches', eve);
    expect(branch.document.querySelector('#branch-list b')).toBeNull();
    expect(branch.text).toContain('feature/&lt;b&gt;bold&lt;/b&gt;');
  });
});

describe('simulator pages: HTTP access token page', () => {
  it('creates a token with a plain form post, shows it once, and it works on /rest', async () => {
    const cookie = await signIn(sim, 'alice');
    const manage = await getPage(sim, '/plugins/servlet/access-tokens/manage', cookie);
    expect(manage.res.status).toBe(302);
    expect(manage.res.headers.get('location')).toBe(
      `${sim.url}/plugins/servlet/access-tokens/users/alice/manage`,
    );
    const form = await getPage(
      sim,
      '/plugins/servlet/access-tokens/users/alice/manage?name=Companion&permissions=PROJECT_READ,REPO_WRITE',
      cookie,
    );
    expect(form.document.querySelector('#token-name')?.getAttribute('value')).toBe('Companion');
    expect(
      form.document.querySelector('#repository-permission option[selected]')?.getAttribute('value'),
    ).toBe('REPO_WRITE');
    expect(form.document.querySelectorAll('#access-tokens-table tr.access-token-row').length).toBeGreaterThan(
      0,
    );
    const atlToken =
      form.document.querySelector('#create-token-form input[name="atl_token"]')?.getAttribute('value') ?? '';
    const post = (fields: Record<string, string>) =>
      fetch(`${sim.url}/plugins/servlet/access-tokens/users/alice/manage`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      });
    const fields = {
      atl_token: atlToken,
      action: 'create',
      name: 'Companion',
      projectPermission: 'PROJECT_READ',
      repositoryPermission: 'REPO_WRITE',
      expiryDays: '30',
    };
    expect((await post({ ...fields, atl_token: 'forged' })).status).toBe(403);
    const invalid = await post({ ...fields, projectPermission: 'PROJECT_ADMIN' });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('at least as high');
    const created = await post(fields);
    expect(created.status).toBe(302);

    const shown = await getPage(sim, '/plugins/servlet/access-tokens/users/alice/manage', cookie);
    const token = shown.document.querySelector('#token-value')?.textContent ?? '';
    expect(token).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
    expect(shown.document.querySelector('#copy-token-button')).not.toBeNull();
    const again = await getPage(sim, '/plugins/servlet/access-tokens/users/alice/manage', cookie);
    expect(again.document.querySelector('#token-value')).toBeNull();
    expect(again.text).not.toContain(token);

    const rest = await fetch(`${sim.url}/rest/api/1.0/repos?permission=REPO_WRITE`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(rest.headers.get('x-ausername')).toBe('alice');
    expect(((await rest.json()) as { values: unknown[] }).values.length).toBeGreaterThan(0);
    const admin = await fetch(`${sim.url}/rest/api/1.0/repos?permission=REPO_ADMIN`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await admin.json()) as { values: unknown[] }).values).toEqual([]);

    const row = [...again.document.querySelectorAll('#access-tokens-table tr.access-token-row')].find(
      (r) => r.querySelector('.token-name')?.textContent === 'Companion',
    );
    const tokenId = row?.getAttribute('data-token-id') ?? '';
    expect((await post({ atl_token: atlToken, action: 'revoke', tokenId })).status).toBe(302);
    const revoked = await fetch(`${sim.url}/rest/api/1.0/repos`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(revoked.status).toBe(401);
  });

  it("does not show another user's tokens", async () => {
    const bob = await signIn(sim, 'bob');
    expect((await getPage(sim, '/plugins/servlet/access-tokens/users/alice/manage', bob)).res.status).toBe(
      403,
    );
    expect((await getPage(sim, '/plugins/servlet/access-tokens/users/alice/manage')).res.status).toBe(302);
  });
});

describe('simulator pages: context path', () => {
  it('keeps every link, form, redirect and cookie under the context path', async () => {
    const login = await getPage(ctxSim, '/login');
    expect(login.document.querySelector('#j_atl_security_check')?.getAttribute('action')).toBe(
      '/bitbucket/j_atl_security_check',
    );
    const res = await fetch(`${ctxSim.url}/j_atl_security_check`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ j_username: 'alice', j_password: 'alice' }),
    });
    expect(res.headers.get('location')).toBe(`${ctxSim.origin}/bitbucket/dashboard`);
    expect(res.headers.get('set-cookie')).toContain('Path=/bitbucket;');
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    for (const path of [
      '/dashboard',
      '/projects/PROJ',
      '/projects/PROJ/repos/api/browse',
      '/users/alice/repos/dotfiles/browse',
    ]) {
      const page = await getPage(ctxSim, path, cookie);
      expect(page.res.status, path).toBe(200);
      const hrefs = [...page.document.querySelectorAll('a[href], form[action], link[href]')].map(
        (e) => e.getAttribute('href') ?? e.getAttribute('action') ?? '',
      );
      for (const href of hrefs) {
        if (href.startsWith('#') || href.startsWith('sourcetree:')) continue;
        expect(
          href.startsWith('/bitbucket/') || href.startsWith(`${ctxSim.origin}/bitbucket`),
          `${path}: ${href}`,
        ).toBe(true);
      }
      expect(page.text).toContain('"\\u0022/bitbucket\\u0022"');
    }
    const repoPage = await getPage(ctxSim, '/projects/PROJ/repos/api/browse', cookie);
    expect(repoPage.document.querySelector('.ref-selector-more-actions > button')).not.toBeNull();
    expect(repoPage.document.querySelector('#branch-actions')).toBeNull();
    expect((await getPage(ctxSim, '', cookie)).res.headers.get('location')).toBe(
      `${ctxSim.origin}/bitbucket/dashboard`,
    );
    const bearer = await fetch(`${ctxSim.url}/dashboard`, {
      redirect: 'manual',
      headers: { authorization: `Bearer ${SEED_TOKENS.aliceRead}` },
    });
    expect(bearer.headers.get('location')).toMatch(new RegExp(`^${ctxSim.origin}/bitbucket/login\\?next=`));
  });
});
