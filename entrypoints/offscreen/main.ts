import {
  type CryptoOperation,
  type CryptoReply,
  channelRequestFrom,
} from '../../lib/background/passphrase-channel';
import {
  type PushOperation,
  type PushReply,
  pushRequestFrom,
} from '../../lib/features/create-repo/push-channel';

/**
 * The offscreen document (Chrome): the service worker opens it for an export or import with a
 * passphrase, or to push a new repository's first commit, and closes it afterwards. It answers only
 * channel requests from the service worker and hands each to a dedicated worker (OpenPGP, or
 * isomorphic-git for a push), where the data meets no extension API. It never sends a message of its
 * own, and the public protocol's messages from the extension's pages, which reach it too, go
 * unanswered so the service worker's router answers them.
 */

// An offscreen document has only part of chrome.runtime (no getManifest): the worker's path is the
// one WXT gives the background entrypoint.
const serviceWorker = { extensionId: chrome.runtime.id, url: chrome.runtime.getURL('background.js') };

let worker: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, (reply: CryptoReply) => void>();

function openpgpWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL('./openpgp-worker.ts', import.meta.url), { type: 'module' });
  started.addEventListener('message', (event: MessageEvent<{ id: number; reply: CryptoReply }>) => {
    waiting.get(event.data.id)?.(event.data.reply);
    waiting.delete(event.data.id);
  });
  started.addEventListener('error', (event) => {
    // A worker that fails to start or crashes answers nothing more: fail what waits, start afresh next time.
    console.error('The OpenPGP worker failed', event.message);
    for (const answer of waiting.values()) answer({ ok: false, failure: 'failed' });
    waiting.clear();
    started.terminate();
    worker = undefined;
  });
  worker = started;
  return started;
}

function inWorker(operation: CryptoOperation): Promise<CryptoReply> {
  return new Promise((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve);
    openpgpWorker().postMessage({ id, operation });
  });
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const operation = channelRequestFrom(message, sender, serviceWorker);
  if (!operation) return false;
  void inWorker(operation).then(sendResponse);
  return true;
});

/**
 * Pushes of a new repository's first commit (lib/features/create-repo/push-runner.ts): each runs in
 * its own dedicated worker, which ends with it, so the token it carries lives no longer than the push.
 */
function pushInWorker(operation: PushOperation): Promise<PushReply> {
  return new Promise((resolve) => {
    const pusher = new Worker(new URL('./git-worker.ts', import.meta.url), { type: 'module' });
    const done = (reply: PushReply) => {
      pusher.terminate();
      resolve(reply);
    };
    pusher.addEventListener('message', (event: MessageEvent<{ reply: PushReply }>) => done(event.data.reply));
    pusher.addEventListener('error', (event) => {
      console.error('The git worker failed', event.message);
      done({ ok: false, failure: 'failed', message: 'The git worker failed.' });
    });
    pusher.postMessage({ id: 0, operation });
  });
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const operation = pushRequestFrom(message, sender, serviceWorker);
  if (!operation) return false;
  void pushInWorker(operation).then(sendResponse);
  return true;
});
