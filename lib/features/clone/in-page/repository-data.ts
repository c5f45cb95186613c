/**
 * The repository a Bitbucket repository page shows, read from the page itself: no REST call, no
 * message to the background.
 *
 * Every repository page (7.6.16 saved page; 8.x pull request page) carries the repository as JSON in
 * an inline script, `require('bitbucket/internal/layout/repository/repository').onReady({…},
 * '#clone-repo-button')`, with `links.clone` as the REST API sends it. When that script is missing
 * (an unknown layout), `#content`'s data attributes still name the project and repository, and
 * failing those the URL does; the clone links are then unknown, not absent.
 *
 * Test pages: /projects/PROJ/repos/api/browse, /users/alice/repos/dotfiles/browse,
 * /projects/INT/repos/vendor-mirror/browse (no clone links), ?simLayout=no-repository-script.
 */
import * as v from 'valibot';
import { type CloneLinks, cloneLinks, RepositorySchema } from '../../../bitbucket/repos';
import { SELECTORS } from '../../../bitbucket/selectors';

export interface PageRepository {
  /** The repository id (page data only), for "recently used". */
  id?: number;
  /** As the server writes it: upper case, personal ones `~USER`. Never taken from a clone URL. */
  projectKey: string;
  slug: string;
  name: string;
  /** Origin and context path of the server, e.g. `https://git.example.com/bitbucket`. */
  baseUrl: string;
  /** HTTP(S) and SSH clone URLs, by name, without user info. */
  links: CloneLinks;
  /**
   * `listed`: the page data lists clone links (one or both); `off`: the page data has no
   * `links.clone`, so the server has clone access switched off; `unknown`: no page data to tell.
   */
  cloneAccess: 'listed' | 'off' | 'unknown';
  /** Where the project and repository were read from. */
  source: 'page-data' | 'content-attributes' | 'url';
}

const ON_READY =
  /require\(\s*(['"])bitbucket\/internal\/layout\/repository\/repository\1\s*\)\s*\.\s*onReady\s*\(\s*/g;
/** Cheap test before the regular expression runs on a script. */
const MARKER = 'layout/repository/repository';

const REPO_PATH = /^(.*?)\/(projects|users)\/([^/]+)\/repos\/([^/]+)(?:\/|$)/;

/**
 * The balanced JSON object or array starting at `start` (which must be `{` or `[`), skipping over
 * brackets inside strings; null when it never closes.
 */
export function balancedJson(text: string, start: number): string | null {
  const open = text[start];
  if (open !== '{' && open !== '[') return null;
  let depth = 0;
  let quote: string | null = null;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return null;
}

/** The first argument of the repository layout's `onReady(…)` call in a script's text, parsed. */
export function repositoryJsonFromScript(code: string): unknown {
  if (!code.includes(MARKER)) return undefined;
  ON_READY.lastIndex = 0;
  for (let match = ON_READY.exec(code); match; match = ON_READY.exec(code)) {
    const json = balancedJson(code, match.index + match[0].length);
    if (json === null) continue;
    try {
      return JSON.parse(json);
    } catch {
      // Not JSON after all: look for another call.
    }
  }
  return undefined;
}

interface ScriptLike {
  textContent: string | null;
}
interface ElementLike {
  getAttribute(name: string): string | null;
}
/** The part of a document the reader uses; `Document` satisfies it. */
export interface RepositoryDocument {
  querySelector(selector: string): ElementLike | null;
  querySelectorAll(selector: string): ArrayLike<ScriptLike> & Iterable<ScriptLike>;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Browsers match attribute names case-insensitively; other DOMs (and tests) may not. */
function attribute(element: ElementLike | null, camelCase: string): string | undefined {
  const value = element?.getAttribute(camelCase) ?? element?.getAttribute(camelCase.toLowerCase());
  return value?.trim() || undefined;
}

const sameKey = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();
const sameSlug = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The repository the page at `location` shows; null when the URL is not a repository page. Page
 * data naming another repository than the URL (an in-page move elsewhere) is not used.
 */
export function readPageRepository(
  doc: RepositoryDocument,
  location: { origin: string; pathname: string },
): PageRepository | null {
  const path = REPO_PATH.exec(location.pathname);
  if (!path) return null;
  const [, contextPath = '', scope, owner = '', slugSegment = ''] = path;
  const fromUrl = {
    projectKey: scope === 'users' ? `~${decode(owner).toUpperCase()}` : decode(owner).toUpperCase(),
    slug: decode(slugSegment),
  };
  const baseUrl = location.origin + contextPath;

  for (const script of doc.querySelectorAll(SELECTORS.inlineScripts)) {
    const parsed = v.safeParse(RepositorySchema, repositoryJsonFromScript(script.textContent ?? ''));
    if (!parsed.success) continue;
    const repo = parsed.output;
    if (!sameKey(repo.project.key, fromUrl.projectKey) || !sameSlug(repo.slug, fromUrl.slug)) continue;
    return {
      id: repo.id,
      projectKey: repo.project.key,
      slug: repo.slug,
      name: repo.name,
      baseUrl,
      links: cloneLinks(repo),
      cloneAccess: repo.links.clone ? 'listed' : 'off',
      source: 'page-data',
    };
  }

  const content = doc.querySelector(SELECTORS.content);
  const key = attribute(content, 'data-projectKey');
  const slug = attribute(content, 'data-repoSlug');
  if (key && slug && sameKey(key, fromUrl.projectKey) && sameSlug(slug, fromUrl.slug)) {
    return {
      projectKey: key,
      slug,
      name: attribute(content, 'data-repoName') ?? slug,
      baseUrl,
      links: {},
      cloneAccess: 'unknown',
      source: 'content-attributes',
    };
  }
  return {
    ...fromUrl,
    name: fromUrl.slug,
    baseUrl,
    links: {},
    cloneAccess: 'unknown',
    source: 'url',
  };
}

/** Two reads name the same repository with the same clone links (nothing to rebuild). */
export function sameRepository(a: PageRepository, b: PageRepository): boolean {
  return (
    a.projectKey === b.projectKey &&
    a.slug === b.slug &&
    a.baseUrl === b.baseUrl &&
    a.cloneAccess === b.cloneAccess &&
    a.links.http === b.links.http &&
    a.links.ssh === b.links.ssh
  );
}
