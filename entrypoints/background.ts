import { browser } from 'wxt/browser';
import { resyncContentScripts } from '../lib/background/content-scripts';
import { createHandlers } from '../lib/background/handlers';
import { forgetPageContexts } from '../lib/background/page-contexts';
import { listen } from '../lib/background/router';
import { getDb } from '../lib/db/schema';
import { syncDueProfiles } from '../lib/features/clone/handlers';

/** Wakes the worker to resume unfinished repository syncs and start due ones. */
const REPO_SYNC_ALARM = 'repo-index';

/**
 * The background owns every state change and every request that carries a token. Pages and content
 * scripts reach it only through the message protocol in lib/messaging.
 */
export default defineBackground({
  // Firefox runs the background as an event page, which may `import()`: as an ES module its lazy
  // imports (OpenPGP.js for a passphrase file, isomorphic-git for a first push) stay chunks of their
  // own, loaded when used, instead of being parsed on every wake. Chrome's service worker can't
  // `import()` and stays one classic script (that work runs in the offscreen document there).
  type: { firefox: 'module' },
  main() {
    const db = getDb();

    const connectedOrigins = async () => new Set((await db.profiles.toArray()).map((p) => p.origin));
    // Never rejects (failures are logged), so a handler that has already written something can
    // await it without a registration problem turning its result into an error.
    const refreshContentScripts = () =>
      resyncContentScripts(async () => (await db.profiles.toArray()).map((p) => p.baseUrl));

    const handlers = createHandlers(db, { refreshContentScripts });

    listen(handlers, connectedOrigins);
    forgetPageContexts();
    // Registrations persist across sessions; re-sync on install, on every update (so one saved by an
    // older version never lingers), at start-up, and when host permissions change.
    browser.runtime.onInstalled.addListener(() => void refreshContentScripts());
    browser.runtime.onStartup.addListener(() => void refreshContentScripts());

    // A sync the worker was stopped in the middle of resumes on the next wake (any event), and the
    // alarm wakes it often enough for that and for the 6-hour refresh.
    void browser.alarms.create(REPO_SYNC_ALARM, { periodInMinutes: 5, delayInMinutes: 1 });
    browser.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name === REPO_SYNC_ALARM) void syncDueProfiles(db);
    });
    void syncDueProfiles(db);
    browser.permissions.onAdded.addListener(() => void refreshContentScripts());
    browser.permissions.onRemoved.addListener(() => void refreshContentScripts());
  },
});
