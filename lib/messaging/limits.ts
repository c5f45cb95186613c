/**
 * The size limits of what users type or pick, each with the sentence shown when it is exceeded.
 * One table, used by the message schemas (the background's last word) and by the forms (which never
 * send what they can already tell is too long).
 */
export const LIMITS = {
  /** Browsers refuse longer URLs in many places; no server address comes near it. */
  serverUrl: 2_000,
  /** Bitbucket's HTTP access tokens are 44 characters; anything this long was not copied from one. */
  token: 1_000,
  /** A profile name, as typed or as made from "display name @ host". */
  label: 120,
  /** A profiles file: a few KiB per profile, so 5 MB is thousands of profiles. */
  importFile: 5_000_000,
  passphrase: 1_000,
} as const;

/**
 * Caps on text the extension keeps from a server (user and server names): Bitbucket itself allows
 * 255 characters for user names, slugs, display names and e-mail addresses.
 */
export const SERVER_TEXT = {
  userName: 255,
  displayName: 255,
  emailAddress: 255,
  serverVersion: 50,
  serverName: 255,
  /** A sentence the extension wrote about the server (e.g. an old version). */
  supportMessage: 1_000,
} as const;

const thousands = (n: number) => n.toLocaleString('en-US');

/** The sentences for input past its limit. */
export const TOO_LONG = {
  serverUrl: `That server address is longer than any web address (over ${thousands(LIMITS.serverUrl)} characters): check what was pasted into the Server URL field.`,
  token: `The token is longer than any Bitbucket token (over ${thousands(LIMITS.token)} characters): copy it again from the token page.`,
  label: `A profile name can have at most ${LIMITS.label} characters.`,
  importFile: `This file is larger than any profiles file (over ${LIMITS.importFile / 1_000_000} MB): it is not a file exported by Bitbucket Server Companion.`,
  passphrase: `A passphrase can have at most ${thousands(LIMITS.passphrase)} characters.`,
} as const;

/** Cuts text to `max` characters (whole code points), marking the cut with an ellipsis. */
export function capText(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars
    .slice(0, max - 1)
    .join('')
    .trimEnd()}…`;
}
