import Dexie, { type EntityTable } from 'dexie';

/** AES-GCM ciphertext of a secret (an access token), with the IV it was sealed with. */
export interface SealedSecret {
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
}

export type VersionSupportStatus = 'supported' | 'old' | 'unknown-newer' | 'invalid';

export interface ProfileUser {
  id: number;
  name: string;
  slug: string;
  displayName: string;
  emailAddress?: string;
}

/** What the token can do, found by read-only probes when it was verified. */
export interface ProfileAccess {
  repoRead: boolean;
  repoWrite: boolean;
  repoAdmin: boolean;
  projectAdmin: boolean;
}

export interface ProfileRecord {
  id: string;
  /** What the user calls this profile; defaults to "Display Name @ host". */
  label: string;
  /** Normalised server URL with its context path, no trailing slash. */
  baseUrl: string;
  /** `scheme://host[:port]` of baseUrl: the key for "which profile belongs to this page". */
  origin: string;
  user: ProfileUser;
  server: {
    version: string;
    displayName: string;
    support: VersionSupportStatus;
    supportMessage?: string;
  };
  access: ProfileAccess;
  /** The sealed access token; null for a profile imported from a file without tokens. */
  token: SealedSecret | null;
  createdAt: number;
  verifiedAt: number;
  lastUsedAt: number;
}

export interface SettingRecord {
  key: string;
  value: unknown;
}

export interface CryptoKeyRecord {
  id: string;
  key: CryptoKey;
}

export const DB_NAME = 'bitbucket-server-companion';

/**
 * Every schema the database has had, oldest first. Never edit a released entry: add a new one
 * (with an `upgrade` when data must move) and a test in tests/unit/db-migrations.test.ts that opens
 * a database written by each earlier version.
 */
export const SCHEMA_VERSIONS: ReadonlyArray<{
  version: number;
  stores: Record<string, string>;
}> = [
  {
    version: 1,
    stores: {
      profiles: 'id, origin, lastUsedAt',
      settings: 'key',
      cryptoKeys: 'id',
    },
  },
];

export class CompanionDb extends Dexie {
  profiles!: EntityTable<ProfileRecord, 'id'>;
  settings!: EntityTable<SettingRecord, 'key'>;
  cryptoKeys!: EntityTable<CryptoKeyRecord, 'id'>;

  constructor(name = DB_NAME) {
    super(name);
    for (const { version, stores } of SCHEMA_VERSIONS) this.version(version).stores(stores);
  }
}

let shared: CompanionDb | undefined;

/** The one database of this extension context (background, popup or options page). */
export function getDb(): CompanionDb {
  shared ??= new CompanionDb();
  return shared;
}
