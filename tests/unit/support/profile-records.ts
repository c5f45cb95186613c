import { afterEach } from 'vitest';
import { CompanionDb, type ProfileRecord } from '../../../lib/db/schema';
import { sealSecret } from '../../../lib/db/secrets';

/**
 * A file's fresh databases (each a browser of its own), all deleted after every test; `name` starts
 * their names.
 */
export function freshDbs(name: string): () => CompanionDb {
  const dbs: CompanionDb[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.delete();
  });
  return () => {
    const db = new CompanionDb(`${name}-${Math.random()}`);
    dbs.push(db);
    return db;
  };
}

/** Alice's profile on git.example.com as stored, its token sealed with `db`'s key; `over` changes it. */
export async function aliceProfile(
  db: CompanionDb,
  tokenText: string,
  over: Partial<ProfileRecord> = {},
): Promise<ProfileRecord> {
  return {
    id: crypto.randomUUID(),
    label: 'Alice @ git.example.com',
    baseUrl: 'https://git.example.com/bitbucket',
    origin: 'https://git.example.com',
    user: { id: 1, name: 'alice', slug: 'alice', displayName: 'Alice Ångström' },
    server: { version: '9.4.13', displayName: 'Example', support: 'supported' },
    access: { repoRead: true, repoWrite: true, repoAdmin: false, projectAdmin: false },
    token: await sealSecret(db, tokenText),
    createdAt: 1,
    verifiedAt: 2,
    lastUsedAt: 3,
    ...over,
  };
}
