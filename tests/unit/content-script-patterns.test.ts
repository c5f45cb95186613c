import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import {
  PAGE_TYPES,
  pagePatterns,
  resyncContentScripts,
  serverRoot,
  syncContentScripts,
  wantedRegistrations,
} from '../../lib/background/content-scripts';
import { fakeScripting } from './support/fake-scripting';

const GOOD = 'http://127.0.0.1:7990/bitbucket';
const OTHER = 'https://git.example.com';
const idOf = (root: string, type = 'pages') => `page:${type}:${encodeURIComponent(root)}`;
/**
 * Every registration of a server: the page report elsewhere, the repository script on repository
 * pages, the keys page script on the account keys pages and the login page.
 */
const idsOf = (root: string) => [idOf(root), idOf(root, 'repository'), idOf(root, 'keys-page')];
const pageType = (name: string) => PAGE_TYPES.find((t) => t.name === name)!;

/** Whether a match pattern matches a URL the way Chrome matches content scripts (path and query, `*` anything). */
function matches(pattern: string, url: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`).test(url.replace(/#.*$/, ''));
}

/** The page types whose registration injects into `url`. */
function scriptsFor(url: string, baseUrl = GOOD): string[] {
  return wantedRegistrations([baseUrl])
    .wanted.filter(
      (w) => w.matches.some((p) => matches(p, url)) && !(w.excludeMatches ?? []).some((p) => matches(p, url)),
    )
    .map((w) => w.js.join());
}
const BAD_URLS = [
  'javascript:alert(1)//',
  'file:///x',
  'data:text/html,<b>x</b>',
  'not a url',
  'https://h/a*b',
];

beforeEach(() => {
  fakeBrowser.reset();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

describe('content script match patterns', () => {
  it('match only the page types the script handles, under the server’s context path and port', () => {
    expect(pagePatterns('http://127.0.0.1:7990/bitbucket', { pageType: pageType('pages') })).toEqual([
      'http://127.0.0.1:7990/bitbucket/projects/*',
      'http://127.0.0.1:7990/bitbucket/users/*',
      'http://127.0.0.1:7990/bitbucket/dashboard*',
    ]);
    expect(pagePatterns('http://127.0.0.1:7990/bitbucket', { pageType: pageType('repository') })).toEqual([
      'http://127.0.0.1:7990/bitbucket/projects/*/repos/*',
      'http://127.0.0.1:7990/bitbucket/users/*/repos/*',
    ]);
  });
  it('leave the port out for Firefox, whose patterns cannot carry one', () => {
    expect(
      pagePatterns('https://git.example.com:8443', { firefox: true, pageType: pageType('pages') }),
    ).toEqual([
      'https://git.example.com/projects/*',
      'https://git.example.com/users/*',
      'https://git.example.com/dashboard*',
    ]);
  });
  it('give each page one script: repository pages (pull requests too) the repository script, which reports the page, others the page report', () => {
    const repository = ['content-scripts/repository.js'];
    const pages = ['content-scripts/content.js'];
    const keysPage = ['content-scripts/keys-page.js'];
    const cases: Array<[string, string[]]> = [
      [`${GOOD}/projects/PROJ/repos/api/browse`, repository],
      [`${GOOD}/projects/PROJ/repos/api/browse/src/a.ts?at=refs%2Fheads%2Fdev`, repository],
      [`${GOOD}/projects/PROJ/repos/api`, repository],
      [`${GOOD}/projects/PROJ/repos/api/pull-requests/1/overview`, repository],
      [`${GOOD}/users/alice/repos/dotfiles/browse`, repository],
      [`${GOOD}/projects/~ALICE/repos/dotfiles/browse`, repository],
      [`${GOOD}/projects/PROJ`, pages],
      [`${GOOD}/projects/PROJ/repos?create`, pages],
      [`${GOOD}/users/alice`, pages],
      [`${GOOD}/dashboard`, pages],
      [`${GOOD}/login`, keysPage],
      [`${GOOD}/login?next=%2Fplugins%2Fservlet%2Fssh%2Faccount%2Fkeys`, keysPage],
      [`${GOOD}/plugins/servlet/ssh/account/keys`, keysPage],
      [`${GOOD}/plugins/servlet/ssh/account/keys/add`, keysPage],
      [`${GOOD}/plugins/servlet/gpg/account/keys`, keysPage],
      [`${GOOD}/plugins/servlet/access-tokens/users/alice/manage`, []],
      [`${GOOD}/account`, []],
      // Another context path on the same host is another server.
      ['http://127.0.0.1:7990/projects/PROJ/repos/api/browse', []],
    ];
    for (const [url, scripts] of cases) expect(scriptsFor(url), url).toEqual(scripts);
  });
  it('are never built from anything but a plain http(s) base URL', () => {
    for (const url of BAD_URLS) {
      expect(serverRoot(url), url).toBeNull();
      expect(pagePatterns(url), url).toEqual([]);
    }
    expect(serverRoot('https://git.example.com/bitbucket/')).toBe('https://git.example.com/bitbucket');
  });
});

describe('wanted registrations', () => {
  it('are one per server and page type, with ids naming both; profiles of one server share theirs', () => {
    const { wanted, skipped } = wantedRegistrations([GOOD, OTHER, `${GOOD}/`, 'file:///x']);
    expect(wanted.map((w) => w.id)).toEqual([...idsOf(GOOD), ...idsOf(OTHER)]);
    expect(wanted[0]).toEqual({
      id: idOf(GOOD),
      js: ['content-scripts/content.js'],
      matches: pagePatterns(GOOD, { pageType: pageType('pages') }),
      excludeMatches: [`${GOOD}/projects/*/repos/*`, `${GOOD}/users/*/repos/*`],
      runAt: 'document_end',
      persistAcrossSessions: true,
    });
    expect(wanted[1]).toEqual({
      id: idOf(GOOD, 'repository'),
      js: ['content-scripts/repository.js'],
      matches: pagePatterns(GOOD, { pageType: pageType('repository') }),
      runAt: 'document_end',
      persistAcrossSessions: true,
    });
    expect(skipped).toEqual(['file:///x']);
  });
  it('merge two ports of one host on Firefox, where the patterns are the same', () => {
    const { wanted } = wantedRegistrations(['https://h:8443', 'https://h:9443'], { firefox: true });
    expect(wanted.map((w) => w.id)).toEqual(idsOf('https://h'));
  });
  it('give every page type its own id prefix', () => {
    const names = PAGE_TYPES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('syncing content scripts', () => {
  it('registers each server on its own: bad base URLs are skipped and the good servers still get theirs', async () => {
    const scripting = fakeScripting();
    const summary = await syncContentScripts([GOOD, ...BAD_URLS, OTHER], { firefox: false });
    expect(scripting.ids()).toEqual([...idsOf(GOOD), ...idsOf(OTHER)].sort());
    expect(summary.skipped).toEqual(BAD_URLS);
    expect(summary.failures).toEqual([]);
    // One call per registration, never one call for all.
    for (const call of scripting.register.mock.calls) expect(call[0]).toHaveLength(1);
  });

  it('keeps going when the browser refuses one registration, and reports it instead of throwing', async () => {
    const scripting = fakeScripting({ reject: (pattern) => pattern.includes('git.example.com') });
    const summary = await syncContentScripts([OTHER, GOOD], { firefox: false });
    expect(scripting.ids()).toEqual(idsOf(GOOD).sort());
    expect(summary.registered).toEqual(idsOf(GOOD));
    expect(summary.failures).toEqual(
      idsOf(OTHER).map((id) => ({ id, message: expect.stringContaining('Invalid scheme') })),
    );
  });

  it('removes a registration an older version saved (the one for all servers) and any left by a removed server', async () => {
    const scripting = fakeScripting();
    scripting.scripts.set('bitbucket-page', {
      id: 'bitbucket-page',
      js: ['content-scripts/content.js'],
      matches: [`${GOOD}/projects/*`, `${OTHER}/projects/*`],
      runAt: 'document_end',
    });
    await syncContentScripts([GOOD, OTHER], { firefox: false });
    expect(scripting.ids()).toEqual([...idsOf(GOOD), ...idsOf(OTHER)].sort());

    const summary = await syncContentScripts([GOOD], { firefox: false });
    expect(scripting.ids()).toEqual(idsOf(GOOD).sort());
    expect(summary).toMatchObject({ unregistered: idsOf(OTHER), kept: idsOf(GOOD), registered: [] });

    await syncContentScripts([], { firefox: false });
    expect(scripting.ids()).toEqual([]);
  });

  it('replaces a registration under a current id whose patterns or files are out of date', async () => {
    const scripting = fakeScripting();
    scripting.scripts.set(idOf(GOOD), {
      id: idOf(GOOD),
      js: ['content-scripts/old.js'],
      matches: [`${GOOD}/projects/*`],
      runAt: 'document_end',
    });
    const summary = await syncContentScripts([GOOD], { firefox: false });
    expect(summary).toMatchObject({ unregistered: [idOf(GOOD)], registered: idsOf(GOOD) });
    expect(scripting.scripts.get(idOf(GOOD))).toMatchObject({
      js: ['content-scripts/content.js'],
      matches: pagePatterns(GOOD, { pageType: pageType('pages') }),
    });
  });

  it('replaces the page-report registration an earlier version saved without excludeMatches, so repository pages get one script', async () => {
    const scripting = fakeScripting();
    scripting.scripts.set(idOf(GOOD), {
      id: idOf(GOOD),
      js: ['content-scripts/content.js'],
      matches: pagePatterns(GOOD, { pageType: pageType('pages') }),
      runAt: 'document_end',
    });
    const summary = await syncContentScripts([GOOD], { firefox: false });
    expect(summary).toMatchObject({ unregistered: [idOf(GOOD)], registered: idsOf(GOOD), kept: [] });
    expect((scripting.scripts.get(idOf(GOOD)) as { excludeMatches?: string[] }).excludeMatches).toEqual([
      `${GOOD}/projects/*/repos/*`,
      `${GOOD}/users/*/repos/*`,
    ]);
  });

  it('leaves registrations that are already right alone (the order the browser lists patterns in does not matter)', async () => {
    const scripting = fakeScripting();
    await syncContentScripts([GOOD], { firefox: false });
    for (const saved of scripting.scripts.values()) {
      saved.matches = [...(saved.matches ?? [])].reverse();
      const withExcludes = saved as { excludeMatches?: string[] };
      if (withExcludes.excludeMatches)
        withExcludes.excludeMatches = [...withExcludes.excludeMatches].reverse();
    }
    scripting.register.mockClear();
    const summary = await syncContentScripts([GOOD], { firefox: false });
    expect(summary).toMatchObject({ kept: idsOf(GOOD), registered: [], unregistered: [] });
    expect(scripting.register).not.toHaveBeenCalled();
  });

  it('still registers when the browser cannot list what is registered', async () => {
    const scripting = fakeScripting();
    scripting.getRegistered.mockRejectedValueOnce(new Error('scripting unavailable'));
    const summary = await syncContentScripts([GOOD], { firefox: false });
    expect(scripting.ids()).toEqual(idsOf(GOOD).sort());
    expect(summary.failures).toEqual([{ id: '(list)', message: 'scripting unavailable' }]);
  });

  it('runs one sync at a time, so the last call decides the registered set', async () => {
    const scripting = fakeScripting();
    const first = syncContentScripts([GOOD, OTHER], { firefox: false });
    const second = syncContentScripts([OTHER], { firefox: false });
    await Promise.all([first, second]);
    expect(scripting.ids()).toEqual(idsOf(OTHER).sort());
    expect((await first).failures).toEqual([]);
    expect((await second).failures).toEqual([]);
  });

  it('never rejects, even when the servers cannot be read or the scripting API is missing', async () => {
    fakeScripting();
    await expect(
      resyncContentScripts(() => Promise.reject(new Error('database closed')), { firefox: false }),
    ).resolves.toMatchObject({ failures: [{ id: '(servers)', message: 'database closed' }] });

    const api = fakeBrowser.scripting as unknown as Record<string, unknown>;
    api.getRegisteredContentScripts = undefined;
    api.registerContentScripts = undefined;
    const summary = await resyncContentScripts(async () => [GOOD], { firefox: false });
    expect(summary.registered).toEqual([]);
    expect(summary.failures.map((f) => f.id)).toEqual(['(list)', ...idsOf(GOOD)]);
  });
});
