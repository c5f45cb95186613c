import { ask } from '../../lib/messaging/client';
import { detectPage } from '../../lib/page/detect';

/**
 * Runs on the pages of connected Bitbucket servers only (registered at runtime per origin). It
 * recognises the page and tells the background; on anything it doesn't recognise it does nothing.
 */
export default defineContentScript({
  registration: 'runtime',
  runAt: 'document_end',
  main() {
    const context = detectPage(document, location);
    if (!context) return;
    ask({ type: 'page.report', context }).catch(() => {
      // The background refused or is restarting: stay quiet on the page.
    });
  },
});
