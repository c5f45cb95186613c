/**
 * Which branch a repository page shows, read from the page itself (no REST call, no message): the
 * source branch the in-page "Create pull request" offers.
 *
 * - Source and commits pages: the branch selector `#repository-layout-revision-selector`, whose
 *   `.name` carries `data-id="refs/heads/<name>"` and `data-revision-ref` (JSON with `isDefault`) on
 *   7.6 (saved page); its `title` is the branch name on 8.x (tests driving real servers). Failing
 *   that, the URL's `?at=` (the commits page: `?until=`; `refs/heads/<name>`, or a bare branch name);
 *   neither means the default branch.
 * - The branch list `…/branches`: one branch per row of `#branch-list`, read from the row's link to
 *   the branch (`…/browse?at=refs/heads/<name>`), the default one marked by a "Default" lozenge.
 *
 * Test pages (simulator, signed in as alice): /projects/PROJ/repos/api/browse?at=refs/heads/develop,
 * /projects/PROJ/repos/api/branches, /users/bob/repos/api/browse (a fork: its default branch too),
 * /projects/PROJ/repos/api/browse?at=refs/heads/develop&simLayout=no-branch-selector (floating).
 */
import { BRANCH_SELECTORS } from '../../../bitbucket/selectors';

export interface PageBranch {
  /** `refs/heads/<name>`. */
  ref: string;
  /** The branch name as the page shows it. */
  displayId: string;
  /** Whether it is the repository's default branch; undefined when the page doesn't say. */
  isDefault?: boolean;
}

const HEADS = 'refs/heads/';
/** A commit id in `?at=` is not a branch. */
const COMMIT_ID = /^[0-9a-f]{7,64}$/i;

/** The branch a ref names: `refs/heads/x` or a bare `x`; null for tags, commits and other refs. */
export function branchFromRef(value: string | null | undefined): PageBranch | null {
  const ref = value?.trim();
  if (!ref) return null;
  if (ref.startsWith(HEADS)) {
    const displayId = ref.slice(HEADS.length);
    return displayId ? { ref, displayId } : null;
  }
  if (ref.startsWith('refs/') || COMMIT_ID.test(ref)) return null;
  return { ref: HEADS + ref, displayId: ref };
}

interface ElementLike {
  getAttribute(name: string): string | null;
  querySelector(selector: string): ElementLike | null;
}
/** The part of a document the reader uses; `Document` satisfies it. */
export interface BranchDocument {
  querySelector(selector: string): ElementLike | null;
}

function isDefaultOf(revisionRef: string | null): boolean | undefined {
  if (!revisionRef) return undefined;
  try {
    const parsed: unknown = JSON.parse(revisionRef);
    if (typeof parsed === 'object' && parsed !== null && 'isDefault' in parsed) {
      const { isDefault } = parsed as { isDefault: unknown };
      return typeof isDefault === 'boolean' ? isDefault : undefined;
    }
  } catch {
    // Not JSON: the page doesn't say.
  }
  return undefined;
}

/**
 * The branch a source or commits page shows. `undefined` when the page shows the default branch
 * without naming it (no selector, no `?at=`); null when it shows something that is not a branch
 * (a tag, a commit).
 */
export function readShownBranch(doc: BranchDocument, search: string): PageBranch | null | undefined {
  const selector = doc.querySelector(BRANCH_SELECTORS.revisionSelector);
  if (selector) {
    const name = selector.querySelector(BRANCH_SELECTORS.revisionName);
    const fromName = branchFromRef(name?.getAttribute('data-id'));
    if (fromName) {
      const isDefault = isDefaultOf(name?.getAttribute('data-revision-ref') ?? null);
      return isDefault === undefined ? fromName : { ...fromName, isDefault };
    }
    if (name?.getAttribute('data-id')) return null;
  }
  // Source pages name the revision in `?at=`; the commits page also in `?until=`.
  const params = new URLSearchParams(search);
  const at = params.get('at') ?? params.get('until');
  if (at !== null) return branchFromRef(at);
  const title = selector?.getAttribute('title');
  if (title)
    return { ...(branchFromRef(title) ?? { ref: HEADS + title, displayId: title }), isDefault: true };
  return undefined;
}

interface RowLike extends ElementLike {
  querySelectorAll(selector: string): Iterable<ElementLike>;
}

/** The branch a row of the branch list is about, from its link to the branch; null when it has none. */
export function readRowBranch(row: RowLike): PageBranch | null {
  for (const link of row.querySelectorAll(BRANCH_SELECTORS.branchRowLink)) {
    const href = link.getAttribute('href');
    if (!href) continue;
    let url: URL;
    try {
      url = new URL(href, 'http://page.invalid/');
    } catch {
      continue;
    }
    if (!/\/browse(?:\/|$)/.test(url.pathname)) continue;
    const lozenge = row.querySelector(BRANCH_SELECTORS.defaultLozenge);
    const isDefault = /default/i.test((lozenge as { textContent?: string | null } | null)?.textContent ?? '');
    const at = url.searchParams.get('at');
    if (at !== null) {
      const branch = branchFromRef(at);
      return branch ? { ...branch, isDefault } : null;
    }
    // The default branch's link needs no `?at=`: its name is the link's text.
    const text = (link as { textContent?: string | null }).textContent?.trim();
    return text
      ? { ...(branchFromRef(text) ?? { ref: HEADS + text, displayId: text }), isDefault: true }
      : null;
  }
  return null;
}
