/**
 * The popup's Keys tab: generate an SSH key pair for the active profile's server, list this browser's
 * keys, copy a public key, install one on the account with the token, and send the user to the
 * options page for the private key file (downloads belong there).
 */
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ProfileRecord } from '../../../db/schema';
import { ask, RequestFailure } from '../../../messaging/client';
import type { KeySummary, SshKeySummary } from '../key-store';
import { GpgGenerateForm, GpgKeyRow } from './gpg-keys';

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

/** The comment the background gives a new key: `<user>@<server host>`. */
function defaultComment(profile: ProfileRecord | undefined): string {
  if (!profile) return '';
  const host = new URL(profile.baseUrl).hostname;
  return `${(profile.user.name || profile.user.slug).replace(/\s+/g, '')}@${host}`;
}

const failureText = (e: unknown) =>
  e instanceof RequestFailure || e instanceof Error ? e.message : 'Something went wrong. Try again.';

const typeLabel = (key: KeySummary) =>
  key.kind === 'gpg' ? 'GPG' : key.type === 'ed25519' ? 'Ed25519' : `RSA ${key.bits}`;

interface Notice {
  keyId: string;
  kind: 'success' | 'error' | 'warning';
  text: string;
  /** The server's SSH keys page, when the key has to be added there. */
  link?: string;
}

function sshKeysPage(profile: ProfileRecord): string {
  return `${profile.baseUrl}/plugins/servlet/ssh/account/keys`;
}

function hostOf(profile: ProfileRecord): string {
  return new URL(profile.baseUrl).host;
}

function GenerateForm({
  profile,
  onGenerated,
}: {
  profile: ProfileRecord;
  onGenerated: (key: SshKeySummary) => void;
}) {
  const [choice, setChoice] = useState<KeyChoice>('ed25519');
  const [label, setLabel] = useState(defaultComment(profile));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setLabel(defaultComment(profile)), [profile.id]);

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

function KeyRow({
  keyInfo,
  profile,
  profiles,
  notice,
  onNotice,
  onChanged,
}: {
  keyInfo: SshKeySummary;
  profile: ProfileRecord;
  profiles: readonly ProfileRecord[];
  notice: Notice | undefined;
  onNotice: (notice: Notice) => void;
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
      await navigator.clipboard.writeText(keyInfo.publicLine);
      onNotice({ keyId: keyInfo.id, kind: 'success', text: 'Public key copied.' });
    } catch (e) {
      onNotice({ keyId: keyInfo.id, kind: 'error', text: failureText(e) });
    }
  };

  const install = async () => {
    setBusy(true);
    try {
      const answer = await ask({ type: 'keys.ssh.install', keyId: keyInfo.id, profileId: profile.id });
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
          text: `${answer.message} Copy the public key and add it on the server’s SSH keys page:`,
          link: sshKeysPage(profile),
        });
      }
      onChanged();
    } catch (e) {
      onNotice({ keyId: keyInfo.id, kind: 'error', text: failureText(e) });
    } finally {
      setBusy(false);
    }
  };

  // The popup closes by itself when the new tab takes the focus.
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
    <li class="key card" data-key-id={keyInfo.id} aria-label={keyInfo.label}>
      <div class="row key-title">
        <b class="grow truncate" title={keyInfo.label}>
          {keyInfo.label}
        </b>
        <span class="lozenge">{typeLabel(keyInfo)}</span>
        {installedHere && <span class="lozenge yes">on this server</span>}
      </div>
      <div class="key-fingerprint muted">
        <code>SHA256:{keyInfo.fingerprint}</code>
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
          Download private key…
        </button>
        <button type="button" class="subtle" disabled={busy} onClick={() => setConfirming(true)}>
          Remove…
        </button>
      </div>
      {confirming && (
        <div class="message warning key-confirm" role="alertdialog" aria-label="Remove this key?">
          Remove “{keyInfo.label}” from this browser? It stays on any server account it was added to; remove
          it there on the SSH keys page. Download the private key first if you still need it.
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
                Open the SSH keys page on {hostOf(profile)}
              </a>
            </>
          )}
        </div>
      )}
    </li>
  );
}

export function KeysTab({ profiles, activeProfileId }: KeysTabProps) {
  const profile = profiles.find((p) => p.id === activeProfileId) ?? profiles[0];
  const [keys, setKeys] = useState<KeySummary[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);

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
