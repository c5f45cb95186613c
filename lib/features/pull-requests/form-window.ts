/**
 * The background side of the in-page "Create pull request" button: it opens the Companion's form
 * (entrypoints/new-pull-request/) in an extension window, for the profile of the page's own server,
 * the page's repository and branch. A page names its repository and branch, never a profile: the
 * profile is the one connected to the sender's origin (with the page's context path when a server
 * has several), and a request about another server is refused. Nothing in the answer or the
 * window's URL is secret: the form reads the profile from the database in the extension's page.
 */
import { browser } from 'wxt/browser';
import type { HandlerContext } from '../../background/router';
import { UserFacingError } from '../../background/router';
import type { CompanionDb, ProfileRecord } from '../../db/schema';
import type { RequestOf } from '../../messaging/protocol';
import type { CreatePrPageResponses } from './page-messages';

/** The extension page holding the form (WXT builds entrypoints/new-pull-request/ to this). */
export const FORM_PAGE = '/new-pull-request.html';

export const NOT_CONNECTED =
  'No profile is connected to this server: connect it in the Companion’s popup first.';
export const OTHER_SERVER = 'A page may only open the form for its own server.';

/** The query of the form's page: which profile, repository and branch. */
export function formPageQuery(
  profileId: string,
  request: { projectKey: string; slug: string; sourceBranch?: string },
) {
  const query = new URLSearchParams({ profile: profileId, project: request.projectKey, repo: request.slug });
  if (request.sourceBranch) query.set('branch', request.sourceBranch);
  return query.toString();
}

const trimmed = (url: string) => url.replace(/\/+$/, '');

function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The profile a page of `baseUrl` (sent from `senderOrigin`) belongs to: of that origin only, the
 * one with the page's context path first, the most recently used among equals.
 */
export async function profileForPage(
  db: CompanionDb,
  baseUrl: string,
  senderOrigin: string,
): Promise<ProfileRecord> {
  if (originOf(baseUrl) !== senderOrigin) throw new UserFacingError('refused', OTHER_SERVER);
  const candidates = (await db.profiles.where('origin').equals(senderOrigin).toArray()).sort(
    (a, b) => b.lastUsedAt - a.lastUsedAt,
  );
  const profile = candidates.find((p) => trimmed(p.baseUrl) === trimmed(baseUrl)) ?? candidates[0];
  if (!profile) throw new UserFacingError('not-found', NOT_CONNECTED);
  return profile;
}

export interface FormWindowDeps {
  /** Opens the form's page in a window of its own (a popup window, sized for the form). */
  openWindow?(url: string): Promise<unknown>;
}

const openPopupWindow = async (url: string) =>
  browser.windows.create({ url, type: 'popup', width: 640, height: 780, focused: true });

export function createFormWindowHandlers(
  db: CompanionDb,
  deps: FormWindowDeps = {},
): {
  [T in keyof CreatePrPageResponses]: (
    request: RequestOf<T>,
    ctx: HandlerContext,
  ) => Promise<CreatePrPageResponses[T]>;
} {
  const openWindow = deps.openWindow ?? openPopupWindow;
  return {
    'pull-requests.form.open': async (request, ctx) => {
      let profile: ProfileRecord | undefined;
      if (ctx.from === 'content-script') {
        if (!ctx.origin) throw new UserFacingError('refused', OTHER_SERVER);
        profile = await profileForPage(db, request.baseUrl, ctx.origin);
      } else {
        profile = request.profileId ? await db.profiles.get(request.profileId) : undefined;
        if (!profile) throw new UserFacingError('not-found', 'Choose a profile first.');
      }
      await openWindow(`${browser.runtime.getURL(FORM_PAGE)}?${formPageQuery(profile.id, request)}`);
      return null;
    },
  };
}
