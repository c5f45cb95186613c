/**
 * The popup's Pull requests tab. Today: "New pull request" for the repository of the tab the popup
 * was opened over, or for one picked from the local repository index. The pull requests to review
 * and the user's own will be sections of this tab beside it.
 *
 * The form is a chunk of its own, loaded when the tab opens, so the popup's start stays small.
 */
import type { FunctionComponent } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { CompanionDb, ProfileRecord } from '../../../db/schema';
import type { PageContext } from '../../../messaging/protocol';
import { useRepoSearch } from '../../clone/popup/use-repo-search';
import type { NewPullRequestFormProps } from './new-pr-form';

export interface PullRequestsTabProps {
  db: CompanionDb;
  profile: ProfileRecord;
  /** What the tab the popup was opened over shows, when it is a page of a connected server. */
  context: PageContext | null;
}

interface RepoChoice {
  projectKey: string;
  slug: string;
  name: string;
}

/** The repository of a page of the profile's server, if the page shows one. */
export function repoOfContext(context: PageContext | null, profile: ProfileRecord): RepoChoice | null {
  if (!context?.repoSlug) return null;
  if (context.kind !== 'repository' && context.kind !== 'pull-request') return null;
  if (context.baseUrl.replace(/\/+$/, '') !== profile.baseUrl.replace(/\/+$/, '')) return null;
  const projectKey = context.projectKey ?? (context.userSlug ? `~${context.userSlug.toUpperCase()}` : null);
  if (!projectKey) return null;
  return { projectKey, slug: context.repoSlug, name: context.repoName ?? context.repoSlug };
}

let formModule: Promise<FunctionComponent<NewPullRequestFormProps>> | undefined;
const loadForm = () => {
  formModule ??= import('./new-pr-form').then((m) => m.NewPullRequestForm);
  return formModule;
};

function useForm(): FunctionComponent<NewPullRequestFormProps> | null | string {
  const [form, setForm] = useState<FunctionComponent<NewPullRequestFormProps> | null | string>(null);
  useEffect(() => {
    loadForm().then(
      (component) => setForm(() => component),
      () => setForm('The form could not be loaded. Reload the extension and try again.'),
    );
  }, []);
  return form;
}

function RepoPicker({
  db,
  profile,
  onPick,
}: {
  db: CompanionDb;
  profile: ProfileRecord;
  onPick: (repo: RepoChoice) => void;
}) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const ids = useMemo(() => [profile.id], [profile.id]);
  const { records, hits } = useRepoSearch(db, ids, query);
  const rows = hits
    .flatMap((hit) => {
      const repo = records.get(hit.key);
      return repo && !repo.archived ? [repo] : [];
    })
    .slice(0, 8);
  const pick = (i: number) => {
    const repo = rows[i];
    if (repo) onPick({ projectKey: repo.projectKey, slug: repo.slug, name: repo.name });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((i) => Math.max(0, Math.min(rows.length - 1, i + step)));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      pick(active);
    } else if (event.key === 'Escape' && query) {
      event.preventDefault();
      setQuery('');
    }
  };
  return (
    <div class="pr-repo-picker">
      <p class="muted pr-intro">
        Open a repository page of {profile.label} to start from its repository, or pick one here.
      </p>
      <label for="pr-repo-search">Repository</label>
      <input
        id="pr-repo-search"
        type="text"
        role="combobox"
        autocomplete="off"
        aria-expanded={rows.length > 0}
        aria-controls="pr-repo-results"
        aria-activedescendant={rows[active] ? `pr-repo-${active}` : undefined}
        placeholder="Search repositories"
        value={query}
        onInput={(e) => {
          setQuery(e.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
      />
      <div id="pr-repo-results" role="listbox" aria-label="Repositories" class="pr-repo-results">
        {rows.map((repo, i) => (
          <div
            key={repo.key}
            id={`pr-repo-${i}`}
            role="option"
            tabIndex={-1}
            aria-selected={i === active}
            class={i === active ? 'pr-repo active' : 'pr-repo'}
            onMouseEnter={() => setActive(i)}
            onMouseDown={(e) => {
              e.preventDefault();
              pick(i);
            }}
          >
            <span class="muted">{repo.projectKey}</span> / <b>{repo.name}</b>
          </div>
        ))}
        {query.trim() && rows.length === 0 && (
          <div class="muted pr-note">No repository in this profile’s index matches “{query.trim()}”.</div>
        )}
      </div>
    </div>
  );
}

export function PullRequestsTab({ db, profile, context }: PullRequestsTabProps) {
  const fromPage = repoOfContext(context, profile);
  /** A repository picked here, or 'choose' while the picker is open over the page's repository. */
  const [picked, setPicked] = useState<RepoChoice | 'choose' | null>(null);
  const repo = picked === 'choose' ? null : (picked ?? fromPage);
  const Form = useForm();
  return (
    <section class="pr-tab" aria-labelledby="pr-new-heading">
      <div class="row pr-heading">
        <h2 id="pr-new-heading" class="grow truncate">
          New pull request
          {repo ? (
            <span class="muted">
              {' '}
              · {repo.projectKey} / {repo.name}
            </span>
          ) : null}
        </h2>
        {repo ? (
          <button type="button" class="subtle pr-change-repo" onClick={() => setPicked('choose')}>
            Other repository
          </button>
        ) : (
          picked === 'choose' &&
          fromPage && (
            <button type="button" class="subtle pr-change-repo" onClick={() => setPicked(null)}>
              Back to {fromPage.name}
            </button>
          )
        )}
      </div>
      {!repo ? (
        <RepoPicker db={db} profile={profile} onPick={setPicked} />
      ) : typeof Form === 'string' ? (
        <div class="message error" role="alert">
          {Form}
        </div>
      ) : Form ? (
        <Form key={`${profile.id}:${repo.projectKey}/${repo.slug}`} profile={profile} repo={repo} />
      ) : (
        <div class="muted" role="status">
          <span class="spinner" aria-hidden="true" />
          Loading…
        </div>
      )}
    </section>
  );
}
