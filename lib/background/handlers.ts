import { browser } from 'wxt/browser';
import { hostPermissionPattern } from '../bitbucket/server-url';
import type { CompanionDb } from '../db/schema';
import { createCloneHandlers, startRepoSync } from '../features/clone/handlers';
import { forgetRepoIndex } from '../features/clone/repo-index';
import { createCreateRepoHandlers } from '../features/create-repo/handlers';
import { createKeysHandlers } from '../features/keys/handlers';
import { forgetInstallations } from '../features/keys/key-store';
import { createSessionInstallHandlers } from '../features/keys/session-install';
import { createFormWindowHandlers } from '../features/pull-requests/form-window';
import { createPullRequestHandlers } from '../features/pull-requests/handlers';
import { exportProfiles, importProfiles } from './export-import';
import { pageContextOf, rememberPageContext, reportFitsSender } from './page-contexts';
import * as profiles from './profiles';
import { type Handlers, UserFacingError } from './router';

export interface HandlerDeps {
  /** Re-registers the content scripts for the saved profiles; never rejects. */
  refreshContentScripts: () => Promise<unknown>;
}

/** Every message type's handler: the background's whole surface, in one place. */
export function createHandlers(db: CompanionDb, { refreshContentScripts }: HandlerDeps): Handlers {
  return {
    ...createCloneHandlers(db),
    ...createKeysHandlers(db),
    ...createCreateRepoHandlers(db),
    ...createSessionInstallHandlers(db),
    ...createPullRequestHandlers(db),
    ...createFormWindowHandlers(db),
    connect: async (request) => {
      const result = await profiles.connect(db, request);
      await refreshContentScripts();
      // The repository index starts filling at once (progress shows in the Repos tab).
      void startRepoSync(db, result.profile.id).catch(() => {});
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
        await forgetRepoIndex(db, removed.id);
        await forgetInstallations(db, removed.id);
        // When no remaining profile needs the same host permission, give it back.
        const pattern = hostPermissionPattern(removed.baseUrl);
        const stillNeeded = (await db.profiles.toArray()).some(
          (p) => hostPermissionPattern(p.baseUrl) === pattern,
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
}
