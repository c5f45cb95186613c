import { HOST_ATTRIBUTE, mountLoginNotice } from '../../lib/features/keys/in-page/add-key-button';
import { keepAddKeyButton } from '../../lib/features/keys/in-page/keep-add-key-button';
import { isLoginPage, keysPageOf, pageFetch } from '../../lib/features/keys/in-page/page-session';
import { ask } from '../../lib/messaging/client';
import { invalidateOnlyWhenExtensionIsGone } from '../content/lifetime';
import { COMPANION_CONTENT_SCRIPT } from '../content/script-options';

/** A sentence kept over the reload that shows the server's list with the new key. */
const FLASH_KEY = 'bsc-add-key-result';

/**
 * Runs on the account SSH and GPG keys pages of connected servers (and their login page; registered
 * at runtime, see lib/background/content-scripts.ts). On a keys page: "Add key from Companion", and
 * a pending install from the popup finished through the page's session. On the login page: a notice
 * while such an install waits for the user to sign in. Nothing else.
 */
export default defineContentScript({
  ...COMPANION_CONTENT_SCRIPT,
  main(ctx) {
    invalidateOnlyWhenExtensionIsGone(ctx);
    for (const stale of document.querySelectorAll(`[${HOST_ATTRIBUTE}]`)) stale.remove();

    const page = keysPageOf(location);
    if (page) {
      const keeper = keepAddKeyButton(document, page, {
        state: (signedInAs) =>
          ask({ type: 'keys.page.state', kind: page.kind, ...(signedInAs ? { signedInAs } : {}) }),
        generate: (profileId) => ask({ type: 'keys.page.generate', profileId }),
        installed: (profileId, keyId, serverKeyId) =>
          ask({
            type: 'keys.page.installed',
            profileId,
            keyId,
            ...(serverKeyId !== undefined ? { serverKeyId } : {}),
          }),
        dismiss: (profileId, keyId) => ask({ type: 'keys.page.dismiss', profileId, keyId }),
        fetch: pageFetch(),
        reload(message) {
          try {
            sessionStorage.setItem(FLASH_KEY, message);
          } catch {
            // No session storage: the list shows the key anyway.
          }
          // The list page shows the new key (from the add form too).
          location.assign(`${page.baseUrl}/plugins/servlet/${page.kind}/account/keys${location.search}`);
        },
      });
      ctx.onInvalidated(() => keeper.stop());
      let flash: string | null = null;
      try {
        flash = sessionStorage.getItem(FLASH_KEY);
        sessionStorage.removeItem(FLASH_KEY);
      } catch {
        flash = null;
      }
      if (flash) keeper.button.say(flash);
      return;
    }

    if (isLoginPage(location.pathname)) {
      ask({ type: 'keys.page.state' })
        .then((state) => {
          if (!state.pending || !ctx.isValid) return;
          const notice = mountLoginNotice(document, state.pending);
          ctx.onInvalidated(() => notice.remove());
        })
        .catch(() => {
          // No pending install to speak of.
        });
    }
  },
});
