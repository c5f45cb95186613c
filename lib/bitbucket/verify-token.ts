import * as v from 'valibot';
import { BitbucketClient } from './client';
import { BitbucketError, explain } from './errors';
import { APPLICATION_PROPERTIES_PATH, ApplicationPropertiesSchema } from './server';
import { getUser, searchUsers, type User } from './users';
import { type VersionSupport, versionSupport } from './versions';

export interface VerifiedConnection {
  serverVersion: string;
  serverName: string;
  support: VersionSupport;
  user: User;
  access: { repoRead: boolean; repoWrite: boolean; repoAdmin: boolean; projectAdmin: boolean };
}

/**
 * Checks a server URL + token before anything is saved: is it Bitbucket, which version, who the
 * token belongs to, and what it may do. Only read requests are made.
 */
export async function verifyConnection(input: {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  today?: Date;
  timeoutMs?: number;
}): Promise<VerifiedConnection> {
  const common = {
    baseUrl: input.baseUrl,
    ...(input.fetch ? { fetch: input.fetch } : {}),
    ...(input.timeoutMs ? { timeoutMs: input.timeoutMs } : {}),
  };
  const anonymous = new BitbucketClient(common);
  const client = new BitbucketClient({ ...common, token: input.token });

  // 1. Is this a Bitbucket server at all? (no token yet: a wrong URL must not receive it)
  let raw: unknown;
  try {
    raw = (await anonymous.get(APPLICATION_PROPERTIES_PATH, { operation: 'server.properties' })).data;
  } catch (error) {
    if (error instanceof BitbucketError && ['not-json', 'not-found', 'bad-request'].includes(error.kind)) {
      throw new BitbucketError(
        'not-bitbucket',
        explain.notBitbucket(input.baseUrl, 'it has no Bitbucket REST API at /rest/api/1.0.'),
        { ...(error.status !== undefined ? { status: error.status } : {}) },
      );
    }
    throw error;
  }
  const props = v.safeParse(ApplicationPropertiesSchema, raw);
  if (!props.success) {
    throw new BitbucketError(
      'not-bitbucket',
      explain.notBitbucket(input.baseUrl, 'its answer has no Bitbucket version.'),
    );
  }

  // 2. Who is the token? Bitbucket names the authenticated user in X-AUSERNAME.
  const whoami = await client.get(APPLICATION_PROPERTIES_PATH, { operation: 'server.properties' });
  if (!whoami.username) {
    throw new BitbucketError(
      'invalid-response',
      'The server accepted the token but did not say whose it is (the X-AUSERNAME header is missing — a proxy in front of Bitbucket may remove it). Ask your administrators to let that header through.',
    );
  }
  const user = await findUser(client, whoami.username);

  // 3. What may it do? Read-only probes: a permission filter returns only what the token can reach.
  const probe = async (path: string, permission: string) => {
    const { data } = await client.get(path, {
      operation: path.includes('/projects') ? 'projects.list' : 'repos.list',
      query: { permission, limit: 1 },
      schema: v.object({ values: v.array(v.unknown()) }),
    });
    return data.values.length > 0;
  };
  const [repoRead, repoWrite, repoAdmin, projectAdmin] = await Promise.all([
    probe('/rest/api/1.0/repos', 'REPO_READ'),
    probe('/rest/api/1.0/repos', 'REPO_WRITE'),
    probe('/rest/api/1.0/repos', 'REPO_ADMIN'),
    probe('/rest/api/1.0/projects', 'PROJECT_ADMIN'),
  ]);

  return {
    serverVersion: props.output.version,
    serverName: props.output.displayName,
    support: versionSupport(props.output.version, input.today),
    user,
    access: { repoRead, repoWrite, repoAdmin, projectAdmin },
  };
}

/** The user named `name`: slug is usually the lower-cased name; otherwise search for the exact name. */
async function findUser(client: BitbucketClient, name: string): Promise<User> {
  try {
    return await getUser(client, name.toLowerCase());
  } catch (error) {
    if (!(error instanceof BitbucketError) || error.kind !== 'not-found') throw error;
  }
  const match = (await searchUsers(client, name)).find((u) => u.name === name);
  if (!match) {
    throw new BitbucketError(
      'invalid-response',
      `The server says the token belongs to “${name}”, but that user can't be found.`,
    );
  }
  return match;
}
