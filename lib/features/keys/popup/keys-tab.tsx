/**
 * The popup's Keys tab: generate an SSH key pair for the active profile's server, list this browser's
 * keys, copy a public key, install one on the account with the token, and send the user to the
 * options page for the private key file (downloads belong there).
 */
import { useEffect, useState } from 'preact/hooks';
import type { ProfileRecord } from '../../../db/schema';
import { ask } from '../../../messaging/client';
import { defaultKeyComment } from '../key-comment';
import type { KeySummary, SshKeySummary } from '../key-store';
import { GpgGenerateForm, GpgKeyRow } from './gpg-keys';
import { failureText, hostOf, KeyCard, type KeyNotice } from './key-card';

export interface KeysTabProps {
  profiles: readonly ProfileRecord[];
  activeProfileId: string;
}

type KeyChoice = 'ed25519' | 'rsa-4096' | 'rsa-3072';
const KEY_CHOICES: ReadonlyArray<[KeyChoice, string]> = [
  ['ed25519', 'Ed25519'],
  ['rsa-4096', 'RSA 4096'],
  ['rsa-3072', 'RSA 3072'],
];

const typeLabel = (key: KeySummary) =>
  key.kind === 'gpg' ? 'GPG' : key.type === 'ed25519' ? 'Ed25519' : `RSA ${key.bits}`;

function sshKeysPage(profile: ProfileRecord): string {
  return `${profile.baseUrl}/plugins/servlet/ssh/account/keys`;
}

function GenerateForm({
  profile,
  onGenerated,
}: {
  profile: ProfileRecord;
  onGenerated: (key: SshKeySummary) => void;
}) {
  const [choice, setChoice] = useState<KeyChoice>('ed25519');
  const [label, setLabel] = useState(defaultKeyComment(profile));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setLabel(defaultKeyComment(profile)), [profile.id]);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const key = await ask({
        type: 'keys.ssh.generate',
        profileId: profile.id,
        keyType: choice === 'ed25519' ? 'ed25519' : 'rsa',
        ...(choice === 'rsa-4096' ? { bits: 4096 as const } : {}),
        ...(choice === 'rsa-3072' ? { bits: 3072 as const } : {}),
        label,
      });
      onGenerated(key);
    } catch (e) {
      setError(failureText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="key-generate card" onSubmit={(e) => void submit(e)} aria-busy={busy}>
      <div class="row key-generate-fields">
        <label class="field key-type">
          Type
          <select
            value={choice}
            disabled={busy}
            onChange={(e) => setChoice(e.currentTarget.value as KeyChoice)}
          >
            {KEY_CHOICES.map(([id, text]) => (
              <option key={id} value={id}>
                {text}
              </option>
            ))}
          </select>
        </label>
        <label class="field grow key-label">
          Label
          <input
            type="text"
            value={label}
            maxLength={200}
            disabled={busy}
            onInput={(e) => setLabel(e.currentTarget.value)}
          />
        </label>
      </div>
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          Generate SSH key
        </button>
        {busy && (
          <span class="muted key-progress" role="status">
            <span class="spinner" aria-hidden="true" />
            {choice === 'ed25519' ? 'Generating…' : 'Generating… RSA takes a few seconds'}
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

function KeyRow(props: {
  keyInfo: SshKeySummary;
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
      kindName="SSH"
      secretWord="private"
      lozenge={typeLabel(keyInfo)}
      publicText={keyInfo.publicLine}
      keysPage={sshKeysPage(profile)}
      install={() => ask({ type: 'keys.ssh.install', keyId: keyInfo.id, profileId: profile.id })}
      details={
        <div class="key-fingerprint muted">
          <code>SHA256:{keyInfo.fingerprint}</code>
        </div>
      }
    />
  );
}

export function KeysTab({ profiles, activeProfileId }: KeysTabProps) {
  const profile = profiles.find((p) => p.id === activeProfileId) ?? profiles[0];
  const [keys, setKeys] = useState<KeySummary[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [notice, setNotice] = useState<KeyNotice | null>(null);

  const reload = () =>
    void ask({ type: 'keys.list' }).then(
      (list) => {
        setKeys(list);
        setListError(null);
      },
      (e: unknown) => setListError(failureText(e)),
    );
  useEffect(reload, []);

  if (!profile) return null;
  return (
    <section class="keys-tab" aria-label="SSH keys">
      <GenerateForm
        profile={profile}
        onGenerated={(key) => {
          setNotice({
            keyId: key.id,
            kind: 'success',
            text: `Generated ${typeLabel(key)} key. Install it on ${hostOf(profile)} to clone over SSH.`,
          });
          reload();
        }}
      />
      {listError && (
        <div class="message error" role="alert">
          {listError}
        </div>
      )}
      <GpgGenerateForm
        profile={profile}
        onGenerated={(key) => {
          setNotice({
            keyId: key.id,
            kind: 'success',
            text: `Generated GPG key ${key.keyId}. Install it on ${hostOf(profile)} so the server verifies your signed commits.`,
          });
          reload();
        }}
      />
      {keys && keys.length === 0 && (
        <div class="hint">No SSH or GPG keys in this browser yet. Generate one above.</div>
      )}
      {keys && keys.length > 0 && (
        <ul class="key-list" aria-label="This browser’s SSH and GPG keys">
          {keys.map((k) =>
            k.kind === 'gpg' ? (
              <GpgKeyRow
                key={k.id}
                keyInfo={k}
                profile={profile}
                profiles={profiles}
                notice={notice?.keyId === k.id ? notice : undefined}
                onNotice={setNotice}
                onChanged={reload}
              />
            ) : (
              <KeyRow
                key={k.id}
                keyInfo={k}
                profile={profile}
                profiles={profiles}
                notice={notice?.keyId === k.id ? notice : undefined}
                onNotice={setNotice}
                onChanged={reload}
              />
            ),
          )}
        </ul>
      )}
      <p class="hint">
        Private keys stay in this browser, encrypted; the file is written on the options page.
      </p>
    </section>
  );
}
