import { invalidateOnlyWhenExtensionIsGone } from './lifetime';
import { pageReporter } from './page-report';
import { COMPANION_CONTENT_SCRIPT } from './script-options';

/**
 * Runs on the pages of connected Bitbucket servers only (registered at runtime per server and page
 * type, see lib/background/content-scripts.ts). It recognises the page and tells the background,
 * again after in-page navigation; on anything it doesn't recognise it does nothing.
 */
export default defineContentScript({
  ...COMPANION_CONTENT_SCRIPT,
  main(ctx) {
    invalidateOnlyWhenExtensionIsGone(ctx);
    const reporter = pageReporter();
    reporter.report();
    ctx.addEventListener(window, 'wxt:locationchange', ({ newUrl }) => {
      // The event comes before the URL changes. Report once it has; after a cross-document
      // navigation it never does here, and the next page's own script reports.
      ctx.setTimeout(() => {
        if (location.href === newUrl.href) reporter.report();
      }, 0);
    });
  },
});
