/**
 * The message of the in-page "Create pull request" button (assembled into the protocol in
 * lib/messaging): the page names its repository and branch, and the background opens the
 * Companion's form for them in an extension window. A content script may send this type only, and
 * only about its own server (checked in form-window.ts); the answer carries no token, no profile.
 */
import * as v from 'valibot';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
const Key = v.pipe(v.string(), v.minLength(1), v.maxLength(300));

export const CREATE_PR_PAGE_REQUESTS = [
  v.object({
    type: v.literal('pull-requests.form.open'),
    /** The server's base URL as the page sees it (origin + context path). */
    baseUrl: v.pipe(v.string(), v.minLength(1), v.maxLength(2000)),
    projectKey: Key,
    slug: Key,
    /** The source branch's name (not its ref); absent: the form asks for one. */
    sourceBranch: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(1000))),
    /** Extension pages only: the profile to use (a page gets its own server's). */
    profileId: v.optional(Id),
  }),
] as const;

export interface CreatePrPageResponses {
  'pull-requests.form.open': null;
}

/** What a repository page's content script may send for pull requests. */
export const CREATE_PR_CONTENT_SCRIPT_TYPES = ['pull-requests.form.open'] as const;
