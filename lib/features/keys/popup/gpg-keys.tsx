/**
 * The Keys tab's GPG part: generate a commit-signing key here (OpenPGP.js loads only when the user
 * asks for a key), hand it to the background to keep, and show saved GPG keys with the git lines
 * that make git sign with them; when the server refuses an EdDSA key, an RSA 4096 one instead.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ProfileRecord } from '../../../db/schema';
import { ask } from '../../../messaging/client';
import { generateGpgKey, gitSigningLines } from '../gpg-generate';
import type { GpgKeySummary } from '../key-store';
import { installNoticeText } from './install-notice';
import { failureText, hostOf, KeyCard, type KeyNotice } from './key-card';
import { PassphraseFields, passphraseProblem } from './passphrase-fields';
import { RsaInsteadButton } from './rsa-instead-button';

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
    const problem = passphraseProblem(passphrase, repeat);
    if (problem) return setError(problem);
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
      <PassphraseFields
        passphrase={passphrase}
        repeat={repeat}
        disabled={busy}
        onPassphrase={setPassphrase}
        onRepeat={setRepeat}
        names={{ passphrase: 'gpg-passphrase', repeat: 'gpg-passphrase-repeat' }}
      />
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

/** `Name <e-mail>` → its parts (the e-mail empty when the user id has none). */
function identityOf(userId: string): { name: string; email: string } {
  const match = /^(.*?)\s*<([^<>]+)>\s*$/.exec(userId);
  return match ? { name: match[1] ?? '', email: match[2] ?? '' } : { name: userId, email: '' };
}

/**
 * The server refused the key (a server whose OpenPGP library predates EdDSA): an RSA 4096 key with
 * the same user id, protected by a passphrase chosen here, generated and installed in one go.
 */
function GpgRsaInstead({
  keyInfo,
  profile,
  onNotice,
  onChanged,
}: {
  keyInfo: GpgKeySummary;
  profile: ProfileRecord;
  onNotice: (notice: KeyNotice) => void;
  onChanged: () => void;
}) {
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const problem = passphraseProblem(passphrase, repeat);
    if (problem) return setError(problem);
    setBusy(true);
    try {
      const generated = await generateGpgKey({
        ...identityOf(keyInfo.userId),
        passphrase,
        algorithm: 'rsa4096',
      });
      const key = await ask({ type: 'keys.gpg.save', ...generated, label: `${keyInfo.label} (RSA 4096)` });
      onChanged();
      const answer = await ask({ type: 'keys.gpg.install', keyId: key.id, profileId: profile.id });
      onNotice({
        keyId: key.id,
        kind: answer.installed ? 'success' : 'warning',
        text: installNoticeText(answer, `Generated RSA 4096 key ${key.keyId}`),
        ...(!answer.installed && 'needsSession' in answer ? { link: gpgKeysPage(profile) } : {}),
      });
      onChanged();
    } catch (e) {
      setError(failureText(e));
      setBusy(false);
    }
  };

  return (
    <form class="key-offer gpg-rsa-offer" onSubmit={(e) => void submit(e)} aria-busy={busy}>
      <div>An RSA 4096 key with the same name and e-mail may do. Choose its passphrase:</div>
      <PassphraseFields
        passphrase={passphrase}
        repeat={repeat}
        disabled={busy}
        onPassphrase={setPassphrase}
        onRepeat={setRepeat}
      />
      <div class="row compact-buttons">
        <RsaInsteadButton busy={busy} />
      </div>
      {error && (
        <div class="key-prompt-error" role="alert">
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
      policyOffer={() => (
        <GpgRsaInstead
          keyInfo={keyInfo}
          profile={profile}
          onNotice={props.onNotice}
          onChanged={props.onChanged}
        />
      )}
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
