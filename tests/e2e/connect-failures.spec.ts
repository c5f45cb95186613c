import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { startSimulator } from '../../simulator/index';
import { connect, expect, openPopup, test } from './fixtures';

/** After a failed connect: the sentence is shown, nothing is saved, and what the user typed is still there. */
async function expectRefused(popup: Page, serverUrl: string, sentence: RegExp) {
  await expect(popup.getByRole('alert')).toContainText(sentence);
  await expect(popup.getByLabel('Server URL')).toHaveValue(serverUrl);
  await expect(popup.getByRole('button', { name: 'Connect' })).toBeEnabled();
  const saved = await popup.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('bitbucket-server-companion');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('profiles')) return resolve(0);
          const count = db.transaction('profiles').objectStore('profiles').count();
          count.onsuccess = () => resolve(count.result);
        };
      }),
  );
  expect(saved).toBe(0);
}

test('a wrong token is refused with a sentence about the token', async ({ sim, ext }) => {
  const popup = await openPopup(ext);
  await connect(popup, sim.url, 'definitely-not-a-valid-token');
  await expectRefused(popup, sim.url, /rejected the access token/i);
});

test('a revoked token is refused the same way', async ({ sim, ext }) => {
  const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']);
  sim.revokeToken(token);
  const popup = await openPopup(ext);
  await connect(popup, sim.url, token);
  await expectRefused(popup, sim.url, /rejected the access token/i);
});

test('a server that is down is reported as unreachable', async ({ ext }) => {
  const sim = await startSimulator({ strict: true });
  const url = sim.url;
  await sim.close();
  const popup = await openPopup(ext);
  await connect(popup, url, 'some-token');
  await expectRefused(popup, url, /can.t reach/i);
});

test('a URL that is not a Bitbucket server is named as such', async ({ ext }) => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>Intranet</title><h1>Welcome to the intranet</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const popup = await openPopup(ext);
    await connect(popup, url, 'some-token');
    await expectRefused(popup, url, /doesn.t look like a Bitbucket/i);
  } finally {
    server.close();
  }
});

test('a single sign-on redirect instead of JSON asks the user to sign in', async ({ sim, ext }) => {
  const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']);
  sim.faults.set('/rest', { ssoRedirect: true });
  const popup = await openPopup(ext);
  await connect(popup, sim.url, token);
  await expectRefused(popup, sim.url, /login page|sign in/i);
});

test('a URL with a typo is explained before anything is sent', async ({ ext }) => {
  const popup = await openPopup(ext);
  await connect(popup, 'ftp://bitbucket.example.com', 'some-token');
  await expectRefused(popup, 'ftp://bitbucket.example.com', /http/i);
});

test('an old server version connects with a clear warning', async ({ ext }) => {
  const sim = await startSimulator({ strict: true, version: '7.21.0' });
  try {
    const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_WRITE']);
    const popup = await openPopup(ext);
    await connect(popup, sim.url, token);
    await expect(popup.locator('.profile-switcher .active-server')).toContainText('Bitbucket 7.21.0');
    await expect(popup.locator('.message.warning').first()).toContainText(
      /7\.21.*(older|no longer|not supported)/i,
    );
  } finally {
    await sim.close();
  }
});

test('a read-only token connects and says what it cannot do', async ({ sim, ext }) => {
  const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']);
  const popup = await openPopup(ext);
  await connect(popup, sim.url, token);
  await expect(popup.locator('.profile-switcher .active-user')).toHaveText('Alice Ångström');
  await expect(popup.locator('.message.warning')).toContainText('Repository write');
  await expect(popup.locator('.profile .lozenge', { hasText: 'Write' })).toHaveText(/✗/);
});

test('a server answering 503 is reported as a server problem, and the form keeps its input', async ({
  sim,
  ext,
}) => {
  const token = sim.createToken('alice', ['PROJECT_READ', 'REPO_READ']);
  sim.faults.set('/rest/api/1.0/users', { status: 503 });
  const popup = await openPopup(ext);
  await connect(popup, sim.url, token);
  await expectRefused(popup, sim.url, /had an internal problem \(HTTP 503\)/);
  await expect(popup.getByLabel('HTTP access token')).toHaveValue(token);
});
