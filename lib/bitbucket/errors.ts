import * as v from 'valibot';
import {
  type OperationId,
  operationInfo,
  PERMISSION_LABELS,
  TOKEN_PERMISSIONS,
  type TokenPermission,
} from './permissions';

export const BITBUCKET_ERROR_KINDS = [
  'bad-token',
  'missing-permission',
  'not-found',
  'conflict',
  'rate-limited',
  'server-error',
  'timeout',
  'offline',
  'login-redirect',
  'redirect',
  'too-large',
  'not-json',
  'not-bitbucket',
  'unsupported-version',
  'bad-request',
  'invalid-response',
] as const;
export type BitbucketErrorKind = (typeof BITBUCKET_ERROR_KINDS)[number];

/** What crosses the message channel between the background and the UI. */
export const SerializedBitbucketErrorSchema = v.object({
  kind: v.picklist(BITBUCKET_ERROR_KINDS),
  message: v.string(),
  status: v.optional(v.number()),
  requiredPermission: v.optional(v.picklist(TOKEN_PERMISSIONS)),
  retryAfterSeconds: v.optional(v.number()),
});
export type SerializedBitbucketError = v.InferOutput<typeof SerializedBitbucketErrorSchema>;

export interface BitbucketErrorDetails {
  status?: number | undefined;
  operation?: OperationId | undefined;
  requiredPermission?: TokenPermission | undefined;
  retryAfterSeconds?: number | undefined;
  serverMessages?: readonly string[] | undefined;
  /**
   * The error answer's body as read (its first 64 KB), token removed: for callers that read more
   * than the messages, such as the pull request a 409 names. Never sent to the UI.
   */
  serverBody?: string | undefined;
  /** For developers only (never shown): e.g. which field of an answer failed its schema. */
  cause?: unknown;
}

/**
 * A failure talking to Bitbucket. `message` is one or two sentences for the user: what happened and
 * what to do. It never contains the token.
 */
export class BitbucketError extends Error {
  readonly kind: BitbucketErrorKind;
  readonly status?: number;
  readonly operation?: OperationId;
  readonly requiredPermission?: TokenPermission;
  readonly retryAfterSeconds?: number;
  /** The server's own messages from `{"errors":[{"message":…}]}`, in order. */
  readonly serverMessages: string[];
  /** See BitbucketErrorDetails.serverBody. */
  readonly serverBody?: string;

  constructor(kind: BitbucketErrorKind, message: string, details: BitbucketErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'BitbucketError';
    this.kind = kind;
    this.serverMessages = [...(details.serverMessages ?? [])];
    if (details.status !== undefined) this.status = details.status;
    if (details.operation !== undefined) this.operation = details.operation;
    if (details.requiredPermission !== undefined) this.requiredPermission = details.requiredPermission;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
    if (details.serverBody !== undefined) this.serverBody = details.serverBody;
  }

  toJSON(): SerializedBitbucketError {
    const json: SerializedBitbucketError = { kind: this.kind, message: this.message };
    if (this.status !== undefined) json.status = this.status;
    if (this.requiredPermission !== undefined) json.requiredPermission = this.requiredPermission;
    if (this.retryAfterSeconds !== undefined) json.retryAfterSeconds = this.retryAfterSeconds;
    return json;
  }

  static fromJSON(json: SerializedBitbucketError): BitbucketError {
    return new BitbucketError(json.kind, json.message, json);
  }

  /** For values that arrive over a message channel: a BitbucketError, or null when it isn't one. */
  static parse(value: unknown): BitbucketError | null {
    const parsed = v.safeParse(SerializedBitbucketErrorSchema, value);
    return parsed.success ? BitbucketError.fromJSON(parsed.output) : null;
  }
}

export function isBitbucketError(error: unknown, kind?: BitbucketErrorKind): error is BitbucketError {
  return error instanceof BitbucketError && (kind === undefined || error.kind === kind);
}

const joined = (messages: readonly string[]) =>
  messages
    .map((m) => m.trim())
    .filter(Boolean)
    .map((m) => (/[.!?]$/.test(m) ? m : `${m}.`))
    .join(' ');

/** 65536 → "64 KB", 33554432 → "32 MB" (binary units, as sizes are set). */
const formatBytes = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The sentences, one per kind of failure. `server` is the base URL the user connected to; `messages`
 * are the server's own words, quoted where they help.
 */
export const explain = {
  badToken: (server: string) =>
    `The server rejected the access token: it is wrong, expired or revoked. Create a new HTTP access token on ${server} and replace it in this profile.`,

  missingPermission: (operation: OperationId | undefined, messages: readonly string[] = []) => {
    const info = operation ? operationInfo(operation) : undefined;
    const said = messages.length ? ` (The server said: ${joined(messages)})` : '';
    if (!info?.permission) {
      const advice = info?.whenRefused ?? 'Ask your Bitbucket administrators for access.';
      return `The server refused ${info ? info.does : 'this request'}: your account or token is not allowed to do it.${said} ${advice}`;
    }
    const label = PERMISSION_LABELS[info.permission];
    const who = info.permission.startsWith('PROJECT_') ? 'a Bitbucket administrator' : 'a project admin';
    return `Your token lacks “${label}” permission, which ${info.does} needs.${said} Create a token with ${label} (or ask ${who} for that access) and replace it in this profile.`;
  },

  signInRequired: (server: string, operation: OperationId | undefined) =>
    `${server} only allows ${operation ? operationInfo(operation).does : 'this'} for signed-in users, and this request carried no token. Add an HTTP access token to this profile.`,

  notFound: (operation: OperationId | undefined, messages: readonly string[] = []) =>
    `${messages.length ? joined(messages) : `${capitalised(operation ? operationInfo(operation).thing : 'the item')} was not found.`} It may have been renamed or deleted, or your account can't see it.`,

  conflict: (operation: OperationId | undefined, messages: readonly string[] = []) =>
    messages.length
      ? `The server refused ${operation ? operationInfo(operation).does : 'the request'}: ${joined(messages)}`
      : `The server refused ${operation ? operationInfo(operation).does : 'the request'} because something changed in the meantime. Reload and try again.`,

  rateLimited: (seconds: number | undefined) =>
    `The server is limiting requests right now: try again in ${seconds !== undefined ? `${seconds} s` : 'a minute'}.`,

  serverError: (server: string, status: number) =>
    `${server} had an internal problem (HTTP ${status}). Try again in a moment; if it keeps happening, tell your Bitbucket administrators.`,

  timeout: (server: string, seconds: number) =>
    `${server} did not answer within ${seconds} s. Check your network or VPN and try again.`,

  offline: (server: string) => `Can't reach ${server}: check the address, your network or VPN.`,

  loginRedirect: (server: string) =>
    `The server answered with a login page instead of data: a single sign-on proxy or the server's login is in the way. Open ${server} in a tab, sign in, and try again.`,

  /**
   * An http:// address that redirects elsewhere. Where to is often invisible (a browser hides the
   * Location of a redirect it doesn't follow), and guessing could send the token to a stranger, so the
   * user is told what to enter instead of being moved there.
   */
  redirect: (server: string, target?: string) =>
    target
      ? `This address redirects to ${target} — if that is your Bitbucket server, enter that address.`
      : `This address redirects — if your server uses https://, enter that address (${server.replace(/^http:/i, 'https:')}).`,

  tooLarge: (server: string, operation: OperationId | undefined, limitBytes: number) =>
    `${server} sent a far larger answer than Bitbucket sends for ${operation ? operationInfo(operation).does : 'this request'} (over ${formatBytes(limitBytes)}), so the extension stopped reading it. A proxy in front of Bitbucket may be changing answers; if not, tell your Bitbucket administrators.`,

  notJson: (server: string) =>
    `${server} answered with a web page instead of data. Check that the address is your Bitbucket server, including any path such as /bitbucket.`,

  notBitbucket: (server: string, why: string) =>
    `${server} doesn't look like a Bitbucket Server or Data Center: ${why} Check the address, including any path such as /bitbucket.`,

  unsupportedVersion: (version: string, minimum: string) =>
    `Bitbucket ${version} is too old for this extension: it needs ${minimum} or later, the first version with HTTP access tokens. Ask your Bitbucket administrators about upgrading.`,

  badRequest: (operation: OperationId | undefined, status: number, messages: readonly string[] = []) =>
    messages.length
      ? `The server refused ${operation ? operationInfo(operation).does : 'the request'}: ${joined(messages)}`
      : `The server refused ${operation ? operationInfo(operation).does : 'the request'} (HTTP ${status}). This may be a bug in the extension; please report it.`,

  invalidResponse: (operation: OperationId | undefined) =>
    `The server's answer to ${operation ? operationInfo(operation).does : 'the request'} was not in the expected shape. A proxy in front of Bitbucket may be changing answers; if not, please report it.`,

  userHeaderMissing: () =>
    'The server accepted the token but did not say whose it is: the X-AUSERNAME header is missing, probably removed by a proxy in front of Bitbucket. Ask your administrators to let that header through.',
} as const;
