import { useEffect, useState } from 'preact/hooks';
import { ask, RequestFailure } from '../messaging/client';
import { LIMITS, TOO_LONG } from '../messaging/limits';
import type { ResponseMap } from '../messaging/protocol';
import { download } from './download';
import {
  estimatePassphrase,
  type PassphraseEstimate,
  preloadPassphraseEstimator,
} from './passphrase-strength';
import { type Status, StatusLine } from './status-line';

/** Why a passphrase may not protect a new export, or null when it may. */
async function passphraseRefusal(passphrase: string): Promise<string | null> {
  if (passphrase.length < 8) return 'Choose a passphrase of at least 8 characters to include tokens.';
  if (passphrase.length > LIMITS.passphrase) return TOO_LONG.passphrase;
  try {
    const estimate = await estimatePassphrase(passphrase);
    return estimate.acceptable ? null : `Choose a stronger passphrase to include tokens. ${estimate.summary}`;
  } catch {
    return 'The passphrase could not be checked. Reload the page and try again.';
  }
}

const failureText = (e: unknown) =>
  e instanceof RequestFailure ? e.message : 'Something went wrong. Nothing was changed.';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const KEYS_NEED_PASSPHRASE = 'Keys are included only in an export with a passphrase.';

/** What an export saved, in one or two sentences. */
function exportedText(result: ResponseMap['profiles.export']): string {
  const what = result.keys
    ? `${count(result.count, 'profile')} and ${count(result.keys, 'SSH/GPG key')}`
    : count(result.count, 'profile');
  if (result.withTokens) {
    const secrets = result.keys ? 'tokens and private keys' : 'tokens';
    return `Saved ${what} to ${result.fileName}, ${secrets} encrypted with your passphrase.`;
  }
  const saved = `Saved ${what} to ${result.fileName} (without tokens).`;
  if (!result.keysLeftOut) return saved;
  const keys =
    result.keysLeftOut === 1
      ? 'The SSH/GPG key of this browser is not in it.'
      : `The ${result.keysLeftOut} SSH/GPG keys of this browser are not in it.`;
  return `${saved} ${keys} ${KEYS_NEED_PASSPHRASE}`;
}

function importedKeysText(result: ResponseMap['profiles.import']): string {
  const parts = [];
  if (result.keysAdded) parts.push(`${count(result.keysAdded, 'key')} added`);
  if (result.keysAlready) parts.push(`${count(result.keysAlready, 'key')} already in this browser`);
  return `SSH/GPG keys: ${parts.join(', ')}.`;
}

/** Export all profiles to a file and import them again (options page: it needs downloads and a file picker). */
export function ExportImport() {
  const [exportPass, setExportPass] = useState('');
  const [exportStatus, setExportStatus] = useState<Status>({ kind: 'idle' });
  const [file, setFile] = useState<File | null>(null);
  const [encrypted, setEncrypted] = useState(false);
  const [importPass, setImportPass] = useState('');
  const [importStatus, setImportStatus] = useState<Status>({ kind: 'idle' });
  const [strength, setStrength] = useState<PassphraseEstimate | null>(null);

  useEffect(preloadPassphraseEstimator, []);
  useEffect(() => {
    let stale = false;
    if (!exportPass) {
      setStrength(null);
      return;
    }
    estimatePassphrase(exportPass)
      .then((estimate) => !stale && setStrength(estimate))
      .catch(() => !stale && setStrength(null));
    return () => {
      stale = true;
    };
  }, [exportPass]);

  const doExport = async (withTokens: boolean) => {
    if (withTokens) {
      const refusal = await passphraseRefusal(exportPass);
      if (refusal) {
        setExportStatus({ kind: 'failed', text: refusal });
        return;
      }
    }
    setExportStatus({ kind: 'working', text: withTokens ? 'Encrypting…' : 'Preparing…' });
    try {
      const result = await ask({
        type: 'profiles.export',
        ...(withTokens ? { passphrase: exportPass } : {}),
      });
      download(result.fileName, result.content);
      setExportPass('');
      setExportStatus({ kind: 'done', text: exportedText(result) });
    } catch (e) {
      setExportStatus({ kind: 'failed', text: failureText(e) });
    }
  };

  const pick = async (picked: File | null) => {
    setFile(picked);
    setImportStatus({ kind: 'idle' });
    if (!picked) return;
    const head = await picked.slice(0, 64).text();
    setEncrypted(head.trimStart().startsWith('-----BEGIN PGP MESSAGE-----'));
  };

  const doImport = async (event: Event) => {
    event.preventDefault();
    if (!file) return;
    if (file.size > LIMITS.importFile) {
      setImportStatus({ kind: 'failed', text: TOO_LONG.importFile });
      return;
    }
    setImportStatus({ kind: 'working', text: encrypted ? 'Decrypting…' : 'Importing…' });
    try {
      const content = await file.text();
      const result = await ask({
        type: 'profiles.import',
        content,
        ...(encrypted ? { passphrase: importPass } : {}),
      });
      const parts = [`Imported: ${result.added} new, ${result.updated} updated.`];
      if (result.keysAdded || result.keysAlready) parts.push(importedKeysText(result));
      if (result.withoutToken.length) parts.push(`Add a token to: ${result.withoutToken.join(', ')}.`);
      setImportPass('');
      setImportStatus({ kind: 'done', text: parts.join(' ') });
    } catch (e) {
      setImportStatus({ kind: 'failed', text: failureText(e) });
    }
  };

  return (
    <div class="export-import">
      <div class="card">
        <h2>Export</h2>
        <p class="hint">
          A file with all profiles. With a passphrase the file also holds the tokens and this browser’s SSH
          and GPG keys, private keys included, encrypted (OpenPGP); without one it holds no token.{' '}
          {KEYS_NEED_PASSPHRASE}
        </p>
        <div class="field">
          <label for="export-passphrase">Passphrase (hard to guess: several unusual words)</label>
          <input
            id="export-passphrase"
            type="password"
            autoComplete="new-password"
            value={exportPass}
            maxLength={LIMITS.passphrase}
            aria-describedby="export-passphrase-strength"
            onInput={(e) => setExportPass(e.currentTarget.value)}
          />
          <div id="export-passphrase-strength" class="passphrase-strength" aria-live="polite">
            {strength && (
              <>
                <meter
                  min={0}
                  max={4}
                  low={2}
                  high={3}
                  optimum={4}
                  value={strength.score}
                  aria-label="Passphrase strength"
                />
                <span class={`hint ${strength.acceptable ? 'strong' : 'weak'}`}>{strength.summary}</span>
              </>
            )}
          </div>
        </div>
        <div class="row">
          <button
            type="button"
            class="primary"
            onClick={() => void doExport(true)}
            disabled={exportStatus.kind === 'working'}
          >
            Export with tokens and keys
          </button>
          <button
            type="button"
            onClick={() => void doExport(false)}
            disabled={exportStatus.kind === 'working'}
          >
            Export without tokens or keys
          </button>
        </div>
        <StatusLine status={exportStatus} />
      </div>
      <form class="card" onSubmit={doImport}>
        <h2>Import</h2>
        <div class="field">
          <label for="import-file">Profiles file</label>
          <input
            id="import-file"
            type="file"
            accept=".json,.asc,application/json"
            onChange={(e) => void pick(e.currentTarget.files?.[0] ?? null)}
          />
        </div>
        {encrypted && (
          <div class="field">
            <label for="import-passphrase">Passphrase of this file</label>
            <input
              id="import-passphrase"
              type="password"
              autoComplete="off"
              value={importPass}
              onInput={(e) => setImportPass(e.currentTarget.value)}
            />
          </div>
        )}
        <button type="submit" class="primary" disabled={!file || importStatus.kind === 'working'}>
          Import
        </button>
        <StatusLine status={importStatus} />
      </form>
    </div>
  );
}
