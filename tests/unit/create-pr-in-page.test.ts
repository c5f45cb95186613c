/**
 * The in-page "Create pull request": which branch a page shows (the simulator's pages, with
 * context path, and markup variants), where the buttons go and what a click asks for, and the
 * background's side — the form's window opened only for the sender's own server's profile.
 */
import { readFileSync } from 'node:fs';
import { parseHTML } from 'linkedom';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { readFormQuery } from '../../entrypoints/new-pull-request/FormWindow';
import { UserFacingError } from '../../lib/background/router';
import { CompanionDb, type ProfileRecord } from '../../lib/db/schema';
import {
  createFormWindowHandlers,
  NOT_CONNECTED,
  OTHER_SERVER,
} from '../../lib/features/pull-requests/form-window';
import {
  buttonTitle,
  CREATE_PR_HOST,
  type CreatePrTarget,
} from '../../lib/features/pull-requests/in-page/create-pr-button';
import {
  keepCreatePrButtons,
  repositoryView,
} from '../../lib/features/pull-requests/in-page/keep-create-pr-button';
import { branchFromRef, readShownBranch } from '../../lib/features/pull-requests/in-page/page-branch';
import { type Simulator, startSimulator } from '../../simulator/index';

describe('the branch a ref names', () => {
  it('takes branches, qualified or bare, and refuses tags, commits and other refs', () => {
    expect(branchFromRef('refs/heads/feature/x')).toEqual({
      ref: 'refs/heads/feature/x',
      displayId: 'feature/x',
    });
    expect(branchFromRef('develop')).toEqual({ ref: 'refs/heads/develop', displayId: 'develop' });
    expect(branchFromRef('refs/tags/v1.0')).toBeNull();
    expect(branchFromRef('refs/pull-requests/3/from')).toBeNull();
    expect(branchFromRef('0a1b2c3d4e5f60718293a4b5c6d7e8f901234567')).toBeNull();
    expect(branchFromRef('refs/heads/')).toBeNull();
    expect(branchFromRef('')).toBeNull();
  });
});

describe('the repository view a path is', () => {
  it('tells source and commits pages, the branch list and the rest apart, with a context path', () => {
    expect(repositoryView('/projects/PROJ/repos/api/browse')).toBe('shown-branch');
    expect(repositoryView('/projects/PROJ/repos/api/browse/src/server.ts')).toBe('shown-branch');
    expect(repositoryView('/users/bob/repos/api')).toBe('shown-branch');
    expect(repositoryView('/projects/PROJ/repos/api/commits')).toBe('shown-branch');
    expect(repositoryView('/projects/PROJ/repos/api/branches/')).toBe('branch-list');
    expect(repositoryView('/projects/PROJ/repos/api/commits/0a1b2c3')).toBe('other');
    expect(repositoryView('/projects/PROJ/repos/api/pull-requests/3/overview')).toBe('other');
    expect(repositoryView('/projects/PROJ/repos/api/settings')).toBe('other');
    expect(repositoryView('/projects/PROJ')).toBe('other');
  });
});

function page(body: string, scripts = '') {
  return parseHTML(
    `<!doctype html><html><head><meta name="application-name" content="Bitbucket"></head><body>${body}${scripts}</body></html>`,
  ).document as unknown as Document;
}

describe('the branch a page shows', () => {
  it('reads the 8.x selector by its title when its name carries no data-id, else the URL', () => {
    const titled = page(
      '<div class="branch-selector-toolbar"><div class="aui-buttons"><button id="repository-layout-revision-selector" title="main"><span>main</span></button></div></div>',
    );
    expect(readShownBranch(titled, '')).toEqual({
      ref: 'refs/heads/main',
      displayId: 'main',
      isDefault: true,
    });
    expect(readShownBranch(titled, '?at=refs%2Fheads%2Fdevelop')).toEqual({
      ref: 'refs/heads/develop',
      displayId: 'develop',
    });
    expect(readShownBranch(page('<p>no selector</p>'), '?until=refs%2Fheads%2Fhotfix')).toEqual({
      ref: 'refs/heads/hotfix',
      displayId: 'hotfix',
    });
    expect(readShownBranch(page('<p>no selector</p>'), '?at=refs%2Ftags%2Fv1')).toBeNull();
    expect(readShownBranch(page('<p>no selector</p>'), '')).toBeUndefined();
  });
});

describe('on the simulator’s pages (context path /bitbucket)', () => {
  let sim: Simulator;
  let cookie: string;
  let chenCookie: string;
  const opened: CreatePrTarget[] = [];
  const keepers: Array<{ stop(): void }> = [];

  const visit = async (path: string, as = cookie) => {
    const answer = await fetch(`${sim.url}${path}`, { headers: { cookie: as } });
    expect(answer.status).toBe(200);
    const { document } = parseHTML(await answer.text());
    const url = new URL(`${sim.url}${path}`);
    const doc = document as unknown as Document;
    const keeper = keepCreatePrButtons(
      doc,
      {
        open: async (target) => {
          opened.push(target);
        },
        trustedOnly: false,
      },
      () => ({ href: url.href, origin: url.origin, pathname: url.pathname, search: url.search }),
    );
    keepers.push(keeper);
    return { doc, keeper };
  };

  beforeAll(async () => {
    sim = await startSimulator({ strict: true, contextPath: '/bitbucket' });
    const signIn = async (user: string) => {
      const login = await fetch(`${sim.url}/j_atl_security_check`, {
        method: 'POST',
        body: new URLSearchParams({ j_username: user, j_password: user, submit: 'Log in' }),
        redirect: 'manual',
      });
      return login.headers.get('set-cookie')?.split(';')[0] ?? '';
    };
    cookie = await signIn('alice');
    chenCookie = await signIn('chen');
  });
  afterEach(() => {
    for (const keeper of keepers.splice(0)) keeper.stop();
    opened.length = 0;
  });
  afterAll(async () => {
    await sim.close();
    expect(sim.violations).toEqual([]);
  });

  it('offers nothing on the default branch of a repository that is not a fork', async () => {
    const { doc, keeper } = await visit('/projects/PROJ/repos/api/browse');
    expect(doc.querySelector('#repository-layout-revision-selector')).not.toBeNull();
    expect(keeper.buttons).toEqual([]);
    expect(doc.querySelectorAll(`[${CREATE_PR_HOST}]`)).toHaveLength(0);
  });

  it('puts one button beside the selector for the branch shown, and a click asks for that branch', async () => {
    const { doc, keeper } = await visit(
      '/projects/PROJ/repos/api/commits?at=refs%2Fheads%2Ffeature%2Frate-limit',
    );
    expect(keeper.buttons).toHaveLength(1);
    const [button] = keeper.buttons;
    expect(button?.placement).toBe('toolbar');
    expect(button?.host.parentElement?.matches('.branch-selector-toolbar .aui-buttons')).toBe(true);
    const control = button?.host.shadowRoot?.querySelector('button');
    expect(control?.textContent).toBe('Create pull request');
    expect(control?.getAttribute('title')).toBe(buttonTitle('feature/rate-limit'));
    control?.dispatchEvent(new (doc.defaultView as unknown as typeof globalThis).Event('click'));
    await Promise.resolve();
    expect(opened).toEqual([
      {
        baseUrl: sim.url,
        projectKey: 'PROJ',
        slug: 'api',
        sourceBranch: 'feature/rate-limit',
      },
    ]);
    // A second check finds it in place and changes nothing.
    keeper.check();
    expect(keeper.buttons[0]).toBe(button);
    expect(doc.querySelectorAll(`[${CREATE_PR_HOST}]`)).toHaveLength(1);
  });

  it('offers a fork’s default branch (into its origin)', async () => {
    const { keeper } = await visit('/users/bob/repos/api/browse', chenCookie);
    expect(keeper.buttons.map((b) => [b.placement, b.target.projectKey, b.target.sourceBranch])).toEqual([
      ['toolbar', '~BOB', 'main'],
    ]);
  });

  it('gives every branch row but the default one a button for its own branch', async () => {
    const { doc, keeper } = await visit('/projects/PROJ/repos/api/branches');
    const rows = [...doc.querySelectorAll('#branch-list tbody tr')];
    expect(rows.length).toBeGreaterThan(2);
    const sources = keeper.buttons.map((b) => b.target.sourceBranch);
    expect(sources).toHaveLength(rows.length - 1);
    expect(sources).not.toContain('main');
    expect(sources).toEqual(expect.arrayContaining(['develop', 'feature/rate-limit', 'release/1.0']));
    for (const button of keeper.buttons) {
      expect(button.placement).toBe('row');
      expect(button.host.parentElement?.matches('td.branch-actions-column')).toBe(true);
    }
  });

  it('floats when the page has no selector (branch from the URL) or no branch table', async () => {
    const shown = await visit(
      '/projects/PROJ/repos/api/browse?at=refs%2Fheads%2Fdevelop&simLayout=no-branch-selector',
    );
    expect(shown.keeper.buttons.map((b) => [b.placement, b.target.sourceBranch])).toEqual([
      ['floating', 'develop'],
    ]);
    expect(shown.keeper.buttons[0]?.host.parentElement).toBe(shown.doc.body);
    const list = await visit('/projects/PROJ/repos/api/branches?simLayout=no-branch-selector');
    expect(list.keeper.buttons.map((b) => [b.placement, b.target.sourceBranch])).toEqual([
      ['floating', undefined],
    ]);
  });

  it('the branch list’s filter narrows the rows, and the buttons with them', async () => {
    const { doc, keeper } = await visit('/projects/PROJ/repos/api/branches?filterText=feature');
    expect(
      [...doc.querySelectorAll('#branch-list tbody tr .branch-name-column a')].map((a) => a.textContent),
    ).toEqual(['feature/rate-limit']);
    expect(keeper.buttons.map((b) => b.target.sourceBranch)).toEqual(['feature/rate-limit']);
  });

  it('floats above a floating "Open in…" rather than on it', async () => {
    const { doc, keeper } = await visit(
      '/projects/PROJ/repos/api/browse?at=refs%2Fheads%2Fdevelop&simLayout=no-branch-selector,no-clone-button',
    );
    expect(keeper.buttons[0]?.host.dataset.stack).toBeUndefined();
    const openIn = doc.createElement('div');
    openIn.setAttribute('data-bsc-controls', '');
    openIn.dataset.placement = 'floating';
    doc.body.append(openIn);
    keeper.check();
    expect(keeper.buttons[0]?.host.dataset.stack).toBe('above');
  });

  it('shows nothing on a pull request page', async () => {
    const { keeper } = await visit('/projects/PROJ/repos/api/pull-requests/1/overview');
    expect(keeper.buttons).toEqual([]);
  });
});

describe('opening the form’s window', () => {
  const CONNECTED = 'https://git.example.com';
  const profile = (id: string, baseUrl: string, lastUsedAt: number): ProfileRecord => ({
    id,
    label: id,
    baseUrl,
    origin: new URL(baseUrl).origin,
    user: { id: 1, name: 'alice', slug: 'alice', displayName: 'Alice' },
    server: { version: '9.4.13', displayName: 'Example', support: 'supported' },
    access: { repoRead: true, repoWrite: true, repoAdmin: false, projectAdmin: false },
    token: null,
    createdAt: 1,
    verifiedAt: 1,
    lastUsedAt,
  });
  let db: CompanionDb;
  let windows: string[];
  let handle: ReturnType<typeof createFormWindowHandlers>['pull-requests.form.open'];
  const fromPage = { from: 'content-script' as const, origin: CONNECTED, tabId: 3 };
  const request = (baseUrl: string, sourceBranch?: string) => ({
    type: 'pull-requests.form.open' as const,
    baseUrl,
    projectKey: 'PROJ',
    slug: 'api',
    ...(sourceBranch ? { sourceBranch } : {}),
  });

  beforeEach(async () => {
    fakeBrowser.reset();
    db = new CompanionDb(`form-window-${Math.random()}`);
    await db.profiles.bulkPut([
      profile('root', `${CONNECTED}`, 5),
      profile('ctx', `${CONNECTED}/bitbucket`, 1),
      profile('other', 'https://other.example.com', 9),
    ]);
    windows = [];
    handle = createFormWindowHandlers(db, {
      openWindow: async (url) => {
        windows.push(url);
      },
      focusOpen: async (url) => windows.includes(url),
    })['pull-requests.form.open'];
  });
  afterEach(async () => {
    await db.delete();
  });

  const queryOf = (url: string) => readFormQuery(new URL(url).search);

  it('uses the profile of the page’s server and context path, with the repository and branch', async () => {
    await handle(request(`${CONNECTED}/bitbucket`, 'feature/x'), fromPage);
    await handle(request(`${CONNECTED}/`), fromPage);
    expect(windows.map((url) => new URL(url).pathname)).toEqual([
      '/new-pull-request.html',
      '/new-pull-request.html',
    ]);
    expect(windows.map(queryOf)).toEqual([
      { profileId: 'ctx', projectKey: 'PROJ', slug: 'api', sourceBranch: 'feature/x' },
      { profileId: 'root', projectKey: 'PROJ', slug: 'api' },
    ]);
  });

  it('brings the window already showing the same form to the front instead of a second one', async () => {
    await handle(request(`${CONNECTED}/bitbucket`, 'feature/x'), fromPage);
    await handle(request(`${CONNECTED}/bitbucket`, 'feature/x'), fromPage);
    await handle(request(`${CONNECTED}/bitbucket`, 'feature/y'), fromPage);
    expect(windows.map(queryOf).map((q) => q?.sourceBranch)).toEqual(['feature/x', 'feature/y']);
  });

  it('refuses a page naming another server, and says when its server has no profile', async () => {
    await expect(handle(request('https://other.example.com', 'x'), fromPage)).rejects.toThrow(OTHER_SERVER);
    await expect(handle(request('javascript:alert(1)'), fromPage)).rejects.toThrow(OTHER_SERVER);
    const unconnected = { ...fromPage, origin: 'https://new.example.com' };
    await expect(handle(request('https://new.example.com'), unconnected)).rejects.toThrow(NOT_CONNECTED);
    // A page can't pick a profile of its own choosing: the sender's origin decides.
    await handle({ ...request(`${CONNECTED}/bitbucket`), profileId: 'other' }, fromPage);
    expect(windows.map(queryOf).map((q) => q?.profileId)).toEqual(['ctx']);
  });

  it('from an extension page takes the profile it names, and asks for one otherwise', async () => {
    await handle({ ...request('https://other.example.com'), profileId: 'other' }, { from: 'extension-page' });
    expect(queryOf(windows[0] ?? '')?.profileId).toBe('other');
    await expect(handle(request(CONNECTED), { from: 'extension-page' })).rejects.toBeInstanceOf(
      UserFacingError,
    );
  });

  it('the window’s page refuses a link without a repository', () => {
    expect(readFormQuery('?profile=p&project=PROJ')).toBeNull();
    expect(readFormQuery('?profile=p&project=PROJ&repo=api&branch=%20')).toEqual({
      profileId: 'p',
      projectKey: 'PROJ',
      slug: 'api',
    });
  });
});

describe('the button’s styles', () => {
  /** The `--bsc-*` custom properties of the first rule for `selector`, whitespace folded. */
  const tokens = (css: string, selector: string) => {
    const start = css.indexOf(`${selector} {`);
    const body = css.slice(start, css.indexOf('\n}', start));
    return new Map(
      [...body.matchAll(/(--bsc-[a-z-]+):\s*([^;]+);/g)].map((m) => [
        m[1]!,
        m[2]!.replace(/\s+/g, ' ').trim(),
      ]),
    );
  };
  // What its shadow root holds: the shared host.css, then the button's own (shadow-host.ts).
  const css = [
    readFileSync('lib/ui/in-page/host.css', 'utf8'),
    readFileSync('lib/features/pull-requests/in-page/create-pr-button.css', 'utf8'),
  ].join('\n');
  const theme = tokens(readFileSync('lib/ui/theme.css', 'utf8'), ':root');
  const own = tokens(css, ':host');

  it('use the extension’s colours, each for light and dark, and follow the page’s scheme', () => {
    expect(own.size).toBeGreaterThan(10);
    for (const [name, value] of own) {
      if (theme.has(name)) expect(value, name).toBe(theme.get(name));
      if (/#|rgba?\(/.test(value) && name !== '--bsc-focus') expect(value, name).toMatch(/^light-dark\(/);
    }
    expect(css).toContain(':host([data-color-mode="dark"]) {\n  color-scheme: dark;');
  });
});
