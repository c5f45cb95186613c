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

/** One repository of a profile's local index (the popup's instant search). */
export interface RepoRecord {
  /** `${profileId}:${repoId}`. */
  key: string;
  profileId: string;
  repoId: number;
  projectKey: string;
  projectName: string;
  /** Personal projects (`~ALICE`) belong to a user. */
  personal: boolean;
  slug: string;
  name: string;
  description?: string;
  public: boolean;
  archived: boolean;
  /** Set on forks: the repository this one was forked from. */
  origin?: { projectKey: string; slug: string };
  /** From `links.clone` by name, user info removed; both absent when clone access is off. */
  cloneHttp?: string;
  cloneSsh?: string;
  /** False when the server sent no `links.clone` at all: clone access is switched off. */
  cloneAccess: boolean;
  webUrl?: string;
  /** Which sync last saw it: a finished sync removes the repositories it did not see. */
  syncId: string;
}

/** How a profile's repository sync stands; its cursor lets a stopped service worker resume. */
export interface RepoSyncRecord {
  profileId: string;
  state: 'running' | 'done' | 'failed';
  syncId: string;
  /** Where the next page starts (`nextPageStart` of the last page saved). */
  cursor: number;
  /** Repositories saved by this sync so far. */
  seen: number;
  startedAt: number;
  finishedAt?: number;
  /** When the last complete sync finished: the index is that fresh. */
  lastCompleteAt?: number;
  /** The sentence of the last failure. */
  error?: string;
  /** Not before this time (ms): the server asked to wait (429 Retry-After). */
  retryAt?: number;
}

/** When the user last opened or cloned a repository through the extension (kept across syncs). */
export interface RepoUsageRecord {
  key: string;
  profileId: string;
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
  {
    version: 2,
    stores: {
      profiles: 'id, origin, lastUsedAt',
      settings: 'key',
      cryptoKeys: 'id',
      repos: 'key, profileId, [profileId+syncId]',
      repoSyncs: 'profileId',
      repoUsage: 'key, profileId',
    },
  },
];

export class CompanionDb extends Dexie {
  profiles!: EntityTable<ProfileRecord, 'id'>;
  settings!: EntityTable<SettingRecord, 'key'>;
  cryptoKeys!: EntityTable<CryptoKeyRecord, 'id'>;
  repos!: EntityTable<RepoRecord, 'key'>;
  repoSyncs!: EntityTable<RepoSyncRecord, 'profileId'>;
  repoUsage!: EntityTable<RepoUsageRecord, 'key'>;

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
