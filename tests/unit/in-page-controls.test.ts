import { parseHTML } from 'linkedom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { GIT_CLIENTS } from '../../lib/features/clone/clients';
import { type ControlsDeps, mountControls } from '../../lib/features/clone/in-page/controls';
import { keepControlsMounted } from '../../lib/features/clone/in-page/keep-mounted';
import type { PageRepository } from '../../lib/features/clone/in-page/repository-data';
import type { RemotesAnswer } from '../../lib/features/clone/messages';
import { type CloneSettings, DEFAULT_CLONE_SETTINGS } from '../../lib/features/clone/settings';

/** A repository page with the sidebar's actions list, as 7.6 has it. */
const SIDEBAR = `<div class="aui-sidebar"><div class="sidebar-actions"><ul class="aui-nav"><li class=" clone-repo"><a href="#" id="clone-repo-button">Clone</a></li><li class=" create-branch"><a href="#">Create branch</a></li></ul></div></div>`;

function setUp(body = SIDEBAR, htmlAttributes = '') {
  const { document, window } = parseHTML(
    `<!doctype html><html${htmlAttributes}><head><meta name="application-name" content="Bitbucket"></head><body>${body}</body></html>`,
  );
  // linkedom tracks no focus: keep the last focused element on its root, as browsers do.
  let focused: Element | null = null;
  const proto = window.HTMLElement.prototype as unknown as { focus(): void };
  proto.focus = function (this: Element) {
    focused = this;
  };
  const activeOf = (root: unknown) =>
    Object.defineProperty(root, 'activeElement', { get: () => focused, configurable: true });
  const attach = window.HTMLElement.prototype.attachShadow;
  window.HTMLElement.prototype.attachShadow = function (init: ShadowRootInit) {
    return activeOf(attach.call(this, init)) as ShadowRoot;
  };
  return { document: document as unknown as Document, window, focused: () => focused };
}

const REPO: PageRepository = {
  id: 7,
  projectKey: 'PROJ',
  slug: 'api',
  name: 'api',
  baseUrl: 'https://git.example.com',
  links: {
    http: 'https://git.example.com/scm/proj/api.git',
    ssh: 'ssh://git@git.example.com:7999/proj/api.git',
  },
  cloneAccess: 'listed',
  source: 'page-data',
};

const ANSWER: RemotesAnswer = {
  repository: { name: 'origin', label: 'PROJ/api', http: REPO.links.http!, ssh: REPO.links.ssh! },
  origin: {
    name: 'upstream',
    label: 'CORE/api (upstream)',
    http: 'https://git.example.com/scm/core/api.git',
  },
  forks: [
    {
      name: 'bob',
      label: '~BOB/api',
      http: 'https://git.example.com/scm/~bob/api.git',
      ssh: 'ssh://git@git.example.com:7999/~bob/api.git',
    },
    { name: 'team', label: 'TEAM/api', ssh: 'ssh://git@git.example.com:7999/team/api.git' },
    { name: '-x', label: 'EVIL/api', http: 'https://git.example.com/scm/evil/api.git' },
  ],
};

function fakeDeps(settings: Partial<CloneSettings> = {}, answer: RemotesAnswer | Error = ANSWER) {
  let current: CloneSettings = { ...DEFAULT_CLONE_SETTINGS, ...settings };
  const listeners = new Set<() => void>();
  const deps = {
    readSettings: vi.fn(async () => current),
    watchSettings: vi.fn((onChange: () => void) => {
      listeners.add(onChange);
      return () => listeners.delete(onChange);
    }),
    remotes: vi.fn(async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    }),
    used: vi.fn(),
    launch: vi.fn(),
    copy: vi.fn(async () => true),
    trustedOnly: false,
  } satisfies ControlsDeps;
  return {
    deps,
    change(next: Partial<CloneSettings>) {
      current = { ...current, ...next };
      for (const listener of listeners) listener();
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function click(window: { Event: typeof Event }, element: Element) {
  element.dispatchEvent(new window.Event('click', { bubbles: true }));
}
function key(window: { Event: typeof Event }, element: Element, name: string) {
  const event = new window.Event('keydown', { bubbles: true, cancelable: true });
  Object.assign(event, { key: name });
  element.dispatchEvent(event);
}

function parts(host: Element) {
  const shadow = host.querySelector('bsc-companion-controls')?.shadowRoot ?? host.shadowRoot!;
  const q = (selector: string) => shadow.querySelector(selector) as HTMLElement;
  return {
    shadow,
    main: q('.bsc-main'),
    toggle: q('.bsc-toggle'),
    remotes: q('.bsc-remotes'),
    status: q('[role="status"]'),
    menu: (label: string) =>
      shadow.querySelector(`[role="menu"][aria-label="${label}"]`) as HTMLElement | null,
    items: (label: string) =>
      [
        ...(shadow
          .querySelector(`[role="menu"][aria-label="${label}"]`)
          ?.querySelectorAll('[role="menuitem"]') ?? []),
      ] as HTMLElement[],
  };
}

const text = (el: Element) => el.textContent ?? '';

describe('the controls beside Clone', () => {
  let env: ReturnType<typeof setUp>;
  beforeEach(() => {
    env = setUp();
  });

  it('sit in the actions list right after Clone, as one item, with no menu built yet', async () => {
    const { deps } = fakeDeps();
    const anchor = env.document.querySelector('#clone-repo-button');
    const controls = mountControls(env.document, REPO, anchor, deps);
    expect(controls.placement).toBe('sidebar');
    expect(controls.host.tagName).toBe('LI');
    expect(env.document.querySelector('li.clone-repo')?.nextElementSibling).toBe(controls.host);
    const p = parts(controls.host);
    expect(p.main).not.toBeNull();
    expect(p.toggle.getAttribute('aria-haspopup')).toBe('menu');
    expect(p.toggle.getAttribute('aria-expanded')).toBe('false');
    expect(p.shadow.querySelector('[role="menu"]')).toBeNull();
    await settle();
    expect(text(p.main)).toBe('Open in VS Code');
    expect(p.main.getAttribute('title')).toContain('(HTTPS)');
  });

  it('launch the default client with one click on the main part, and tell the background it was used', async () => {
    const { deps, change } = fakeDeps();
    const p = parts(
      mountControls(env.document, REPO, env.document.querySelector('#clone-repo-button'), deps).host,
    );
    await settle();
    click(env.window, p.main);
    expect(deps.launch).toHaveBeenCalledWith(
      `vscode://vscode.git/clone?url=${encodeURIComponent('https://git.example.com/scm/proj/api.git')}`,
    );
    expect(deps.used).toHaveBeenCalledWith(7);
    expect(text(p.status)).toBe('Opening VS Code…');

    change({ protocol: 'ssh', client: 'intellij-idea' });
    await settle();
    expect(text(p.main)).toBe('Open in IntelliJ IDEA');
    click(env.window, p.main);
    expect(deps.launch).toHaveBeenLastCalledWith(
      `jetbrains://idea/checkout/git?checkout.repo=${encodeURIComponent('ssh://git@git.example.com:7999/proj/api.git')}&idea.required.plugins.id=Git4Idea`,
    );

    change({ client: 'copy', protocol: 'http' });
    await settle();
    expect(text(p.main)).toBe('Copy git clone');
    click(env.window, p.main);
    expect(deps.copy).toHaveBeenCalledWith('git clone https://git.example.com/scm/proj/api.git');
  });

  it('ignore clicks the page makes (untrusted events) unless told otherwise', async () => {
    const { deps } = fakeDeps();
    const p = parts(
      mountControls(env.document, REPO, env.document.querySelector('#clone-repo-button'), {
        ...deps,
        trustedOnly: true,
      }).host,
    );
    await settle();
    click(env.window, p.main);
    click(env.window, p.toggle);
    expect(deps.launch).not.toHaveBeenCalled();
    expect(p.menu('Open in…')).toBeNull();
  });

  it('build the "Open in…" menu on first click: every client, then both copy commands, and the credential helper note', async () => {
    const { deps } = fakeDeps();
    const p = parts(
      mountControls(env.document, REPO, env.document.querySelector('#clone-repo-button'), deps).host,
    );
    await settle();
    click(env.window, p.toggle);
    const menu = p.menu('Open in…')!;
    expect(menu.hidden).toBe(false);
    expect(p.toggle.getAttribute('aria-expanded')).toBe('true');
    const groups = [...menu.querySelectorAll('[role="group"]')].map((g) => g.getAttribute('aria-label'));
    expect(groups).toEqual(['Editors', 'JetBrains IDEs', 'Git clients', 'Copy']);
    const labels = p.items('Open in…').map((i) => i.querySelector('.bsc-item-label')?.textContent);
    expect(labels).toEqual([
      ...GIT_CLIENTS.map((c) => (c.id === 'vscode' ? `${c.label} (default)` : c.label)),
      'Copy git clone (HTTPS)',
      'Copy git clone (SSH)',
    ]);
    expect(text(menu)).toContain('Git credential helper');
    // The first item has the focus.
    expect(env.focused()).toBe(p.items('Open in…')[0]);

    const copyHttps = p.items('Open in…').find((i) => text(i).startsWith('Copy git clone (HTTPS)'))!;
    expect(text(copyHttps)).toContain('git clone https://git.example.com/scm/proj/api.git');
    click(env.window, copyHttps);
    expect(deps.copy).toHaveBeenCalledWith('git clone https://git.example.com/scm/proj/api.git');
    expect(menu.hidden).toBe(true);
    expect(env.focused()).toBe(p.toggle);
  });

  it('move through the menu by keyboard, close with Escape on the button, and leave with Tab', async () => {
    const { deps } = fakeDeps();
    const p = parts(
      mountControls(env.document, REPO, env.document.querySelector('#clone-repo-button'), deps).host,
    );
    await settle();
    key(env.window, p.toggle, 'ArrowDown');
    const items = p.items('Open in…');
    const menu = p.menu('Open in…')!;
    expect(env.focused()).toBe(items[0]);
    key(env.window, items[0]!, 'ArrowDown');
    expect(env.focused()).toBe(items[1]);
    key(env.window, items[1]!, 'ArrowUp');
    key(env.window, items[0]!, 'ArrowUp');
    expect(env.focused()).toBe(items.at(-1));
    key(env.window, items.at(-1)!, 'Home');
    expect(env.focused()).toBe(items[0]);
    key(env.window, items[0]!, 'End');
    expect(env.focused()).toBe(items.at(-1));
    key(env.window, items.at(-1)!, 'Escape');
    expect(menu.hidden).toBe(true);
    expect(env.focused()).toBe(p.toggle);
    key(env.window, p.toggle, 'ArrowUp');
    expect(env.focused()).toBe(items.at(-1));
    key(env.window, items.at(-1)!, 'Tab');
    expect(menu.hidden).toBe(true);
    expect(env.focused()).toBe(p.toggle);
  });

  it('use the only link there is, and say why the other protocol is missing', async () => {
    const { deps } = fakeDeps({ protocol: 'http' });
    const sshOnly: PageRepository = { ...REPO, links: { ssh: REPO.links.ssh! } };
    const p = parts(
      mountControls(env.document, sshOnly, env.document.querySelector('#clone-repo-button'), deps).host,
    );
    await settle();
    click(env.window, p.main);
    expect(deps.launch).toHaveBeenCalledWith(
      `vscode://vscode.git/clone?url=${encodeURIComponent('ssh://git@git.example.com:7999/proj/api.git')}`,
    );
    click(env.window, p.toggle);
    const https = p.items('Open in…').find((i) => text(i).startsWith('Copy git clone (HTTPS)'))!;
    expect(https.getAttribute('aria-disabled')).toBe('true');
    expect(text(https)).toContain('no HTTPS clone URL');
    click(env.window, https);
    expect(deps.copy).not.toHaveBeenCalled();
    expect(text(p.menu('Open in…')!)).toContain('Clients clone over SSH.');
  });

  it('say that clone access is off when the repository has no clone links, and launch nothing', async () => {
    const { deps } = fakeDeps();
    const off: PageRepository = { ...REPO, links: {}, cloneAccess: 'off' };
    const p = parts(
      mountControls(env.document, off, env.document.querySelector('#clone-repo-button'), deps).host,
    );
    await settle();
    click(env.window, p.main);
    expect(deps.launch).not.toHaveBeenCalled();
    const menu = p.menu('Open in…')!;
    expect(menu.hidden).toBe(false);
    expect(text(menu)).toBe('This server has clone access switched off: there is no URL to clone from.');
    expect(deps.remotes).not.toHaveBeenCalled();
  });

  it('ask the background for the clone URLs only when the page did not carry them, and only once', async () => {
    const { deps } = fakeDeps();
    const unknown: PageRepository = {
      ...REPO,
      id: undefined,
      links: {},
      cloneAccess: 'unknown',
      source: 'url',
    };
    delete unknown.id;
    const p = parts(
      mountControls(env.document, unknown, env.document.querySelector('#clone-repo-button'), deps).host,
    );
    await settle();
    expect(deps.remotes).not.toHaveBeenCalled();
    click(env.window, p.toggle);
    expect(text(p.menu('Open in…')!)).toBe('Looking up the clone URLs…');
    await settle();
    expect(p.items('Open in…').length).toBe(GIT_CLIENTS.length + 2);
    click(env.window, p.remotes);
    await settle();
    expect(deps.remotes).toHaveBeenCalledTimes(1);
    expect(deps.remotes).toHaveBeenCalledWith(expect.objectContaining({ projectKey: 'PROJ', slug: 'api' }));
  });
});

describe('the Remotes menu', () => {
  it('lists the origin and the forks as git remote add commands, skips what is unsafe, and copies all', async () => {
    const env = setUp();
    const { deps } = fakeDeps({ protocol: 'http' });
    const p = parts(
      mountControls(env.document, REPO, env.document.querySelector('#clone-repo-button'), deps).host,
    );
    await settle();
    click(env.window, p.remotes);
    expect(text(p.menu('Remotes')!)).toBe('Loading forks…');
    await settle();
    const menu = p.menu('Remotes')!;
    const origin = menu.querySelector('[role="group"][aria-label="Forked from"]')!;
    expect(text(origin)).toContain('git remote add upstream https://git.example.com/scm/core/api.git');
    const forks = [...menu.querySelectorAll('[role="group"][aria-label="Forks"] [role="menuitem"]')];
    expect(forks.map(text)).toEqual([
      "~BOB/apigit remote add bob 'https://git.example.com/scm/~bob/api.git'",
      // No HTTPS URL: SSH instead.
      'TEAM/apigit remote add team ssh://git@git.example.com:7999/team/api.git',
      'EVIL/apiNo clone URL that can be passed on safely.',
    ]);
    expect(forks[2]?.getAttribute('aria-disabled')).toBe('true');
    const all = p.items('Remotes').find((i) => text(i).startsWith('Copy all'))!;
    click(env.window, all);
    expect(deps.copy).toHaveBeenCalledWith(
      [
        'git remote add upstream https://git.example.com/scm/core/api.git',
        "git remote add bob 'https://git.example.com/scm/~bob/api.git'",
        'git remote add team ssh://git@git.example.com:7999/team/api.git',
      ].join('\n'),
    );
    await settle();
    expect(text(p.status)).toBe('Copied 3 git remote add commands.');
  });

  it('says when there are no forks, and offers to try again after a failure', async () => {
    const env = setUp();
    const none = fakeDeps({}, { repository: ANSWER.repository, forks: [] });
    const p = parts(
      mountControls(env.document, REPO, env.document.querySelector('#clone-repo-button'), none.deps).host,
    );
    click(env.window, p.remotes);
    await settle();
    expect(text(p.menu('Remotes')!)).toContain('This repository has no forks.');

    const env2 = setUp();
    const failing = fakeDeps({}, new Error('No profile is connected to this server.'));
    const q = parts(
      mountControls(env2.document, REPO, env2.document.querySelector('#clone-repo-button'), failing.deps)
        .host,
    );
    click(env2.window, q.remotes);
    await settle();
    expect(text(q.menu('Remotes')!)).toContain('No profile is connected to this server.');
    click(env2.window, q.items('Remotes').find((i) => text(i) === 'Try again')!);
    await settle();
    expect(failing.deps.remotes).toHaveBeenCalledTimes(2);
  });
});

describe('where the controls go', () => {
  const PAGE = 'https://git.example.com/projects/PROJ/repos/api/browse';
  const data = `<script>require('bitbucket/internal/layout/repository/repository').onReady(${JSON.stringify({
    id: 7,
    slug: 'api',
    name: 'api',
    project: { key: 'PROJ', name: 'Platform' },
    links: { clone: [{ href: 'https://git.example.com/scm/proj/api.git', name: 'http' }] },
  })}, '#clone-repo-button');</script>`;

  it('float in the page’s corner when there is no Clone button, and follow the page’s dark theme', () => {
    const env = setUp(`<main></main>${data}`, ' data-color-mode="dark"');
    const keeper = keepControlsMounted(env.document, fakeDeps().deps, () => new URL(PAGE));
    const host = keeper.controls!.host;
    expect(keeper.controls!.placement).toBe('floating');
    expect(host.tagName).toBe('BSC-COMPANION-CONTROLS');
    expect(host.parentElement).toBe(env.document.body);
    expect(host.getAttribute('data-color-mode')).toBe('dark');
    keeper.stop();
    expect(env.document.querySelector('[data-bsc-controls]')).toBeNull();
  });

  it('stay one copy when the page re-renders its sidebar, and move beside Clone when it appears', async () => {
    const env = setUp(`<div id="sidebar">${SIDEBAR}</div>${data}`);
    const keeper = keepControlsMounted(env.document, fakeDeps().deps, () => new URL(PAGE));
    const count = () => env.document.querySelectorAll('[data-bsc-controls]').length;
    expect(count()).toBe(1);
    keeper.check();
    expect(count()).toBe(1);

    // The page replaces the sidebar (as an in-page navigation may).
    env.document.querySelector('#sidebar')!.innerHTML = SIDEBAR;
    await settle();
    expect(count()).toBe(1);
    expect(
      env.document.querySelector('li.clone-repo')?.nextElementSibling?.hasAttribute('data-bsc-controls'),
    ).toBe(true);

    // No Clone button any more: floating; back: beside it again.
    env.document.querySelector('#sidebar')!.innerHTML = '';
    await settle();
    expect(keeper.controls?.placement).toBe('floating');
    env.document.querySelector('#sidebar')!.innerHTML = SIDEBAR;
    await settle();
    expect(keeper.controls?.placement).toBe('sidebar');
    expect(count()).toBe(1);

    // A copy left by an earlier run of the script goes.
    const stale = env.document.createElement('li');
    stale.setAttribute('data-bsc-controls', '');
    env.document.querySelector('.aui-nav')!.appendChild(stale);
    keeper.check();
    expect(count()).toBe(1);
    keeper.stop();
  });

  it('show nothing on a pull request page without Clone, or on a page that is not Bitbucket’s', () => {
    const env = setUp(`<main></main>${data}`);
    const pr = keepControlsMounted(
      env.document,
      fakeDeps().deps,
      () => new URL(`${PAGE.replace('/browse', '')}/pull-requests/1/overview`),
    );
    expect(pr.controls).toBeNull();
    const other = parseHTML(`<html><body>${SIDEBAR}</body></html>`).document as unknown as Document;
    expect(keepControlsMounted(other, fakeDeps().deps, () => new URL(PAGE)).controls).toBeNull();
  });
});
