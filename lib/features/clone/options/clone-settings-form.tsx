/**
 * Options page: the default Git client and protocol used by the "Open in…" button's main part and
 * by Enter in the popup's search, and how often the repository index is refreshed.
 */
import { useEffect, useState } from 'preact/hooks';
import { ask, RequestFailure } from '../../../messaging/client';
import { GIT_CLIENTS } from '../clients';
import { type CloneSettings, readCloneSettings } from '../settings';

const GROUPS: ReadonlyArray<[string, string]> = [
  ['vscode', 'VS Code and its kin'],
  ['jetbrains', 'JetBrains IDEs'],
  ['desktop', 'Git desktop clients'],
];

export function CloneSettingsForm() {
  const [settings, setSettings] = useState<CloneSettings | null>(null);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    void readCloneSettings().then(setSettings);
  }, []);
  if (!settings) return null;

  const save = async (change: Partial<CloneSettings>) => {
    setSettings({ ...settings, ...change });
    try {
      setSettings(await ask({ type: 'clone.settings', change }));
      setStatus({ ok: true, text: 'Saved.' });
    } catch (e) {
      setStatus({
        ok: false,
        text: e instanceof RequestFailure ? e.message : 'The setting could not be saved.',
      });
    }
  };

  return (
    <div class="card clone-settings">
      <div class="field">
        <label for="default-client">Default Git client</label>
        <select
          id="default-client"
          value={settings.client}
          onChange={(e) => void save({ client: e.currentTarget.value })}
        >
          {GROUPS.map(([group, title]) => (
            <optgroup label={title} key={group}>
              {GIT_CLIENTS.filter((c) => c.group === group).map((c) => (
                <option value={c.id} key={c.id}>
                  {c.label}
                </option>
              ))}
            </optgroup>
          ))}
          <optgroup label="No client">
            <option value="copy">Copy the git clone command</option>
          </optgroup>
        </select>
        <div class="hint">
          Used by the main part of “Open in…” on repository pages and by Enter in the popup’s search.
        </div>
      </div>
      <fieldset class="field">
        <legend>Clone over</legend>
        <label class="row radio">
          <input
            type="radio"
            name="protocol"
            checked={settings.protocol === 'http'}
            onChange={() => void save({ protocol: 'http' })}
          />
          HTTPS (your Git credential helper signs in; no token goes into the URL)
        </label>
        <label class="row radio">
          <input
            type="radio"
            name="protocol"
            checked={settings.protocol === 'ssh'}
            onChange={() => void save({ protocol: 'ssh' })}
          />
          SSH (your SSH key)
        </label>
        <div class="hint">When a server offers only one of them, that one is used.</div>
      </fieldset>
      <div class="field">
        <label for="sync-interval">Refresh the repository list every</label>
        <select
          id="sync-interval"
          value={String(settings.syncIntervalHours)}
          onChange={(e) => void save({ syncIntervalHours: Number(e.currentTarget.value) })}
        >
          {[1, 3, 6, 12, 24].map((h) => (
            <option value={String(h)} key={h}>
              {h} hour{h === 1 ? '' : 's'}
            </option>
          ))}
        </select>
        <div class="hint">
          Bitbucket can’t list only what changed, so each refresh lists every repository again; Refresh in the
          popup does it at once.
        </div>
      </div>
      {status && (
        <div class={`message ${status.ok ? 'success' : 'error'}`} role={status.ok ? 'status' : 'alert'}>
          {status.text}
        </div>
      )}
    </div>
  );
}
