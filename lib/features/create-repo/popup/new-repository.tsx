/**
 * The Repos tab's way into the "New repository" form. The form, the .gitignore templates and the
 * license list are a lazy chunk: this module is all the popup's start bundle holds of them, and the
 * chunk is imported only when the user opens the form.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { CompanionDb, ProfileRecord } from '../../../db/schema';
import type { CreateRepoFormProps } from './create-repo-form';

export interface NewRepositoryProps {
  db: CompanionDb;
  profile: ProfileRecord;
  /** The project of the page the popup was opened over (on the profile's server): preselected. */
  projectKey?: string | undefined;
  /** The tab the popup was opened over: Git clients are launched by navigating it. */
  targetTabId: number | undefined;
  onClose: () => void;
}

export function NewRepository(props: NewRepositoryProps) {
  const [Form, setForm] = useState<ComponentType<CreateRepoFormProps> | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    import('./create-repo-form').then(
      (m) => live && setForm(() => m.CreateRepoForm),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, []);
  if (failed) {
    return (
      <div class="message error" role="alert">
        The form could not be loaded. Reload the extension and try again.
      </div>
    );
  }
  if (!Form) {
    return (
      <div class="muted" role="status">
        <span class="spinner" aria-hidden="true" />
        Opening the form…
      </div>
    );
  }
  return <Form {...props} />;
}
