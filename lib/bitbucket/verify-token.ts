import * as v from 'valibot';
import { SERVER_TEXT } from '../messaging/limits';
import { BitbucketClient } from './client';
import { BitbucketError, explain, isBitbucketError } from './errors';
import type { OperationId, TokenPermission } from './permissions';
import { scrubToken } from './scrub';
import { APPLICATION_PROPERTIES_PATH, ApplicationPropertiesSchema, isBitbucketProperties } from './server';
import { getUser, searchUsers, type User } from './users';
import { compareVersions, MINIMUM_VERSION, type VersionSupport, versionSupport } from './versions';

export interface VerifiedUser {
  id: number;
  name: string;
  slug: string;
  displayName: string;
  emailAddress?: string;
}

export interface TokenAccess {
  /** The token can read at least one repository. */
  repoRead: boolean;
  repoWrite: boolean;
  repoAdmin: boolean;
  /** The token is project admin on at least one project (needed to create repositories). */
  projectAdmin: boolean;
}

export interface VerifiedConnection {
  serverVersion: string;
  serverName: string;
  support: VersionSupport;
  user: VerifiedUser;
  access: TokenAccess;
}

export interface VerifyConnectionInput {
  /** Normalised server URL (origin + context path). */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  today?: Date;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const ProbeSchema = v.object({
  values: v.array(v.unknown()),
  isLastPage: v.optional(v.boolean()),
  nextPageStart: v.nullish(v.number()),
});
/** Pages a probe follows when a server hides items after paging (short or empty pages before the end). */
const PROBE_PAGES = 5;

/**
 * Checks a server address and a token before anything is saved: is it Bitbucket, which version,
 * whose token it is, and what it may do. Only reads: nothing is ever written to find out.
 * Throws BitbucketError (its message says what to do) or the caller's AbortError.
 */
export async function verifyConnection(input: VerifyConnectionInput): Promise<VerifiedConnection> {
  const common = { baseUrl: input.baseUrl, fetch: input.fetch, timeoutMs: input.timeoutMs };
  const { signal } = input;

  // 1. Is this Bitbucket at all? Asked without the token, so a wrong address never receives it.
  const anonymous = new BitbucketClient(common);
  let answer: unknown;
  try {
    ({ data: answer } = await anonymous.get(APPLICATION_PROPERTIES_PATH, {
      operation: 'server.properties',
      signal,
    }));
  } catch (error) {
    if (isBitbucketError(error) && ['not-json', 'not-found', 'bad-request'].includes(error.kind)) {
      throw new BitbucketError(
        'not-bitbucket',
        explain.notBitbucket(input.baseUrl, 'it has no Bitbucket REST API at /rest/api/1.0.'),
        { status: error.status, operation: 'server.properties' },
      );
    }
    throw error;
  }
  if (!isBitbucketProperties(answer)) {
    throw new BitbucketError(
      'not-bitbucket',
      explain.notBitbucket(input.baseUrl, 'its answer carries no Bitbucket version.'),
      { operation: 'server.properties' },
    );
  }
  // Bitbucket, but with text past what Bitbucket itself allows: nothing of it is kept.
  const properties = v.safeParse(ApplicationPropertiesSchema, answer);
  if (!properties.success) {
    throw new BitbucketError('invalid-response', explain.invalidResponse('server.properties'), {
      operation: 'server.properties',
      cause: properties.issues.map((issue) => `${v.getDotPath(issue)}: ${issue.message}`).join('; '),
    });
  }
  const { version, displayName } = properties.output;
  if (compareVersions(version, MINIMUM_VERSION) < 0) {
    throw new BitbucketError('unsupported-version', explain.unsupportedVersion(version, MINIMUM_VERSION), {
      operation: 'server.properties',
    });
  }

  // 2. Whose token is it? Bitbucket names the authenticated user in X-AUSERNAME (there is no
  //    "myself" resource). A bad token fails here with a 401, which is never retried.
  const client = new BitbucketClient({ ...common, token: input.token });
  const whoami = await client.get(APPLICATION_PROPERTIES_PATH, { operation: 'server.properties', signal });
  if (!whoami.username) {
    throw new BitbucketError('invalid-response', explain.userHeaderMissing(), {
      status: whoami.status,
      operation: 'server.properties',
    });
  }
  const name = whoami.username;
  if (name.length > SERVER_TEXT.userName) {
    throw new BitbucketError('invalid-response', explain.invalidResponse('server.properties'), {
      status: whoami.status,
      operation: 'server.properties',
      cause: `X-AUSERNAME is ${name.length} characters long; Bitbucket allows ${SERVER_TEXT.userName}`,
    });
  }

  // 3. The user's details and what the token may do, in parallel. A permission filter only
  //    returns what the token can reach, so one result is enough to know.
  // A server may cut pages before filtering by permission, so an empty page that is not the last
  // one proves nothing: follow nextPageStart a few pages (with a larger page) before saying no.
  const probe = async (path: string, operation: OperationId, permission: TokenPermission) => {
    let start = 0;
    for (let page = 0; page < PROBE_PAGES; page++) {
      const { data } = await client.get(path, {
        operation,
        query: { permission, start, limit: page === 0 ? 1 : 100 },
        schema: ProbeSchema,
        signal,
      });
      if (data.values.length > 0) return true;
      const next = data.nextPageStart;
      if (data.isLastPage !== false || next === undefined || next === null || next <= start) return false;
      start = next;
    }
    return false;
  };
  /** A refusal of a stronger permission only means the token doesn't have it. */
  const orFalse = (pending: Promise<boolean>) =>
    pending.catch((error: unknown) => {
      if (isBitbucketError(error, 'missing-permission')) return false;
      throw error;
    });
  const [user, repoRead, repoWrite, repoAdmin, projectAdmin] = await Promise.all([
    findUser(client, name, input.token, signal),
    // Refused outright: the token can't even read repositories ("Repository read" in the sentence).
    probe('/rest/api/1.0/repos', 'repos.list', 'REPO_READ'),
    orFalse(probe('/rest/api/1.0/repos', 'repos.list', 'REPO_WRITE')),
    orFalse(probe('/rest/api/1.0/repos', 'repos.list', 'REPO_ADMIN')),
    orFalse(probe('/rest/api/1.0/projects', 'projects.list', 'PROJECT_ADMIN')),
  ]);

  return {
    serverVersion: version,
    serverName: displayName,
    support: versionSupport(version, input.today),
    user: {
      id: user.id,
      name: user.name,
      slug: user.slug,
      displayName: user.displayName,
      ...(user.emailAddress ? { emailAddress: user.emailAddress } : {}),
    },
    access: { repoRead, repoWrite, repoAdmin, projectAdmin },
  };
}

/**
 * The user called `name`. Its slug is usually the lower-cased name; when that isn't found (names
 * with characters slugs replace), search users and take the exact name.
 */
async function findUser(
  client: BitbucketClient,
  name: string,
  token: string,
  signal?: AbortSignal,
): Promise<User> {
  try {
    return await getUser(client, name.toLowerCase(), { signal });
  } catch (error) {
    if (!isBitbucketError(error, 'not-found')) throw error;
  }
  const candidates = await searchUsers(client, name, { limit: 100, signal });
  const match =
    candidates.find((u) => u.name === name) ??
    candidates.find((u) => u.name.toLowerCase() === name.toLowerCase());
  if (!match) {
    throw new BitbucketError(
      'invalid-response',
      `The server says the token belongs to “${scrubToken(name, token)}”, but can't find that user. Try again; if it keeps happening, tell your Bitbucket administrators.`,
      { operation: 'users.search' },
    );
  }
  return match;
}
