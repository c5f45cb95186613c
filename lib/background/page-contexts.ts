import { browser } from 'wxt/browser';
import type { PageContext } from '../messaging/protocol';

/**
 * What each tab's content script last reported, kept in session storage so it survives the service
 * worker being stopped, and forgotten when the tab closes or navigates away.
 */
const key = (tabId: number) => `page-context:${tabId}`;

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
