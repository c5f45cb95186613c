/**
 * The Keys tab's list of the keys on the active profile's account (SSH and GPG), each marked when
 * it is one of this browser's, with its dates; removing one from the server after asking. Loaded
 * only when the user opens the section: the popup itself never waits for the server.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ProfileRecord } from '../../../db/schema';
import { ask } from '../../../messaging/client';
import type { KeysResponses, ServerGpgKey, ServerSshKey } from '../messages';
import { ConfirmRemove } from './confirm-remove';
import { gpgKeysPage } from './gpg-keys';
import { failureText, hostOf, KeysPageLink, KeyTitle } from './key-card';

const DAY_MS = 24 * 60 * 60 * 1000;

type Listing = KeysResponses['keys.server.list'];

function sshKeysPage(profile: ProfileRecord): string {
  return `${profile.baseUrl}/plugins/servlet/ssh/account/keys`;
}

/** A day as the user's browser writes it, in a `<time>` a reader (or test) can parse. */
function Day({ at }: { at: number }) {
  const date = new Date(at);
  return (
    <time dateTime={date.toISOString().slice(0, 10)}>
      {date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' })}
    </time>
  );
}

function sshExpiry(key: ServerSshKey): number | null {
  return key.createdDate !== null && key.expiryDays !== null
    ? key.createdDate + key.expiryDays * DAY_MS
    : null;
}

function Expiry({ at, afterDays }: { at: number | null; afterDays?: number | null }) {
  if (at !== null) {
    return (
      <span class={`server-key-expiry${at <= Date.now() ? ' expired' : ''}`}>
        {at <= Date.now() ? 'Expired ' : 'Expires '}
        <Day at={at} />
      </span>
    );
  }
  return (
    <span class="server-key-expiry">{afterDays ? `Expires after ${afterDays} days` : 'Never expires'}</span>
  );
}

interface Target {
  kind: 'ssh' | 'gpg';
  serverKeyId: string;
  name: string;
  mine: boolean;
}

/** One key on the server, with its removal (asks first). */
function ServerKeyItem(props: {
  target: Target;
  profile: ProfileRecord;
  lozenge: string;
  details: ComponentChildren;
  onRemoved: () => void;
}) {
  const { target, profile } = props;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ kind: 'error' | 'warning'; text: string; link?: string } | null>(
    null,
  );
  const kindName = target.kind === 'ssh' ? 'SSH' : 'GPG';
  const page = target.kind === 'ssh' ? sshKeysPage(profile) : gpgKeysPage(profile);

  const remove = async () => {
    setBusy(true);
    setNotice(null);
    try {
      const answer = await ask({
        type: 'keys.server.remove',
        profileId: profile.id,
        kind: target.kind,
        serverKeyId: target.serverKeyId,
      });
      setConfirming(false);
      if (answer.removed) {
        props.onRemoved();
        return;
      }
      setNotice({
        kind: 'warning',
        text: `${answer.message} Remove it on the server’s ${kindName} keys page:`,
        link: page,
      });
    } catch (e) {
      setNotice({ kind: 'error', text: failureText(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      class="server-key"
      data-kind={target.kind}
      data-server-key-id={target.serverKeyId}
      aria-label={target.name}
    >
      <KeyTitle name={target.name} lozenge={props.lozenge} mark={target.mine ? 'this browser' : null} />
      {props.details}
      {!confirming && (
        <div class="row compact-buttons">
          <button
            type="button"
            class="subtle server-key-remove"
            disabled={busy}
            onClick={() => setConfirming(true)}
          >
            Remove from server…
          </button>
        </div>
      )}
      {confirming && (
        <ConfirmRemove
          label="Remove this key from the server?"
          confirm="Remove from the server"
          busy={busy}
          cancelDisabled={busy}
          onConfirm={() => void remove()}
          onCancel={() => setConfirming(false)}
          after={
            busy && (
              <div class="muted key-progress" role="status">
                <span class="spinner" aria-hidden="true" />
                Removing…
              </div>
            )
          }
        >
          Remove “{target.name}” from your account on {hostOf(profile)}?{' '}
          {target.kind === 'ssh'
            ? 'Git over SSH with this key stops working there.'
            : 'The server stops showing commits signed with it as verified.'}
          {target.mine ? ' The key stays in this browser.' : ''}
        </ConfirmRemove>
      )}
      {notice && (
        <div class={`message ${notice.kind} key-notice`} role={notice.kind === 'error' ? 'alert' : 'status'}>
          {notice.text}
          <KeysPageLink link={notice.link} kindName={kindName} profile={profile} />
        </div>
      )}
    </li>
  );
}

function SshItem({
  k,
  profile,
  onRemoved,
}: {
  k: ServerSshKey;
  profile: ProfileRecord;
  onRemoved: () => void;
}) {
  const type = k.algorithmType ? `${k.algorithmType}${k.bitLength ? ` ${k.bitLength}` : ''}` : 'SSH';
  return (
    <ServerKeyItem
      target={{ kind: 'ssh', serverKeyId: String(k.id), name: k.label || 'Unlabelled key', mine: k.mine }}
      profile={profile}
      lozenge={type}
      onRemoved={onRemoved}
      details={
        <>
          {k.fingerprint && (
            <div class="key-fingerprint muted">
              <code>SHA256:{k.fingerprint}</code>
            </div>
          )}
          <div class="hint server-key-dates">
            {k.createdDate !== null ? (
              <span class="server-key-created">
                Added <Day at={k.createdDate} />
              </span>
            ) : (
              <span class="server-key-created">Added before the server recorded dates</span>
            )}
            {' · '}
            <Expiry at={sshExpiry(k)} afterDays={k.expiryDays} />
            {' · '}
            <span class="server-key-used">
              {k.lastAuthenticated !== null ? (
                <>
                  Last used <Day at={k.lastAuthenticated} />
                </>
              ) : (
                'Never used'
              )}
            </span>
          </div>
        </>
      }
    />
  );
}

function GpgItem({
  k,
  profile,
  onRemoved,
}: {
  k: ServerGpgKey;
  profile: ProfileRecord;
  onRemoved: () => void;
}) {
  return (
    <ServerKeyItem
      target={{ kind: 'gpg', serverKeyId: k.fingerprint, name: k.emailAddress || k.id, mine: k.mine }}
      profile={profile}
      lozenge="GPG"
      onRemoved={onRemoved}
      details={
        <>
          <div class="key-fingerprint muted">
            Key id <code>{k.id.toUpperCase()}</code>
          </div>
          <div class="hint server-key-dates">
            <Expiry at={k.expiryDate} />
          </div>
        </>
      }
    />
  );
}

function KindList<T>(props: {
  title: string;
  listing: Listing['ssh'] | Listing['gpg'];
  empty: string;
  render: (key: T) => ComponentChildren;
}) {
  const { listing } = props;
  return (
    <section class="server-key-kind" aria-label={props.title}>
      <h3>{props.title}</h3>
      {!listing.ok ? (
        <div class="message error" role="alert">
          {listing.message}
        </div>
      ) : listing.keys.length === 0 ? (
        <div class="hint">{props.empty}</div>
      ) : (
        <ul class="server-key-list">{(listing.keys as T[]).map(props.render)}</ul>
      )}
    </section>
  );
}

/**
 * `version` changes when this browser's keys changed (installed, removed): an open list is fetched
 * again. `onChanged` tells the tab that a removal changed where its keys are installed.
 */
export function ServerKeys({
  profile,
  version,
  onChanged,
}: {
  profile: ProfileRecord;
  version: number;
  onChanged: () => void;
}) {
  const [open, setOpen] = useState(false);
  const [listing, setListing] = useState<Listing | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const request = useRef(0);

  const load = () => {
    const mine = ++request.current;
    setLoading(true);
    setError(null);
    ask({ type: 'keys.server.list', profileId: profile.id }).then(
      (answer) => {
        if (mine !== request.current) return;
        setListing(answer);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== request.current) return;
        setError(failureText(e));
        setLoading(false);
      },
    );
  };

  // Another profile's account is another list.
  useEffect(() => {
    request.current++;
    setListing(null);
    setError(null);
    setLoading(false);
    if (open) load();
  }, [profile.id]);
  useEffect(() => {
    if (open && version > 0) load();
  }, [version]);

  const removed = () => {
    onChanged();
    load();
  };

  return (
    <details
      class="server-keys card"
      open={open}
      onToggle={(e) => {
        const nowOpen = e.currentTarget.open;
        setOpen(nowOpen);
        if (nowOpen && !listing && !loading) load();
      }}
    >
      <summary>Keys on your account on {hostOf(profile)}</summary>
      {loading && (
        <div class="muted key-progress server-keys-loading" role="status">
          <span class="spinner" aria-hidden="true" />
          {listing ? 'Refreshing…' : `Loading your keys from ${hostOf(profile)}…`}
        </div>
      )}
      {error && (
        <div class="message error" role="alert">
          {error}{' '}
          <button type="button" class="link" onClick={load}>
            Try again
          </button>
        </div>
      )}
      {listing && (
        <>
          <KindList<ServerSshKey>
            title="SSH keys"
            listing={listing.ssh}
            empty="No SSH keys on your account."
            render={(k) => <SshItem key={k.id} k={k} profile={profile} onRemoved={removed} />}
          />
          <KindList<ServerGpgKey>
            title="GPG keys"
            listing={listing.gpg}
            empty="No GPG keys on your account."
            render={(k) => <GpgItem key={k.fingerprint} k={k} profile={profile} onRemoved={removed} />}
          />
        </>
      )}
    </details>
  );
}
