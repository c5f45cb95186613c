/**
 * One saved key in the Keys tab, SSH or GPG alike: where it is installed, copy the public key,
 * install it on the active profile's account (or where to add it when the server refuses the
 * token), the options page for the secret file, and removal from this browser after asking. What
 * differs per kind (details, labels, the install request) comes from the caller.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ProfileRecord } from '../../../db/schema';
import { ask, RequestFailure } from '../../../messaging/client';
import { EXPIRY_OUT_OF_RANGE, type InstallAnswer, MAX_EXPIRY_DAYS } from '../messages';
import { ConfirmRemove } from './confirm-remove';
import { SessionInstallOffer } from './session-install-offer';

export interface KeyNotice {
  keyId: string;
  kind: 'success' | 'error' | 'warning';
  text: string;
  /** The server's keys page, when the key has to be added there. */
  link?: string;
  /** The install failed on the way (network, server): offer to try again. */
  retry?: boolean;
  /** The server refused the key itself: show the card's `policyOffer`. */
  offer?: boolean;
  /** The server refused the token: offer to add the key through the browser session. */
  session?: boolean;
}

/** Failures worth a Retry button: the request may not have arrived, or the server was unwell. */
const RETRYABLE = new Set(['offline', 'timeout', 'server-error', 'rate-limited']);

/** "30" → 30, "" → undefined (no expiry); null for anything else. */
export function parseExpiryDays(text: string, max?: number): number | undefined | null {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  if (!/^\d{1,5}$/.test(trimmed)) return null;
  const days = Number(trimmed);
  return days >= 1 && days <= (max ?? MAX_EXPIRY_DAYS) ? days : null;
}

export const failureText = (e: unknown) =>
  e instanceof RequestFailure || e instanceof Error ? e.message : 'Something went wrong. Try again.';

export const hostOf = (profile: ProfileRecord) => new URL(profile.baseUrl).host;

/** A key's name, its kind and where else it is (this server, this browser): a card's first line. */
export function KeyTitle({ name, lozenge, mark }: { name: string; lozenge: string; mark: string | null }) {
  return (
    <div class="row key-title">
      <b class="grow truncate" title={name}>
        {name}
      </b>
      <span class="lozenge">{lozenge}</span>
      {mark && <span class="lozenge yes">{mark}</span>}
    </div>
  );
}

/** After a notice's sentence: the server's keys page of the kind, where the user adds or removes it. */
export function KeysPageLink({
  link,
  kindName,
  profile,
}: {
  link: string | undefined;
  kindName: 'SSH' | 'GPG';
  profile: ProfileRecord;
}) {
  if (!link) return null;
  return (
    <>
      {' '}
      <a href={link} target="_blank" rel="noreferrer" title={link}>
        Open the {kindName} keys page on {hostOf(profile)}
      </a>
    </>
  );
}

export interface KeyCardProps {
  keyInfo: { id: string; label: string; installedOn: ReadonlyArray<{ profileId: string }> };
  profile: ProfileRecord;
  profiles: readonly ProfileRecord[];
  notice: KeyNotice | undefined;
  onNotice: (notice: KeyNotice) => void;
  onChanged: () => void;
  /** The card's class beside `key card`, e.g. `gpg-key`. */
  className?: string;
  /** "SSH" or "GPG": names the server's keys page. */
  kindName: 'SSH' | 'GPG';
  /** "private" (SSH) or "secret" (GPG). */
  secretWord: 'private' | 'secret';
  lozenge: string;
  publicText: string;
  /** The server's page for the account's keys of this kind. */
  keysPage: string;
  /** Absent: the key can't be installed on this profile's server (the tab says why). */
  install?: ((expiryDays?: number) => Promise<InstallAnswer>) | undefined;
  /** An "Expires after N days" field beside Install (SSH keys; the server's `expiryDays`). */
  offersExpiry?: boolean;
  /** What to offer when the server refuses the key itself (another key type), given the expiry used. */
  policyOffer?: (expiryDays: number | undefined) => ComponentChildren;
  /** What this kind shows under the title (fingerprint, ids…). */
  details: ComponentChildren;
  /** Shown under the actions (e.g. the git lines for a signing key). */
  footer?: ComponentChildren;
}

export function KeyCard(props: KeyCardProps) {
  const { keyInfo, profile, profiles, notice, onNotice, onChanged, kindName, secretWord } = props;
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [expiry, setExpiry] = useState('');
  const [lastExpiry, setLastExpiry] = useState<number | undefined>(undefined);
  const [expiryPrompt, setExpiryPrompt] = useState<{ message: string; maxDays?: number } | null>(null);
  const [promptDays, setPromptDays] = useState('');
  const [promptError, setPromptError] = useState<string | null>(null);
  const installedHere = keyInfo.installedOn.some((i) => i.profileId === profile.id);
  const installedNames = keyInfo.installedOn
    .map((i) => profiles.find((p) => p.id === i.profileId)?.label)
    .filter((name): name is string => Boolean(name));
  const failed = (e: unknown) => onNotice({ keyId: keyInfo.id, kind: 'error', text: failureText(e) });

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.publicText);
      onNotice({ keyId: keyInfo.id, kind: 'success', text: 'Public key copied.' });
    } catch (e) {
      failed(e);
    }
  };

  const install = async (expiryDays?: number) => {
    if (!props.install) return;
    setBusy(true);
    setExpiryPrompt(null);
    setLastExpiry(expiryDays);
    try {
      const answer = await props.install(expiryDays);
      if (answer.installed) {
        onNotice({
          keyId: keyInfo.id,
          kind: 'success',
          text: answer.already ? 'Already on your account.' : 'Installed on your account.',
        });
      } else if ('needsExpiry' in answer) {
        // The server forces keys to expire: ask for an expiry here, with its sentence, and retry.
        setExpiryPrompt({
          message: answer.message,
          ...(answer.maxDays !== undefined ? { maxDays: answer.maxDays } : {}),
        });
        setPromptDays(String(answer.maxDays ?? expiryDays ?? 30));
        setPromptError(null);
        // An empty notice hides an earlier one: the prompt says what the server wants.
        onNotice({ keyId: keyInfo.id, kind: 'warning', text: '' });
      } else if ('refused' in answer) {
        onNotice({ keyId: keyInfo.id, kind: 'error', text: answer.message, offer: answer.offerRsa4096 });
      } else {
        onNotice({
          keyId: keyInfo.id,
          kind: 'warning',
          text: `${answer.message} The Companion can add it through your signed-in browser session, or copy the public key and add it on the server’s ${kindName} keys page:`,
          link: props.keysPage,
          session: true,
        });
      }
      onChanged();
    } catch (e) {
      // Nothing was recorded (see handlers.ts): the same install can simply run again.
      const retry = e instanceof RequestFailure && RETRYABLE.has(e.kind);
      onNotice({ keyId: keyInfo.id, kind: 'error', text: failureText(e), ...(retry ? { retry } : {}) });
    } finally {
      setBusy(false);
    }
  };

  const installWithFieldExpiry = () => {
    const days = parseExpiryDays(expiry);
    if (days === null) {
      onNotice({ keyId: keyInfo.id, kind: 'error', text: EXPIRY_OUT_OF_RANGE });
      return;
    }
    void install(days);
  };

  const installWithPromptExpiry = (event: Event) => {
    event.preventDefault();
    const days = parseExpiryDays(promptDays, expiryPrompt?.maxDays);
    if (days === undefined || days === null) {
      setPromptError(
        `Enter a whole number of days from 1 to ${(expiryPrompt?.maxDays ?? MAX_EXPIRY_DAYS).toLocaleString('en')}.`,
      );
      return;
    }
    setExpiry(String(days));
    void install(days);
  };

  // The popup closes by itself when the new tab takes the focus.
  const download = () => void browser.tabs.create({ url: `${browser.runtime.getURL('/options.html')}#keys` });

  const remove = async () => {
    setBusy(true);
    try {
      await ask({ type: 'keys.remove', keyId: keyInfo.id });
      onChanged();
    } catch (e) {
      failed(e);
      setBusy(false);
    }
  };

  return (
    <li
      class={`key card${props.className ? ` ${props.className}` : ''}`}
      data-key-id={keyInfo.id}
      aria-label={keyInfo.label}
    >
      <KeyTitle name={keyInfo.label} lozenge={props.lozenge} mark={installedHere ? 'on this server' : null} />
      {props.details}
      <div class="hint key-installed">
        {installedNames.length
          ? `Installed on ${installedNames.join(', ')}`
          : 'Not installed on any profile yet'}
      </div>
      <div class="row compact-buttons key-actions">
        <button type="button" onClick={() => void copy()}>
          Copy public key
        </button>
        {props.install && (
          <button type="button" class="primary" disabled={busy} onClick={installWithFieldExpiry}>
            Install on {hostOf(profile)}
          </button>
        )}
        {props.install && props.offersExpiry && (
          <label class="key-expiry">
            Expires after
            <input
              type="text"
              inputMode="numeric"
              placeholder="never"
              aria-label="Expires after (days; empty: never)"
              value={expiry}
              disabled={busy}
              onInput={(e) => setExpiry(e.currentTarget.value)}
              onKeyDown={(e) => e.key === 'Enter' && installWithFieldExpiry()}
            />
            days
          </label>
        )}
        <button type="button" class="subtle" onClick={download}>
          Download {secretWord} key…
        </button>
        <button type="button" class="subtle" disabled={busy} onClick={() => setConfirming(true)}>
          Remove…
        </button>
      </div>
      {props.footer}
      {confirming && (
        <ConfirmRemove
          label="Remove this key?"
          confirm="Remove from this browser"
          busy={busy}
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
        >
          Remove “{keyInfo.label}” from this browser? It stays on any server account it was added to; remove
          it there first under “Keys on your account” below. Download the {secretWord} key first if you still
          need it.
        </ConfirmRemove>
      )}
      {expiryPrompt && (
        <form
          class="message warning key-expiry-prompt"
          aria-label="An expiry is required"
          onSubmit={installWithPromptExpiry}
        >
          <div>{expiryPrompt.message}</div>
          <div class="row compact-buttons">
            <label class="key-expiry">
              Expire after
              <input
                type="text"
                inputMode="numeric"
                aria-label="Expire after (days)"
                value={promptDays}
                ref={(el) => el?.focus()}
                disabled={busy}
                onInput={(e) => setPromptDays(e.currentTarget.value)}
              />
              days
            </label>
            <button type="submit" class="primary" disabled={busy}>
              Install with this expiry
            </button>
            <button type="button" class="subtle" onClick={() => setExpiryPrompt(null)}>
              Cancel
            </button>
          </div>
          {promptError && (
            <div class="key-prompt-error" role="alert">
              {promptError}
            </div>
          )}
        </form>
      )}
      {notice?.text && (
        <div class={`message ${notice.kind} key-notice`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
          <KeysPageLink link={notice.link} kindName={kindName} profile={profile} />
          {notice.session && (
            <SessionInstallOffer
              keyId={keyInfo.id}
              profile={profile}
              kindName={kindName}
              onNotice={onNotice}
              failureText={failureText}
            />
          )}
          {notice.retry && props.install && (
            <div class="row compact-buttons">
              <button type="button" disabled={busy} onClick={() => void install(lastExpiry)}>
                Retry
              </button>
            </div>
          )}
          {notice.offer && props.policyOffer?.(lastExpiry)}
        </div>
      )}
    </li>
  );
}
