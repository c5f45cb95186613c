/**
 * "New pull request": source branch (searched on the server), target repository within the fork
 * hierarchy and its branch (the default branch, a fork's origin's by default), title (from the
 * branch name, or the single commit's message), description, draft (Bitbucket 8.18 and later),
 * reviewers (the server's default reviewers, reviewer groups in one click, a search of the people
 * who can read the repository). Shown in the popup's Pull requests tab and in the window the
 * in-page "Create pull request" button opens.
 *
 * Every answer keeps what the user typed: refused reviewers are named and dropped from the list,
 * the rest stays for another try.
 *
 * Try it: `npm run demo`, open PROJ / api, the popup's Pull requests tab.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ProfileRecord } from '../../../db/schema';
import { ask, RequestFailure } from '../../../messaging/client';
import { draftsSupported } from '../drafts';
import type {
  BranchSummary,
  CreateAnswer,
  CreatedPullRequest,
  DefaultsAnswer,
  PersonSummary,
  ReviewerGroupSummary,
  TargetsAnswer,
} from '../messages';
import { titleFromBranch } from '../title';
import { Combobox } from './combobox';
import './new-pr-form.css';

export interface NewPullRequestFormProps {
  profile: ProfileRecord;
  /** The repository the pull request comes from. */
  repo: { projectKey: string; slug: string };
  /** The branch to start from (the page's current branch); else the most recently changed one. */
  sourceBranch?: string;
  /**
   * Called once the pull request exists, after the form has opened it in a new tab (the form then
   * shows a link to it as well).
   */
  onCreated?: (pullRequest: CreatedPullRequest) => void;
}

interface Reviewer extends PersonSummary {
  /** How it got into the list: default reviewers are replaced when the branches change. */
  from: 'default' | 'group' | 'search';
}

const failureText = (error: unknown, fallback: string) =>
  error instanceof RequestFailure ? error.message : fallback;

const repoKey = (r: { projectKey: string; slug: string }) => `${r.projectKey}/${r.slug}`;

/** A branch of `repo`, typed or picked from the server's matches (the default branch marked). */
function BranchPicker(props: {
  id: string;
  label: string;
  profileId: string;
  repo: { projectKey: string; slug: string };
  value: string;
  onChange: (name: string) => void;
}) {
  const { profileId, repo, onChange } = props;
  return (
    <Combobox<BranchSummary>
      id={props.id}
      label={props.label}
      value={props.value}
      onInput={onChange}
      suggest={(text) =>
        ask({ type: 'pr.branches', profileId, repo, filterText: text }).then((a) => a.branches)
      }
      onPick={(b) => onChange(b.name)}
      keyOf={(b) => b.name}
      render={(b) => (
        <>
          <span class="truncate">{b.name}</span>
          {b.isDefault && <span class="lozenge">default</span>}
        </>
      )}
      placeholder="Search for a branch"
      noMatches={(text) =>
        text.trim() ? `No branch matches “${text.trim()}”.` : 'This repository has no branches.'
      }
    />
  );
}

type Outcome =
  | { kind: 'created'; pullRequest: CreatedPullRequest }
  | { kind: 'answer'; answer: Exclude<CreateAnswer, { status: 'created' }> }
  | { kind: 'failed'; message: string };

export function NewPullRequestForm({ profile, repo, sourceBranch, onCreated }: NewPullRequestFormProps) {
  const profileId = profile.id;
  const [targets, setTargets] = useState<TargetsAnswer | { failed: string } | null>(null);
  const [fromBranch, setFromBranch] = useState(sourceBranch ?? '');
  const [targetKey, setTargetKey] = useState('');
  const [toBranch, setToBranch] = useState('');
  const [title, setTitle] = useState('');
  /** Once the user edits the title, nothing replaces it. */
  const titleTouched = useRef(false);
  const [description, setDescription] = useState('');
  const [draft, setDraft] = useState(false);
  const [reviewers, setReviewers] = useState<Reviewer[]>([]);
  const [reviewerQuery, setReviewerQuery] = useState('');
  const [groups, setGroups] = useState<ReviewerGroupSummary[] | string | null>(null);
  const [defaults, setDefaults] = useState<DefaultsAnswer | { failed: string } | 'loading' | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [dropped, setDropped] = useState<Array<{ name: string; reason: string }>>([]);
  /** People the user took off the list: the default reviewers of other branches don't bring them back. */
  const declined = useRef(new Set<string>());
  const canDraft = draftsSupported(profile.server.version);

  // The repository, its fork hierarchy and their default branches.
  useEffect(() => {
    let stale = false;
    setTargets(null);
    ask({ type: 'pr.targets', profileId, repo }).then(
      (answer) => {
        if (stale) return;
        setTargets(answer);
        const target = answer.targets.find((t) => repoKey(t) === repoKey(answer.suggested));
        setTargetKey(repoKey(answer.suggested));
        setToBranch(target?.defaultBranch ?? '');
      },
      (error) => !stale && setTargets({ failed: failureText(error, 'The repository could not be read.') }),
    );
    return () => {
      stale = true;
    };
  }, [profileId, repo.projectKey, repo.slug]);

  // Without a branch given: the most recently changed branch that isn't the default one.
  useEffect(() => {
    if (sourceBranch) return;
    let stale = false;
    ask({ type: 'pr.branches', profileId, repo, filterText: '' }).then(
      ({ branches }) => {
        const first = branches.find((b) => !b.isDefault);
        if (!stale && first) setFromBranch((current) => current || first.name);
      },
      () => {},
    );
    return () => {
      stale = true;
    };
  }, [profileId, repo.projectKey, repo.slug, sourceBranch]);

  const loaded = targets && 'targets' in targets ? targets : null;
  const source = loaded?.source;
  const target = loaded?.targets.find((t) => repoKey(t) === targetKey);

  // The target's reviewer groups.
  useEffect(() => {
    if (!target) return;
    let stale = false;
    setGroups(null);
    ask({ type: 'pr.groups', profileId, repo: target }).then(
      (answer) => !stale && setGroups(answer.groups),
      (error) => !stale && setGroups(failureText(error, 'The reviewer groups could not be read.')),
    );
    return () => {
      stale = true;
    };
  }, [profileId, targetKey, Boolean(target)]);

  // A title from the branch name until the user writes one.
  useEffect(() => {
    if (!titleTouched.current) setTitle(fromBranch.trim() ? titleFromBranch(fromBranch.trim()) : '');
  }, [fromBranch]);

  // Default reviewers and what would be merged, once the branches have stopped changing.
  useEffect(() => {
    const from = fromBranch.trim();
    const to = toBranch.trim();
    if (!source || !target || !from || !to) {
      setDefaults(null);
      return;
    }
    let stale = false;
    setDefaults('loading');
    const timer = setTimeout(() => {
      ask({ type: 'pr.defaults', profileId, source, target, fromBranch: from, toBranch: to }).then(
        (answer) => {
          if (stale) return;
          setDefaults(answer);
          setReviewers((current) => {
            const kept = current.filter((r) => r.from !== 'default');
            const added = answer.reviewers
              .filter((d) => !kept.some((r) => r.name === d.name) && !declined.current.has(d.name))
              .map((d): Reviewer => ({ ...d, from: 'default' }));
            return [...added, ...kept];
          });
          if (answer.commits.count === 1 && answer.commits.subject && !titleTouched.current) {
            setTitle(answer.commits.subject);
          }
        },
        (error) =>
          !stale && setDefaults({ failed: failureText(error, 'The default reviewers could not be read.') }),
      );
    }, 300);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [profileId, source?.id, target?.id, fromBranch, toBranch]);

  const addReviewers = (people: PersonSummary[], from: Reviewer['from']) => {
    for (const p of people) declined.current.delete(p.name);
    setReviewers((current) => [
      ...current,
      ...people
        .filter(
          (p, i) =>
            !current.some((r) => r.name === p.name) && people.findIndex((q) => q.name === p.name) === i,
        )
        .map((p) => ({ ...p, from })),
    ]);
  };

  const removeReviewer = (name: string) => {
    declined.current.add(name);
    setReviewers((current) => current.filter((r) => r.name !== name));
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!source || !target || submitting) return;
    setSubmitting(true);
    setOutcome(null);
    try {
      const answer = await ask({
        type: 'pr.create',
        profileId,
        source,
        target,
        fromBranch: fromBranch.trim(),
        toBranch: toBranch.trim(),
        title,
        description,
        reviewers: reviewers.map((r) => r.name),
        ...(canDraft && draft ? { draft: true } : {}),
      });
      if (answer.status === 'created') {
        setOutcome({ kind: 'created', pullRequest: answer.pullRequest });
        setDropped([]);
        if (answer.pullRequest.url)
          await browser.tabs.create({ url: answer.pullRequest.url }).catch(() => {});
        onCreated?.(answer.pullRequest);
        return;
      }
      if (answer.status === 'invalid-reviewers') {
        // Drop the refused ones, keep everyone else for the next try.
        const refused = new Set(answer.invalid.map((r) => r.name.toLowerCase()));
        setReviewers((current) => current.filter((r) => !refused.has(r.name.toLowerCase())));
        setDropped(answer.invalid);
      }
      setOutcome({ kind: 'answer', answer });
    } catch (error) {
      setOutcome({
        kind: 'failed',
        message: failureText(error, 'The pull request could not be created. Try again; nothing was lost.'),
      });
    } finally {
      setSubmitting(false);
    }
  };

  const reviewerNames = useMemo(() => new Set(reviewers.map((r) => r.name)), [reviewers]);
  // An answer is shown where the user looks: the form may be scrolled up in a small popup.
  const outcomeRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (outcome) outcomeRef.current?.scrollIntoView?.({ block: 'nearest' });
  }, [outcome]);

  if (!targets) {
    return (
      <div class="new-pr muted" role="status">
        <span class="spinner" aria-hidden="true" />
        Reading {repo.projectKey} / {repo.slug}…
      </div>
    );
  }
  if ('failed' in targets) {
    return (
      <div class="new-pr message error" role="alert">
        {targets.failed}
      </div>
    );
  }

  const created = outcome?.kind === 'created' ? outcome.pullRequest : null;
  const nothingToMerge =
    defaults && typeof defaults === 'object' && 'commits' in defaults && defaults.commits.count === 0;

  return (
    <form class="new-pr" onSubmit={submit} aria-label="New pull request">
      <BranchPicker
        id="pr-source"
        label={`Source branch in ${source?.projectKey} / ${source?.slug}`}
        profileId={profileId}
        repo={repo}
        value={fromBranch}
        onChange={setFromBranch}
      />

      {loaded && loaded.targets.length > 1 && (
        <div class="field">
          <label for="pr-target-repo">Target repository</label>
          <select
            id="pr-target-repo"
            value={targetKey}
            onChange={(e) => {
              const key = e.currentTarget.value;
              setTargetKey(key);
              const next = loaded.targets.find((t) => repoKey(t) === key);
              setToBranch(next?.defaultBranch ?? '');
            }}
          >
            {loaded.targets.map((t) => (
              <option key={repoKey(t)} value={repoKey(t)}>
                {t.projectKey} / {t.name}
                {repoKey(t) === source?.origin
                  ? ' (origin)'
                  : repoKey(t) === repoKey(repo)
                    ? ' (this repository)'
                    : ''}
                {t.archived ? ' — archived' : ''}
              </option>
            ))}
          </select>
        </div>
      )}

      {target && (
        <BranchPicker
          id="pr-target"
          label={`Target branch in ${target.projectKey} / ${target.slug}`}
          profileId={profileId}
          repo={target}
          value={toBranch}
          onChange={setToBranch}
        />
      )}
      {target && target.defaultBranch === null && !toBranch.trim() && (
        <div class="message warning">
          {target.projectKey} / {target.slug} has no branches yet: push a branch to it first, or pick another
          target.
        </div>
      )}
      {target?.archived && (
        <div class="message warning">
          {target.projectKey} / {target.slug} is archived: no pull request can be opened in it.
        </div>
      )}
      {nothingToMerge && (
        <div class="message warning" role="status">
          Nothing to merge: {toBranch.trim()} already has every commit of {fromBranch.trim()}.
        </div>
      )}

      <div class="field">
        <label for="pr-title">Title</label>
        <input
          id="pr-title"
          type="text"
          value={title}
          onInput={(e) => {
            setTitle(e.currentTarget.value);
            titleTouched.current = true;
          }}
        />
      </div>
      <div class="field">
        <label for="pr-description">Description</label>
        <textarea
          id="pr-description"
          rows={3}
          value={description}
          onInput={(e) => setDescription(e.currentTarget.value)}
        />
      </div>
      {canDraft && (
        <label class="pr-draft">
          <input type="checkbox" checked={draft} onChange={(e) => setDraft(e.currentTarget.checked)} />
          Create as a draft (reviewers are told once it is published)
        </label>
      )}

      <fieldset class="pr-reviewers">
        <legend>Reviewers</legend>
        {defaults === 'loading' && (
          <div class="muted pr-note" role="status">
            <span class="spinner" aria-hidden="true" />
            Reading the default reviewers…
          </div>
        )}
        {defaults && typeof defaults === 'object' && 'failed' in defaults && (
          <div class="message warning pr-note">{defaults.failed}</div>
        )}
        {reviewers.length > 0 ? (
          <ul class="chip-list" aria-label="Reviewers">
            {reviewers.map((r) => (
              <li key={r.name} class="reviewer-chip" data-reviewer={r.name}>
                <span class="truncate" title={r.emailAddress ?? r.name}>
                  {r.displayName}
                </span>
                {r.from === 'default' && <span class="lozenge">default</span>}
                <button
                  type="button"
                  class="subtle chip-remove"
                  aria-label={`Remove ${r.displayName}`}
                  onClick={() => removeReviewer(r.name)}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
        ) : (
          <div class="muted pr-note">No reviewers yet.</div>
        )}
        {dropped.length > 0 && (
          <div class="message warning pr-dropped" role="status">
            Taken off the reviewers: {dropped.map((d) => d.name).join(', ')}.
          </div>
        )}
        {Array.isArray(groups) && groups.length > 0 && (
          <div class="reviewer-groups">
            {groups.map((g) => {
              const missing = g.members.filter((m) => !reviewerNames.has(m.name));
              return (
                <button
                  key={g.id}
                  type="button"
                  class="subtle group-add"
                  disabled={missing.length === 0}
                  title={`${g.description ? `${g.description} ` : ''}${g.members.map((m) => m.displayName).join(', ') || 'No active members'}`}
                  onClick={() => addReviewers(g.members, 'group')}
                >
                  {missing.length === 0 && g.members.length > 0 ? '✓' : '+'} {g.name} ({g.members.length})
                </button>
              );
            })}
          </div>
        )}
        {typeof groups === 'string' && <div class="muted pr-note">{groups}</div>}
        {target && (
          <Combobox<PersonSummary>
            id="pr-reviewer-search"
            label="Add a reviewer"
            value={reviewerQuery}
            onInput={setReviewerQuery}
            asksFor={(text) => text.trim().length > 0}
            suggest={(text) =>
              ask({ type: 'pr.users', profileId, repo: target, filter: text }).then((a) =>
                a.users.filter((u) => !reviewerNames.has(u.name)),
              )
            }
            onPick={(u) => {
              addReviewers([u], 'search');
              setReviewerQuery('');
            }}
            keyOf={(u) => u.name}
            render={(u) => (
              <>
                <span class="truncate">{u.displayName}</span>
                <span class="muted truncate">{u.name}</span>
              </>
            )}
            placeholder="Name or e-mail"
            hint={<div class="hint">Only people who can read the repository are found.</div>}
            noMatches={(text) =>
              `Nobody who can read ${target.projectKey} / ${target.slug} matches “${text.trim()}”.`
            }
          />
        )}
      </fieldset>

      <div class="pr-outcome" ref={outcomeRef}>
        {outcome?.kind === 'answer' && (
          <div
            class={`message ${outcome.answer.status === 'invalid-reviewers' ? 'warning' : 'error'}`}
            role="alert"
          >
            {outcome.answer.message}
            {outcome.answer.status === 'invalid-reviewers' &&
              ' Create the pull request again to go ahead without them.'}
            {outcome.answer.status === 'duplicate' && outcome.answer.existing && (
              <>
                {' '}
                <a href={outcome.answer.existing.url} target="_blank" rel="noreferrer">
                  Open pull request #{outcome.answer.existing.id}
                </a>
              </>
            )}
          </div>
        )}
        {outcome?.kind === 'failed' && (
          <div class="message error" role="alert">
            {outcome.message}
          </div>
        )}
        {created && (
          <div class="message success" role="status">
            Pull request #{created.id} created
            {created.draft ? ' as a draft' : ''}.{' '}
            <a href={created.url} target="_blank" rel="noreferrer">
              Open #{created.id}
            </a>
          </div>
        )}
      </div>

      <div class="row pr-submit">
        <button type="submit" class="primary" disabled={submitting || !fromBranch.trim() || !toBranch.trim()}>
          {submitting && <span class="spinner" aria-hidden="true" />}
          {submitting ? 'Creating…' : draft && canDraft ? 'Create draft' : 'Create pull request'}
        </button>
      </div>
    </form>
  );
}
