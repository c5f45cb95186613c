/**
 * Where "Add key from Companion" sits on a keys page whose markup changes under it: beside the page's
 * Add key link when there is one (also when the page draws it late), floating otherwise, one copy
 * only, and never rebuilt in a way that finishes a pending install twice.
 */
import { parseHTML } from 'linkedom';
import { describe, expect, it, vi } from 'vitest';
import type { AddKeyDeps } from '../../lib/features/keys/in-page/add-key-button';
import { keepAddKeyButton } from '../../lib/features/keys/in-page/keep-add-key-button';
import type { PageKeysState } from '../../lib/features/keys/page-messages';

const STATE: PageKeysState = {
  profile: { id: 'p', label: 'alice @ host', userName: 'alice', userSlug: 'alice', displayName: 'Alice' },
  keys: [],
  pending: null,
};

function setUp(body: string) {
  const { document } = parseHTML(
    `<!doctype html><html data-color-mode="dark"><head></head><body>${body}</body></html>`,
  );
  const deps: AddKeyDeps = {
    state: vi.fn(async () => STATE),
    generate: vi.fn(),
    installed: vi.fn(),
    dismiss: vi.fn(),
    fetch: vi.fn(),
    reload: vi.fn(),
  };
  const keeper = keepAddKeyButton(
    document as unknown as Document,
    { kind: 'ssh', baseUrl: 'https://git.example.com' },
    deps,
  );
  const hosts = () => [...document.querySelectorAll('[data-bsc-add-key]')];
  return { document, deps, keeper, hosts };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const ADD_LINK = '<a id="add" class="aui-button" href="/plugins/servlet/ssh/account/keys/add">Add key</a>';

describe('Add key from Companion on the keys page', () => {
  it('goes right after the page’s Add key link, in the page’s colour mode, and asks once for a pending install', async () => {
    const { document, deps, keeper, hosts } = setUp(`<div class="aui-buttons">${ADD_LINK}</div>`);
    expect(hosts()).toHaveLength(1);
    expect(document.querySelector('#add')?.nextElementSibling).toBe(keeper.button.host);
    expect(keeper.button.placement).toBe('inline');
    expect(keeper.button.host.getAttribute('data-color-mode')).toBe('dark');
    await settle();
    expect(deps.state).toHaveBeenCalledTimes(1);
    keeper.stop();
    expect(hosts()).toHaveLength(0);
  });

  it('floats without the link, and moves beside it when the page draws it later, keeping one copy', async () => {
    const { document, deps, keeper, hosts } = setUp(
      '<main><h1>SSH keys</h1><div class="actions"></div></main>',
    );
    expect(keeper.button.placement).toBe('floating');
    expect(keeper.button.host.parentElement).toBe(document.body);
    keeper.button.say('Added “laptop” to your account.');

    document.querySelector('.actions')!.innerHTML = ADD_LINK;
    await settle();
    expect(hosts()).toHaveLength(1);
    expect(keeper.button.placement).toBe('inline');
    expect(document.querySelector('#add')?.nextElementSibling).toBe(keeper.button.host);
    // What it said is still said; the pending install was not asked for again.
    expect(keeper.button.status).toEqual({ text: 'Added “laptop” to your account.', tone: 'success' });
    expect(deps.state).toHaveBeenCalledTimes(1);

    // The page draws its header again, without our button: it comes back.
    document.querySelector('.actions')!.innerHTML = ADD_LINK;
    await settle();
    expect(hosts()).toHaveLength(1);
    expect(document.querySelector('#add')?.nextElementSibling).toBe(keeper.button.host);

    // The link goes away: floating again.
    document.querySelector('.actions')!.innerHTML = '';
    await settle();
    expect(hosts()).toHaveLength(1);
    expect(keeper.button.placement).toBe('floating');
    keeper.stop();
  });

  it('without the link, goes beside a control named “Add key”, but never one inside a form', () => {
    const button = setUp(
      '<main id="main"><header><div class="actions"><button type="button" id="open-form">Add  key</button></div></header></main>',
    );
    expect(button.keeper.button.placement).toBe('inline');
    expect(button.document.querySelector('#open-form')?.nextElementSibling).toBe(button.keeper.button.host);
    button.keeper.stop();

    const form = setUp(
      '<main id="main"><form><textarea name="text"></textarea><button type="submit">Add key</button></form></main>',
    );
    expect(form.keeper.button.placement).toBe('floating');
    expect(form.document.querySelector('form')?.contains(form.keeper.button.host)).toBe(false);
    form.keeper.stop();
  });

  it('finishes a pending install only for the profile’s user, taking the server’s word over the page’s header', async () => {
    const pendingKey = {
      id: 'k1',
      kind: 'ssh' as const,
      label: 'laptop',
      typeName: 'Ed25519',
      fingerprint: 'abc',
      publicText: 'ssh-ed25519 AAAA laptop',
      installedHere: false,
    };
    const posts: string[] = [];
    const run = async (header: string, serverSays: string | null) => {
      const { document } = parseHTML(
        `<!doctype html><html><body><span id="current-user" data-username="${header}"></span><main id="main">${ADD_LINK}</main></body></html>`,
      );
      const deps: AddKeyDeps = {
        state: vi.fn(async () => ({ ...STATE, pending: { key: pendingKey, profile: STATE.profile } })),
        generate: vi.fn(),
        installed: vi.fn(async () => null),
        dismiss: vi.fn(async () => null),
        fetch: vi.fn(async (url: string, init?: RequestInit) => {
          if (init?.method === 'POST') {
            posts.push(url);
            return new Response(JSON.stringify({ id: 5 }), {
              status: 201,
              headers: { 'content-type': 'application/json' },
            });
          }
          return new Response('{}', {
            status: 200,
            headers: serverSays ? { 'x-ausername': serverSays } : {},
          });
        }),
        reload: vi.fn(),
      };
      const keeper = keepAddKeyButton(
        document as unknown as Document,
        { kind: 'ssh', baseUrl: 'https://git.example.com' },
        deps,
      );
      await vi.waitFor(() => expect(['success', 'warning']).toContain(keeper.button.status?.tone));
      keeper.stop();
      return { status: keeper.button.status, deps };
    };

    // The page's header says alice, the server says bob: bob is who would act. Refused.
    const spoofed = await run('alice', 'bob');
    expect(spoofed.status?.text).toContain(
      'You are signed in as bob, but the Companion’s profile here is alice',
    );
    expect(posts).toEqual([]);
    expect(spoofed.deps.installed).not.toHaveBeenCalled();
    // No word from the server (a proxy stripped the header): the page's header decides.
    const stripped = await run('bob', null);
    expect(stripped.status?.text).toContain('You are signed in as bob');
    expect(posts).toEqual([]);
    // Alice herself: added, noted, and the page shows its list again.
    const alice = await run('Bob', 'ALICE');
    expect(alice.status).toEqual({ text: 'Added “laptop” to your account.', tone: 'success' });
    expect(posts).toEqual(['https://git.example.com/rest/ssh/1.0/keys']);
    expect(alice.deps.installed).toHaveBeenCalledWith('p', 'k1', 5);
    expect(alice.deps.reload).toHaveBeenCalledWith('Added “laptop” to your account.');
  });

  it('acts on user clicks only: a click the page makes does nothing', async () => {
    const { keeper, deps } = setUp(`<div>${ADD_LINK}</div>`);
    await settle();
    const button = keeper.button.host.shadowRoot!.querySelector('button')!;
    button.dispatchEvent(
      new (button.ownerDocument.defaultView as unknown as typeof globalThis).Event('click'),
    );
    await settle();
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(deps.state).toHaveBeenCalledTimes(1);
    keeper.stop();
  });

  it('copies a key’s public part from the menu, and says when the browser refuses', async () => {
    const { document, deps, keeper } = setUp(`<div class="aui-buttons">${ADD_LINK}</div>`);
    const key = {
      id: 'k1',
      kind: 'ssh' as const,
      label: 'laptop',
      typeName: 'Ed25519',
      fingerprint: 'abc',
      publicText: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI laptop',
      installedHere: false,
    };
    deps.state = vi.fn(async () => ({ ...STATE, keys: [key] }));
    const copied: string[] = [];
    let allow = true;
    deps.copy = async (text) => {
      copied.push(text);
      return allow;
    };
    keeper.stop();
    const again = keepAddKeyButton(
      document as unknown as Document,
      { kind: 'ssh', baseUrl: 'https://git.example.com' },
      { ...deps, trustedOnly: false },
    );
    await settle();
    const shadow = again.button.host.shadowRoot!;
    const pick = async () => {
      (shadow.querySelector('.bsc-add-key-button') as HTMLButtonElement).click();
      await settle();
      const item = [...shadow.querySelectorAll('[role="menuitem"]')].find((el) =>
        el.textContent?.startsWith('Copy “laptop”'),
      ) as HTMLElement | undefined;
      expect(item).toBeDefined();
      item!.click();
      await settle();
    };
    await pick();
    expect(copied).toEqual([key.publicText]);
    expect(again.button.status).toEqual({ text: 'Copied the public key of “laptop”.', tone: 'success' });
    allow = false;
    await pick();
    expect(again.button.status?.tone).toBe('warning');
    expect(again.button.status?.text).toContain('refused the clipboard');
    again.stop();
  });
});
