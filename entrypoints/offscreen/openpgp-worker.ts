import type { CryptoOperation } from '../../lib/background/passphrase-channel';
import { perform } from '../../lib/background/passphrase-openpgp';

/**
 * The dedicated worker of the offscreen document: the only place openpgp runs in Chrome. It hears
 * only the document that started it and has no extension APIs.
 */
self.addEventListener('message', async (event: MessageEvent<{ id: number; operation: CryptoOperation }>) => {
  const { id, operation } = event.data;
  self.postMessage({ id, reply: await perform(operation) });
});
