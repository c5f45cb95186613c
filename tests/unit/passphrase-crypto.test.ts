/**
 * The passphrase crypto of profile files as Chrome runs it: the service worker's side of the offscreen
 * document (opening, closing, the private channel) against a stand-in document that answers with the
 * same checks and the same OpenPGP code as the real one.
 */
import * as openpgp from 'openpgp';
import * as v from 'valibot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CannotDecrypt,
  channelRequestFrom,
  cryptoRequest,
  PASSPHRASE_CHANNEL,
} from '../../lib/background/passphrase-channel';
import { createOffscreenCrypto, type OffscreenHost } from '../../lib/background/passphrase-crypto';
import { perform } from '../../lib/background/passphrase-openpgp';
import { RequestSchema } from '../../lib/messaging/protocol';

const EXTENSION_ID = 'abcdefghijklmnopabcdefghijklmnop';
const SERVICE_WORKER = { extensionId: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}/background.js` };
const FROM_SERVICE_WORKER = { id: EXTENSION_ID, url: SERVICE_WORKER.url };

/** Behaves like chrome.offscreen: one document at most, messages only reach an open one. */
function fakeOffscreen(options: { openAtStart?: boolean; answer?: (request: unknown) => unknown } = {}) {
  const events: string[] = [];
  let open = options.openAtStart ?? false;
  const host: OffscreenHost = {
    isOpen: async () => open,
    open: async () => {
      if (open) throw new Error('Only a single offscreen document may be created.');
      await new Promise((resolve) => setTimeout(resolve, 5));
      open = true;
      events.push('open');
    },
    close: async () => {
      if (!open) throw new Error('No current offscreen document.');
      open = false;
      events.push('close');
    },
    send: async (request) => {
      if (!open) throw new Error('Could not establish connection. Receiving end does not exist.');
      events.push('send');
      if (options.answer) return options.answer(request);
      const operation = channelRequestFrom(request, FROM_SERVICE_WORKER, SERVICE_WORKER);
      return operation ? perform(operation) : undefined;
    },
  };
  return { host, events, isOpen: () => open };
}

/** Lets a close queued after the last operation run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('passphrase crypto through the offscreen document', () => {
  it('encrypts and decrypts through it, and closes it once done', async () => {
    const offscreen = fakeOffscreen();
    const crypto = createOffscreenCrypto(offscreen.host);
    const armored = await crypto.encryptWithPassphrase('{"profiles":["Ångström"]}', 'a long passphrase');
    expect(armored).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    expect(armored).not.toContain('Ångström');
    expect(await crypto.decryptWithPassphrase(armored, 'a long passphrase')).toBe(
      '{"profiles":["Ångström"]}',
    );
    await settle();
    expect(offscreen.isOpen()).toBe(false);
    expect(offscreen.events).toEqual(['open', 'send', 'close', 'open', 'send', 'close']);
  });

  it('reads a GPG key there: fingerprint, key id, RSA or not, and whether the secret block is its own', async () => {
    const offscreen = fakeOffscreen();
    const crypto = createOffscreenCrypto(offscreen.host);
    const [ecc, rsa] = await Promise.all([
      openpgp.generateKey({
        type: 'ecc',
        curve: 'ed25519Legacy',
        userIDs: [{ name: 'Alice', email: 'alice@example.com' }],
        passphrase: 'gpg secret 1',
      }),
      openpgp.generateKey({
        type: 'rsa',
        rsaBits: 2048,
        userIDs: [{ name: 'Bob', email: 'bob@example.com' }],
        passphrase: 'gpg secret 2',
      }),
    ]);
    const eccKey = await openpgp.readKey({ armoredKey: ecc.publicKey });
    expect(await crypto.inspectGpgKey(ecc.publicKey, ecc.privateKey)).toEqual({
      fingerprint: eccKey.getFingerprint().toUpperCase(),
      keyId: eccKey.getKeyID().toHex().toUpperCase(),
      rsa: false,
      secretMatches: true,
    });
    expect(await crypto.inspectGpgKey(rsa.publicKey)).toMatchObject({ rsa: true });
    expect((await crypto.inspectGpgKey(ecc.publicKey, rsa.privateKey)).secretMatches).toBe(false);
    // A secret block where the public one belongs, or no key at all: not read.
    await expect(crypto.inspectGpgKey(ecc.privateKey)).rejects.toThrow();
    await expect(
      crypto.inspectGpgKey(
        '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----',
      ),
    ).rejects.toThrow();
    await settle();
    expect(offscreen.isOpen()).toBe(false);
  });

  it('says CannotDecrypt for a wrong passphrase or a damaged file, and closes the document all the same', async () => {
    const offscreen = fakeOffscreen();
    const crypto = createOffscreenCrypto(offscreen.host);
    const armored = await crypto.encryptWithPassphrase('secret', 'the right one');
    await expect(crypto.decryptWithPassphrase(armored, 'the wrong one')).rejects.toBeInstanceOf(
      CannotDecrypt,
    );
    const damaged = armored.replace(/\n([A-Za-z0-9+/]{10})/, '\nAAAAAAAAAA');
    await expect(crypto.decryptWithPassphrase(damaged, 'the right one')).rejects.toBeInstanceOf(
      CannotDecrypt,
    );
    await settle();
    expect(offscreen.isOpen()).toBe(false);
  });

  it('opens the document once for operations that overlap, and closes it after the last', async () => {
    const offscreen = fakeOffscreen();
    const crypto = createOffscreenCrypto(offscreen.host);
    const texts = ['one', 'two', 'three', 'four'];
    const armored = await Promise.all(texts.map((t) => crypto.encryptWithPassphrase(t, 'passphrase')));
    expect(await Promise.all(armored.map((a) => crypto.decryptWithPassphrase(a, 'passphrase')))).toEqual(
      texts,
    );
    await settle();
    expect(offscreen.events.filter((e) => e === 'open').length).toBeLessThanOrEqual(2);
    expect(offscreen.events.at(-1)).toBe('close');
    expect(offscreen.isOpen()).toBe(false);
  });

  it('never closes the document under an operation that started while a close was due', async () => {
    const offscreen = fakeOffscreen();
    const crypto = createOffscreenCrypto(offscreen.host);
    const first = await crypto.encryptWithPassphrase('first', 'passphrase');
    // Starts in the same turn as the close the first operation queued.
    const second = crypto.decryptWithPassphrase(first, 'passphrase');
    expect(await second).toBe('first');
    await settle();
    expect(offscreen.isOpen()).toBe(false);
  });

  it('uses a document left open by an earlier life of the service worker instead of creating another', async () => {
    const offscreen = fakeOffscreen({ openAtStart: true });
    const crypto = createOffscreenCrypto(offscreen.host);
    await crypto.encryptWithPassphrase('text', 'passphrase');
    await settle();
    expect(offscreen.events).toEqual(['send', 'close']);
  });

  it('reports a document that does not answer as a failure of its own, not as a wrong passphrase', async () => {
    for (const answer of [() => undefined, () => ({ ok: true }), () => ({ ok: false, failure: 'failed' })]) {
      const offscreen = fakeOffscreen({ answer });
      const crypto = createOffscreenCrypto(offscreen.host);
      const failure = await crypto.decryptWithPassphrase('armored', 'passphrase').catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(CannotDecrypt);
      await settle();
      expect(offscreen.isOpen()).toBe(false);
    }
  });

  it('tries to open the document again after it failed to open', async () => {
    const offscreen = fakeOffscreen();
    const open = offscreen.host.open;
    offscreen.host.open = vi.fn().mockRejectedValueOnce(new Error('not now')).mockImplementation(open);
    const crypto = createOffscreenCrypto(offscreen.host);
    await expect(crypto.encryptWithPassphrase('text', 'passphrase')).rejects.toThrow('not now');
    expect(await crypto.encryptWithPassphrase('text', 'passphrase')).toMatch(/BEGIN PGP MESSAGE/);
  });
});

describe('the private channel', () => {
  const request = cryptoRequest({ op: 'decrypt', armored: 'x', passphrase: 'p' });

  it('is answered only for the service worker of this extension', () => {
    expect(channelRequestFrom(request, FROM_SERVICE_WORKER, SERVICE_WORKER)).toEqual(request.operation);
    const others = [
      { id: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}/options.html` },
      { id: EXTENSION_ID, url: `chrome-extension://${EXTENSION_ID}/popup.html` },
      { id: EXTENSION_ID, url: 'https://git.example.com/projects', tab: { id: 3 } },
      { ...FROM_SERVICE_WORKER, tab: { id: 3 } },
      { id: 'another-extension', url: 'chrome-extension://another-extension/background.js' },
      {},
    ];
    for (const sender of others) expect(channelRequestFrom(request, sender, SERVICE_WORKER)).toBeUndefined();
  });

  it('leaves the public protocol alone, and the public protocol never reads a channel request', () => {
    for (const message of [
      { type: 'profiles.export', passphrase: 'a long passphrase' },
      { type: 'profiles.import', content: 'x' },
      { ...request, type: 'profiles.export' },
      { channel: PASSPHRASE_CHANNEL, operation: { op: 'sign', text: 'x', passphrase: 'p' } },
      { channel: 'something else', operation: request.operation },
    ]) {
      expect(channelRequestFrom(message, FROM_SERVICE_WORKER, SERVICE_WORKER)).toBeUndefined();
    }
    for (const operation of [request.operation, { op: 'encrypt', text: 'x', passphrase: 'p' } as const]) {
      expect(v.safeParse(RequestSchema, cryptoRequest(operation)).success).toBe(false);
    }
  });
});

describe('export and import on top of it', () => {
  afterEach(() => {
    vi.doUnmock('../../lib/background/passphrase-crypto');
    vi.resetModules();
  });

  it('say "wrong passphrase" only when OpenPGP refused, never for a crypto failure of the extension', async () => {
    vi.resetModules();
    vi.doMock('../../lib/background/passphrase-crypto', async (original) => ({
      ...(await original<typeof import('../../lib/background/passphrase-crypto')>()),
      decryptWithPassphrase: async () => {
        throw new Error('The offscreen document gave no answer to an OpenPGP request.');
      },
    }));
    const { importProfiles } = await import('../../lib/background/export-import');
    const { CompanionDb } = await import('../../lib/db/schema');
    const db = new CompanionDb(`crypto-failure-${Math.random()}`);
    try {
      const failure = await importProfiles(db, '-----BEGIN PGP MESSAGE-----\n\nx', 'passphrase').catch(
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toBe('The offscreen document gave no answer to an OpenPGP request.');
    } finally {
      await db.delete();
    }
  });
});
