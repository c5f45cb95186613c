/**
 * The messages of installing a key through the user's signed-in browser session on the server's own
 * keys page (assembled into the protocol in lib/messaging). The content script of that page may send
 * the `keys.page.*` types only, each about a profile of its own origin (checked in
 * session-install.ts); `keys.session.start` comes from the popup. No answer carries a private key or
 * a token: a key here is its public part.
 */
import * as v from 'valibot';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(100));
const KeyKind = v.picklist(['ssh', 'gpg']);

export const KEYS_PAGE_REQUESTS = [
  /**
   * Popup: add the key through the browser session instead of the token (which the server refused):
   * remember a pending install for a few minutes and open (or focus) the server's keys page, whose
   * content script finishes it.
   */
  v.object({ type: v.literal('keys.session.start'), keyId: Id, profileId: Id }),
  /**
   * Keys page: this browser's keys of that kind, the profile of the page's signed-in user (by user
   * name; else this origin's profile), and a pending install for this origin if there is one.
   */
  v.object({
    type: v.literal('keys.page.state'),
    /** Absent on the login page: only a pending install of either kind matters there. */
    kind: v.optional(KeyKind),
    signedInAs: v.optional(v.pipe(v.string(), v.maxLength(255))),
  }),
  /** Keys page: generate an Ed25519 key for the profile (its public part is answered). */
  v.object({ type: v.literal('keys.page.generate'), profileId: Id }),
  /** Keys page: the server took the key (or had it on the account already). */
  v.object({
    type: v.literal('keys.page.installed'),
    profileId: Id,
    keyId: Id,
    serverKeyId: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }),
  /** Keys page: the pending install of this key ends without the key (the server refused it). */
  v.object({ type: v.literal('keys.page.dismiss'), profileId: Id, keyId: Id }),
] as const;

/** What a keys page's content script may send (nothing else from a web page). */
export const KEYS_PAGE_CONTENT_SCRIPT_TYPES = [
  'keys.page.state',
  'keys.page.generate',
  'keys.page.installed',
  'keys.page.dismiss',
] as const;

/** A key as a server's page may see it: the public part and what the menu shows. */
export interface PageKey {
  id: string;
  kind: 'ssh' | 'gpg';
  label: string;
  /** "Ed25519", "RSA 4096", "GPG". */
  typeName: string;
  /** SSH: SHA256 base64 (as the server shows it, without "SHA256:"); GPG: 40 hex digits. */
  fingerprint: string;
  /** What goes to the server: the OpenSSH line, or the armored public key block. */
  publicText: string;
  /** Already installed on this profile's account (as far as this browser knows). */
  installedHere: boolean;
}

/** The profile a page acts for: who must be signed in. */
export interface PageProfile {
  id: string;
  label: string;
  /** The Bitbucket user name (what the page's `#current-user[data-username]` says). */
  userName: string;
  userSlug: string;
  displayName: string;
}

export interface PageKeysState {
  profile: PageProfile;
  keys: PageKey[];
  /** A key the user asked (in the popup) to add through this session, with the profile it is for. */
  pending: { key: PageKey; profile: PageProfile } | null;
}

export interface KeysPageResponses {
  'keys.session.start': {
    /** The keys page that was opened or focused. */
    url: string;
    tab: 'opened' | 'focused';
    /** Who must be signed in on that page. */
    userName: string;
    host: string;
  };
  'keys.page.state': PageKeysState;
  'keys.page.generate': PageKey;
  'keys.page.installed': { key: PageKey };
  'keys.page.dismiss': null;
}
