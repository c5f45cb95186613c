/**
 * The Keys tab's GPG part: generate a commit-signing key here (OpenPGP.js loads only when the user
 * asks for a key), hand it to the background to keep, and show saved GPG keys with the git lines
 * that make git sign with them.
 */
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ProfileRecord } from '../../../db/schema';
import { ask, RequestFailure } from '../../../messaging/client';
import { GPG_PASSPHRASE_MIN, generateGpgKey, gitSigningLines } from '../gpg-generate';
import type { GpgKeySummary } from '../key-store';

export interface GpgNotice {
  keyId: string;
  kind: 'success' | 'error' | 'warning';
  text: string;
  /** The server's GPG keys page, when the key has to be added there. */
  link?: string;
}

const failureText = (e: unknown) =>
  e instanceof RequestFailure || e instanceof Error ? e.message : 'Something went wrong. Try again.';

const hostOf = (profile: ProfileRecord) => new URL(profile.baseUrl).host;

/** The server's page for the account's GPG keys. */
export function gpgKeysPage(profile: ProfileRecord): string {
  return `${profile.baseUrl}/plugins/servlet/gpg/account/keys`;
}

const nameOf = (profile: ProfileRecord) => profile.user.displayName || profile.user.name || profile.user.slug;

export function GpgGenerateForm({
  profile,
  onGenerated,
}: {
  profile: ProfileRecord;
  onGenerated: (key: GpgKeySummary) => void;
}) {
  const knownEmail = profile.user.emailAddress ?? '';
  const [name, setName] = useState(nameOf(profile));
  const [email, setEmail] = useState(knownEmail);
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setName(nameOf(profile));
    setEmail(profile.user.emailAddress ?? '');
  }, [profile.id]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    if (!name.trim()) return setError('Enter the name for the key.');
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(email.trim())) {
      return setError('Enter the e-mail address of your Bitbucket account.');
    }
    if (passphrase.length < GPG_PASSPHRASE_MIN) {
      return setError(`Choose a passphrase of at least ${GPG_PASSPHRASE_MIN} characters.`);
    }
    if (passphrase !== repeat) return setError('The passphrases differ.');
    setBusy(true);
    try {
      const generated = await generateGpgKey({ name, email, passphrase });
      const key = await ask({ type: 'keys.gpg.save', ...generated, label: generated.userId });
      setPassphrase('');
      setRepeat('');
      onGenerated(key);
    } catch (e) {
      setError(failureText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="gpg-generate card" onSubmit={(e) => void submit(e)} aria-busy={busy} aria-label="GPG key">
      <div class="row key-generate-fields">
        <label class="field grow">
          Name
          <input
            type="text"
            name="gpg-name"
            value={name}
            maxLength={200}
            disabled={busy}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label class="field grow">
          E-mail
          <input
            type="email"
            name="gpg-email"
            value={email}
            maxLength={200}
            disabled={busy}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
      </div>
      {!knownEmail && (
        <div class="hint gpg-email-hint">
          The server verifies commit signatures against your account’s e-mail address, and {hostOf(profile)}{' '}
          did not tell us yours: enter the e-mail address of your Bitbucket account.
        </div>
      )}
      <div class="row key-generate-fields">
        <label class="field grow">
          Passphrase
          <input
            type="password"
            name="gpg-passphrase"
            autoComplete="new-password"
            value={passphrase}
            disabled={busy}
            onInput={(e) => setPassphrase(e.currentTarget.value)}
          />
        </label>
        <label class="field grow">
          Repeat passphrase
          <input
            type="password"
            name="gpg-passphrase-repeat"
            autoComplete="new-password"
            value={repeat}
            disabled={busy}
            onInput={(e) => setRepeat(e.currentTarget.value)}
          />
        </label>
      </div>
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          Generate GPG key (commit signing)
        </button>
        {busy && (
          <span class="muted key-progress" role="status">
            <span class="spinner" aria-hidden="true" />
            Generating…
          </span>
        )}
      </div>
      {error && (
        <div class="message error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}

export function GpgKeyRow({
  keyInfo,
  profile,
  profiles,
  notice,
  onNotice,
  onChanged,
}: {
  keyInfo: GpgKeySummary;
  profile: ProfileRecord;
  profiles: readonly ProfileRecord[];
  notice: GpgNotice | undefined;
  onNotice: (notice: GpgNotice) => void;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const installedHere = keyInfo.installedOn.some((i) => i.profileId === profile.id);
  const installedNames = keyInfo.installedOn
    .map((i) => profiles.find((p) => p.id === i.profileId)?.label)
    .filter((name): name is string => Boolean(name));

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(keyInfo.armoredPublic);
      onNotice({ keyId: keyInfo.id, kind: 'success', text: 'Public key copied.' });
    } catch (e) {
      onNotice({ keyId: keyInfo.id, kind: 'error', text: failureText(e) });
    }
  };

  const install = async () => {
    setBusy(true);
    try {
      const answer = await ask({ type: 'keys.gpg.install', keyId: keyInfo.id, profileId: profile.id });
      if (answer.installed) {
        onNotice({
          keyId: keyInfo.id,
          kind: 'success',
          text: answer.already ? 'Already on your account.' : 'Installed on your account.',
        });
      } else {
        onNotice({
          keyId: keyInfo.id,
          kind: 'warning',
          text: `${answer.message} Copy the public key and add it on the server’s GPG keys page:`,
          link: gpgKeysPage(profile),
        });
      }
      onChanged();
    } catch (e) {
      onNotice({ keyId: keyInfo.id, kind: 'error', text: failureText(e) });
    } finally {
      setBusy(false);
    }
  };

  const download = () => void browser.tabs.create({ url: `${browser.runtime.getURL('/options.html')}#keys` });

  const remove = async () => {
    setBusy(true);
    try {
      await ask({ type: 'keys.remove', keyId: keyInfo.id });
      onChanged();
    } catch (e) {
      onNotice({ keyId: keyInfo.id, kind: 'error', text: failureText(e) });
      setBusy(false);
    }
  };

  return (
    <li class="key gpg-key card" data-key-id={keyInfo.id} aria-label={keyInfo.label}>
      <div class="row key-title">
        <b class="grow truncate" title={keyInfo.label}>
          {keyInfo.label}
        </b>
        <span class="lozenge">GPG</span>
        {installedHere && <span class="lozenge yes">on this server</span>}
      </div>
      <div class="muted gpg-user-id truncate">{keyInfo.userId}</div>
      <div class="key-fingerprint muted">
        Fingerprint <code class="gpg-fingerprint">{keyInfo.fingerprint}</code>
      </div>
      <div class="muted">
        Key id <code class="gpg-key-id">{keyInfo.keyId}</code>
      </div>
      <div class="hint key-installed">
        {installedNames.length
          ? `Installed on ${installedNames.join(', ')}`
          : 'Not installed on any profile yet'}
      </div>
      <div class="row compact-buttons key-actions">
        <button type="button" onClick={() => void copy()}>
          Copy public key
        </button>
        <button type="button" class="primary" disabled={busy} onClick={() => void install()}>
          Install on {hostOf(profile)}
        </button>
        <button type="button" class="subtle" onClick={download}>
          Download secret key…
        </button>
        <button type="button" class="subtle" disabled={busy} onClick={() => setConfirming(true)}>
          Remove…
        </button>
      </div>
      <div class="hint gpg-git-lines">
        To sign your commits with it:
        {gitSigningLines(keyInfo.keyId).map((line) => (
          <pre key={line}>
            <code>{line}</code>
          </pre>
        ))}
      </div>
      {confirming && (
        <div class="message warning key-confirm" role="alertdialog" aria-label="Remove this key?">
          Remove “{keyInfo.label}” from this browser? It stays on any server account it was added to; remove
          it there on the GPG keys page. Download the secret key first if you still need it.
          <div class="row compact-buttons">
            <button
              type="button"
              class="danger"
              ref={(el) => el?.focus()}
              disabled={busy}
              onClick={() => void remove()}
            >
              Remove from this browser
            </button>
            <button type="button" class="subtle" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {notice && (
        <div class={`message ${notice.kind} key-notice`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
          {notice.link && (
            <>
              {' '}
              <a href={notice.link} target="_blank" rel="noreferrer" title={notice.link}>
                Open the GPG keys page on {hostOf(profile)}
              </a>
            </>
          )}
        </div>
      )}
    </li>
  );
}
