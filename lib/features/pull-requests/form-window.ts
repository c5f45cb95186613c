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
  /**
   * Brings a window already showing the form at `url` to the front; false when there is none (or the
   * browser can't tell), so a second click never loses what the first window holds.
   */
  focusOpen?(url: string): Promise<boolean>;
}

const openPopupWindow = async (url: string) =>
  browser.windows.create({ url, type: 'popup', width: 640, height: 780, focused: true });

interface ContextsApi {
  getContexts?(filter: {
    contextTypes: string[];
    documentUrls: string[];
  }): Promise<Array<{ windowId: number }>>;
}

/** Chrome 116+ lists the extension's open pages (`runtime.getContexts`); elsewhere nothing is found. */
async function focusOpenForm(url: string): Promise<boolean> {
  const runtime = browser.runtime as unknown as ContextsApi;
  if (typeof runtime.getContexts !== 'function') return false;
  const [open] = await runtime.getContexts({ contextTypes: ['TAB'], documentUrls: [url] });
  if (!open || open.windowId < 0) return false;
  await browser.windows.update(open.windowId, { focused: true });
  return true;
}

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
  const focusOpen = deps.focusOpen ?? focusOpenForm;
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
      const url = `${browser.runtime.getURL(FORM_PAGE)}?${formPageQuery(profile.id, request)}`;
      if (!(await focusOpen(url).catch(() => false))) await openWindow(url);
      return null;
    },
  };
}
