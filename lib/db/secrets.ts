import type { CompanionDb, SealedSecret } from './schema';

const TOKEN_KEY_ID = 'token-key';

/**
 * The AES-GCM key that seals tokens at rest. It is generated non-extractable and kept in IndexedDB
 * (a CryptoKey survives structured cloning), so its bytes never exist outside the browser's crypto
 * implementation. A later passphrase lock can wrap this key.
 */
export async function getSecretKey(db: CompanionDb): Promise<CryptoKey> {
  const existing = await db.cryptoKeys.get(TOKEN_KEY_ID);
  if (existing) return existing.key;
  const fresh = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
    'encrypt',
    'decrypt',
  ]);
  // Two contexts may race to create the key: the first write wins and both use that one.
  return db.transaction('rw', db.cryptoKeys, async () => {
    const raced = await db.cryptoKeys.get(TOKEN_KEY_ID);
    if (raced) return raced.key;
    await db.cryptoKeys.add({ id: TOKEN_KEY_ID, key: fresh });
    return fresh;
  });
}

export async function sealSecret(db: CompanionDb, plaintext: string): Promise<SealedSecret> {
  const key = await getSecretKey(db);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, new TextEncoder().encode(plaintext));
  return { iv, data };
}

export async function openSecret(db: CompanionDb, sealed: SealedSecret): Promise<string> {
  const key = await getSecretKey(db);
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv }, key, sealed.data);
  return new TextDecoder().decode(plain);
}
