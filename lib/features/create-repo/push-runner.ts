/**
 * Where the first commit's push runs, picked at build time. isomorphic-git is over half a megabyte
 * of script, and the Chrome service worker parses everything bundled into it on every wake and can't
 * `import()` lazily: so in Chrome the push runs in the offscreen document (entrypoints/offscreen/),
 * opened for it and closed afterwards. Firefox runs the background as an event page, which imports
 * the push module when it is needed, as do the unit tests.
 */
import {
  offscreenWorkEnded,
  offscreenWorkInFlight,
  offscreenWorkStarted,
} from '../../background/offscreen-document';
import { type PushOperation, type PushReply, pushRequest, readPushReply } from './push-channel';

const PUSHES_DIRECTLY = import.meta.env.FIREFOX || import.meta.env.MODE === 'test';

const OFFSCREEN_DOCUMENT = 'offscreen.html';

let lifecycle: Promise<void> = Promise.resolve();
const inTurn = (step: () => Promise<void>) => {
  const run = lifecycle.then(step);
  lifecycle = run.catch(() => undefined);
  return run;
};
const url = () => chrome.runtime.getURL(OFFSCREEN_DOCUMENT);
const isOpen = async () =>
  (await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url()] })).length >
  0;

async function inOffscreenDocument(operation: PushOperation): Promise<PushReply> {
  // Counted from before the document opens, so an export finishing meanwhile does not close it.
  offscreenWorkStarted();
  try {
    const opened = await inTurn(async () => {
      if (await isOpen()) return;
      await chrome.offscreen
        .createDocument({
          url: OFFSCREEN_DOCUMENT,
          // The document starts a dedicated worker that runs isomorphic-git, with no extension APIs.
          reasons: ['WORKERS'],
          justification:
            'Pushes the first commit of a repository the user creates (isomorphic-git), in a worker.',
        })
        .catch(async (error: unknown) => {
          // Opened meanwhile for an export or import: that one serves the push too.
          if (!(await isOpen())) throw error;
        });
    }).then(
      () => true,
      (error: unknown) => {
        console.error('Could not open the offscreen document for a push', error);
        return false;
      },
    );
    if (!opened)
      return { ok: false, failure: 'failed', message: 'The offscreen document could not be opened.' };
    let answer: unknown;
    try {
      answer = await chrome.runtime.sendMessage(pushRequest(operation));
    } catch (error) {
      return {
        ok: false,
        failure: 'failed',
        message: `No answer from the offscreen document: ${String(error)}`,
      };
    }
    return (
      readPushReply(answer) ?? {
        ok: false,
        failure: 'failed',
        message: 'No answer from the offscreen document.',
      }
    );
  } finally {
    offscreenWorkEnded();
    if (!offscreenWorkInFlight()) {
      void inTurn(async () => {
        if (!offscreenWorkInFlight() && (await isOpen())) await chrome.offscreen.closeDocument();
      }).catch((error) => console.warn('Could not close the offscreen document', error));
    }
  }
}

/** Pushes one first commit; never throws (the reply says what went wrong). */
export async function runPush(operation: PushOperation): Promise<PushReply> {
  if (PUSHES_DIRECTLY) {
    // Dead code in the Chrome builds, removed with the import and isomorphic-git.
    const { pushFirstCommit } = await import('./push');
    return pushFirstCommit(operation);
  }
  return inOffscreenDocument(operation);
}
