import { ask } from '../../lib/messaging/client';
import type { PageContext } from '../../lib/messaging/protocol';
import { detectPage } from '../../lib/page/detect';

/**
 * Tells the background what the page shows, again after every in-page navigation, and only when
 * that changed. After an in-page move to a page detection doesn't know, it reports `other` on the
 * same server, so the popup stops naming the page that was left.
 */
export function pageReporter(): { report(): void } {
  let last: PageContext | null = null;
  let lastSent = '';
  return {
    report() {
      const detected = detectPage(document, location);
      const context: PageContext | null =
        detected ?? (last ? { kind: 'other', baseUrl: last.baseUrl } : null);
      if (!context) return;
      const serialised = JSON.stringify(context);
      if (serialised === lastSent) return;
      last = context;
      lastSent = serialised;
      ask({ type: 'page.report', context }).catch(() => {
        // The background refused or is restarting: stay quiet on the page, try again next time.
        lastSent = '';
      });
    },
  };
}
