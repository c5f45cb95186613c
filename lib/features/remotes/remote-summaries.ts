/**
 * A repository's forks and origin as remotes for `git remote add`, with both clone URLs each so the
 * UI can follow the protocol setting. Names and labels come from remote-names.ts.
 */
import { cloneLinks, type Repository } from '../../bitbucket/repos';
import { stripUserInfo } from '../clone/clients';
import type { RemoteSummary } from '../clone/messages';
import { type RemoteRepo, remoteEntries } from './remote-names';

type Described = Pick<Repository, 'slug' | 'project'> & { links?: Repository['links'] | undefined };

/**
 * The origin (as `upstream`) when the repository is a fork, and each readable fork under a name
 * unique in the list. Names are made from one URL per repository (HTTP when there is one), so they
 * are the same whichever protocol the user copies.
 */
export function remoteSummaries(
  repo: Pick<Repository, 'origin'>,
  forks: readonly Described[],
): { origin?: RemoteSummary; forks: RemoteSummary[] } {
  const described = [...(repo.origin ? [repo.origin] : []), ...forks].map((r) => {
    const links = cloneLinks(r);
    return { repo: r, links, key: links.http ?? links.ssh };
  });
  const asRemote = (d: (typeof described)[number]): RemoteRepo => ({
    slug: d.repo.slug,
    project: d.repo.project,
    cloneUrl: d.key,
  });
  const origin = repo.origin ? described[0] : undefined;
  const list = remoteEntries({
    ...(origin ? { origin: asRemote(origin) } : {}),
    forks: described.slice(origin ? 1 : 0).map(asRemote),
  });
  const byUrl = new Map(described.flatMap((d) => (d.key ? [[stripUserInfo(d.key), d] as const] : [])));
  const summaries = list.entries.flatMap((entry) => {
    const d = byUrl.get(entry.cloneUrl);
    return d ? [{ kind: entry.kind, summary: { name: entry.name, label: entry.label, ...d.links } }] : [];
  });
  const up = summaries.find((s) => s.kind === 'upstream')?.summary;
  return {
    ...(up ? { origin: up } : {}),
    forks: summaries.filter((s) => s.kind === 'fork').map((s) => s.summary),
  };
}
