import * as v from 'valibot';
import { offscreenWorkEnded, offscreenWorkInFlight, offscreenWorkStarted } from './offscreen-document';
import {
  CannotDecrypt,
  type CryptoOperation,
  type CryptoRequest,
  cryptoRequest,
  type GpgKeyInspection,
  GpgKeyInspectionSchema,
  readReply,
} from './passphrase-channel';

export { CannotDecrypt } from './passphrase-channel';

/**
 * OpenPGP for the background (password encryption of profile files, reading the GPG keys in them),
 * behind one small interface because where it runs depends on the browser. openpgp is half a megabyte
 * of script, and a Chrome service worker parses everything bundled into it on every wake and can't
 * `import()` lazily; so in Chrome the work happens in an offscreen document (entrypoints/offscreen/)
 * that exists only while such work runs.
 * Firefox runs the background as an event page, which loads openpgp directly, and so do the unit tests.
 */
export interface PassphraseCrypto {
  /** An armored OpenPGP message that opens with the passphrase. */
  encryptWithPassphrase(text: string, passphrase: string): Promise<string>;
  /** The text of the message; throws CannotDecrypt when the passphrase (or the message) is wrong. */
  decryptWithPassphrase(armored: string, passphrase: string): Promise<string>;
  /** What OpenPGP reads in a GPG key's blocks; throws when they are not OpenPGP keys. */
  inspectGpgKey(armoredPublic: string, armoredPrivate?: string): Promise<GpgKeyInspection>;
}

/** The offscreen document as the service worker sees it. */
export interface OffscreenHost {
  /** Whether it is open: it may be left over from an earlier life of the service worker. */
  isOpen(): Promise<boolean>;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Sends a channel request; resolves with whatever came back. */
  send(request: CryptoRequest): Promise<unknown>;
}

const OFFSCREEN_DOCUMENT = 'offscreen.html';

function chromeOffscreenHost(): OffscreenHost {
  const url = chrome.runtime.getURL(OFFSCREEN_DOCUMENT);
  return {
    isOpen: async () =>
      (await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] }))
        .length > 0,
    open: () =>
      chrome.offscreen.createDocument({
        url: OFFSCREEN_DOCUMENT,
        // The document starts a dedicated worker and runs OpenPGP there, in a context with no
        // extension APIs: that worker is what the document is for.
        reasons: ['WORKERS'],
        justification:
          'Encrypts and decrypts profile export files with the passphrase the user chose (OpenPGP), in a worker.',
      }),
    // The document is shared with the first-commit push: not closed under a push still running.
    close: async () => {
      if (!offscreenWorkInFlight()) await chrome.offscreen.closeDocument();
    },
    send: async (request) => {
      offscreenWorkStarted();
      try {
        return await chrome.runtime.sendMessage(request);
      } finally {
        offscreenWorkEnded();
      }
    },
  };
}

const NO_ANSWER = 'The offscreen document gave no answer to an OpenPGP request.';

/**
 * Runs each operation in the offscreen document: opens it when none is open, closes it as soon as no
 * operation needs it. Opening and closing take turns, so concurrent operations never create it twice
 * and a close never lands between another operation's open and its request; a close that comes due
 * after another operation has started is skipped rather than followed by a fresh open.
 */
export function createOffscreenCrypto(host: OffscreenHost): PassphraseCrypto {
  let inFlight = 0;
  let lifecycle: Promise<void> = Promise.resolve();
  const inTurn = (step: () => Promise<void>): Promise<void> => {
    const run = lifecycle.then(step);
    lifecycle = run.catch(() => undefined);
    return run;
  };
  const ensureOpen = () =>
    inTurn(async () => {
      if (!(await host.isOpen())) await host.open();
    });
  const closeIfUnused = () =>
    inTurn(async () => {
      if (inFlight === 0 && (await host.isOpen())) await host.close();
    });

  async function run(operation: CryptoOperation): Promise<string> {
    inFlight++;
    try {
      await ensureOpen();
      let answer: unknown;
      try {
        answer = await host.send(cryptoRequest(operation));
      } catch (error) {
        throw new Error(NO_ANSWER, { cause: error });
      }
      const reply = readReply(answer);
      if (!reply) throw new Error(NO_ANSWER);
      if (reply.ok) return reply.text;
      if (reply.failure === 'cannot-decrypt') throw new CannotDecrypt();
      throw new Error('OpenPGP failed in the offscreen document.');
    } finally {
      inFlight--;
      if (inFlight === 0) {
        closeIfUnused().catch((error) => console.warn('Could not close the offscreen document', error));
      }
    }
  }

  return {
    encryptWithPassphrase: (text, passphrase) => run({ op: 'encrypt', text, passphrase }),
    decryptWithPassphrase: (armored, passphrase) => run({ op: 'decrypt', armored, passphrase }),
    inspectGpgKey: async (armoredPublic, armoredPrivate) =>
      v.parse(
        GpgKeyInspectionSchema,
        JSON.parse(
          await run({
            op: 'inspect-gpg',
            armoredPublic,
            ...(armoredPrivate !== undefined ? { armoredPrivate } : {}),
          }),
        ),
      ),
  };
}

/**
 * Build-time constants, so the Chrome bundles (release, e2e, dev) drop the direct path and openpgp
 * with it. Vitest runs the code in Node, where openpgp loads directly as in Firefox.
 */
const LOADS_OPENPGP_DIRECTLY = import.meta.env.FIREFOX || import.meta.env.MODE === 'test';

let offscreen: PassphraseCrypto | undefined;
async function implementation(): Promise<PassphraseCrypto> {
  if (LOADS_OPENPGP_DIRECTLY) {
    // Bundled into Firefox's background page (its single-file build inlines it); in the Chrome builds
    // this branch is dead code and removed, `import()` and openpgp with it.
    const { encryptText, decryptText, inspectGpgKey } = await import('./passphrase-openpgp');
    return { encryptWithPassphrase: encryptText, decryptWithPassphrase: decryptText, inspectGpgKey };
  }
  offscreen ??= createOffscreenCrypto(chromeOffscreenHost());
  return offscreen;
}

export const encryptWithPassphrase = async (text: string, passphrase: string): Promise<string> =>
  (await implementation()).encryptWithPassphrase(text, passphrase);

export const decryptWithPassphrase = async (armored: string, passphrase: string): Promise<string> =>
  (await implementation()).decryptWithPassphrase(armored, passphrase);

/** What OpenPGP reads in a GPG key's blocks (in the offscreen document in Chrome); throws when unreadable. */
export const inspectGpgKey = async (
  armoredPublic: string,
  armoredPrivate?: string,
): Promise<GpgKeyInspection> => (await implementation()).inspectGpgKey(armoredPublic, armoredPrivate);
