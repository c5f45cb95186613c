/**
 * The current user's GPG keys (`/rest/gpg/1.0/keys`), for commit signature verification.
 *
 * As with SSH keys, a token may be refused changes to them (401 `AuthorisationException`, reported
 * as 'missing-permission'). Adding answers 200, not 201; a key already on the server is a 400.
 */
import * as v from 'valibot';
import type { BitbucketClient } from './client';
import { ServerTimeSchema } from './server-time';

export const GpgKeySchema = v.object({
  /** The long key id, e.g. "00000000000004d2". */
  id: v.string(),
  fingerprint: v.string(),
  emailAddress: v.nullish(v.string()),
  expiryDate: v.nullish(ServerTimeSchema),
  subKeys: v.nullish(
    v.array(v.object({ fingerprint: v.nullish(v.string()), expiryDate: v.nullish(ServerTimeSchema) })),
  ),
  /** The ASCII-armoured public key block. */
  text: v.nullish(v.string()),
});
export type GpgKey = v.InferOutput<typeof GpgKeySchema>;

const KEYS_PATH = '/rest/gpg/1.0/keys';

/** Every GPG key of the user the token belongs to (all pages). */
export function listGpgKeys(
  client: BitbucketClient,
  options: { signal?: AbortSignal } = {},
): Promise<GpgKey[]> {
  return client.getAllPages(KEYS_PATH, {
    operation: 'gpg-keys.list',
    itemSchema: GpgKeySchema,
    limit: 100,
    maxPages: 20,
    signal: options.signal,
  });
}

/**
 * Adds an ASCII-armoured public key to the token's user. An invalid key or one already on the server
 * fails with kind 'bad-request' quoting the server's reason.
 */
export async function addGpgKey(
  client: BitbucketClient,
  key: { text: string },
  options: { signal?: AbortSignal } = {},
): Promise<GpgKey> {
  const { data } = await client.post(KEYS_PATH, {
    operation: 'gpg-keys.add',
    body: { text: key.text.trim() },
    schema: GpgKeySchema,
    signal: options.signal,
  });
  return data;
}

/** Removes a key by fingerprint or key id; the server answers 204 whether or not it existed. */
export async function deleteGpgKey(
  client: BitbucketClient,
  fingerprintOrId: string,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await client.delete(`${KEYS_PATH}/${encodeURIComponent(fingerprintOrId)}`, {
    operation: 'gpg-keys.delete',
    signal: options.signal,
  });
}
