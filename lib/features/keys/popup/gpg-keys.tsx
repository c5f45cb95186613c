/**
 * The Keys tab's GPG part: generate a commit-signing key here (OpenPGP.js loads only when the user
 * asks for a key), hand it to the background to keep, and show saved GPG keys with the git lines
 * that make git sign with them.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ProfileRecord } from '../../../db/schema';
import { ask } from '../../../messaging/client';
import { GPG_PASSPHRASE_MIN, generateGpgKey, gitSigningLines } from '../gpg-generate';
import type { GpgKeySummary } from '../key-store';
import { failureText, hostOf, KeyCard, type KeyNotice } from './key-card';

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

export function GpgKeyRow(props: {
  keyInfo: GpgKeySummary;
  profile: ProfileRecord;
  profiles: readonly ProfileRecord[];
  notice: KeyNotice | undefined;
  onNotice: (notice: KeyNotice) => void;
  onChanged: () => void;
}) {
  const { keyInfo, profile } = props;
  return (
    <KeyCard
      {...props}
      className="gpg-key"
      kindName="GPG"
      secretWord="secret"
      lozenge="GPG"
      publicText={keyInfo.armoredPublic}
      keysPage={gpgKeysPage(profile)}
      install={() => ask({ type: 'keys.gpg.install', keyId: keyInfo.id, profileId: profile.id })}
      details={
        <>
          <div class="muted gpg-user-id truncate">{keyInfo.userId}</div>
          <div class="key-fingerprint muted">
            Fingerprint <code class="gpg-fingerprint">{keyInfo.fingerprint}</code>
          </div>
          <div class="muted">
            Key id <code class="gpg-key-id">{keyInfo.keyId}</code>
          </div>
        </>
      }
      footer={
        <div class="hint gpg-git-lines">
          To sign your commits with it:
          {gitSigningLines(keyInfo.keyId).map((line) => (
            <pre key={line}>
              <code>{line}</code>
            </pre>
          ))}
        </div>
      }
    />
  );
}
