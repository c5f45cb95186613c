import * as v from 'valibot';

/**
 * The private channel on which the Chrome service worker hands the offscreen document a first
 * commit to push (isomorphic-git runs there, never in the worker). Its messages have no `type`, so
 * the public protocol never reads one as a request, and the offscreen document answers them only
 * from the service worker. It is the one place the token leaves the background: the push needs it
 * for `Authorization: Bearer`. This module holds only shapes and checks; both ends import it.
 */
export const PUSH_CHANNEL = 'bitbucket-server-companion/git-push';

export const FileSchema = v.object({
  /** Relative, `/`-separated: `.gitignore`, `LICENSE`, `docs/x.md`. */
  path: v.string(),
  content: v.string(),
});
export type SeedFile = v.InferOutput<typeof FileSchema>;

const Operation = v.object({
  /** The repository's `http` clone URL (`…/scm/key/slug.git`). */
  url: v.string(),
  token: v.string(),
  branch: v.string(),
  message: v.string(),
  author: v.object({ name: v.string(), email: v.string() }),
  files: v.array(FileSchema),
  /** Seconds since the epoch; the commit's author and committer time. */
  timestamp: v.number(),
});
export type PushOperation = v.InferOutput<typeof Operation>;

const Request = v.strictObject({ channel: v.literal(PUSH_CHANNEL), operation: Operation });
export type PushRequest = v.InferOutput<typeof Request>;

/**
 * `refused`: the server said no (`status`: its HTTP status; 401/403 a permission, 404 no such
 * repository); `rejected`: the branch already has other commits; `network`: no answer;
 * `failed`: anything else. `message` is for developers' logs, never shown as is.
 */
const Reply = v.variant('ok', [
  v.object({ ok: v.literal(true), commitId: v.string() }),
  v.object({
    ok: v.literal(false),
    failure: v.picklist(['refused', 'rejected', 'network', 'failed']),
    status: v.optional(v.number()),
    message: v.string(),
  }),
]);
export type PushReply = v.InferOutput<typeof Reply>;

export function pushRequest(operation: PushOperation): PushRequest {
  return { channel: PUSH_CHANNEL, operation };
}

interface Sender {
  id?: string;
  url?: string;
  tab?: unknown;
}

/** The push a message asks for, when it is a channel request from this extension's service worker. */
export function pushRequestFrom(
  message: unknown,
  sender: Sender,
  serviceWorker: { extensionId: string; url: string },
): PushOperation | undefined {
  if (sender.id !== serviceWorker.extensionId || sender.url !== serviceWorker.url || sender.tab) {
    return undefined;
  }
  const parsed = v.safeParse(Request, message);
  return parsed.success ? parsed.output.operation : undefined;
}

export function readPushReply(reply: unknown): PushReply | undefined {
  const parsed = v.safeParse(Reply, reply);
  return parsed.success ? parsed.output : undefined;
}
