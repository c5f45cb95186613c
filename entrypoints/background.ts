import { browser } from 'wxt/browser';
import { resyncContentScripts } from '../lib/background/content-scripts';
import { exportProfiles, importProfiles } from '../lib/background/export-import';
import {
  forgetPageContexts,
  pageContextOf,
  rememberPageContext,
  reportFitsSender,
} from '../lib/background/page-contexts';
import * as profiles from '../lib/background/profiles';
import { type Handlers, listen, UserFacingError } from '../lib/background/router';
import { originPattern } from '../lib/bitbucket/server-url';
import { getDb } from '../lib/db/schema';

/**
 * The background owns every state change and every request that carries a token. Pages and content
 * scripts reach it only through the message protocol in lib/messaging.
 */
const permissionPattern = (baseUrl: string) => originPattern(baseUrl, { firefox: import.meta.env.FIREFOX });

export default defineBackground(() => {
  const db = getDb();

  const connectedOrigins = async () => new Set((await db.profiles.toArray()).map((p) => p.origin));
  // Never rejects (failures are logged), so a handler that has already written something can
  // await it without a registration problem turning its result into an error.
  const refreshContentScripts = () =>
    resyncContentScripts(async () => (await db.profiles.toArray()).map((p) => p.baseUrl));

  const handlers: Handlers = {
    connect: async (request) => {
      const result = await profiles.connect(db, request);
      await refreshContentScripts();
      return result;
    },
    'profiles.activate': async ({ profileId }) => {
      await profiles.activate(db, profileId);
      return null;
    },
    'profiles.rename': async ({ profileId, label }) => {
      await profiles.rename(db, profileId, label);
      return null;
    },
    'profiles.remove': async ({ profileId }) => {
      const removed = await profiles.remove(db, profileId);
      if (removed) {
        // When no remaining profile needs the same host permission, give it back.
        const pattern = permissionPattern(removed.baseUrl);
        const stillNeeded = (await db.profiles.toArray()).some(
          (p) => permissionPattern(p.baseUrl) === pattern,
        );
        if (!stillNeeded) await browser.permissions.remove({ origins: [pattern] }).catch(() => false);
      }
      await refreshContentScripts();
      return null;
    },
    'profiles.check': ({ profileId }) => profiles.check(db, profileId),
    'profiles.export': ({ passphrase }) => exportProfiles(db, passphrase),
    'profiles.import': async ({ content, passphrase }) => {
      const result = await importProfiles(db, content, passphrase);
      await refreshContentScripts();
      return result;
    },
    'page.report': async ({ context }, ctx) => {
      if (ctx.tabId === undefined || !ctx.origin) throw new UserFacingError('internal', 'No tab.');
      if (!reportFitsSender(context, ctx.origin)) {
        throw new UserFacingError('refused', 'A page may only describe its own server.');
      }
      await rememberPageContext(ctx.tabId, context);
      const profile = await profiles.profileForOrigin(db, ctx.origin);
      return { profileLabel: profile?.label ?? null };
    },
    'tab.context': async ({ tabId }) => {
      const context = await pageContextOf(tabId);
      if (!context) return { context: null, profileId: null };
      const profile = await profiles.profileForOrigin(db, new URL(context.baseUrl).origin);
      return { context, profileId: profile?.id ?? null };
    },
  };

  listen(handlers, connectedOrigins);
  forgetPageContexts();
  // Registrations persist across sessions; re-sync on install, on every update (so one saved by an
  // older version never lingers), at start-up, and when host permissions change.
  browser.runtime.onInstalled.addListener(() => void refreshContentScripts());
  browser.runtime.onStartup.addListener(() => void refreshContentScripts());
  browser.permissions.onAdded.addListener(() => void refreshContentScripts());
  browser.permissions.onRemoved.addListener(() => void refreshContentScripts());
});
