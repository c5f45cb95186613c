/**
 * The popup's Keys tab: generate an SSH key pair for the active profile's server, list this browser's
 * keys, copy a public key, install one on the account with the token (with an expiry, or the one a
 * server that forces expiry asks for; an RSA 4096 key instead when the server's key policy refuses
 * one), send the user to the options page for the private key file (downloads belong there), and
 * the keys on the account itself. A server with SSH access turned off is offered no SSH keys.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ProfileRecord } from '../../../db/schema';
import { ask } from '../../../messaging/client';
import { defaultKeyComment } from '../key-comment';
import type { KeySummary, SshKeySummary } from '../key-store';
import type { SshSettingsAnswer } from '../messages';
import { GpgGenerateForm, GpgKeyRow } from './gpg-keys';
import { installNoticeText } from './install-notice';
import { failureText, hostOf, KeyCard, type KeyNotice } from './key-card';
import { RsaInsteadButton } from './rsa-instead-button';
import { ServerKeys } from './server-keys';

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

/** The server refused the key's type or length: one click makes an RSA 4096 key and installs it. */
function RsaInstead({
  keyInfo,
  profile,
  expiryDays,
  onNotice,
  onChanged,
}: {
  keyInfo: SshKeySummary;
  profile: ProfileRecord;
  expiryDays: number | undefined;
  onNotice: (notice: KeyNotice) => void;
  onChanged: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const key = await ask({
        type: 'keys.ssh.generate',
        profileId: profile.id,
        keyType: 'rsa',
        bits: 4096,
        label: keyInfo.label,
      });
      onChanged();
      const answer = await ask({
        type: 'keys.ssh.install',
        keyId: key.id,
        profileId: profile.id,
        ...(expiryDays !== undefined ? { expiryDays } : {}),
      });
      onNotice({
        keyId: key.id,
        kind: answer.installed ? 'success' : 'warning',
        text: installNoticeText(answer, 'Generated an RSA 4096 key'),
        ...(!answer.installed && 'needsSession' in answer ? { link: sshKeysPage(profile) } : {}),
      });
      onChanged();
    } catch (e) {
      onNotice({ keyId: keyInfo.id, kind: 'error', text: failureText(e) });
      setBusy(false);
    }
  };
  return (
    <div class="row compact-buttons key-offer">
      <RsaInsteadButton busy={busy} onClick={() => void run()} />
    </div>
  );
}

function KeyRow(props: {
  keyInfo: SshKeySummary;
  profile: ProfileRecord;
  profiles: readonly ProfileRecord[];
  notice: KeyNotice | undefined;
  onNotice: (notice: KeyNotice) => void;
  onChanged: () => void;
  /** False when the profile's server has SSH access turned off. */
  sshOn: boolean;
}) {
  const { keyInfo, profile, sshOn, ...card } = props;
  return (
    <KeyCard
      {...card}
      keyInfo={keyInfo}
      profile={profile}
      kindName="SSH"
      secretWord="private"
      lozenge={typeLabel(keyInfo)}
      publicText={keyInfo.publicLine}
      keysPage={sshKeysPage(profile)}
      offersExpiry
      install={
        sshOn
          ? (expiryDays) =>
              ask({
                type: 'keys.ssh.install',
                keyId: keyInfo.id,
                profileId: profile.id,
                ...(expiryDays !== undefined ? { expiryDays } : {}),
              })
          : undefined
      }
      policyOffer={(expiryDays) => (
        <RsaInstead
          keyInfo={keyInfo}
          profile={profile}
          expiryDays={expiryDays}
          onNotice={props.onNotice}
          onChanged={props.onChanged}
        />
      )}
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
  const [ssh, setSsh] = useState<SshSettingsAnswer | null>(null);
  const [version, setVersion] = useState(0);

  const reload = () =>
    void ask({ type: 'keys.list' }).then(
      (list) => {
        setKeys(list);
        setListError(null);
      },
      (e: unknown) => setListError(failureText(e)),
    );
  useEffect(reload, []);
  // Whether the server has SSH on: asked in the background once the tab shows; until it answers
  // (or when it can't be asked), SSH is offered as usual.
  useEffect(() => {
    setSsh(null);
    if (!profile) return;
    let current = true;
    ask({ type: 'keys.ssh.settings', profileId: profile.id }).then(
      (answer) => current && setSsh(answer),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [profile?.id]);
  const changed = () => {
    reload();
    setVersion((n) => n + 1);
  };
  const sshOn = ssh?.enabled !== false;
  /** A new key: said on its card, and the list read again. */
  const generated = (keyId: string, text: string) => {
    setNotice({ keyId, kind: 'success', text });
    reload();
  };

  if (!profile) return null;
  return (
    <section class="keys-tab" aria-label="SSH keys">
      {ssh && !ssh.enabled ? (
        <div class="message warning ssh-off" role="status">
          {ssh.message}
        </div>
      ) : (
        <GenerateForm
          profile={profile}
          onGenerated={(key) =>
            generated(
              key.id,
              `Generated ${typeLabel(key)} key. Install it on ${hostOf(profile)} to clone over SSH.`,
            )
          }
        />
      )}
      {listError && (
        <div class="message error" role="alert">
          {listError}
        </div>
      )}
      <GpgGenerateForm
        profile={profile}
        onGenerated={(key) =>
          generated(
            key.id,
            `Generated GPG key ${key.keyId}. Install it on ${hostOf(profile)} so the server verifies your signed commits.`,
          )
        }
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
                onChanged={changed}
              />
            ) : (
              <KeyRow
                key={k.id}
                keyInfo={k}
                profile={profile}
                profiles={profiles}
                notice={notice?.keyId === k.id ? notice : undefined}
                onNotice={setNotice}
                onChanged={changed}
                sshOn={sshOn}
              />
            ),
          )}
        </ul>
      )}
      <ServerKeys profile={profile} version={version} onChanged={reload} />
      <p class="hint">
        Private keys stay in this browser, encrypted; the file is written on the options page.
      </p>
    </section>
  );
}
