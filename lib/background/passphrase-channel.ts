import * as v from 'valibot';

/**
 * The private channel between the Chrome service worker and the offscreen document that runs
 * OpenPGP for it. Its messages have no `type`, so the public protocol (lib/messaging/protocol.ts)
 * never reads one as a request, and the offscreen document answers them only from the service worker.
 * This module holds only shapes and checks: both ends import it, neither pulls openpgp in through it.
 */
export const PASSPHRASE_CHANNEL = 'bitbucket-server-companion/passphrase-crypto';

const Operation = v.variant('op', [
  v.object({ op: v.literal('encrypt'), text: v.string(), passphrase: v.string() }),
  v.object({ op: v.literal('decrypt'), armored: v.string(), passphrase: v.string() }),
  /** Reads a GPG key's armored blocks (the secret one still encrypted): see GpgKeyInspection. */
  v.object({
    op: v.literal('inspect-gpg'),
    armoredPublic: v.string(),
    armoredPrivate: v.optional(v.string()),
  }),
]);
export type CryptoOperation = v.InferOutput<typeof Operation>;

const Request = v.strictObject({ channel: v.literal(PASSPHRASE_CHANNEL), operation: Operation });
export type CryptoRequest = v.InferOutput<typeof Request>;

const Reply = v.variant('ok', [
  v.object({ ok: v.literal(true), text: v.string() }),
  /** `cannot-decrypt`: the passphrase or the file is wrong; `failed`: anything else. */
  v.object({ ok: v.literal(false), failure: v.picklist(['cannot-decrypt', 'failed']) }),
]);
export type CryptoReply = v.InferOutput<typeof Reply>;

/** What OpenPGP reads in a GPG key's blocks; an `inspect-gpg` reply's `text` is this as JSON. */
export const GpgKeyInspectionSchema = v.object({
  /** The primary key's fingerprint, upper-case hex. */
  fingerprint: v.string(),
  /** Its key id, upper-case hex (16 digits). */
  keyId: v.string(),
  /** An RSA primary key. */
  rsa: v.boolean(),
  /** Given a secret key block: whether it holds the secret key of this public key. */
  secretMatches: v.optional(v.boolean()),
});
export type GpgKeyInspection = v.InferOutput<typeof GpgKeyInspectionSchema>;

/** OpenPGP could not open the message with this passphrase (a wrong passphrase or a damaged file). */
export class CannotDecrypt extends Error {
  constructor(options?: ErrorOptions) {
    super('The passphrase does not open this OpenPGP message.', options);
    this.name = 'CannotDecrypt';
  }
}

export function cryptoRequest(operation: CryptoOperation): CryptoRequest {
  return { channel: PASSPHRASE_CHANNEL, operation };
}

interface Sender {
  id?: string;
  url?: string;
  tab?: unknown;
}

/**
 * The operation a message asks for, when it is a channel request sent by this extension's service
 * worker; anything else (the public protocol's requests from pages, a page imitating the channel)
 * gets `undefined`, so the offscreen document leaves it unanswered.
 */
export function channelRequestFrom(
  message: unknown,
  sender: Sender,
  serviceWorker: { extensionId: string; url: string },
): CryptoOperation | undefined {
  if (sender.id !== serviceWorker.extensionId || sender.url !== serviceWorker.url || sender.tab) {
    return undefined;
  }
  const parsed = v.safeParse(Request, message);
  return parsed.success ? parsed.output.operation : undefined;
}

/** The offscreen document's answer, or `undefined` when it is not one. */
export function readReply(reply: unknown): CryptoReply | undefined {
  const parsed = v.safeParse(Reply, reply);
  return parsed.success ? parsed.output : undefined;
}
