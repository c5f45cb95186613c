import { pushFirstCommit } from '../../lib/features/create-repo/push';
import type { PushOperation } from '../../lib/features/create-repo/push-channel';

/**
 * The offscreen document's second dedicated worker: the only place isomorphic-git runs in Chrome.
 * It makes a new repository's first commit in memory and pushes it; it hears only the document that
 * started it and has no extension APIs.
 */
self.addEventListener('message', async (event: MessageEvent<{ id: number; operation: PushOperation }>) => {
  const { id, operation } = event.data;
  self.postMessage({ id, reply: await pushFirstCommit(operation) });
});
