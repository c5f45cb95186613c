/**
 * Every DOM selector the extension uses on Bitbucket's own pages, with the versions it was seen on.
 * Content scripts find their anchors only through this module, and treat a missing anchor as
 * "not here" (no error) or fall back to a floating control of their own.
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
  /**
   * Sidebar clone action, `li.clone-repo > a#clone-repo-button` — 7.6 (saved page); 8.x (named in
   * repository.onReady on a saved 8.x pull request page). "Open in…" goes right after its item.
   */
  cloneButton: '#clone-repo-button',
  /**
   * The page's inline scripts; one holds the repository as REST JSON:
   * `require('bitbucket/internal/layout/repository/repository').onReady({…}, '#clone-repo-button')`
   * — 7.6 repository page, 8.x pull request page (saved pages).
   */
  inlineScripts: 'script:not([src])',
} as const;

export type SelectorName = keyof typeof SELECTORS;

/**
 * On the account SSH / GPG keys pages only (`/plugins/servlet/{ssh|gpg}/account/keys`): the "Add key"
 * action, a link to `…/account/keys/add`. The add form's URL is in many public scripts; the page's
 * markup is not public (no saved 8.x–10.x page), so no id or class is relied on. "Add key from
 * Companion" goes right after it; without it, a floating button. UNCONFIRMED on real servers.
 */
export const ACCOUNT_KEYS_PAGE_SELECTORS = {
  addSshKeyLink:
    'a[href$="/plugins/servlet/ssh/account/keys/add"], a[href*="/plugins/servlet/ssh/account/keys/add?"]',
  addGpgKeyLink:
    'a[href$="/plugins/servlet/gpg/account/keys/add"], a[href*="/plugins/servlet/gpg/account/keys/add?"]',
  /**
   * Without such a link (a page that opens its form with a script): a button or link whose text is
   * "Add key" — Atlassian's docs name the action so ("Select SSH keys > Add key") — in the page's
   * main content and outside any form (the add form's own submit button says "Add key" too).
   */
  mainContent: '#main, main, #content',
  addKeyControls: 'a, button',
  addKeyText: 'Add key',
} as const;

/**
 * The branch a repository page shows, and the branch list (the in-page "Create pull request").
 * UNCONFIRMED on 8.x–10.x beyond what the notes say: each has a floating fallback.
 */
export const BRANCH_SELECTORS = {
  /**
   * The branch selector of the source and commits pages — 7.6 (saved page); 8.x (GitPod, e2e tests
   * of real servers: its `title` is the branch name). Before 10.0 `#branch-actions` follows it.
   */
  revisionSelector: '#repository-layout-revision-selector',
  /** Inside it: `<span class="name" data-id="refs/heads/…" data-revision-ref="{…isDefault…}">` — 7.6. */
  revisionName: '.name[data-id]',
  /** The group of buttons holding the selector (and branch actions) — 7.6; Sourcegraph ≈7.11; GitPod 8.x. */
  revisionButtons: '.branch-selector-toolbar .aui-buttons',
  /** The rows of the branch list page (`…/branches`) — `#branch-list` table; `#branch-name-column` th (DCAPT 8.19–10.0). */
  branchRows: '#branch-list tbody tr',
  /** A row's link to its branch (`…/browse?at=refs/heads/…`). */
  branchRowLink: 'a[href]',
  /** A row's "…" actions cell — `.branch-actions-column>button` (DCAPT 8.19–10.0). */
  branchActions: '.branch-actions-column',
  /** The row's name cell, where the default branch's lozenge sits. */
  branchName: '.branch-name-column',
  defaultLozenge: '.aui-lozenge',
} as const;
