/**
 * Keeps the in-page "Create pull request" buttons where they belong on a repository's pages:
 *
 * - source and commits pages: one button beside the branch selector, for the branch shown; in
 *   the page's corner when the selector is missing (an unknown layout), the branch then from `?at=`;
 * - the branch list (`…/branches`): one button in each branch's row; one in the corner, for a
 *   branch to be picked in the form, when the list is not there.
 *
 * Not on the default branch of a repository that is not a fork: there is nothing to merge from it
 * into itself, and Bitbucket's own sidebar action already starts a pull request from any branch.
 * A fork's default branch gets it (into its origin). Checked when the script starts, after every
 * in-page navigation, and when the page changes its DOM (one observer; a check that finds the
 * buttons in place changes nothing).
 */
import { BRANCH_SELECTORS, SELECTORS } from '../../../bitbucket/selectors';
import { watchPageDom } from '../../../ui/in-page/watch-page';
import { readPageRepository, repositoryJsonFromScript } from '../../clone/in-page/repository-data';
import {
  CREATE_PR_HOST,
  type CreatePrButton,
  type CreatePrDeps,
  type CreatePrPlacement,
  type CreatePrTarget,
  mountCreatePrButton,
} from './create-pr-button';
import { readRowBranch, readShownBranch } from './page-branch';

/** What part of a repository the page shows, from the path after `/repos/<slug>/`. */
export type RepositoryView = 'shown-branch' | 'branch-list' | 'other';

const REPO_REST = /\/(?:projects|users)\/[^/]+\/repos\/[^/]+(?:\/(.*))?$/;

export function repositoryView(pathname: string): RepositoryView {
  const match = REPO_REST.exec(pathname.replace(/\/+$/, ''));
  if (!match) return 'other';
  const rest = match[1] ?? '';
  if (rest === '' || rest === 'browse' || rest.startsWith('browse/') || rest === 'commits')
    return 'shown-branch';
  if (rest === 'branches') return 'branch-list';
  return 'other';
}

/** Whether the page data says the repository is a fork (its REST JSON has an `origin`). */
function pageSaysFork(doc: Document, projectKey: string, slug: string): boolean {
  for (const script of doc.querySelectorAll(SELECTORS.inlineScripts)) {
    const json = repositoryJsonFromScript(script.textContent ?? '');
    if (typeof json !== 'object' || json === null) continue;
    const repo = json as { slug?: unknown; project?: { key?: unknown }; origin?: unknown };
    if (
      typeof repo.slug === 'string' &&
      repo.slug.toLowerCase() === slug.toLowerCase() &&
      typeof repo.project?.key === 'string' &&
      repo.project.key.toUpperCase() === projectKey.toUpperCase()
    ) {
      return typeof repo.origin === 'object' && repo.origin !== null;
    }
  }
  return false;
}

interface Wanted {
  key: string;
  target: CreatePrTarget;
  placement: CreatePrPlacement;
  anchor: Element | null;
}

export interface CreatePrKeeper {
  check(): void;
  stop(): void;
  readonly buttons: readonly CreatePrButton[];
}

export function keepCreatePrButtons(
  doc: Document,
  deps: CreatePrDeps,
  where: () => { href: string; origin: string; pathname: string; search: string } | undefined = () =>
    doc.defaultView?.location,
): CreatePrKeeper {
  const mounted = new Map<string, CreatePrButton>();
  let checking = false;
  let read: {
    href: string;
    repo: { baseUrl: string; projectKey: string; slug: string; fork: boolean } | null;
  } | null = null;

  const pageRepository = () => {
    const location = where();
    if (!location) return null;
    if (read?.href !== location.href) {
      const repo = doc.querySelector(SELECTORS.productMeta) ? readPageRepository(doc, location) : null;
      read = {
        href: location.href,
        repo: repo
          ? {
              baseUrl: repo.baseUrl,
              projectKey: repo.projectKey,
              slug: repo.slug,
              fork: pageSaysFork(doc, repo.projectKey, repo.slug),
            }
          : null,
      };
    }
    return read.repo;
  };

  const wantedNow = (): Wanted[] => {
    const location = where();
    const repo = pageRepository();
    if (!location || !repo) return [];
    const base = { baseUrl: repo.baseUrl, projectKey: repo.projectKey, slug: repo.slug };
    const view = repositoryView(location.pathname);
    if (view === 'shown-branch') {
      const branch = readShownBranch(doc, location.search);
      // A tag or a commit; or the default branch, with nothing to merge from it (not a fork).
      if (branch === null) return [];
      if ((branch === undefined || branch.isDefault) && !repo.fork) return [];
      const selector = doc.querySelector(BRANCH_SELECTORS.revisionSelector);
      const group = selector
        ? (selector.closest(BRANCH_SELECTORS.revisionButtons) ?? selector.parentElement)
        : null;
      const target = branch ? { ...base, sourceBranch: branch.displayId } : base;
      return [{ key: 'shown', target, placement: group ? 'toolbar' : 'floating', anchor: group }];
    }
    if (view === 'branch-list') {
      const rows = doc.querySelectorAll(BRANCH_SELECTORS.branchRows);
      if (rows.length === 0) return [{ key: 'list', target: base, placement: 'floating', anchor: null }];
      const wanted: Wanted[] = [];
      for (const row of rows) {
        const branch = readRowBranch(row);
        if (!branch || (branch.isDefault && !repo.fork)) continue;
        const anchor =
          row.querySelector(BRANCH_SELECTORS.branchActions) ??
          row.querySelector(BRANCH_SELECTORS.branchName) ??
          row.firstElementChild;
        if (!anchor) continue;
        wanted.push({
          key: `row:${branch.ref}`,
          target: { ...base, sourceBranch: branch.displayId },
          placement: 'row',
          anchor,
        });
      }
      return wanted;
    }
    return [];
  };

  const inPlace = (button: CreatePrButton, want: Wanted): boolean =>
    button.host.isConnected &&
    button.placement === want.placement &&
    button.target.baseUrl === want.target.baseUrl &&
    button.target.projectKey === want.target.projectKey &&
    button.target.slug === want.target.slug &&
    button.target.sourceBranch === want.target.sourceBranch &&
    (want.anchor ? button.host.parentElement === want.anchor : true);

  const check = () => {
    if (checking) return;
    checking = true;
    try {
      const wanted = wantedNow();
      const keys = new Set(wanted.map((w) => w.key));
      for (const [key, button] of mounted) {
        const want = wanted.find((w) => w.key === key);
        if (!keys.has(key) || !want || !inPlace(button, want)) {
          button.destroy();
          mounted.delete(key);
        }
      }
      const ours = new Set([...mounted.values()].map((b) => b.host));
      // Copies left by an earlier run of the script: never two.
      for (const stale of doc.querySelectorAll(`[${CREATE_PR_HOST}]`)) {
        if (!ours.has(stale as HTMLElement)) stale.remove();
      }
      for (const want of wanted) {
        if (mounted.has(want.key)) continue;
        mounted.set(
          want.key,
          mountCreatePrButton(doc, {
            target: want.target,
            placement: want.placement,
            anchor: want.anchor,
            deps,
          }),
        );
      }
      // In the corner above "Open in…" when that one floats too.
      const cloneFloating = doc.querySelector('[data-bsc-controls][data-placement="floating"]') !== null;
      for (const button of mounted.values()) {
        if (button.placement !== 'floating') continue;
        if (cloneFloating) button.host.dataset.stack = 'above';
        else delete button.host.dataset.stack;
      }
    } finally {
      checking = false;
    }
  };

  check();
  const stopWatching = watchPageDom(doc, check);

  return {
    check,
    stop() {
      stopWatching();
      for (const button of mounted.values()) button.destroy();
      mounted.clear();
    },
    get buttons() {
      return [...mounted.values()];
    },
  };
}
