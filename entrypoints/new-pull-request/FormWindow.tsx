/**
 * The window the in-page "Create pull request" button opens (the background opens it with
 * `?profile=…&project=…&repo=…&branch=…`, see lib/features/pull-requests/form-window.ts): the
 * Companion's "New pull request" form for that profile, repository and branch. The profile is read
 * from the database here, in the extension's own page; every request of the form goes through the
 * background, which holds the token.
 *
 * Try it: `npm run demo`, open PROJ / api, pick the branch develop, click "Create pull request".
 */
import { useEffect, useState } from 'preact/hooks';
import { type CompanionDb, getDb, type ProfileRecord } from '../../lib/db/schema';
import { NewPullRequestForm } from '../../lib/features/pull-requests/popup/new-pr-form';

export interface FormQuery {
  profileId: string;
  projectKey: string;
  slug: string;
  sourceBranch?: string;
}

export const BAD_LINK =
  'This window was opened without a repository to create a pull request for. Close it and use the button on the repository’s page again.';
export const PROFILE_GONE =
  'The profile this form was opened for is no longer in the Companion. Connect the server again in the popup, then use the button on the page again.';

/** The form's profile, repository and branch from the window's URL; null when one is missing. */
export function readFormQuery(search: string): FormQuery | null {
  const params = new URLSearchParams(search);
  const profileId = params.get('profile')?.trim();
  const projectKey = params.get('project')?.trim();
  const slug = params.get('repo')?.trim();
  const sourceBranch = params.get('branch')?.trim();
  if (!profileId || !projectKey || !slug) return null;
  return { profileId, projectKey, slug, ...(sourceBranch ? { sourceBranch } : {}) };
}

type Loaded = { state: 'loading' } | { state: 'ready'; profile: ProfileRecord } | { state: 'missing' };

export function FormWindow({ query, db = getDb() }: { query: FormQuery | null; db?: CompanionDb }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });

  useEffect(() => {
    if (!query) return;
    document.title = `New pull request — ${query.projectKey} / ${query.slug}`;
    let live = true;
    db.profiles.get(query.profileId).then(
      (profile) => live && setLoaded(profile ? { state: 'ready', profile } : { state: 'missing' }),
      () => live && setLoaded({ state: 'missing' }),
    );
    return () => {
      live = false;
    };
  }, [query, db]);

  return (
    <main class="form-window">
      <header class="form-window-header">
        <h1>New pull request</h1>
        {query && (
          <p class="form-window-context">
            <b>
              {query.projectKey} / {query.slug}
            </b>
            {loaded.state === 'ready' && <> on {loaded.profile.label}</>}
          </p>
        )}
      </header>
      {!query ? (
        <p class="message error" role="alert">
          {BAD_LINK}
        </p>
      ) : loaded.state === 'loading' ? (
        <p class="form-window-loading" role="status">
          Loading the profile…
        </p>
      ) : loaded.state === 'missing' ? (
        <p class="message error" role="alert">
          {PROFILE_GONE}
        </p>
      ) : (
        <NewPullRequestForm
          profile={loaded.profile}
          repo={{ projectKey: query.projectKey, slug: query.slug }}
          {...(query.sourceBranch ? { sourceBranch: query.sourceBranch } : {})}
        />
      )}
    </main>
  );
}
