/**
 * "Remotes": a repository's forks, and its origin when it is a fork itself, as `git remote add`
 * lines. Pure: no browser API.
 *
 * Names. The repository's own clone is conventionally `origin`, so no other remote takes it; the
 * repository it was forked from is `upstream`. A fork is named for its owner: the owner's slug
 * for a personal project (`~BOB` → `bob`, or the slug the server gives), else the project key in
 * lower case (`TEAM` → `team`). Names are made valid for git (letters, digits, ".", "_" and "-";
 * no "-" or "." first, no "..", no ".lock" at the end) and unique in the list: a second `team`
 * becomes `team-2`, then `team-3`.
 */
import { type Command, checkCloneUrl, type Refusal, shellQuote, stripUserInfo } from '../clone/clients';
import { normaliseForSearch } from '../clone/search';

/** A repository as the server describes it, with the clone URL of the protocol in use. */
export interface RemoteRepo {
  slug: string;
  project: {
    key: string;
    /** NORMAL or PERSONAL. */
    type?: string | undefined;
    /** Personal projects: the user they belong to. */
    owner?: { slug: string; name?: string | undefined } | undefined;
  };
  /** Absent when the server offers no clone URL for that protocol. */
  cloneUrl?: string | undefined;
}

export interface RemoteEntry {
  name: string;
  cloneUrl: string;
  /** What the list shows, e.g. "~BOB/api — Bob Smith" or "PLAT/api (upstream)". */
  label: string;
  kind: 'upstream' | 'fork';
}

export interface RemoteList {
  entries: RemoteEntry[];
  /** Repositories left out, with the reason (no clone URL, or one refused). */
  skipped: Array<{ label: string; message: string }>;
}

export const ORIGIN = 'origin';
export const UPSTREAM = 'upstream';
const MAX_NAME_LENGTH = 60;

export function isPersonal(project: RemoteRepo['project']): boolean {
  return project.type === 'PERSONAL' || project.key.startsWith('~');
}

/** The name a fork would have before the list makes it unique. */
export function baseRemoteName(repo: RemoteRepo): string {
  const { project } = repo;
  const raw = isPersonal(project) ? (project.owner?.slug ?? project.key.replace(/^~/, '')) : project.key;
  return sanitiseRemoteName(raw);
}

/** `raw` made into a valid remote name (see the header); "fork" when nothing is left. */
export function sanitiseRemoteName(raw: string): string {
  // Accents and case folded as the search folds them ("Søren" → "soren").
  let name = normaliseForSearch(raw)
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/^[-.]+/, '')
    .replace(/[-.]+$/, '');
  if (name.endsWith('.lock')) name = `${name.slice(0, -'.lock'.length)}-lock`;
  return name || 'fork';
}

/** Whether git takes `name` as a remote name, within this module's stricter character set. */
export function isValidRemoteName(name: string): boolean {
  return (
    /^[A-Za-z0-9._-]+$/.test(name) &&
    name.length <= 100 &&
    !/^[-.]/.test(name) &&
    !name.includes('..') &&
    !name.endsWith('.') &&
    !name.endsWith('.lock')
  );
}

function labelOf(repo: RemoteRepo): string {
  const path = `${repo.project.key}/${repo.slug}`;
  const owner = isPersonal(repo.project) ? repo.project.owner?.name : undefined;
  return owner ? `${path} — ${owner}` : path;
}

/**
 * The remotes to add for a repository: its origin as `upstream` (when it is a fork), then its
 * forks in the order given, named as the header says. A repository without a usable clone URL,
 * or with the same one as an entry before it, is left out (the first with the reason).
 */
export function remoteEntries(input: {
  origin?: RemoteRepo | undefined;
  forks: readonly RemoteRepo[];
}): RemoteList {
  const entries: RemoteEntry[] = [];
  const skipped: RemoteList['skipped'] = [];
  const used = new Set([ORIGIN, UPSTREAM]);
  const seenUrls = new Set<string>();

  const add = (repo: RemoteRepo, kind: RemoteEntry['kind']) => {
    const label = kind === 'upstream' ? `${labelOf(repo)} (upstream)` : labelOf(repo);
    if (!repo.cloneUrl) {
      skipped.push({ label, message: 'The server gives no clone URL for this repository.' });
      return;
    }
    const checked = checkCloneUrl(stripUserInfo(repo.cloneUrl));
    if (!checked.ok) {
      skipped.push({ label, message: checked.message });
      return;
    }
    if (seenUrls.has(checked.url)) return;
    seenUrls.add(checked.url);
    let name = UPSTREAM;
    if (kind === 'fork') {
      const base = baseRemoteName(repo);
      name = base;
      for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
      used.add(name);
    }
    entries.push({ name, cloneUrl: checked.url, label, kind });
  };

  if (input.origin) add(input.origin, 'upstream');
  for (const fork of input.forks) add(fork, 'fork');
  return { entries, skipped };
}

/** `git remote add <name> <url>`, the URL quoted for a POSIX shell when it needs it. */
export function gitRemoteAddCommand(name: string, cloneUrl: string): Command {
  if (!isValidRemoteName(name)) {
    return {
      ok: false,
      message: `“${name}” is not a remote name git takes: use letters, digits, ".", "_" and "-", not first "-" or ".".`,
    };
  }
  const checked = checkCloneUrl(stripUserInfo(cloneUrl));
  if (!checked.ok) return checked;
  return { ok: true, command: `git remote add ${name} ${shellQuote(checked.url)}` };
}

/** One `git remote add` line per entry, or the first entry's refusal. */
export function allRemoteAddCommands(entries: readonly Pick<RemoteEntry, 'name' | 'cloneUrl'>[]): Command {
  const lines: string[] = [];
  for (const entry of entries) {
    const command = gitRemoteAddCommand(entry.name, entry.cloneUrl);
    if (!command.ok) return command satisfies Refusal;
    lines.push(command.command);
  }
  return { ok: true, command: lines.join('\n') };
}
