/**
 * The keys page's session write, against the simulator (tokens may not add keys there): what the
 * page's script sends with the session cookie and how it reads every answer, for SSH and GPG keys;
 * and what it reads from the page itself (signed-in user, base URL).
 */
import { parseHTML } from 'linkedom';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addKeyThroughSession,
  isLoginPage,
  keysPageOf,
  type PageFetch,
  pageUserName,
  sessionUserName,
} from '../../lib/features/keys/in-page/page-session';
import { type Simulator, startSimulator } from '../../simulator/index';
import { closeChecked, sessionCookie } from './support/simulator-checks';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ strict: true, contextPath: '/bitbucket' });
});
afterAll(() => closeChecked(sim));

const sessionOf = (user: string) => sessionCookie(sim, user);

/** The page's fetch: Node's, with the browser's session cookie for this server (none for ''). */
function browserFetch(cookie: string, seen: RequestInit[] = []): PageFetch {
  return (url, init = {}) => {
    seen.push(init);
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    return fetch(url, { ...init, headers });
  };
}

const ED25519_A =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIyP9woy+iJ9VIfoW+1nda71TGl3kfonFlv6C9xmsYSZ page@test';
const sshKey = (text: string, label: string) => ({
  kind: 'ssh' as const,
  label,
  publicText: text,
  fingerprint: sim.model.sshKeys.find((k) => k.text === text)?.fingerprint ?? '',
});

describe('adding a key with the page’s session', () => {
  it('adds an SSH key with its label, with the XSRF header and the cookie, never a token', async () => {
    const seen: RequestInit[] = [];
    const result = await addKeyThroughSession(browserFetch(await sessionOf('chen'), seen), sim.url, {
      kind: 'ssh',
      label: 'from the page',
      publicText: ED25519_A,
      fingerprint: 'unused',
    });
    const added = sim.model.sshKeys.find((k) => k.text === ED25519_A);
    expect(added).toMatchObject({ label: 'from the page', user: { name: 'chen' } });
    expect(result).toEqual({ status: 'added', serverKeyId: added?.id });
    const post = seen[0]!;
    expect(post).toMatchObject({ method: 'POST', credentials: 'include', redirect: 'manual' });
    const headers = new Headers(post.headers);
    expect(headers.get('x-atlassian-token')).toBe('no-check');
    expect(headers.has('authorization')).toBe(false);
    expect(JSON.parse(String(post.body))).toEqual({ text: ED25519_A, label: 'from the page' });
  });

  it('tells “already on your account” from “on another account”, and passes on the server’s refusal', async () => {
    const again = await addKeyThroughSession(
      browserFetch(await sessionOf('chen')),
      sim.url,
      sshKey(ED25519_A, 'again'),
    );
    expect(again).toEqual({ status: 'already' });
    const elsewhere = await addKeyThroughSession(
      browserFetch(await sessionOf('eve')),
      sim.url,
      sshKey(ED25519_A, 'eve’s try'),
    );
    expect(elsewhere).toEqual({ status: 'elsewhere' });

    sim.model.keySettings.sshKeyPolicy = { allowed: ['RSA'] };
    try {
      const refused = await addKeyThroughSession(browserFetch(await sessionOf('eve')), sim.url, {
        kind: 'ssh',
        label: 'policy',
        publicText:
          'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPGrqk/7ymk/tUOMlY2yvvj5qEgedo+2m6e8+JmjoRJv policy@test',
        fingerprint: 'x',
      });
      expect(refused).toEqual({
        status: 'refused',
        message: 'ED25519 keys are not allowed. Allowed key types: RSA.',
      });
    } finally {
      sim.model.keySettings.sshKeyPolicy = {};
    }
    expect(sim.model.sshKeys.filter((k) => k.user.name === 'eve')).toEqual([]);
  });

  it('says the session is gone when there is none', async () => {
    const result = await addKeyThroughSession(browserFetch(''), sim.url, sshKey(ED25519_A, 'x'));
    expect(result).toEqual({ status: 'signed-out' });
    const down = await addKeyThroughSession(
      () => Promise.reject(new TypeError('Failed to fetch')),
      sim.url,
      sshKey(ED25519_A, 'x'),
    );
    expect(down).toEqual({ status: 'failed', message: 'Failed to fetch' });
  });

  it('adds a GPG key, and knows it when the server has it already', async () => {
    const { publicKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'ed25519Legacy',
      userIDs: [{ name: 'Chen', email: 'chen@example.com' }],
      format: 'armored',
    });
    const fingerprint = (await openpgp.readKey({ armoredKey: publicKey })).getFingerprint().toUpperCase();
    const key = { kind: 'gpg' as const, label: 'signing', publicText: publicKey, fingerprint };
    const chen = browserFetch(await sessionOf('chen'));
    expect(await addKeyThroughSession(chen, sim.url, key)).toMatchObject({ status: 'added' });
    expect(
      sim.model.gpgKeys.find((k) => k.fingerprint.replace(/:/g, '').toUpperCase() === fingerprint)?.user.name,
    ).toBe('chen');
    expect(await addKeyThroughSession(chen, sim.url, key)).toEqual({ status: 'already' });
    expect(await addKeyThroughSession(browserFetch(await sessionOf('eve')), sim.url, key)).toEqual({
      status: 'elsewhere',
    });
  });
});

describe('what the page says', () => {
  it('who is signed in: the server’s X-AUSERNAME, else the page’s header or its base layout script', async () => {
    const cookie = await sessionOf('alice');
    expect(await sessionUserName(browserFetch(cookie), sim.url)).toBe('alice');
    expect(await sessionUserName(browserFetch(''), sim.url)).toBeUndefined();

    const res = await fetch(`${sim.url}/plugins/servlet/ssh/account/keys`, { headers: { cookie } });
    const { document } = parseHTML(await res.text());
    expect(pageUserName(document as unknown as Document)).toBe('alice');
    document.querySelector('#current-user')?.remove();
    expect(pageUserName(document as unknown as Document)).toBe('alice');
    const login = parseHTML(await (await fetch(`${sim.url}/login`)).text()).document;
    expect(pageUserName(login as unknown as Document)).toBeNull();
  });

  it('which keys page this is, under any context path', () => {
    const at = (path: string) => keysPageOf({ origin: 'https://git.example.com', pathname: path });
    expect(at('/bitbucket/plugins/servlet/ssh/account/keys')).toEqual({
      kind: 'ssh',
      baseUrl: 'https://git.example.com/bitbucket',
    });
    expect(at('/plugins/servlet/gpg/account/keys/add')).toEqual({
      kind: 'gpg',
      baseUrl: 'https://git.example.com',
    });
    expect(at('/plugins/servlet/ssh/account/keys/other')).toBeNull();
    expect(at('/projects/PROJ')).toBeNull();
    expect(isLoginPage('/bitbucket/login')).toBe(true);
    expect(isLoginPage('/bitbucket/loginx')).toBe(false);
  });
});
