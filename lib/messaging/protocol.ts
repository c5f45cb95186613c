/**
 * The one message protocol between the extension's pages / content scripts and the background.
 * Every request is validated against these schemas in the background before it is handled, and the
 * sender is checked (see sender-policy.ts). No response type contains a token.
 */
import * as v from 'valibot';
import type { ExportResult, ImportResult } from '../background/export-import';
import { CLONE_CONTENT_SCRIPT_TYPES, CLONE_REQUESTS, type CloneResponses } from '../features/clone/messages';
import {
  CREATE_REPO_INPUT_SENTENCES,
  CREATE_REPO_REQUESTS,
  type CreateRepoResponses,
} from '../features/create-repo/messages';
import { KEYS_INPUT_SENTENCES, KEYS_REQUESTS, type KeysResponses } from '../features/keys/messages';
import {
  KEYS_PAGE_CONTENT_SCRIPT_TYPES,
  KEYS_PAGE_REQUESTS,
  type KeysPageResponses,
} from '../features/keys/page-messages';
import { PR_INPUT_SENTENCES, PR_REQUESTS, type PrResponses } from '../features/pull-requests/messages';
import {
  CREATE_PR_CONTENT_SCRIPT_TYPES,
  CREATE_PR_PAGE_REQUESTS,
  type CreatePrPageResponses,
} from '../features/pull-requests/page-messages';
import { LIMITS, TOO_LONG } from './limits';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(100));

export const PageContextSchema = v.object({
  kind: v.picklist(['repository', 'pull-request', 'project', 'dashboard', 'other']),
  /** The server's base URL as the page sees it (origin + context path). */
  baseUrl: v.pipe(v.string(), v.maxLength(2000)),
  projectKey: v.optional(v.pipe(v.string(), v.maxLength(200))),
  repoSlug: v.optional(v.pipe(v.string(), v.maxLength(200))),
  repoName: v.optional(v.pipe(v.string(), v.maxLength(300))),
  pullRequestId: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  /** Set on personal repositories reached through /users/{slug}/repos/…. */
  userSlug: v.optional(v.pipe(v.string(), v.maxLength(200))),
});
export type PageContext = v.InferOutput<typeof PageContextSchema>;

export const RequestSchema = v.variant('type', [
  v.object({
    type: v.literal('connect'),
    serverUrl: v.pipe(v.string(), v.maxLength(LIMITS.serverUrl, TOO_LONG.serverUrl)),
    token: v.pipe(v.string(), v.maxLength(LIMITS.token, TOO_LONG.token)),
    /** Replace the token of this profile instead of creating a new one. */
    profileId: v.optional(Id),
  }),
  v.object({ type: v.literal('profiles.activate'), profileId: Id }),
  v.object({
    type: v.literal('profiles.rename'),
    profileId: Id,
    label: v.pipe(
      v.string(),
      v.trim(),
      v.minLength(1, 'Give the profile a name.'),
      v.maxLength(LIMITS.label, TOO_LONG.label),
    ),
  }),
  v.object({ type: v.literal('profiles.remove'), profileId: Id }),
  /** Verify the stored token again: who it is, server version, access. */
  v.object({ type: v.literal('profiles.check'), profileId: Id }),
  v.object({
    type: v.literal('profiles.export'),
    /** With a passphrase, tokens are included inside an OpenPGP password-encrypted file. */
    passphrase: v.optional(
      v.pipe(
        v.string(),
        v.minLength(8, 'Choose a passphrase of at least 8 characters to include tokens.'),
        v.maxLength(LIMITS.passphrase, TOO_LONG.passphrase),
      ),
    ),
  }),
  v.object({
    type: v.literal('profiles.import'),
    content: v.pipe(v.string(), v.maxLength(LIMITS.importFile, TOO_LONG.importFile)),
    passphrase: v.optional(v.pipe(v.string(), v.maxLength(LIMITS.passphrase, TOO_LONG.passphrase))),
  }),
  v.object({ type: v.literal('page.report'), context: PageContextSchema }),
  v.object({ type: v.literal('tab.context'), tabId: v.pipe(v.number(), v.integer()) }),
  ...CLONE_REQUESTS,
  ...KEYS_REQUESTS,
  ...CREATE_REPO_REQUESTS,
  ...KEYS_PAGE_REQUESTS,
  ...CREATE_PR_PAGE_REQUESTS,
  ...PR_REQUESTS,
]);
export type Request = v.InferOutput<typeof RequestSchema>;
export type RequestType = Request['type'];
export type RequestOf<T extends RequestType> = Extract<Request, { type: T }>;

/** A profile as the UI may see it: everything but the sealed token. */
export interface ProfileSummary {
  id: string;
  label: string;
  baseUrl: string;
  userDisplayName: string;
  userSlug: string;
  serverVersion: string;
  supportStatus: string;
  supportMessage?: string;
  access: { repoRead: boolean; repoWrite: boolean; repoAdmin: boolean; projectAdmin: boolean };
}

/** Every sentence a request schema carries: what the extension's own pages are told when input is refused. */
export const INPUT_SENTENCES: ReadonlySet<string> = new Set<string>([
  ...Object.values(TOO_LONG),
  'Give the profile a name.',
  'Choose a passphrase of at least 8 characters to include tokens.',
  ...KEYS_INPUT_SENTENCES,
  ...PR_INPUT_SENTENCES,
  ...CREATE_REPO_INPUT_SENTENCES,
]);

export interface ResponseMap
  extends CloneResponses,
    KeysResponses,
    KeysPageResponses,
    CreateRepoResponses,
    PrResponses,
    CreatePrPageResponses {
  /** `updated`: the server and account already had a profile, which now has the new token. */
  connect: { profile: ProfileSummary; warnings: string[]; updated: boolean };
  'profiles.activate': null;
  'profiles.rename': null;
  'profiles.remove': null;
  'profiles.check': { profile: ProfileSummary; warnings: string[] };
  'profiles.export': ExportResult;
  'profiles.import': ImportResult;
  'page.report': { profileLabel: string | null };
  'tab.context': { context: PageContext | null; profileId: string | null };
}

export interface SerializedFailure {
  kind: string;
  message: string;
  status?: number;
  requiredPermission?: string;
  retryAfterSeconds?: number;
}

export type Reply<T extends RequestType> =
  | { ok: true; value: ResponseMap[T] }
  | { ok: false; error: SerializedFailure };

/** Message types a content script may send; anything else from a web page context is refused. */
export const CONTENT_SCRIPT_TYPES: ReadonlySet<RequestType> = new Set<RequestType>([
  'page.report',
  ...CLONE_CONTENT_SCRIPT_TYPES,
  ...KEYS_PAGE_CONTENT_SCRIPT_TYPES,
  ...CREATE_PR_CONTENT_SCRIPT_TYPES,
]);
