import { OPERATIONS, type OperationId, PERMISSION_LABELS, type TokenPermission } from './permissions';

export type BitbucketErrorKind =
  | 'bad-token'
  | 'missing-permission'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'server-error'
  | 'timeout'
  | 'offline'
  | 'login-redirect'
  | 'not-json'
  | 'not-bitbucket'
  | 'unsupported-version'
  | 'bad-request'
  | 'invalid-response';

export interface SerializedBitbucketError {
  kind: BitbucketErrorKind;
  message: string;
  status?: number;
  requiredPermission?: TokenPermission;
  retryAfterSeconds?: number;
}

interface ErrorDetails {
  status?: number;
  operation?: OperationId;
  requiredPermission?: TokenPermission;
  retryAfterSeconds?: number;
  serverMessages?: string[];
}

/**
 * A failure talking to Bitbucket, with a message that tells the user what happened and what to do.
 * It never contains the token.
 */
export class BitbucketError extends Error {
  readonly kind: BitbucketErrorKind;
  readonly status?: number;
  readonly operation?: OperationId;
  readonly requiredPermission?: TokenPermission;
  readonly retryAfterSeconds?: number;
  readonly serverMessages: string[];

  constructor(kind: BitbucketErrorKind, message: string, details: ErrorDetails = {}) {
    super(message);
    this.name = 'BitbucketError';
    this.kind = kind;
    this.serverMessages = details.serverMessages ?? [];
    if (details.status !== undefined) this.status = details.status;
    if (details.operation !== undefined) this.operation = details.operation;
    if (details.requiredPermission !== undefined) this.requiredPermission = details.requiredPermission;
    if (details.retryAfterSeconds !== undefined) this.retryAfterSeconds = details.retryAfterSeconds;
  }

  toJSON(): SerializedBitbucketError {
    return {
      kind: this.kind,
      message: this.message,
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.requiredPermission ? { requiredPermission: this.requiredPermission } : {}),
      ...(this.retryAfterSeconds !== undefined ? { retryAfterSeconds: this.retryAfterSeconds } : {}),
    };
  }

  static fromJSON(json: SerializedBitbucketError): BitbucketError {
    return new BitbucketError(json.kind, json.message, json);
  }
}

/** The sentences, one per failure; `server` is the base URL the user connected to. */
export const explain = {
  badToken: (server: string) =>
    `The server rejected the access token: it is wrong, expired or revoked. Create a new HTTP access token on ${server} and replace it in this profile.`,
  missingPermission: (operation: OperationId | undefined) => {
    const op = operation ? OPERATIONS[operation] : undefined;
    const permission = op?.permission;
    if (!permission) {
      return `The server refused ${op ? op.does : 'this request'}: your account or token is not permitted to do it. Ask an administrator for access.`;
    }
    const label = PERMISSION_LABELS[permission];
    return `Your token lacks “${label}” permission, which ${op.does} needs. Create a token with ${label} (or ask a project admin for that access) and replace it in this profile.`;
  },
  notFound: (operation: OperationId | undefined) =>
    `Not found: ${operation ? OPERATIONS[operation].does.replace(/^\w+ing /, '') : 'the item'} does not exist, or your account can't see it.`,
  conflict: (messages: string[]) =>
    messages.length
      ? `The server refused: ${messages.join(' ')}`
      : 'The server refused because of a conflict: reload and try again.',
  rateLimited: (seconds: number | undefined) =>
    `The server is limiting requests right now. Try again${seconds !== undefined ? ` in ${seconds} s` : ' in a minute'}.`,
  serverError: (status: number) =>
    `The server had a problem (HTTP ${status}). Try again in a moment; if it keeps happening, tell your Bitbucket administrators.`,
  timeout: (server: string, seconds: number) =>
    `${server} did not answer within ${seconds} s. Check your network or VPN and try again.`,
  offline: (server: string) => `Can't reach ${server}: check the address, your network or VPN.`,
  loginRedirect: (server: string) =>
    `The server answered with a login page instead of data: a single sign-on proxy or the server's login is in the way. Open ${server} in a tab, sign in, and try again.`,
  notJson: (server: string) =>
    `${server} answered with a web page instead of data. Check that the address is your Bitbucket server (including any path like /bitbucket).`,
  notBitbucket: (server: string, why: string) =>
    `${server} doesn't look like a Bitbucket Server or Data Center: ${why} Check the address.`,
  invalidResponse: (operation: OperationId | undefined) =>
    `The server's answer to ${operation ? OPERATIONS[operation].does : 'the request'} was not in the expected shape. The server may be too old or behind a proxy that changes answers.`,
};
