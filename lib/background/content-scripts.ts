import { browser } from 'wxt/browser';

const SCRIPT_ID = 'bitbucket-page';
const SCRIPT_FILE = 'content-scripts/content.js';

/**
 * Match patterns for the pages of one connected server. Only the page types the content script
 * handles are matched, so other pages of the server pay nothing.
 */
export function pagePatterns(baseUrl: string, options: { firefox?: boolean } = {}): string[] {
  const url = new URL(baseUrl);
  // Chrome match patterns accept an explicit port, Firefox's don't (there a pattern covers every
  // port of the host). The path part is matched literally.
  const host = options.firefox ? url.hostname : url.host;
  const root = `${url.protocol}//${host}${url.pathname.replace(/\/$/, '')}`;
  return [`${root}/projects/*`, `${root}/users/*`, `${root}/dashboard*`];
}

let queue: Promise<void> = Promise.resolve();

/**
 * Registers the page content script for exactly the given servers (replacing any earlier set).
 * Calls are serialised: a grant and a connect may both ask at once.
 */
export function syncContentScripts(baseUrls: readonly string[]): Promise<void> {
  const run = queue.then(() => replaceRegistration(baseUrls));
  queue = run.catch(() => {});
  return run;
}

async function replaceRegistration(baseUrls: readonly string[]): Promise<void> {
  const existing = await browser.scripting.getRegisteredContentScripts({ ids: [SCRIPT_ID] });
  if (existing.length > 0) await browser.scripting.unregisterContentScripts({ ids: [SCRIPT_ID] });
  const matches = [
    ...new Set(baseUrls.flatMap((u) => pagePatterns(u, { firefox: import.meta.env.FIREFOX }))),
  ];
  if (matches.length === 0) return;
  await browser.scripting.registerContentScripts([
    { id: SCRIPT_ID, js: [SCRIPT_FILE], matches, runAt: 'document_end', persistAcrossSessions: true },
  ]);
}
