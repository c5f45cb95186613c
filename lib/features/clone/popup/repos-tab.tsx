/**
 * The popup's Repos tab: instant search of every repository of the active profile (or of every
 * profile), rendered from IndexedDB at once, with open-in-client, copy-clone and remotes actions.
 *
 * Keyboard: the search box has focus on open; ↑/↓ move through the results, Enter runs the default
 * action (open in the default client), Esc clears the query.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { CompanionDb, ProfileRecord, RepoRecord, RepoSyncRecord } from '../../../db/schema';
import { ask, RequestFailure } from '../../../messaging/client';
import { NewRepository } from '../../create-repo/popup/new-repository';
import { gitRemoteAddCommand } from '../../remotes/remote-names';
import type { RemotesAnswer } from '../messages';
import type { MatchRange, SearchHit } from '../search';
import {
  CLONE_SETTINGS_KEY,
  type CloneSettings,
  DEFAULT_CLONE_SETTINGS,
  readCloneSettings,
} from '../settings';
import { clientLabel, cloneCommand, cloneUrlFor, launchUrl } from './clone-actions';
import { useRepoSearch } from './use-repo-search';

export interface ReposTabProps {
  db: CompanionDb;
  profiles: readonly ProfileRecord[];
  activeProfileId: string;
  /** The tab the popup was opened over: clients are launched by navigating it. */
  targetTabId: number | undefined;
  /** The project of the page the popup was opened over, on the active profile's server. */
  pageProjectKey?: string | undefined;
}

function useCloneSettings(): CloneSettings {
  const [settings, setSettings] = useState<CloneSettings>(DEFAULT_CLONE_SETTINGS);
  useEffect(() => {
    void readCloneSettings().then(setSettings);
    const onChange = (changes: Record<string, unknown>, area: string) => {
      if (area === 'local' && CLONE_SETTINGS_KEY in changes) void readCloneSettings().then(setSettings);
    };
    browser.storage.onChanged.addListener(onChange);
    return () => browser.storage.onChanged.removeListener(onChange);
  }, []);
  return settings;
}

const count = (n: number) => n.toLocaleString('en-US');

function ago(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

function SyncStatus({
  sync,
  size,
  problem,
  onRefresh,
}: {
  sync?: RepoSyncRecord;
  size: number;
  /** Why the background could not start a sync (no token, no site access…). */
  problem?: string | null;
  onRefresh: () => void;
}) {
  const running = sync?.state === 'running';
  let text: string;
  if (!sync && problem) text = 'No repositories listed yet.';
  else if (!sync) text = 'Listing this server’s repositories…';
  else if (running) text = `Indexing… ${count(sync.seen)} repositories so far`;
  else if (sync.lastCompleteAt)
    text = `${count(size)} repositories · updated ${ago(Date.now() - sync.lastCompleteAt)}`;
  else text = `${count(size)} repositories so far`;
  return (
    <div class="repo-sync">
      <div class="row">
        <span class="grow muted repo-sync-text" role="status" aria-live="polite">
          {(running || (!sync && !problem)) && <span class="spinner" aria-hidden="true" />}
          {text}
        </span>
        <button type="button" class="subtle" onClick={onRefresh} disabled={running}>
          Refresh
        </button>
      </div>
      {problem ? (
        <div class="message error sync-problem" role="alert">
          {problem}
        </div>
      ) : (
        sync?.state === 'failed' &&
        sync.error && (
          <div class="message error" role="alert">
            {sync.error}
          </div>
        )
      )}
    </div>
  );
}

/** Text of one field with its matched parts in <mark>. */
function Highlighted({ text, ranges }: { text: string; ranges: readonly MatchRange[] }) {
  if (ranges.length === 0) return <>{text}</>;
  const parts = [];
  let at = 0;
  for (const r of ranges) {
    if (r.start > at) parts.push(text.slice(at, r.start));
    parts.push(<mark key={r.start}>{text.slice(r.start, r.end)}</mark>);
    at = r.end;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

interface RowProps {
  hit: SearchHit;
  repo: RepoRecord;
  profileLabel?: string;
  active: boolean;
  id: string;
  settings: CloneSettings;
  onAction: (action: () => Promise<string | null>) => void;
  targetTabId: number | undefined;
  onHover: () => void;
}

function RepoRow({
  hit,
  repo,
  profileLabel,
  active,
  id,
  settings,
  onAction,
  targetTabId,
  onHover,
}: RowProps) {
  const [remotes, setRemotes] = useState<RemotesAnswer | 'loading' | string | null>(null);
  const ranges = (field: MatchRange['field']) => hit.ranges.filter((r) => r.field === field);
  const used = () =>
    void ask({ type: 'repos.used', profileId: repo.profileId, repoId: repo.repoId }).catch(() => {});
  const copy = (protocol: 'ssh' | 'http') =>
    onAction(async () => {
      const url = cloneUrlFor(repo, protocol);
      if (!url) return null;
      await navigator.clipboard.writeText(cloneCommand(url));
      used();
      return `Copied: ${cloneCommand(url)}`;
    });
  const toggleRemotes = async () => {
    if (remotes) {
      setRemotes(null);
      return;
    }
    setRemotes('loading');
    try {
      setRemotes(
        await ask({
          type: 'repos.remotes',
          profileId: repo.profileId,
          projectKey: repo.projectKey,
          slug: repo.slug,
        }),
      );
    } catch (e) {
      setRemotes(e instanceof RequestFailure ? e.message : 'The forks could not be listed.');
    }
  };
  return (
    <div
      id={id}
      role="option"
      tabIndex={-1}
      aria-selected={active}
      class={`repo ${active ? 'active' : ''}`}
      data-repo={`${repo.projectKey}/${repo.slug}`}
      onMouseEnter={onHover}
    >
      <div class="row repo-title">
        <span class="grow truncate" title={`${repo.projectKey} / ${repo.name}`}>
          <span class="repo-project">
            <Highlighted text={repo.projectKey} ranges={ranges('projectKey')} />
          </span>
          {' / '}
          <b class="repo-name">
            <Highlighted text={repo.name} ranges={ranges('name')} />
          </b>
        </span>
        {repo.origin && (
          <span class="lozenge" title={`Fork of ${repo.origin.projectKey} / ${repo.origin.slug}`}>
            fork
          </span>
        )}
        {repo.archived && <span class="lozenge">archived</span>}
        {profileLabel && <span class="lozenge profile-tag">{profileLabel}</span>}
      </div>
      {repo.slug !== repo.name && (
        <div class="muted truncate repo-slug">
          <Highlighted text={repo.slug} ranges={ranges('slug')} />
        </div>
      )}
      {repo.cloneAccess ? (
        <div class="row compact-buttons repo-actions">
          <button
            type="button"
            class="primary open-default"
            tabIndex={-1}
            onClick={() => onAction(async () => openInClient(repo, settings, targetTabId, used))}
            title={`Open in ${clientLabel(settings.client)}`}
          >
            Open in {clientLabel(settings.client)}
          </button>
          {repo.cloneSsh && (
            <button type="button" tabIndex={-1} onClick={() => copy('ssh')} title="Copy git clone (SSH)">
              SSH
            </button>
          )}
          {repo.cloneHttp && (
            <button type="button" tabIndex={-1} onClick={() => copy('http')} title="Copy git clone (HTTPS)">
              HTTPS
            </button>
          )}
          <button
            type="button"
            tabIndex={-1}
            class="subtle"
            onClick={() => void toggleRemotes()}
            aria-expanded={Boolean(remotes)}
          >
            Remotes
          </button>
          {repo.webUrl && (
            <a
              class="open-web"
              href={repo.webUrl}
              target="_blank"
              rel="noreferrer"
              tabIndex={-1}
              title="Open in the browser"
            >
              ↗
            </a>
          )}
        </div>
      ) : (
        <div class="hint">Clone access is switched off on this server (it sends no clone URLs).</div>
      )}
      {remotes && <RemotesList remotes={remotes} protocol={settings.protocol} onAction={onAction} />}
    </div>
  );
}

function RemotesList({
  remotes,
  protocol,
  onAction,
}: {
  remotes: RemotesAnswer | 'loading' | string;
  protocol: 'ssh' | 'http';
  onAction: RowProps['onAction'];
}) {
  if (remotes === 'loading') {
    return (
      <div class="message" role="status">
        <span class="spinner" aria-hidden="true" />
        Listing forks…
      </div>
    );
  }
  if (typeof remotes === 'string') {
    return (
      <div class="message error" role="alert">
        {remotes}
      </div>
    );
  }
  const entries = [...(remotes.origin ? [remotes.origin] : []), ...remotes.forks];
  const command = (e: (typeof entries)[number]) => {
    const url = protocol === 'ssh' ? (e.ssh ?? e.http) : (e.http ?? e.ssh);
    const made = url ? gitRemoteAddCommand(e.name, url) : null;
    return made?.ok ? made.command : null;
  };
  const commands = entries.map(command).filter((c): c is string => Boolean(c));
  return (
    <div class="remotes">
      {entries.length === 0 && <div class="hint">This repository has no forks you can read.</div>}
      {entries.map((e) => {
        const c = command(e);
        return (
          <div class="row remote" key={e.name}>
            <span class="grow truncate" title={c ?? ''}>
              <code>{e.name}</code> <span class="muted">{e.label}</span>
            </span>
            {c && (
              <button
                type="button"
                class="subtle"
                onClick={() =>
                  onAction(async () => {
                    await navigator.clipboard.writeText(c);
                    return `Copied: ${c}`;
                  })
                }
              >
                Copy
              </button>
            )}
          </div>
        );
      })}
      {commands.length > 1 && (
        <button
          type="button"
          class="subtle"
          onClick={() =>
            onAction(async () => {
              await navigator.clipboard.writeText(commands.join('\n'));
              return `Copied ${commands.length} git remote add commands.`;
            })
          }
        >
          Copy all
        </button>
      )}
    </div>
  );
}

async function openInClient(
  repo: RepoRecord,
  settings: CloneSettings,
  targetTabId: number | undefined,
  used: () => void,
): Promise<string | null> {
  const url = cloneUrlFor(repo, settings.protocol);
  if (!url) throw new Error('This repository has no clone URL for that protocol.');
  if (settings.client === 'copy') {
    await navigator.clipboard.writeText(cloneCommand(url));
    used();
    return `Copied: ${cloneCommand(url)}`;
  }
  const serverBaseUrl = repo.webUrl ? baseOfWebUrl(repo.webUrl) : '';
  await launchUrl(settings.client, { cloneUrl: url, serverBaseUrl }, targetTabId);
  used();
  return `Opening in ${clientLabel(settings.client)}…`;
}

/** The server's base URL (origin + context path) from a repository's web link. */
function baseOfWebUrl(webUrl: string): string {
  const m = /^(.*?)\/(projects|users)\/[^/]+\/repos\//.exec(webUrl);
  return m?.[1] ?? new URL(webUrl).origin;
}

export function ReposTab({ db, profiles, activeProfileId, targetTabId, pageProjectKey }: ReposTabProps) {
  const [creating, setCreating] = useState(false);
  const activeProfile = profiles.find((p) => p.id === activeProfileId);
  if (creating && activeProfile) {
    return (
      <NewRepository
        db={db}
        profile={activeProfile}
        projectKey={pageProjectKey}
        targetTabId={targetTabId}
        onClose={() => setCreating(false)}
      />
    );
  }
  return (
    <RepoSearch
      db={db}
      profiles={profiles}
      activeProfileId={activeProfileId}
      targetTabId={targetTabId}
      pageProjectKey={pageProjectKey}
      onNewRepository={() => setCreating(true)}
    />
  );
}

function RepoSearch({
  db,
  profiles,
  activeProfileId,
  targetTabId,
  pageProjectKey,
  onNewRepository,
}: ReposTabProps & { onNewRepository: () => void }) {
  const [query, setQuery] = useState('');
  const [allServers, setAllServers] = useState(false);
  const [activeIndex, setActiveIndex] = useState(0);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const settings = useCloneSettings();
  const input = useRef<HTMLInputElement>(null);
  const ids = useMemo(
    () => (allServers ? profiles.map((p) => p.id) : [activeProfileId]),
    [allServers, activeProfileId, profiles],
  );
  const { records, index, syncs, hits } = useRepoSearch(db, ids, query);
  const labels = useMemo(() => new Map(profiles.map((p) => [p.id, p.label])), [profiles]);

  const [syncProblem, setSyncProblem] = useState<string | null>(null);
  useEffect(() => {
    // Keep the index fresh: a sync when due (the background decides), and the recently used ones.
    // When the active profile can't sync at all (no token, site access taken back), say why.
    setSyncProblem(null);
    for (const id of ids) {
      void ask({ type: 'repos.sync', profileId: id }).catch((e: unknown) => {
        if (id === activeProfileId && e instanceof RequestFailure) setSyncProblem(e.message);
      });
      void ask({ type: 'repos.recent', profileId: id }).catch(() => {});
    }
  }, [ids.join('\n')]);

  const rows = hits.flatMap((hit) => {
    const repo = records.get(hit.key);
    return repo ? [{ hit, repo }] : [];
  });

  const run = (action: () => Promise<string | null>) => {
    void action().then(
      (text) => text && setNotice({ ok: true, text }),
      (e: unknown) => setNotice({ ok: false, text: e instanceof Error ? e.message : String(e) }),
    );
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActiveIndex((i) => Math.min(i + 1, rows.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActiveIndex((i) => Math.max(i - 1, 0));
    } else if (event.key === 'Enter') {
      const row = rows[activeIndex];
      if (!row) return;
      event.preventDefault();
      if (!row.repo.cloneAccess) {
        setNotice({
          ok: false,
          text: 'Clone access is switched off on this server (it sends no clone URLs).',
        });
        return;
      }
      run(() =>
        openInClient(
          row.repo,
          settings,
          targetTabId,
          () =>
            void ask({ type: 'repos.used', profileId: row.repo.profileId, repoId: row.repo.repoId }).catch(
              () => {},
            ),
        ),
      );
    } else if (event.key === 'Escape' && query) {
      event.preventDefault();
      setActiveIndex(0);
      setQuery('');
    }
  };

  useEffect(() => {
    document.getElementById(`repo-${activeIndex}`)?.scrollIntoView({ block: 'nearest' });
  }, [activeIndex]);

  const sync = syncs.get(activeProfileId);
  return (
    <section class="repos-tab" aria-label="Repositories">
      <div class="row repo-search">
        <input
          ref={input}
          type="search"
          aria-label="Search repositories"
          placeholder="Search repositories (project, name, initials…)"
          value={query}
          autoFocus
          aria-autocomplete="list"
          aria-controls="repo-results"
          aria-activedescendant={rows.length ? `repo-${activeIndex}` : undefined}
          onInput={(e) => {
            // Reset in the same update as the query, so a key pressed right after typing counts.
            setActiveIndex(0);
            setQuery(e.currentTarget.value);
          }}
          onKeyDown={onKeyDown}
        />
      </div>
      <div class="row repo-options">
        <button type="button" class="subtle new-repository" onClick={onNewRepository}>
          {pageProjectKey ? `New repository in ${pageProjectKey}` : 'New repository'}
        </button>
        {profiles.length > 1 && (
          <label class="row all-servers">
            <input
              type="checkbox"
              checked={allServers}
              onChange={(e) => {
                setActiveIndex(0);
                setAllServers(e.currentTarget.checked);
              }}
            />
            All servers
          </label>
        )}
      </div>
      <SyncStatus
        {...(sync ? { sync } : {})}
        size={index?.size ?? 0}
        problem={syncProblem}
        onRefresh={() =>
          run(async () => {
            setSyncProblem(null);
            try {
              await ask({ type: 'repos.sync', profileId: activeProfileId, force: true });
            } catch (e) {
              if (e instanceof RequestFailure) setSyncProblem(e.message);
              else throw e;
            }
            return null;
          })
        }
      />
      {notice && (
        <div
          class={`message ${notice.ok ? 'success' : 'error'} repo-notice`}
          role={notice.ok ? 'status' : 'alert'}
        >
          {notice.text}
        </div>
      )}
      {index && query && rows.length === 0 && (
        <div class="hint no-results">No repository matches “{query}”.</div>
      )}
      {index && !query && rows.length === 0 && (
        <div class="hint">Type to search; the repositories you open here appear first.</div>
      )}
      <div id="repo-results" role="listbox" aria-label="Matching repositories" class="repo-results">
        {rows.map(({ hit, repo }, i) => (
          <RepoRow
            key={hit.key}
            id={`repo-${i}`}
            hit={hit}
            repo={repo}
            {...(allServers ? { profileLabel: labels.get(repo.profileId) ?? '' } : {})}
            active={i === activeIndex}
            settings={settings}
            onAction={run}
            targetTabId={targetTabId}
            onHover={() => setActiveIndex(i)}
          />
        ))}
      </div>
      <p class="hint">HTTPS clones use your Git credential helper; no token is ever put into a URL.</p>
    </section>
  );
}
