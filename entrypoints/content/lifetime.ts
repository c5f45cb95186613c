import { browser } from 'wxt/browser';
import { ContentScriptContext } from 'wxt/utils/content-script-context';

/**
 * Keeps the page from switching the content script off.
 *
 * WXT ends a context when the document receives its "content script started" event for the same
 * script with another id: meant for the copy of the script an updated extension starts. But the
 * event travels through the page's DOM, and its name (extension id, entrypoint name) is no secret,
 * so the page can dispatch it too. While our extension context is alive (`browser.runtime.id`
 * present) the event is stopped on its way, before it reaches the document where WXT listens; once
 * the context is really gone it passes and WXT tears the script down as designed.
 */
export function invalidateOnlyWhenExtensionIsGone(ctx: ContentScriptContext): void {
  window.addEventListener(
    startedEventName(),
    (event) => {
      if (browser.runtime?.id) event.stopImmediatePropagation();
    },
    // Capturing on window runs before any listener on the document, whoever dispatched the event.
    { capture: true, signal: ctx.signal },
  );
}

/** The event's name as WXT builds it (a private static of its context class, so read with care). */
function startedEventName(): string {
  const fromFramework = (ContentScriptContext as unknown as { SCRIPT_STARTED_MESSAGE_TYPE?: unknown })
    .SCRIPT_STARTED_MESSAGE_TYPE;
  return typeof fromFramework === 'string'
    ? fromFramework
    : `${browser.runtime.id}:${import.meta.env.ENTRYPOINT}:wxt:content-script-started`;
}
