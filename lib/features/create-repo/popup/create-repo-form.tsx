/**
 * The "New repository" form (a lazy chunk of the popup, see new-repository.tsx): where, name with
 * the address the server will make of it, description, default branch, forkable, public, .gitignore
 * templates (searchable, several combined into one file), a license with year and holder, and an
 * optional README. The background creates the repository and its first commit; afterwards the form
 * shows the repository's link, the slug the server gave it, its clone commands and the settings the
 * server took or refused. "Created, but its files were not added" offers "Add the files again",
 * which commits to the same repository.
 *
 * Keyboard: every control is a native one, in reading order; the name has focus when the form opens;
 * in the template search, ↓/↑ move through the matches and Enter picks or drops one.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { RepoRecord } from '../../../db/schema';
import { ask, RequestFailure } from '../../../messaging/client';
import { clientLabel, cloneCommand, launchUrl } from '../../clone/popup/clone-actions';
import { type CloneSettings, DEFAULT_CLONE_SETTINGS, readCloneSettings } from '../../clone/settings';
import {
  combineGitignore,
  GITIGNORE_FILE_NAME,
  type GitignoreTemplate,
  loadGitignoreTemplates,
  searchGitignoreTemplates,
} from '../gitignore';
import {
  copyrightProblem,
  LICENSE_FILE_NAME,
  type LicenseChoice,
  licenseFileContent,
  loadLicenseChoices,
  loadLicenseText,
  NO_LICENSE,
} from '../licenses';
import {
  CREATE_REPO_PROGRESS_KEY,
  type CreatableProject,
  type CreatedRepository,
  type CreateRepoAnswer,
  type CreateRepoProgress,
  isValidBranchName,
  type SeedFiles,
} from '../messages';
import { README_FILE_NAME, readmeContent } from '../readme';
import { repositorySlug, validateRepositoryName } from '../slug';
import type { NewRepositoryProps } from './new-repository';
import './create-repo.css';

export type CreateRepoFormProps = NewRepositoryProps;

const failureText = (e: unknown) =>
  e instanceof Error ? e.message : 'Something went wrong inside the extension. Try again.';

/** What was sent, kept for "Add the files again". */
interface Sent {
  defaultBranch: string;
  description?: string;
  forkable: boolean;
  public: boolean;
  files: SeedFiles;
}

/** The step the background is at while `busy` (it writes each one to storage.session). */
function useProgress(busy: boolean, profileId: string): CreateRepoProgress | null {
  const [progress, setProgress] = useState<CreateRepoProgress | null>(null);
  useEffect(() => {
    setProgress(null);
    if (!busy) return;
    const onChange = (changes: Record<string, { newValue?: unknown }>, area: string) => {
      const value = changes[CREATE_REPO_PROGRESS_KEY]?.newValue as CreateRepoProgress | undefined;
      if (area === 'session' && value?.profileId === profileId) setProgress(value);
    };
    browser.storage.onChanged.addListener(onChange);
    return () => browser.storage.onChanged.removeListener(onChange);
  }, [busy, profileId]);
  return progress;
}

function progressText(progress: CreateRepoProgress | null, what: string): string {
  switch (progress?.step) {
    case 'pushing':
      return `Pushing the first commit to ${what}…`;
    case 'committing':
      return progress.file
        ? `Committing ${progress.file.path} (${progress.file.index} of ${progress.file.count})…`
        : 'Committing the files…';
    case 'settings':
      return 'Setting the default branch and settings…';
    default:
      return `Creating ${what}…`;
  }
}

function useExistingRepos(db: CreateRepoFormProps['db'], profileId: string, projectKey: string) {
  const [repos, setRepos] = useState<RepoRecord[]>([]);
  useEffect(() => {
    let live = true;
    void db.repos
      .where('profileId')
      .equals(profileId)
      .filter((r) => r.projectKey.toUpperCase() === projectKey.toUpperCase())
      .toArray()
      .then((list) => live && setRepos(list))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [profileId, projectKey]);
  return repos;
}

function GitignorePicker({
  templates,
  selected,
  onChange,
  disabled,
}: {
  templates: readonly GitignoreTemplate[] | null;
  selected: readonly string[];
  onChange: (ids: string[]) => void;
  disabled: boolean;
}) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const shown = useMemo(
    () => (templates ? searchGitignoreTemplates(templates, query) : []),
    [templates, query],
  );
  const byId = useMemo(() => new Map((templates ?? []).map((t) => [t.id, t])), [templates]);
  const toggle = (id: string) =>
    onChange(selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((i) => Math.min(i + 1, shown.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === 'Enter') {
      // Enter picks the highlighted template instead of submitting the form.
      event.preventDefault();
      const t = shown[active];
      if (t) toggle(t.id);
    } else if (event.key === 'Escape' && query) {
      event.preventDefault();
      event.stopPropagation();
      setQuery('');
      setActive(0);
    }
  };
  useEffect(() => {
    document.getElementById(`gitignore-${active}`)?.scrollIntoView({ block: 'nearest' });
  }, [active]);
  return (
    <fieldset class="field gitignore" disabled={disabled}>
      <legend>.gitignore</legend>
      {selected.length > 0 && (
        <ul class="chip-list" aria-label="Chosen templates">
          {selected.map((id) => (
            <li key={id}>
              <button
                type="button"
                class="chip"
                onClick={() => toggle(id)}
                aria-label={`Remove ${byId.get(id)?.name ?? id}`}
              >
                {byId.get(id)?.name ?? id} <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        type="search"
        aria-label="Search .gitignore templates"
        placeholder={templates ? 'Search templates: node, python, macos…' : 'Loading templates…'}
        value={query}
        aria-autocomplete="list"
        aria-controls="gitignore-options"
        aria-activedescendant={shown.length ? `gitignore-${active}` : undefined}
        onInput={(e) => {
          setActive(0);
          setQuery(e.currentTarget.value);
        }}
        onKeyDown={onKeyDown}
      />
      <div
        id="gitignore-options"
        class="gitignore-options"
        role="listbox"
        aria-multiselectable="true"
        aria-label=".gitignore templates"
      >
        {templates && shown.length === 0 && <div class="hint">No template matches “{query}”.</div>}
        {shown.map((t, i) => (
          // biome-ignore lint/a11y/useKeyWithClickEvents: the search box's ↑/↓/Enter drive the list.
          <div
            key={t.id}
            id={`gitignore-${i}`}
            role="option"
            tabIndex={-1}
            aria-selected={selected.includes(t.id)}
            class={`gitignore-option ${i === active ? 'active' : ''}`}
            onClick={() => toggle(t.id)}
            onMouseEnter={() => setActive(i)}
          >
            <span class="check" aria-hidden="true">
              {selected.includes(t.id) ? '✓' : ''}
            </span>
            {t.name}
          </div>
        ))}
      </div>
      <div class="hint">Pick several: they are combined into one file, a header per part, no line twice.</div>
    </fieldset>
  );
}

/** What the first commit holds, in one sentence. */
function seededText(
  seeding: Extract<CreateRepoAnswer, { state: 'done' }>['seeding'],
  sent: Sent | null,
): string {
  const files = sent?.files.map((f) => f.path).join(', ') ?? '';
  const branch = sent?.defaultBranch ?? '';
  if (seeding.method === 'none') return 'The repository is empty: no files were chosen.';
  if (seeding.method === 'push') return `One commit on ${branch} with ${files}.`;
  return `${seeding.commits} ${seeding.commits === 1 ? 'commit' : 'commits'} on ${branch}, one per file: ${files}.`;
}

function Created({
  answer,
  sent,
  settings,
  targetTabId,
  onAgain,
  busy,
  progress,
  error,
}: {
  answer: CreateRepoAnswer;
  sent: Sent | null;
  settings: CloneSettings;
  targetTabId: number | undefined;
  onAgain: () => void;
  busy: boolean;
  progress: CreateRepoProgress | null;
  error: string | null;
}) {
  const { repo } = answer;
  const [copied, setCopied] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [answer.state]);
  const copy = async (command: string) => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied(`Copied: ${command}`);
    } catch (e) {
      setCopied(failureText(e));
    }
  };
  return (
    <section class="create-repo-result" aria-label="New repository">
      <h2 tabIndex={-1} ref={heading}>
        {answer.state === 'done' ? 'Repository created' : 'Repository created, files missing'}
      </h2>
      <div class="row created-title">
        <span class="grow truncate">
          <span class="muted">{repo.projectKey} / </span>
          <b>{repo.name}</b>
        </span>
        {repo.webUrl && (
          <a href={repo.webUrl} target="_blank" rel="noreferrer" class="created-link">
            Open in Bitbucket ↗
          </a>
        )}
      </div>
      <div class="hint created-slug">
        Address: <code>{repo.slug}</code>
      </div>
      {answer.state === 'seed-failed' ? (
        <>
          <div class="message error" role="alert">
            {error ?? answer.message}
          </div>
          <button type="button" class="primary" onClick={onAgain} disabled={busy}>
            Add the files again
          </button>
          {busy && (
            <span class="muted progress" role="status">
              <span class="spinner" aria-hidden="true" />
              {progressText(progress, repo.slug)}
            </span>
          )}
        </>
      ) : (
        <>
          <div class="message success" role="status">
            {seededText(answer.seeding, sent)}
          </div>
          <ul class="created-settings">
            {answer.settings.map((s) => (
              <li key={s.setting} class={s.ok ? 'ok' : 'refused'}>
                <span aria-hidden="true">{s.ok ? '✓' : '!'}</span> {s.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {(answer.state === 'seed-failed' ? answer.notes : answer.seeding.notes).map((n) => (
        <div class="hint note" key={n}>
          {n}
        </div>
      ))}
      <CloneRows
        primary={answer.state === 'done'}
        repo={repo}
        settings={settings}
        targetTabId={targetTabId}
        onCopy={copy}
        onNotice={setCopied}
      />
      {copied && (
        <div class="message repo-notice" role="status">
          {copied}
        </div>
      )}
    </section>
  );
}

function CloneRows({
  primary,
  repo,
  settings,
  targetTabId,
  onCopy,
  onNotice,
}: {
  /** The main action afterwards (not while "Add the files again" is). */
  primary: boolean;
  repo: CreatedRepository;
  settings: CloneSettings;
  targetTabId: number | undefined;
  onCopy: (command: string) => void;
  onNotice: (text: string) => void;
}) {
  const rows: Array<[string, string]> = [];
  if (repo.cloneSsh) rows.push(['SSH', repo.cloneSsh]);
  if (repo.cloneHttp) rows.push(['HTTPS', repo.cloneHttp]);
  if (rows.length === 0) return <div class="hint">Clone access is switched off on this server.</div>;
  const preferred =
    settings.protocol === 'ssh' ? (repo.cloneSsh ?? repo.cloneHttp) : (repo.cloneHttp ?? repo.cloneSsh);
  const base = repo.webUrl ? repo.webUrl.replace(/\/(projects|users)\/[^/]+\/repos\/.*$/, '') : '';
  return (
    <div class="created-clone">
      {rows.map(([label, url]) => {
        let command: string;
        try {
          command = cloneCommand(url);
        } catch {
          return null;
        }
        return (
          <div class="row clone-row" key={label}>
            <span class="lozenge">{label}</span>
            <code class="grow truncate" title={command}>
              {command}
            </code>
            <button type="button" class="subtle" onClick={() => onCopy(command)}>
              Copy
            </button>
          </div>
        );
      })}
      {preferred && settings.client !== 'copy' && (
        <button
          type="button"
          class={primary ? 'primary open-default' : 'open-default'}
          onClick={() =>
            void launchUrl(settings.client, { cloneUrl: preferred, serverBaseUrl: base }, targetTabId).then(
              () => onNotice(`Opening in ${clientLabel(settings.client)}…`),
              (e: unknown) => onNotice(failureText(e)),
            )
          }
        >
          Open in {clientLabel(settings.client)}
        </button>
      )}
    </div>
  );
}

export function CreateRepoForm({
  db,
  profile,
  projectKey: pageProject,
  targetTabId,
  onClose,
}: CreateRepoFormProps) {
  const [projects, setProjects] = useState<CreatableProject[] | null>(null);
  const [projectsProblem, setProjectsProblem] = useState<string | null>(null);
  const [author, setAuthor] = useState<{ name: string; email: string } | null>(null);
  const [projectKey, setProjectKey] = useState('');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const [description, setDescription] = useState('');
  const [branch, setBranch] = useState('main');
  const [forkable, setForkable] = useState(true);
  const [isPublic, setPublic] = useState(false);
  const [templates, setTemplates] = useState<readonly GitignoreTemplate[] | null>(null);
  const [gitignore, setGitignore] = useState<string[]>([]);
  const [licenses, setLicenses] = useState<readonly LicenseChoice[] | null>(null);
  const [license, setLicense] = useState(NO_LICENSE);
  const [year, setYear] = useState(String(new Date().getFullYear()));
  const [holder, setHolder] = useState(profile.user.displayName);
  const [readme, setReadme] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [answer, setAnswer] = useState<CreateRepoAnswer | null>(null);
  const [sent, setSent] = useState<Sent | null>(null);
  const [cloneSettings, setCloneSettings] = useState<CloneSettings>(DEFAULT_CLONE_SETTINGS);
  const progress = useProgress(busy, profile.id);
  const nameInput = useRef<HTMLInputElement>(null);
  const refocusName = useRef(false);
  useEffect(() => {
    if (busy || !refocusName.current) return;
    refocusName.current = false;
    nameInput.current?.focus();
  }, [busy]);

  useEffect(() => {
    // The form replaces the search: the name is where typing goes.
    nameInput.current?.focus();
    void readCloneSettings().then(setCloneSettings, () => {});
    void loadGitignoreTemplates().then(setTemplates, () =>
      setError('The .gitignore templates could not be loaded. Reload the extension and try again.'),
    );
    void loadLicenseChoices().then(setLicenses, () =>
      setError('The license list could not be loaded. Reload the extension and try again.'),
    );
  }, []);

  useEffect(() => {
    let live = true;
    setProjects(null);
    void ask({ type: 'create-repo.projects', profileId: profile.id }).then(
      (answer) => {
        if (!live) return;
        setProjects(answer.projects);
        setProjectsProblem(answer.problem ?? null);
        setAuthor(answer.author);
        const wanted = pageProject?.toUpperCase();
        const preselected = answer.projects.find((p) => p.key.toUpperCase() === wanted);
        setProjectKey((preselected ?? answer.projects[0])?.key ?? '');
      },
      (e: unknown) => live && setProjectsProblem(failureText(e)),
    );
    return () => {
      live = false;
    };
  }, [profile.id]);

  // The chosen license's text loads as it is chosen (its own chunk), so creating doesn't wait for it.
  useEffect(() => {
    if (license === NO_LICENSE) return;
    void loadLicenseText(license).catch(() =>
      setError('That license’s text could not be loaded. Reload the extension and try again.'),
    );
  }, [license]);

  const existing = useExistingRepos(db, profile.id, projectKey);
  const nameProblem = validateRepositoryName(name, existing);
  const slug = repositorySlug(name);
  const branchProblem = isValidBranchName(branch.trim())
    ? null
    : 'That is not a branch name git accepts (no spaces, “..”, “~”, “^”, “:”, “?”, “*”, “[”, “\\”).';
  const chosenLicense = licenses?.find((l) => l.id === license);
  const copyright = chosenLicense?.fillsCopyright ? copyrightProblem({ year, holder }) : null;

  const files = async (): Promise<SeedFiles> => {
    const list: SeedFiles = [];
    if (readme) list.push({ path: README_FILE_NAME, content: readmeContent(name, description) });
    if (gitignore.length && templates) {
      list.push({ path: GITIGNORE_FILE_NAME, content: combineGitignore(templates, gitignore) });
    }
    const text = await licenseFileContent(license, { year, holder });
    if (text !== null) list.push({ path: LICENSE_FILE_NAME, content: text });
    return list;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setNameTouched(true);
    if (nameProblem || branchProblem || copyright || !projectKey) {
      (nameProblem ? nameInput.current : null)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const payload: Sent = {
        defaultBranch: branch.trim(),
        ...(description.trim() ? { description: description.trim() } : {}),
        forkable,
        public: isPublic,
        files: await files(),
      };
      const result = await ask({
        type: 'create-repo.create',
        profileId: profile.id,
        projectKey,
        name: name.trim(),
        ...payload,
      });
      setSent(payload);
      setAnswer(result);
    } catch (e) {
      setError(failureText(e));
      // A name clash keeps everything typed; the name is where to change it (once it is enabled again).
      if (e instanceof RequestFailure && e.kind === 'conflict') refocusName.current = true;
    } finally {
      setBusy(false);
    }
  };

  const seedAgain = async () => {
    if (!answer || !sent) return;
    setBusy(true);
    setError(null);
    try {
      setAnswer(
        await ask({
          type: 'create-repo.seed',
          profileId: profile.id,
          projectKey: answer.repo.projectKey,
          slug: answer.repo.slug,
          ...sent,
        }),
      );
    } catch (e) {
      setError(failureText(e));
    } finally {
      setBusy(false);
    }
  };

  if (answer) {
    return (
      <div class="create-repo">
        <Created
          answer={answer}
          sent={sent}
          settings={cloneSettings}
          targetTabId={targetTabId}
          onAgain={() => void seedAgain()}
          busy={busy}
          progress={progress}
          error={error}
        />
        <div class="row form-actions">
          <button type="button" onClick={onClose}>
            Back to repositories
          </button>
        </div>
      </div>
    );
  }

  const showNameProblem = nameProblem && (nameTouched || name !== '');
  return (
    <form
      class="create-repo"
      onSubmit={(e) => void submit(e)}
      aria-busy={busy}
      aria-label="New repository"
      noValidate
    >
      <div class="row create-repo-head">
        <h2 class="grow">New repository</h2>
        <button type="button" class="subtle" onClick={onClose} disabled={busy}>
          Cancel
        </button>
      </div>
      <label class="field">
        Project
        <select
          value={projectKey}
          disabled={busy || !projects}
          onChange={(e) => setProjectKey(e.currentTarget.value)}
          aria-describedby={projectsProblem ? 'create-repo-projects-problem' : undefined}
        >
          {!projects && <option value="">Loading projects…</option>}
          {projects?.map((p) => (
            <option key={p.key} value={p.key}>
              {p.personal ? p.name : `${p.name} (${p.key})`}
            </option>
          ))}
        </select>
      </label>
      {projectsProblem && (
        <div id="create-repo-projects-problem" class="message warning">
          {projectsProblem}
        </div>
      )}
      <label class="field">
        Name
        <input
          ref={nameInput}
          type="text"
          value={name}
          maxLength={200}
          disabled={busy}
          aria-invalid={Boolean(showNameProblem)}
          aria-describedby="create-repo-slug"
          onInput={(e) => setName(e.currentTarget.value)}
          onBlur={() => name && setNameTouched(true)}
        />
      </label>
      <div
        id="create-repo-slug"
        class={`hint slug-preview ${showNameProblem ? 'problem' : ''}`}
        aria-live="polite"
      >
        {showNameProblem
          ? nameProblem
          : slug
            ? `Address: …/repos/${slug}`
            : 'Letters, digits, spaces, - _ and . — the address is made from the name.'}
      </div>
      <label class="field">
        Description
        <textarea
          value={description}
          rows={2}
          maxLength={4000}
          disabled={busy}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </label>
      <div class="row create-repo-pair">
        <label class="field grow">
          Default branch
          <input
            type="text"
            value={branch}
            disabled={busy}
            aria-invalid={Boolean(branchProblem)}
            onInput={(e) => setBranch(e.currentTarget.value)}
          />
        </label>
        <div class="create-repo-checks">
          <label class="check-label">
            <input
              type="checkbox"
              checked={forkable}
              disabled={busy}
              onChange={(e) => setForkable(e.currentTarget.checked)}
            />
            Allow forks
          </label>
          <label class="check-label">
            <input
              type="checkbox"
              checked={isPublic}
              disabled={busy}
              onChange={(e) => setPublic(e.currentTarget.checked)}
            />
            Public
          </label>
        </div>
      </div>
      {branchProblem && <div class="hint problem">{branchProblem}</div>}
      {isPublic && (
        <div class="hint">
          Anyone who can reach the server may read a public repository, where the server allows it.
        </div>
      )}
      <GitignorePicker templates={templates} selected={gitignore} onChange={setGitignore} disabled={busy} />
      <label class="field">
        License
        <select
          value={license}
          disabled={busy || !licenses}
          onChange={(e) => setLicense(e.currentTarget.value)}
        >
          {!licenses && <option value={NO_LICENSE}>Loading licenses…</option>}
          {licenses && (
            <>
              <optgroup label="Common">
                {licenses
                  .filter((l) => l.common)
                  .map((l) => (
                    <option key={l.id} value={l.id}>
                      {l.id === NO_LICENSE ? 'None' : `${l.name} (${l.id})`}
                    </option>
                  ))}
              </optgroup>
              <optgroup label="More licenses">
                {licenses
                  .filter((l) => !l.common)
                  .map((l) => (
                    <option key={l.id} value={l.id}>
                      {`${l.name} (${l.id})`}
                    </option>
                  ))}
              </optgroup>
            </>
          )}
        </select>
      </label>
      {chosenLicense?.fillsCopyright && (
        <div class="row create-repo-pair">
          <label class="field license-year">
            Year
            <input type="text" value={year} disabled={busy} onInput={(e) => setYear(e.currentTarget.value)} />
          </label>
          <label class="field grow">
            Copyright holder
            <input
              type="text"
              value={holder}
              disabled={busy}
              onInput={(e) => setHolder(e.currentTarget.value)}
            />
          </label>
        </div>
      )}
      {copyright && <div class="hint problem">{copyright}</div>}
      <label class="check-label field">
        <input
          type="checkbox"
          checked={readme}
          disabled={busy}
          onChange={(e) => setReadme(e.currentTarget.checked)}
        />
        Add a README with the name and description
      </label>
      {author && (
        <div class="hint">
          The first commit is authored by {author.name}
          {author.email ? ` <${author.email}>` : ''}.
        </div>
      )}
      {error && (
        <div class="message error" role="alert">
          {error}
        </div>
      )}
      <div class="row form-actions">
        <button type="submit" class="primary" disabled={busy || !projects}>
          Create repository
        </button>
        {busy && (
          <span class="muted progress" role="status">
            <span class="spinner" aria-hidden="true" />
            {progressText(progress, slug || 'the repository')}
          </span>
        )}
      </div>
    </form>
  );
}
