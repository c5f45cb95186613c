import { browser } from 'wxt/browser';
import type { PageContext } from '../messaging/protocol';

/**
 * What each tab's content script last reported, kept in session storage so it survives the service
 * worker being stopped, and forgotten when the tab closes or navigates away.
 */
const key = (tabId: number) => `page-context:${tabId}`;

/**
 * Whether a content script's report describes a page of the sender's own origin. A script on one
 * server's page must not be able to name another server (the popup would then show that server's
 * profile for this tab); a base URL that doesn't parse is refused too.
 */
export function reportFitsSender(context: PageContext, senderOrigin: string): boolean {
  let origin: string;
  try {
    origin = new URL(context.baseUrl).origin;
  } catch {
    return false;
  }
  return origin !== 'null' && origin === senderOrigin;
}

export async function rememberPageContext(tabId: number, context: PageContext): Promise<void> {
  await browser.storage.session.set({ [key(tabId)]: context });
}

export async function pageContextOf(tabId: number): Promise<PageContext | null> {
  const stored = await browser.storage.session.get(key(tabId));
  return (stored[key(tabId)] as PageContext | undefined) ?? null;
}

export function forgetPageContexts(): void {
  browser.tabs.onRemoved.addListener((tabId) => {
    void browser.storage.session.remove(key(tabId));
  });
  browser.tabs.onUpdated.addListener((tabId, change) => {
    if (change.status === 'loading' && change.url) void browser.storage.session.remove(key(tabId));
  });
}
