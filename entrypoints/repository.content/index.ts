import { browser } from 'wxt/browser';
import { keepControlsMounted } from '../../lib/features/clone/in-page/keep-mounted';
import { CLONE_SETTINGS_KEY, readCloneSettings } from '../../lib/features/clone/settings';
import { keepCreatePrButtons } from '../../lib/features/pull-requests/in-page/keep-create-pr-button';
import { ask } from '../../lib/messaging/client';
import { invalidateOnlyWhenExtensionIsGone } from '../content/lifetime';
import { pageReporter } from '../content/page-report';
import { COMPANION_CONTENT_SCRIPT } from '../content/script-options';

/**
 * Runs on the repository pages of connected Bitbucket servers (`/projects/KEY/repos/slug/…`,
 * `/users/name/repos/slug/…`; registered at runtime, see lib/background/content-scripts.ts), in place of
 * the general page script there: it reports the page like that one, and puts "Open in…" and
 * "Remotes" beside the server's Clone button. Everything it shows at first comes from the page and
 * storage.local; the background is asked only when a menu needs forks (or clone URLs the page
 * didn't carry), and told when the user clones. On source, commits and branch list pages it adds
 * "Create pull request" for the branch shown (lib/features/pull-requests/in-page/), which asks the
 * background to open the Companion's form in a window.
 */
export default defineContentScript({
  ...COMPANION_CONTENT_SCRIPT,
  main(ctx) {
    invalidateOnlyWhenExtensionIsGone(ctx);
    const reporter = pageReporter();
    reporter.report();

    const keeper = keepControlsMounted(document, {
      readSettings: readCloneSettings,
      watchSettings(onChange) {
        const listener = (changes: Record<string, unknown>, area: string) => {
          if (area === 'local' && CLONE_SETTINGS_KEY in changes) onChange();
        };
        browser.storage.onChanged.addListener(listener);
        return () => browser.storage.onChanged.removeListener(listener);
      },
      remotes: ({ projectKey, slug }) => ask({ type: 'repos.remotes', projectKey, slug }),
      used(repoId) {
        ask({ type: 'repos.used', repoId }).catch(() => {
          // Only a ranking hint: nothing to tell the user.
        });
      },
    });
    ctx.onInvalidated(() => keeper.stop());

    const createPr = keepCreatePrButtons(document, {
      open: ({ baseUrl, projectKey, slug, sourceBranch }) =>
        ask({
          type: 'pull-requests.form.open',
          baseUrl,
          projectKey,
          slug,
          ...(sourceBranch ? { sourceBranch } : {}),
        }),
    });
    ctx.onInvalidated(() => createPr.stop());

    ctx.addEventListener(window, 'wxt:locationchange', ({ newUrl }) => {
      // The event comes before the URL changes; look once it has.
      ctx.setTimeout(() => {
        if (location.href !== newUrl.href) return;
        reporter.report();
        keeper.check();
        createPr.check();
      }, 0);
    });
  },
});
