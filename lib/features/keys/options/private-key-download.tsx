/**
 * The options page's keys section: the private key file of each saved SSH key, written here (the
 * page loads the KDF for a passphrase; the service worker never does) and downloaded; for each GPG
 * key, its armored secret key (protected by the passphrase chosen when it was generated) and its
 * public key.
 */
import { useEffect, useState } from 'preact/hooks';
import { getDb } from '../../../db/schema';
import { ask, RequestFailure } from '../../../messaging/client';
import { download } from '../../../ui/download';
import { useLiveQuery } from '../../../ui/use-live-query';
import { gitSigningLines } from '../gpg-generate';
import type { GpgKeySummary, KeySummary, SshKeySummary } from '../key-store';
import { privateKeyFile } from '../private-key-file';
import { SshConfigBlock } from './ssh-config-block';

const failureText = (e: unknown) =>
  e instanceof RequestFailure || e instanceof Error ? e.message : 'The key file could not be written.';

type Status =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; fileName: string }
  | { kind: 'failed'; text: string };

function GpgDownload({ keyInfo }: { keyInfo: GpgKeySummary }) {
  const [status, setStatus] = useState<Status>({ kind: 'idle' });

  const save = async (part: 'secret' | 'public') => {
    setStatus({ kind: 'busy' });
    try {
      const { fileName, armoredPrivate, armoredPublic } = await ask({
        type: 'keys.gpg.privateKey',
        keyId: keyInfo.id,
      });
      const name = `${fileName}.${part}.asc`;
      download(name, `${(part === 'secret' ? armoredPrivate : armoredPublic).trim()}\n`);
      setStatus({ kind: 'done', fileName: name });
    } catch (e) {
      setStatus({ kind: 'failed', text: failureText(e) });
    }
  };

  return (
    <li class="card gpg-download" data-key-id={keyInfo.id}>
      <div class="row">
        <b class="grow truncate">{keyInfo.label}</b>
        <span class="lozenge">GPG</span>
      </div>
      <div class="muted truncate">
        <code>{keyInfo.fingerprint}</code>
      </div>
      <div class="row compact-buttons">
        <button
          type="button"
          class="primary"
          disabled={status.kind === 'busy'}
          onClick={() => void save('secret')}
        >
          Download secret key
        </button>
        <button type="button" disabled={status.kind === 'busy'} onClick={() => void save('public')}>
          Download public key
        </button>
      </div>
      <p class="hint">The secret key is protected by the passphrase you chose when you generated it.</p>
      {status.kind === 'done' && (
        <div class="message success" role="status">
          Saved {status.fileName}. Import it with <code>gpg --import {status.fileName}</code>, then:
          {gitSigningLines(keyInfo.keyId).map((line) => (
            <pre key={line}>
              <code>{line}</code>
            </pre>
          ))}
        </div>
      )}
      {status.kind === 'failed' && (
        <div class="message error" role="alert">
          {status.text}
        </div>
      )}
    </li>
  );
}

function KeyDownload({ keyInfo }: { keyInfo: SshKeySummary }) {
  const [passphrase, setPassphrase] = useState('');
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const fieldId = `key-pass-${keyInfo.id}`;

  const save = async (event: Event) => {
    event.preventDefault();
    setStatus({ kind: 'busy' });
    try {
      const { fileName, comment, material } = await ask({ type: 'keys.ssh.privateKey', keyId: keyInfo.id });
      const text = await privateKeyFile(material, comment, passphrase || undefined);
      download(fileName, text);
      setPassphrase('');
      setStatus({ kind: 'done', fileName });
    } catch (e) {
      setStatus({ kind: 'failed', text: failureText(e) });
    }
  };

  return (
    <li class="card key-download" data-key-id={keyInfo.id}>
      <div class="row">
        <b class="grow truncate">{keyInfo.label}</b>
        <span class="lozenge">{keyInfo.type === 'ed25519' ? 'Ed25519' : `RSA ${keyInfo.bits}`}</span>
      </div>
      <div class="muted truncate">
        <code>SHA256:{keyInfo.fingerprint}</code>
      </div>
      <form class="row key-download-form" onSubmit={(e) => void save(e)}>
        <label class="field grow" for={fieldId}>
          Passphrase for the file (optional)
          <input
            id={fieldId}
            type="password"
            autoComplete="new-password"
            value={passphrase}
            onInput={(e) => setPassphrase(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary" disabled={status.kind === 'busy'}>
          Download private key
        </button>
      </form>
      {status.kind === 'busy' && (
        <div class="muted" role="status">
          <span class="spinner" aria-hidden="true" />
          Writing the key file…
        </div>
      )}
      {status.kind === 'done' && (
        <div class="message success" role="status">
          Saved {status.fileName}. Move it to <code>~/.ssh/</code>, then:{' '}
          <code class="key-chmod">chmod 600 ~/.ssh/{status.fileName}</code>
        </div>
      )}
      <SshConfigBlock keyId={keyInfo.id} />
      {status.kind === 'failed' && (
        <div class="message error" role="alert">
          {status.text}
        </div>
      )}
    </li>
  );
}

export function PrivateKeyDownload() {
  const [keys, setKeys] = useState<KeySummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Listed again whenever the keys store changes (an import on this page, a removal in the popup).
  const keyIds = useLiveQuery(() => getDb().keys.toCollection().primaryKeys());
  useEffect(() => {
    if (keyIds === undefined) return;
    void ask({ type: 'keys.list' }).then(setKeys, (e: unknown) => setError(failureText(e)));
  }, [keyIds?.join(' ')]);
  useEffect(() => {
    // Opened from the popup at #keys: the section renders after the list arrives.
    if (keys && location.hash === '#keys') document.getElementById('keys')?.scrollIntoView();
  }, [keys]);

  if (error) {
    return (
      <div class="message error" role="alert">
        {error}
      </div>
    );
  }
  if (!keys) return null;
  if (keys.length === 0) {
    return (
      <p class="hint">
        No SSH or GPG keys in this browser yet. Generate one in the toolbar popup’s Keys tab.
      </p>
    );
  }
  return (
    <ul class="key-downloads">
      {keys.map((k) =>
        k.kind === 'gpg' ? <GpgDownload key={k.id} keyInfo={k} /> : <KeyDownload key={k.id} keyInfo={k} />,
      )}
    </ul>
  );
}
