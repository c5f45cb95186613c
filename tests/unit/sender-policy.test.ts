import { describe, expect, it } from 'vitest';
import { checkSender } from '../../lib/messaging/sender-policy';

const ctx = {
  extensionId: 'abcdefghijklmnop',
  extensionOrigin: 'chrome-extension://abcdefghijklmnop',
  connectedOrigins: new Set(['https://git.example.com']),
};

describe('who may send what', () => {
  it('lets the popup and options page send anything', () => {
    const popup = { id: ctx.extensionId, url: 'chrome-extension://abcdefghijklmnop/popup.html' };
    expect(checkSender('connect', popup, ctx)).toEqual({ allowed: true, from: 'extension-page' });
    expect(checkSender('profiles.remove', popup, ctx)).toMatchObject({ allowed: true });
  });

  it('lets a content script on a connected origin send only its own message types', () => {
    const content = {
      id: ctx.extensionId,
      url: 'https://git.example.com/projects/P/repos/r/browse',
      origin: 'https://git.example.com',
      tab: { id: 7 },
      frameId: 0,
    };
    expect(checkSender('page.report', content, ctx)).toEqual({
      allowed: true,
      from: 'content-script',
      origin: 'https://git.example.com',
      tabId: 7,
      url: 'https://git.example.com/projects/P/repos/r/browse',
    });
    for (const type of ['connect', 'profiles.remove', 'profiles.activate', 'tab.context'] as const) {
      expect(checkSender(type, content, ctx)).toMatchObject({ allowed: false });
    }
    // The repository page's "Create pull request" asks for the form's window; the form's own
    // requests, which act with the token, come from the extension's page only.
    expect(checkSender('pull-requests.form.open', content, ctx)).toMatchObject({
      allowed: true,
      from: 'content-script',
    });
    for (const type of ['pr.create', 'pr.users', 'pr.branches'] as const) {
      expect(checkSender(type, content, ctx), type).toMatchObject({ allowed: false });
    }
  });

  it('lets the keys page’s script ask about its keys, but not start an install or read private keys', () => {
    const keysPage = {
      id: ctx.extensionId,
      url: 'https://git.example.com/plugins/servlet/ssh/account/keys',
      origin: 'https://git.example.com',
      tab: { id: 9 },
      frameId: 0,
    };
    for (const type of [
      'keys.page.state',
      'keys.page.generate',
      'keys.page.installed',
      'keys.page.dismiss',
    ] as const) {
      expect(checkSender(type, keysPage, ctx), type).toMatchObject({ allowed: true, from: 'content-script' });
      expect(
        checkSender(
          type,
          {
            ...keysPage,
            url: 'https://evil.example/plugins/servlet/ssh/account/keys',
            origin: 'https://evil.example',
          },
          ctx,
        ),
        type,
      ).toMatchObject({ allowed: false });
    }
    for (const type of [
      'keys.session.start',
      'keys.list',
      'keys.ssh.privateKey',
      'keys.gpg.privateKey',
      'keys.ssh.install',
    ] as const) {
      expect(checkSender(type, keysPage, ctx), type).toMatchObject({ allowed: false });
    }
  });

  it('refuses content scripts on origins without a profile, in sub-frames, and other extensions', () => {
    const base = { id: ctx.extensionId, tab: { id: 1 }, frameId: 0 };
    expect(
      checkSender('page.report', { ...base, url: 'https://evil.example/projects/x' }, ctx),
    ).toMatchObject({
      allowed: false,
      reason: 'origin not connected',
    });
    expect(
      checkSender('page.report', { ...base, url: 'https://git.example.com/x', frameId: 3 }, ctx),
    ).toMatchObject({ allowed: false });
    expect(
      checkSender('connect', { id: 'otherextension', url: 'chrome-extension://otherextension/p.html' }, ctx),
    ).toMatchObject({ allowed: false });
  });

  it('refuses a page URL that merely starts like the extension origin', () => {
    const forged = {
      id: ctx.extensionId,
      url: 'https://git.example.com/chrome-extension://abcdefghijklmnop',
      tab: { id: 1 },
    };
    expect(checkSender('connect', forged, ctx)).toMatchObject({ allowed: false });
  });

  it('refuses the offscreen document: it has its own channel and may not use the protocol', () => {
    const offscreen = { id: ctx.extensionId, url: 'chrome-extension://abcdefghijklmnop/offscreen.html' };
    expect(checkSender('profiles.export', offscreen, ctx)).toMatchObject({ allowed: false });
    expect(checkSender('profiles.export', { ...offscreen, url: `${offscreen.url}?x#y` }, ctx)).toMatchObject({
      allowed: false,
    });
  });
});
