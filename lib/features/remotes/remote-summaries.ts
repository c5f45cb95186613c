/**
 * A repository's forks and origin as remotes for `git remote add`, in the shape the UI shows.
 */
import { cloneLinks, type Repository } from '../../bitbucket/repos';
import type { RemoteSummary } from '../clone/messages';

type RepoLike = Pick<Repository, 'slug' | 'project' | 'links'>;

/** A remote name for a repository: its owner's slug for a personal project, else its project key. */
function baseName(repo: RepoLike): string {
  const owner =
    repo.project.owner?.slug ?? (repo.project.key.startsWith('~') ? repo.project.key.slice(1) : '');
  const raw = (owner || repo.project.key).toLowerCase();
  const name = raw.replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|[-.]+$/g, '');
  return name || 'fork';
}

const labelOf = (repo: RepoLike) => `${repo.project.key} / ${repo.slug}`;

/**
 * The origin (as `upstream`) when the repository is a fork, and each fork under a name unique in
 * the list (never `origin`, which is the repository itself in a clone).
 */
export function remoteSummaries(
  repo: Repository,
  forks: readonly Repository[],
): { origin?: RemoteSummary; forks: RemoteSummary[] } {
  const taken = new Set(['origin']);
  const unique = (name: string) => {
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name}-${n}`;
    taken.add(candidate);
    return candidate;
  };
  const origin = repo.origin
    ? { name: unique('upstream'), label: labelOf(repo.origin as RepoLike), ...cloneLinks(repo.origin) }
    : undefined;
  return {
    ...(origin ? { origin } : {}),
    forks: forks.map((fork) => ({ name: unique(baseName(fork)), label: labelOf(fork), ...cloneLinks(fork) })),
  };
}
