import { getDb } from '../../lib/db/schema';
import { CloneSettingsForm } from '../../lib/features/clone/options/clone-settings-form';
import { PrivateKeyDownload } from '../../lib/features/keys/options/private-key-download';
import { ConnectForm } from '../../lib/ui/connect-form';
import { ExportImport } from '../../lib/ui/export-import';
import { ProfileList, useProfiles } from '../../lib/ui/profiles';

export function Options() {
  const state = useProfiles(getDb());
  return (
    <main class="options">
      <h1>Bitbucket Server Companion</h1>
      <section aria-labelledby="profiles-heading">
        <h2 id="profiles-heading">Profiles</h2>
        {state && (state.profiles.length === 0 ? <ConnectForm /> : <ProfileList state={state} />)}
      </section>
      <section aria-labelledby="clone-heading">
        <h2 id="clone-heading">Clone</h2>
        <CloneSettingsForm />
      </section>
      <section id="keys" aria-labelledby="keys-heading">
        <h2 id="keys-heading">SSH keys</h2>
        <PrivateKeyDownload />
      </section>
      <section aria-labelledby="backup-heading">
        <h2 id="backup-heading">Export and import</h2>
        <ExportImport />
      </section>
    </main>
  );
}
