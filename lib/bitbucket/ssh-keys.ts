/**
 * The current user's SSH keys (`/rest/ssh/1.0/keys`) and the server's SSH settings.
 *
 * Whether an HTTP access token may add or delete keys depends on the server (Atlassian: a token
 * "can't perform changes on behalf of a user"); a refusal is a 401 `AuthorisationException`, which
 * the client reports as 'missing-permission' — the token itself still works.
 */
import * as v from 'valibot';
import type { BitbucketClient } from './client';
import { type BitbucketError, isBitbucketError } from './errors';
import { ServerTimeSchema } from './server-time';

export const SshKeySchema = v.object({
  id: v.number(),
  /** The public line as stored: `ssh-ed25519 AAAA… comment`. */
  text: v.string(),
  label: v.nullish(v.string()),
  /** SHA256, unpadded base64 without the "SHA256:" prefix (as `ssh-keygen -l` prints it). */
  fingerprint: v.nullish(v.string()),
  /** "ED25519", "RSA", … */
  algorithmType: v.nullish(v.string()),
  bitLength: v.nullish(v.number()),
  /** Epoch ms; absent for keys added before 8.7. */
  createdDate: v.nullish(ServerTimeSchema),
  expiryDays: v.nullish(v.number()),
  /** When the key last authenticated a Git operation (epoch ms, sent as a string). */
  lastAuthenticated: v.nullish(ServerTimeSchema),
});
export type SshKey = v.InferOutput<typeof SshKeySchema>;

export const SshSettingsSchema = v.object({
  enabled: v.boolean(),
  port: v.nullish(v.number()),
  /** `ssh://git@host:7999`. */
  baseUrl: v.nullish(v.string()),
  accessKeysEnabled: v.nullish(v.boolean()),
  fingerprint: v.nullish(v.object({ algorithm: v.nullish(v.string()), value: v.nullish(v.string()) })),
});
export type SshSettings = v.InferOutput<typeof SshSettingsSchema>;

const KEYS_PATH = '/rest/ssh/1.0/keys';

/** Every SSH key of the user the token belongs to (all pages). */
export function listSshKeys(
  client: BitbucketClient,
  options: { signal?: AbortSignal } = {},
): Promise<SshKey[]> {
  return client.getAllPages(KEYS_PATH, {
    operation: 'ssh-keys.list',
    itemSchema: SshKeySchema,
    limit: 100,
    maxPages: 20,
    signal: options.signal,
  });
}

export interface NewSshKey {
  /** The public line. */
  text: string;
  /** Shown on the account page; without one the server uses the key's comment. */
  label?: string | undefined;
  /** Required by servers whose administrators force an expiry. */
  expiryDays?: number | undefined;
}

/**
 * What adding a key came to. `already-added`: the server holds a key with this fingerprint (409) —
 * not a failure for the user, though the server does not say on whose account it is.
 */
export type AddSshKeyResult = { status: 'added'; key: SshKey } | { status: 'already-added'; message: string };

/**
 * Adds a key to the token's user. A 400 (invalid key, or the administrators' key policy: algorithm,
 * length, expiry) fails with kind 'bad-request' quoting the server's reason; a refusal of tokens
 * fails with 'missing-permission'.
 */
export async function addSshKey(
  client: BitbucketClient,
  key: NewSshKey,
  options: { signal?: AbortSignal } = {},
): Promise<AddSshKeyResult> {
  const body: Record<string, unknown> = { text: key.text.trim() };
  const label = key.label?.trim();
  if (label) body.label = label;
  if (key.expiryDays !== undefined) body.expiryDays = key.expiryDays;
  try {
    const { data } = await client.post(KEYS_PATH, {
      operation: 'ssh-keys.add',
      body,
      schema: SshKeySchema,
      signal: options.signal,
    });
    return { status: 'added', key: data };
  } catch (error) {
    if (isBitbucketError(error, 'conflict')) return { status: 'already-added', message: alreadyAdded(error) };
    throw error;
  }
}

/**
 * What a 400 to adding a key came to. Bitbucket 8.7+ lets administrators force an expiry (a key
 * without `expiryDays`, or with too many, is refused) and restrict key types and lengths; the server
 * says which in its sentence. `expiry`: the refusal is about the expiry (`maxDays` when the sentence
 * names a number of days); `policy`: anything else (key type, length, an invalid key).
 */
export type SshKeyRefusal =
  | { reason: 'expiry'; maxDays?: number; message: string }
  | { reason: 'policy'; message: string };

export function sshKeyRefusal(error: BitbucketError): SshKeyRefusal {
  const said = error.serverMessages.join(' ').trim();
  const message = said || error.message;
  if (/expir/i.test(said)) {
    const days = /(\d{1,5})\s*days?/i.exec(said);
    const maxDays = days ? Number(days[1]) : undefined;
    return maxDays && maxDays > 0 ? { reason: 'expiry', maxDays, message } : { reason: 'expiry', message };
  }
  return { reason: 'policy', message };
}

function alreadyAdded(error: BitbucketError): string {
  const said = error.serverMessages.join(' ').trim();
  return said
    ? `This key is already on the server. (The server said: ${said})`
    : 'This key is already on the server.';
}

/** Removes one of the user's keys; the server answers 204 whether or not it existed. */
export async function deleteSshKey(
  client: BitbucketClient,
  id: number,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await client.delete(`${KEYS_PATH}/${encodeURIComponent(String(id))}`, {
    operation: 'ssh-keys.delete',
    signal: options.signal,
  });
}

/** Where Git over SSH is reached: from the settings' `baseUrl` and `port`, else the server's host. */
export interface SshEndpoint {
  host: string;
  port: number;
  user: string;
}

/**
 * The SSH host, port and user of a server whose SSH access is on (`baseUrl` is `ssh://git@host:7999`
 * on real servers, sometimes without user or port: the port then comes from `port`, the user is `git`).
 */
export function sshEndpoint(settings: SshSettings, serverUrl: string): SshEndpoint {
  let parsed: URL | undefined;
  try {
    parsed = settings.baseUrl ? new URL(settings.baseUrl) : undefined;
  } catch {
    parsed = undefined;
  }
  const host = parsed?.hostname || new URL(serverUrl).hostname;
  const port = settings.port ?? (parsed?.port ? Number(parsed.port) : 22);
  const user = parsed?.username ? decodeURIComponent(parsed.username) : 'git';
  return { host: host.replace(/^\[(.*)\]$/, '$1'), port, user };
}

/** Whether SSH access is on, and the host and port clone URLs use. */
export async function getSshSettings(
  client: BitbucketClient,
  options: { signal?: AbortSignal } = {},
): Promise<SshSettings> {
  const { data } = await client.get('/rest/ssh/1.0/settings', {
    operation: 'ssh-keys.settings',
    schema: SshSettingsSchema,
    signal: options.signal,
  });
  return data;
}
