import { SELECTORS } from '../bitbucket/selectors';
import type { PageContext } from '../messaging/protocol';

/** The part of the DOM page detection reads; `Document` satisfies it. */
export interface DocumentLike {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
}

const REPO_PATH = /^(.*?)\/(projects|users)\/([^/]+)\/repos\/([^/]+)(?:\/(.*))?$/;
const PROJECT_PATH = /^(.*?)\/projects\/([^/]+)\/?$/;
const DASHBOARD_PATH = /^(.*?)\/dashboard\/?$/;

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Recognises a Bitbucket Server / Data Center page and what it shows, from the URL and the page's
 * own data. Returns null for anything that is not a Bitbucket page or not a page we know.
 */
export function detectPage(
  doc: DocumentLike,
  location: { origin: string; pathname: string },
): PageContext | null {
  if (!doc.querySelector(SELECTORS.productMeta)) return null;
  const path = location.pathname.replace(/\/+$/, '') || '/';

  const repo = REPO_PATH.exec(path);
  if (repo) {
    const [, contextPath = '', scope, owner = '', slug = '', rest = ''] = repo;
    const content = doc.querySelector(SELECTORS.content);
    const repoName = content?.getAttribute('data-repoName') ?? undefined;
    const personal = scope === 'users';
    const projectKey = personal ? `~${decode(owner).toUpperCase()}` : decode(owner).toUpperCase();
    const pr = /^pull-requests\/(\d+)(?:\/|$)/.exec(rest);
    return {
      kind: pr ? 'pull-request' : 'repository',
      baseUrl: location.origin + contextPath,
      projectKey,
      repoSlug: decode(slug),
      ...(repoName ? { repoName } : {}),
      ...(personal ? { userSlug: decode(owner) } : {}),
      ...(pr ? { pullRequestId: Number(pr[1]) } : {}),
    };
  }
  const project = PROJECT_PATH.exec(path);
  if (project) {
    const [, contextPath = '', key = ''] = project;
    return { kind: 'project', baseUrl: location.origin + contextPath, projectKey: decode(key).toUpperCase() };
  }
  const dashboard = DASHBOARD_PATH.exec(path);
  if (dashboard) return { kind: 'dashboard', baseUrl: location.origin + (dashboard[1] ?? '') };
  return null;
}
