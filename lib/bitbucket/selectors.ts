/**
 * Every DOM selector the extension uses on Bitbucket's own pages, with the versions it was seen on.
 * Content scripts find their anchors only through this module, and treat a missing anchor as
 * "not here" (no error, no fallback markup).
 */
export const SELECTORS = {
  /** `<meta name="application-name" content="Bitbucket">` — 7.6, 8.3 saved pages; 8.19–10.x (DCAPT). */
  productMeta: 'meta[name="application-name"][content="Bitbucket"]',
  /** Main content section with data-projectkey / data-reposlug / data-reponame — 7.6; 8.9+ per scripts. */
  content: '#content',
  /** Header avatar of the signed-in user (data-username) — 7.6; 8.19/9.4/10.0 (DCAPT). */
  currentUser: '#current-user',
  /** Footer version, text " v9.4.13" — 7.6, 8.3. */
  productVersion: '#footer #product-version',
  /** Sidebar clone action — 7.6; 8.x (named in repository.onReady). */
  cloneButton: '#clone-repo-button',
} as const;

export type SelectorName = keyof typeof SELECTORS;
