import { afterEach, describe, expect, it } from 'vitest';
import { CompanionDb } from '../../lib/db/schema';
import { openSecret, sealSecret } from '../../lib/db/secrets';

let db: CompanionDb;
afterEach(async () => {
  await db?.delete();
});

describe('token sealing', () => {
  it('stores only ciphertext and opens it again with the same key after a reopen', async () => {
    db = new CompanionDb(`secrets-${Math.random()}`);
    const token = 'BBDC-NjQ2OTk4OTk5ODQ2OrealLookingToken';
    const sealed = await sealSecret(db, token);
    const bytes = new Uint8Array(sealed.data);
    expect(new TextDecoder().decode(bytes)).not.toContain('NjQ2OTk4');
    expect(sealed.iv).toHaveLength(12);

    db.close();
    const reopened = new CompanionDb(db.name);
    await reopened.open();
    expect(await openSecret(reopened, sealed)).toBe(token);
    const [stored] = await reopened.cryptoKeys.toArray();
    expect(stored?.key.extractable).toBe(false);
    reopened.close();
  });

  it('uses a fresh IV for every seal', async () => {
    db = new CompanionDb(`secrets-${Math.random()}`);
    const a = await sealSecret(db, 'same');
    const b = await sealSecret(db, 'same');
    expect(Array.from(a.iv)).not.toEqual(Array.from(b.iv));
  });

  it('refuses ciphertext that was tampered with', async () => {
    db = new CompanionDb(`secrets-${Math.random()}`);
    const sealed = await sealSecret(db, 'secret');
    const data = new Uint8Array(sealed.data.slice(0));
    data[0] = (data[0] ?? 0) ^ 0xff;
    await expect(openSecret(db, { iv: sealed.iv, data: data.buffer })).rejects.toThrow();
  });
});
