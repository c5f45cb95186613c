/**
 * The simulator's account SSH and GPG keys pages (session only, with an add form that really adds a
 * key) and the web session's REST writes of keys: allowed when tokens may not add keys, but only with
 * the XSRF header, as the real server's check.
 */
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_KEYS_PAGE_SELECTORS } from '../../lib/bitbucket/selectors';
import { SEED_TOKENS, type Simulator, startSimulator } from '../../simulator/index';
import { closeChecked, sessionCookie } from './support/simulator-checks';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ strict: true, contextPath: '/bitbucket' });
});
afterAll(() => closeChecked(sim));

const ED25519 =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIyP9woy+iJ9VIfoW+1nda71TGl3kfonFlv6C9xmsYSZ someone@laptop';

const signIn = (user: string) => sessionCookie(sim, user);

async function getPage(path: string, cookie?: string) {
  const res = await fetch(`${sim.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const text = await res.text();
  return { res, document: parseHTML(text).document };
}

const KEYS = '/plugins/servlet/ssh/account/keys';

describe('account SSH keys page', () => {
  it('sends a visitor without a session to the login page, and back here afterwards', async () => {
    const { res } = await getPage(KEYS);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${sim.url}/login?next=${encodeURIComponent(KEYS)}`);
    // A token is no way in either: tokens work on /rest and /scm only.
    const withToken = await fetch(`${sim.url}${KEYS}`, {
      redirect: 'manual',
      headers: { authorization: `Bearer ${SEED_TOKENS.aliceAdmin}` },
    });
    expect(withToken.status).toBe(302);
    expect(withToken.headers.get('location')).toContain('/login');
  });

  it('lists the signed-in user’s keys only, with the user in the header and an Add key button', async () => {
    const cookie = await signIn('alice');
    const { res, document } = await getPage(KEYS, cookie);
    expect(res.status).toBe(200);
    expect(document.querySelector('#current-user')?.getAttribute('data-username')).toBe('alice');
    const add = document.querySelector('#add-ssh-key-button');
    expect(add?.getAttribute('href')).toBe(`/bitbucket${KEYS}/add`);
    expect(add?.textContent).toBe('Add key');
    const rows = [...document.querySelectorAll('#ssh-keys-table tr.ssh-key-row')];
    const own = sim.model.sshKeys.filter((k) => k.user.name === 'alice');
    expect(rows).toHaveLength(own.length);
    expect(rows.map((r) => r.querySelector('.ssh-key-fingerprint')?.textContent)).toEqual(
      own.map((k) => `SHA256:${k.fingerprint}`),
    );
    expect(rows.map((r) => r.querySelector('.ssh-key-last-used')?.textContent)).toEqual(
      own.map((k) =>
        k.lastAuthenticated === undefined
          ? 'Never'
          : new Date(k.lastAuthenticated).toISOString().slice(0, 10),
      ),
    );
    expect(own.some((k) => k.lastAuthenticated !== undefined)).toBe(true);
    const bobs = sim.model.sshKeys.filter((k) => k.user.name === 'bob').map((k) => k.fingerprint);
    for (const fp of bobs) expect(document.body.textContent).not.toContain(fp);

    // The extension's anchor (a link to the add form) finds the button, also when its link carries a query.
    expect(document.querySelector(ACCOUNT_KEYS_PAGE_SELECTORS.addSshKeyLink)).toBe(add);
    const dark = await getPage(`${KEYS}?atlThemeColorMode=dark`, cookie);
    expect(dark.document.documentElement.getAttribute('data-color-mode')).toBe('dark');
    expect(dark.document.querySelector(ACCOUNT_KEYS_PAGE_SELECTORS.addSshKeyLink)?.id).toBe(
      'add-ssh-key-button',
    );
    expect(dark.document.querySelector(ACCOUNT_KEYS_PAGE_SELECTORS.addGpgKeyLink)).toBeNull();

    const without = await getPage(`${KEYS}?simLayout=no-add-key-button`, cookie);
    expect(without.document.querySelector('#add-ssh-key-button')).toBeNull();
    expect(without.document.querySelector(ACCOUNT_KEYS_PAGE_SELECTORS.addSshKeyLink)).toBeNull();
    expect(without.document.querySelector('#ssh-keys-table')).not.toBeNull();
  });

  it('adds a key through its form (with the form token), and says why when the server refuses one', async () => {
    const cookie = await signIn('chen');
    const form = await getPage(`${KEYS}/add`, cookie);
    const atlToken = form.document.querySelector('input[name="atl_token"]')?.getAttribute('value') ?? '';
    expect(atlToken).not.toBe('');
    const post = (fields: Record<string, string>) =>
      fetch(`${sim.url}${KEYS}/add`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields),
      });

    const bad = await post({ atl_token: atlToken, text: 'ssh-ed25519 not-a-key', label: 'x' });
    expect(bad.status).toBe(400);
    const badPage = parseHTML(await bad.text()).document;
    expect(badPage.querySelector('#add-key-error')?.textContent).toContain('not a valid');
    expect(badPage.querySelector('textarea[name="text"]')?.textContent).toBe('ssh-ed25519 not-a-key');

    const expired = await post({ atl_token: 'wrong', text: ED25519, label: 'desk' });
    expect(expired.status).toBe(403);
    expect(sim.model.sshKeys.some((k) => k.label === 'desk')).toBe(false);

    const added = await post({ atl_token: atlToken, text: ED25519, label: 'desk' });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe(`${sim.url}${KEYS}`);
    const { document } = await getPage(KEYS, cookie);
    expect([...document.querySelectorAll('.ssh-key-label')].map((c) => c.firstChild?.textContent)).toContain(
      'desk',
    );

    const again = await post({ atl_token: atlToken, text: ED25519, label: 'desk again' });
    expect(again.status).toBe(409);
    expect(parseHTML(await again.text()).document.querySelector('#add-key-error')?.textContent).toContain(
      'already exists',
    );
  });

  it('has a GPG keys page beside it, session only too', async () => {
    expect((await getPage('/plugins/servlet/gpg/account/keys')).res.status).toBe(302);
    const { res, document } = await getPage('/plugins/servlet/gpg/account/keys', await signIn('alice'));
    expect(res.status).toBe(200);
    expect(document.querySelector('#add-gpg-key-button')?.getAttribute('href')).toBe(
      '/bitbucket/plugins/servlet/gpg/account/keys/add',
    );
    expect(document.querySelector(ACCOUNT_KEYS_PAGE_SELECTORS.addGpgKeyLink)?.id).toBe('add-gpg-key-button');
    expect(document.querySelectorAll('#gpg-keys-table tr.gpg-key-row')).toHaveLength(
      sim.model.gpgKeys.filter((k) => k.user.name === 'alice').length,
    );
  });
});

describe('adding keys with the web session', () => {
  const restKeys = '/rest/ssh/1.0/keys';
  const key2 =
    'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPGrqk/7ymk/tUOMlY2yvvj5qEgedo+2m6e8+JmjoRJv session@browser';

  it('needs X-Atlassian-Token: no-check, and answers the XSRF failure otherwise', async () => {
    sim.model.keySettings.tokensMayAddKeys = false;
    const cookie = await signIn('eve');
    const body = JSON.stringify({ text: key2, label: 'from the page' });
    const refused = await fetch(`${sim.url}${restKeys}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body,
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      errors: [
        {
          context: null,
          message: 'XSRF check failed',
          exceptionName: 'com.atlassian.bitbucket.XsrfCheckFailedException',
        },
      ],
    });
    expect(sim.model.sshKeys.some((k) => k.label === 'from the page')).toBe(false);

    // The token is refused (tokens may not add keys here); the session with the header is not.
    const token = await fetch(`${sim.url}${restKeys}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SEED_TOKENS.eveRead}`, 'content-type': 'application/json' },
      body,
    });
    expect(token.status).toBe(401);
    const added = await fetch(`${sim.url}${restKeys}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-atlassian-token': 'no-check' },
      body,
    });
    expect(added.status).toBe(201);
    expect(added.headers.get('x-ausername')).toBe('eve');
    const key = sim.model.sshKeys.find((k) => k.label === 'from the page');
    expect(key?.user.name).toBe('eve');
    expect(key?.text).toBe(key2);
  });
});
