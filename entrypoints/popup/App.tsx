import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import { getDb } from '../../lib/db/schema';
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

interface TabContext {
  context: PageContext | null;
  /** The profile for the page's server (the most recently used one of that server). */
  profileId: string | null;
}

/** What the content script reported about the tab the popup was opened over. */
function useTabContext(): TabContext {
  const [value, setValue] = useState<TabContext>({ context: null, profileId: null });
  useEffect(() => {
    void (async () => {
      const tabId = await targetTabId();
      if (tabId === undefined) return;
      const answer = await ask({ type: 'tab.context', tabId }).catch(() => null);
      if (answer) setValue(answer);
    })();
  }, []);
  return value;
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
  if (!state) return null;
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
  return (
    <main class="popup">
      <header>
        {/* On a connected server's page, that server's profile is the one in use. */}
        <ProfileSwitcher
          state={
            followPage && tab.profileId && state.profiles.some((p) => p.id === tab.profileId)
              ? { ...state, activeId: tab.profileId }
              : state
          }
          onSwitch={() => setFollowPage(false)}
        />
        <PageContextLine context={tab.context} />
      </header>
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
    </main>
  );
}
