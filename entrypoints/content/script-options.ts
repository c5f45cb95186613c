/**
 * What every Companion content script declares: it is registered at runtime, per connected server
 * and page type (lib/background/content-scripts.ts, which also sets when it runs), it runs once the
 * page's markup is there, and WXT's extra window.postMessage "started" broadcast (kept only for its
 * older versions) is off, as it would also hand every page our extension id. Each entrypoint spreads
 * this into its own defineContentScript call (WXT reads that call from the entrypoint's file) and
 * starts its main with invalidateOnlyWhenExtensionIsGone(ctx) (lifetime.ts).
 */
export const COMPANION_CONTENT_SCRIPT = {
  registration: 'runtime',
  runAt: 'document_end',
  noScriptStartedPostMessage: true,
} as const;
