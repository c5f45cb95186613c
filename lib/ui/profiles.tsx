import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { hostPermissionPattern } from '../bitbucket/server-url';
import type { CompanionDb, ProfileRecord } from '../db/schema';
import { ask, RequestFailure } from '../messaging/client';
import { ConnectForm } from './connect-form';
import { useLiveQuery } from './use-live-query';

export interface ProfilesState {
  profiles: ProfileRecord[];
  activeId: string | null;
}

const CACHE_KEY = 'profiles-cache';
/**
 * Stands for a sealed token in the cached copy: the cache says only whether a profile has one (the
 * ciphertext stays in IndexedDB). Nothing ever opens it: pages can't open secrets.
 */
const TOKEN_PRESENT = { iv: new Uint8Array(0), data: new ArrayBuffer(0) };

/**
 * The last profiles this page showed, kept in the page's own localStorage without tokens, so the
 * first frame needs no IndexedDB round trip; the database's answer replaces it a moment later.
 */
function readCachedProfiles(): ProfilesState | undefined {
  try {
    const raw = globalThis.localStorage?.getItem(CACHE_KEY);
    if (!raw) return undefined;
    const cached = JSON.parse(raw) as {
      profiles: Array<Omit<ProfileRecord, 'token'> & { hasToken: boolean }>;
      activeId: string | null;
    };
    if (!Array.isArray(cached.profiles)) return undefined;
    return {
      activeId: typeof cached.activeId === 'string' ? cached.activeId : null,
      profiles: cached.profiles.map(({ hasToken, ...p }) => ({
        ...p,
        token: hasToken ? TOKEN_PRESENT : null,
      })),
    };
  } catch {
    return undefined;
  }
}

function cacheProfiles(state: ProfilesState): void {
  try {
    const profiles = state.profiles.map(({ token, ...p }) => ({ ...p, hasToken: token !== null }));
    globalThis.localStorage?.setItem(CACHE_KEY, JSON.stringify({ profiles, activeId: state.activeId }));
  } catch {
    // A full or disabled localStorage only costs the first frame its head start.
  }
}

/** Profiles and the active one, read straight from the database so the UI renders at once. */
export function useProfiles(db: CompanionDb): ProfilesState | undefined {
  const [cached] = useState(readCachedProfiles);
  const live = useLiveQuery(async () => {
    const [profiles, active] = await Promise.all([db.profiles.toArray(), db.settings.get('activeProfileId')]);
    profiles.sort((a, b) => a.label.localeCompare(b.label));
    return { profiles, activeId: typeof active?.value === 'string' ? active.value : null };
  });
  useEffect(() => {
    if (live) cacheProfiles(live);
  }, [live]);
  return live ?? cached;
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : [words[0] ?? '?'];
  return letters
    .map((w) => Array.from(w ?? '?')[0] ?? '?')
    .join('')
    .toUpperCase();
}

export function Avatar({ name }: { name: string }) {
  return (
    <span class="avatar" aria-hidden="true">
      {initials(name)}
    </span>
  );
}

function hostOf(baseUrl: string): string {
  const url = new URL(baseUrl);
  return url.host + url.pathname.replace(/\/$/, '');
}

/** The active profile with a one-click switcher. */
export function ProfileSwitcher({ state, onSwitch }: { state: ProfilesState; onSwitch?: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const active = state.profiles.find((p) => p.id === state.activeId) ?? state.profiles[0];
  if (!active) return null;
  const switchTo = async (profileId: string) => {
    setError(null);
    onSwitch?.();
    try {
      await ask({ type: 'profiles.activate', profileId });
    } catch (e) {
      setError(e instanceof RequestFailure ? e.message : String(e));
    }
  };
  return (
    <div class="profile-switcher">
      <div class="row">
        <Avatar name={active.user.displayName} />
        <div class="grow">
          <div class="truncate active-user" title={active.user.displayName}>
            <b>{active.user.displayName}</b>
          </div>
          <div class="truncate muted active-server">
            {hostOf(active.baseUrl)} · Bitbucket {active.server.version}
          </div>
        </div>
        {state.profiles.length > 1 && (
          <select
            aria-label="Switch profile"
            class="switch-profile"
            value={active.id}
            onChange={(e) => void switchTo(e.currentTarget.value)}
            style={{ width: 'auto', maxWidth: '150px' }}
          >
            {state.profiles.map((p) => (
              <option value={p.id} key={p.id}>
                {p.label}
              </option>
            ))}
          </select>
        )}
      </div>
      {error && (
        <div class="message error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

function AccessLozenges({ access }: { access: ProfileRecord['access'] }) {
  const items: Array<[string, boolean]> = [
    ['Read', access.repoRead],
    ['Write', access.repoWrite],
    ['Repo admin', access.repoAdmin],
    ['Project admin', access.projectAdmin],
  ];
  return (
    <div class="row access" style={{ flexWrap: 'wrap', gap: '4px', marginTop: '4px' }}>
      {items.map(([name, yes]) => (
        <span
          class={`lozenge ${yes ? 'yes' : ''}`}
          key={name}
          title={yes ? `Token can ${name}` : `Token can't ${name}`}
        >
          {yes ? '✓' : '✗'} {name}
        </span>
      ))}
    </div>
  );
}

function ProfileCard({ profile, active }: { profile: ProfileRecord; active: boolean }) {
  const [mode, setMode] = useState<'view' | 'rename' | 'replace' | 'confirm-remove'>('view');
  const [label, setLabel] = useState(profile.label);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [hasAccess, setHasAccess] = useState(true);
  const pattern = hostPermissionPattern(profile.baseUrl);

  useEffect(() => {
    // The user can take the site access back (or give it) in the browser's own settings at any time.
    const refresh = () =>
      void browser.permissions
        .contains({ origins: [pattern] })
        .then(setHasAccess)
        .catch(() => setHasAccess(false));
    refresh();
    browser.permissions.onAdded.addListener(refresh);
    browser.permissions.onRemoved.addListener(refresh);
    return () => {
      browser.permissions.onAdded.removeListener(refresh);
      browser.permissions.onRemoved.removeListener(refresh);
    };
  }, [pattern]);

  const grantAccess = async () => {
    const granted = await browser.permissions.request({ origins: [pattern] }).catch(() => false);
    setHasAccess(granted);
    if (granted) setError(null);
  };

  const checkToken = () =>
    run(async () => {
      const { profile: summary, warnings } = await ask({ type: 'profiles.check', profileId: profile.id });
      setNotice([
        `The token works: ${summary.userDisplayName} on Bitbucket ${summary.serverVersion}.`,
        ...warnings,
      ]);
    });

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await action();
      setMode('view');
    } catch (e) {
      if (e instanceof RequestFailure && e.kind === 'no-host-access') {
        // Said by the access box below, with its button.
        setHasAccess(false);
        return;
      }
      setError(e instanceof RequestFailure ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (mode === 'replace') {
    return (
      <div class="card">
        <ConnectForm
          replacing={{
            id: profile.id,
            baseUrl: profile.baseUrl,
            userSlug: profile.user.slug,
            label: profile.label,
          }}
          onCancel={() => setMode('view')}
          onDone={(summary, warnings) => {
            setNotice([
              `Token replaced. Connected as ${summary.userDisplayName} — Bitbucket ${summary.serverVersion}`,
              ...warnings,
            ]);
            setMode('view');
          }}
        />
      </div>
    );
  }

  return (
    <div class={`card profile ${active ? 'active' : ''}`} data-profile-id={profile.id}>
      <div class="row">
        <Avatar name={profile.user.displayName} />
        <div class="grow">
          {mode === 'rename' ? (
            <form
              class="row"
              onSubmit={(e) => {
                e.preventDefault();
                void run(() => ask({ type: 'profiles.rename', profileId: profile.id, label }));
              }}
            >
              <input
                aria-label="Profile name"
                value={label}
                onInput={(e) => setLabel(e.currentTarget.value)}
                autoFocus
              />
              <button type="submit" class="primary" disabled={busy || !label.trim()}>
                Save
              </button>
              <button type="button" class="subtle" onClick={() => setMode('view')}>
                Cancel
              </button>
            </form>
          ) : (
            <div class="row profile-title">
              <b class="truncate profile-label" title={profile.label}>
                {profile.label}
              </b>
              {active && <span class="lozenge yes">Active</span>}
            </div>
          )}
          <div class="muted profile-meta">
            {profile.user.slug} · {hostOf(profile.baseUrl)} · Bitbucket {profile.server.version}
          </div>
          <AccessLozenges access={profile.access} />
        </div>
      </div>
      {profile.server.supportMessage && <div class="message warning">{profile.server.supportMessage}</div>}
      {!hasAccess && (
        <div class="message warning needs-access" role="alert">
          The extension has no access to {hostOf(profile.baseUrl)} in this browser.{' '}
          <button type="button" class="primary" onClick={() => void grantAccess()}>
            Allow access
          </button>
        </div>
      )}
      {!profile.token && (
        <div class="message warning needs-token">
          This profile has no token (it came from a file exported without one). Use “Replace token” to add
          one.
        </div>
      )}
      {error && (
        <div class="message error" role="alert">
          {error}
        </div>
      )}
      {notice?.map((text, i) => (
        <div class={`message ${i === 0 ? 'success' : 'warning'}`} role="status" key={text}>
          {text}
        </div>
      ))}
      {mode === 'confirm-remove' ? (
        <div class="message warning" role="alertdialog" aria-label="Confirm removal">
          Remove “{profile.label}”? Its token is deleted from this browser (the token itself stays valid on
          the server until you revoke it there).
          <div class="row" style={{ marginTop: '8px' }}>
            <button
              type="button"
              class="primary confirm-remove"
              disabled={busy}
              onClick={() => void run(() => ask({ type: 'profiles.remove', profileId: profile.id }))}
              autoFocus
            >
              Remove
            </button>
            <button type="button" class="subtle" onClick={() => setMode('view')}>
              Keep
            </button>
          </div>
        </div>
      ) : (
        mode === 'view' && (
          <div class="row compact-buttons" style={{ marginTop: '8px', flexWrap: 'wrap', gap: '4px' }}>
            {!active && (
              <button
                type="button"
                class="primary use-profile"
                disabled={busy}
                onClick={() => void run(() => ask({ type: 'profiles.activate', profileId: profile.id }))}
              >
                Use
              </button>
            )}
            <button type="button" onClick={() => setMode('rename')}>
              Rename
            </button>
            <button
              type="button"
              class="check-token"
              disabled={busy || !profile.token}
              onClick={() => void checkToken()}
            >
              {busy ? 'Checking…' : 'Check token'}
            </button>
            <button type="button" class="replace-token" onClick={() => setMode('replace')}>
              Replace token
            </button>
            <button type="button" class="danger remove-profile" onClick={() => setMode('confirm-remove')}>
              Remove…
            </button>
          </div>
        )
      )}
    </div>
  );
}

export function ProfileList({ state }: { state: ProfilesState }) {
  const [adding, setAdding] = useState(false);
  const [flash, setFlash] = useState<{ text: string; warnings: string[] } | null>(null);
  return (
    <section class="profiles" aria-label="Profiles">
      {flash && (
        <div class="message success" role="status">
          {flash.text}
          {flash.warnings.map((w) => (
            <div class="message warning" key={w}>
              {w}
            </div>
          ))}
        </div>
      )}
      {state.profiles.map((p) => (
        <ProfileCard key={p.id} profile={p} active={p.id === state.activeId} />
      ))}
      {adding ? (
        <div class="card">
          <ConnectForm
            onCancel={() => setAdding(false)}
            onDone={(profile, warnings) => {
              setAdding(false);
              setFlash({
                text: `Connected as ${profile.userDisplayName} — Bitbucket ${profile.serverVersion}`,
                warnings,
              });
            }}
          />
        </div>
      ) : (
        <button type="button" class="add-profile" onClick={() => setAdding(true)}>
          + Add a profile
        </button>
      )}
    </section>
  );
}
