import * as v from 'valibot';
import { browser } from 'wxt/browser';
import {
  INPUT_SENTENCES,
  type Reply,
  type RequestOf,
  RequestSchema,
  type RequestType,
  type ResponseMap,
  type SerializedFailure,
} from '../messaging/protocol';
import { checkSender, isExtensionPage, type SenderInfo } from '../messaging/sender-policy';

export interface HandlerContext {
  from: 'extension-page' | 'content-script';
  tabId?: number;
  origin?: string;
  /** A content script's page. */
  url?: string;
}

export type Handlers = {
  [T in RequestType]: (request: RequestOf<T>, ctx: HandlerContext) => Promise<ResponseMap[T]>;
};

/** Anything thrown by a handler that knows how to describe itself to the user. */
interface Describable {
  toJSON(): SerializedFailure;
}
function isDescribable(error: unknown): error is Describable {
  return typeof error === 'object' && error !== null && 'toJSON' in error && 'kind' in error;
}

export function toFailure(error: unknown): SerializedFailure {
  if (isDescribable(error)) return error.toJSON();
  if (error instanceof UserFacingError) return { kind: error.kind, message: error.message };
  console.error('Unexpected failure in the background', error);
  return {
    kind: 'internal',
    message: 'Something went wrong inside the extension. Try again; nothing was changed.',
  };
}

/** A failure whose message is already a sentence for the user. */
export class UserFacingError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What the extension's own pages are told when their request fails its schema: the schema's own
 * sentence for input a user typed (too long, empty), otherwise that the request was malformed.
 */
export function refusedInput(issues: readonly v.BaseIssue<unknown>[]): SerializedFailure {
  const said = issues.find((issue) => INPUT_SENTENCES.has(issue.message));
  return {
    kind: 'bad-input',
    message:
      said?.message ??
      'The extension sent the background a request it could not read. Reload the page and try again; nothing was changed.',
  };
}

/**
 * Listens for protocol messages: validates each one, checks its sender, then runs its handler.
 * Invalid or unauthorised messages from web pages get no answer at all, so a probing page learns
 * nothing; the extension's own pages are told what was wrong with their input.
 */
export function listen(handlers: Handlers, connectedOrigins: () => Promise<ReadonlySet<string>>): void {
  const extensionId = browser.runtime.id;
  // The URL of '/' without its slash: `new URL(…).origin` is "null" for extension schemes outside browsers.
  const extensionOrigin = browser.runtime.getURL('/').replace(/\/$/, '');
  browser.runtime.onMessage.addListener((message: unknown, sender: SenderInfo) => {
    const parsed = v.safeParse(RequestSchema, message);
    if (!parsed.success) {
      if (!isExtensionPage(sender, { extensionId, extensionOrigin })) return undefined;
      return Promise.resolve({ ok: false, error: refusedInput(parsed.issues) });
    }
    const request = parsed.output;
    return (async (): Promise<Reply<RequestType> | undefined> => {
      const verdict = checkSender(request.type, sender, {
        extensionId,
        extensionOrigin,
        connectedOrigins: await connectedOrigins(),
      });
      if (!verdict.allowed) return undefined;
      const ctx: HandlerContext =
        verdict.from === 'content-script'
          ? { from: verdict.from, tabId: verdict.tabId, origin: verdict.origin, url: verdict.url }
          : { from: verdict.from };
      const handler = handlers[request.type] as (r: typeof request, c: HandlerContext) => Promise<unknown>;
      try {
        const value = await handler(request, ctx);
        return { ok: true, value } as Reply<RequestType>;
      } catch (error) {
        return { ok: false, error: toFailure(error) };
      }
    })();
  });
}
