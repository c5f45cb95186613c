import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { getDb } from '../../lib/db/schema';
import { ReposTab } from '../../lib/features/clone/popup/repos-tab';
import { KeysTab } from '../../lib/features/keys/popup/keys-tab';
import { PullRequestsTab } from '../../lib/features/pull-requests/popup/pull-requests-tab';
import { ask } from '../../lib/messaging/client';
import type { PageContext } from '../../lib/messaging/protocol';
import { ConnectForm } from '../../lib/ui/connect-form';
import { ProfileList, ProfileSwitcher, useProfiles } from '../../lib/ui/profiles';

/** The tab the popup was opened over (or the one named by ?tabId= when the popup runs in a tab). */
async function targetTabId(): Promise<number | undefined> {
  const fromQuery = Number(new URLSearchParams(location.search).get('tabId'));
  if (Number.isInteger(fromQuery) && fromQuery > 0) return fromQuery;
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return tab?.id;
}

function describeContext(context: PageContext): string | null {
  const repo = context.repoSlug
    ? `${context.projectKey ?? `~${context.userSlug ?? ''}`} / ${context.repoName ?? context.repoSlug}`
    : null;
  switch (context.kind) {
    case 'pull-request':
      return repo ? `${repo} — pull request #${context.pullRequestId}` : null;
    case 'repository':
      return repo;
    case 'project':
      return context.projectKey ? `project ${context.projectKey}` : null;
    case 'dashboard':
      return 'your dashboard';
    default:
      return null;
  }
}

/** The project of a page: its key, or the personal project (`~USER`) of a user's page. */
function pageProjectOf(context: PageContext | null): string | undefined {
  if (!context) return undefined;
  if (context.projectKey) return context.projectKey;
  return context.userSlug ? `~${context.userSlug.toUpperCase()}` : undefined;
}

interface TabContext {
  context: PageContext | null;
  /** The profile for the page's server (the most recently used one of that server). */
  profileId: string | null;
}

/** What the content script reported about the tab the popup was opened over. */
function useTabContext(): TabContext & { tabId: number | undefined } {
  const [value, setValue] = useState<TabContext & { tabId: number | undefined }>({
    context: null,
    profileId: null,
    tabId: undefined,
  });
  useEffect(() => {
    void (async () => {
      const tabId = await targetTabId();
      if (tabId === undefined) return;
      setValue((v) => ({ ...v, tabId }));
      const answer = await ask({ type: 'tab.context', tabId }).catch(() => null);
      if (answer) setValue({ ...answer, tabId });
    })();
  }, []);
  return value;
}

type PopupTab = 'repos' | 'pulls' | 'keys' | 'profiles';
const TABS: ReadonlyArray<[PopupTab, string]> = [
  ['repos', 'Repos'],
  ['pulls', 'Pull requests'],
  ['keys', 'Keys'],
  ['profiles', 'Profiles'],
];

/** Tabs in the ARIA pattern: ←/→ move between them, the panel follows. */
function TabBar({ current, onChange }: { current: PopupTab; onChange: (tab: PopupTab) => void }) {
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const i = TABS.findIndex(([id]) => id === current);
    const next = TABS[(i + (event.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
    if (!next) return;
    onChange(next[0]);
    document.getElementById(`tab-${next[0]}`)?.focus();
  };
  return (
    <div class="tabs" role="tablist" aria-label="Sections">
      {TABS.map(([id, label]) => (
        <button
          key={id}
          id={`tab-${id}`}
          type="button"
          role="tab"
          aria-selected={current === id}
          aria-controls={`panel-${id}`}
          tabIndex={current === id ? 0 : -1}
          class={current === id ? 'tab selected' : 'tab'}
          onClick={() => onChange(id)}
          onKeyDown={onKeyDown}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

function PageContextLine({ context }: { context: PageContext | null }) {
  const text = context && describeContext(context);
  if (!text) return null;
  return (
    <div class="page-context" role="status">
      You are on <b>{text}</b>
    </div>
  );
}

export function App() {
  const db = getDb();
  const state = useProfiles(db);
  const tab = useTabContext();
  const [followPage, setFollowPage] = useState(true);
  const [welcome, setWelcome] = useState<{ text: string; warnings: string[] } | null>(null);
  // Repos first: searching is what the popup is opened for; right after connecting, the profile.
  const [tabChoice, setTabChoice] = useState<PopupTab | null>(null);
  if (!state) return null;
  const tabShown: PopupTab = tabChoice ?? (welcome ? 'profiles' : 'repos');
  if (state.profiles.length === 0) {
    return (
      <main class="popup">
        <ConnectForm
          onDone={(profile, warnings) =>
            setWelcome({
              text: `Connected as ${profile.userDisplayName} — Bitbucket ${profile.serverVersion}`,
              warnings,
            })
          }
        />
      </main>
    );
  }
  // On a connected server's page, that server's profile is the one in use.
  const shownState =
    followPage && tab.profileId && state.profiles.some((p) => p.id === tab.profileId)
      ? { ...state, activeId: tab.profileId }
      : state;
  const activeId =
    shownState.profiles.find((p) => p.id === shownState.activeId)?.id ?? shownState.profiles[0]?.id ?? '';
  const activeProfile = state.profiles.find((p) => p.id === activeId);
  return (
    <main class="popup">
      <header>
        <ProfileSwitcher state={shownState} onSwitch={() => setFollowPage(false)} />
        <PageContextLine context={tab.context} />
      </header>
      <TabBar current={tabShown} onChange={setTabChoice} />
      {tabShown === 'repos' ? (
        <div role="tabpanel" id="panel-repos" aria-labelledby="tab-repos">
          <ReposTab
            db={db}
            profiles={state.profiles}
            activeProfileId={activeId}
            targetTabId={tab.tabId}
            pageProjectKey={tab.profileId === activeId ? pageProjectOf(tab.context) : undefined}
          />
        </div>
      ) : tabShown === 'pulls' ? (
        <div role="tabpanel" id="panel-pulls" aria-labelledby="tab-pulls">
          {activeProfile && <PullRequestsTab db={db} profile={activeProfile} context={tab.context} />}
        </div>
      ) : tabShown === 'keys' ? (
        <div role="tabpanel" id="panel-keys" aria-labelledby="tab-keys">
          <KeysTab profiles={state.profiles} activeProfileId={activeId} />
        </div>
      ) : (
        <div role="tabpanel" id="panel-profiles" aria-labelledby="tab-profiles">
          {welcome && (
            <div class="message success" role="status">
              {welcome.text}
              {welcome.warnings.map((w) => (
                <div class="message warning" key={w}>
                  {w}
                </div>
              ))}
            </div>
          )}
          <ProfileList state={state} />
        </div>
      )}
    </main>
  );
}
