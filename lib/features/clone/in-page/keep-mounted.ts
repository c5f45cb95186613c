/**
 * Keeps exactly one copy of the controls on a repository page, in the right place: beside
 * Bitbucket's Clone action when the page has it, else floating in the page's corner (repository
 * pages only; a pull request page has its own panels). It mounts synchronously when the script
 * starts (document_end: the page's markup is there, `load` has not fired), and checks again after
 * every in-page navigation and whenever the page changes its DOM (Bitbucket re-renders parts of
 * the page, the sidebar perhaps, on branch switches and file tree moves).
 */
import { SELECTORS } from '../../../bitbucket/selectors';
import { watchPageDom } from '../../../ui/in-page/watch-page';
import { type Controls, type ControlsDeps, HOST_ATTRIBUTE, mountControls } from './controls';
import { type PageRepository, readPageRepository, sameRepository } from './repository-data';

const PULL_REQUEST_PATH = /\/repos\/[^/]+\/pull-requests\/\d+(?:\/|$)/;

export interface Keeper {
  /** Puts the controls where they belong now (no-op when they are there already). */
  check(): void;
  stop(): void;
  readonly controls: Controls | null;
}

export function keepControlsMounted(
  doc: Document,
  deps: ControlsDeps,
  /** Where the page is (its `location`; tests pass a URL). */
  where: () => { href: string; origin: string; pathname: string } | undefined = () =>
    doc.defaultView?.location,
): Keeper {
  let controls: Controls | null = null;
  let checking = false;
  /** The page's repository, read once per URL (the page's scripts don't change). */
  let read: { href: string; repo: PageRepository | null } | null = null;

  const pageRepository = (): PageRepository | null => {
    const location = where();
    if (!location) return null;
    if (read?.href !== location.href) {
      read = {
        href: location.href,
        repo: doc.querySelector(SELECTORS.productMeta) ? readPageRepository(doc, location) : null,
      };
    }
    return read.repo;
  };

  const inPlace = (current: Controls, anchor: Element | null): boolean => {
    if (!current.host.isConnected) return false;
    if (current.placement === 'floating') return anchor === null;
    if (!anchor) return false;
    // Beside the Clone action: after it in the same list (something else may sit in between).
    const item = anchor.closest('li') ?? anchor;
    for (let next = item.nextElementSibling; next; next = next.nextElementSibling) {
      if (next === current.host) return true;
    }
    return false;
  };

  const check = () => {
    if (checking) return;
    checking = true;
    try {
      const repo = pageRepository();
      const anchor = repo ? doc.querySelector(SELECTORS.cloneButton) : null;
      const path = where()?.pathname ?? '';
      const wanted = Boolean(repo && (anchor || !PULL_REQUEST_PATH.test(path)));
      if (
        controls &&
        (!wanted || !repo || !sameRepository(controls.repo, repo) || !inPlace(controls, anchor))
      ) {
        controls.destroy();
        controls = null;
      }
      // Copies that are not ours now (left by an earlier run of the script): never two.
      for (const stale of doc.querySelectorAll(`[${HOST_ATTRIBUTE}]`)) {
        if (stale !== controls?.host) stale.remove();
      }
      if (!controls && wanted && repo) controls = mountControls(doc, repo, anchor, deps);
    } finally {
      checking = false;
    }
  };

  check();
  // Each batch of changes costs a lookup by id and an isConnected test.
  const stopWatching = watchPageDom(doc, () => {
    if (read?.href !== where()?.href) {
      check();
      return;
    }
    const anchor = doc.querySelector(SELECTORS.cloneButton);
    if (controls ? !inPlace(controls, anchor) : anchor !== null && Boolean(read?.repo)) check();
  });

  return {
    check,
    stop() {
      stopWatching();
      controls?.destroy();
      controls = null;
    },
    get controls() {
      return controls;
    },
  };
}
