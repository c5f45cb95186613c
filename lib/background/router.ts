import * as v from 'valibot';
import { browser } from 'wxt/browser';
import {
  type Reply,
  type RequestOf,
  RequestSchema,
  type RequestType,
  type ResponseMap,
  type SerializedFailure,
} from '../messaging/protocol';
import { checkSender, type SenderInfo } from '../messaging/sender-policy';

export interface HandlerContext {
  from: 'extension-page' | 'content-script';
  tabId?: number;
  origin?: string;
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
 * Listens for protocol messages: validates each one, checks its sender, then runs its handler.
 * Invalid or unauthorised messages get no answer at all, so a probing page learns nothing.
 */
export function listen(handlers: Handlers, connectedOrigins: () => Promise<ReadonlySet<string>>): void {
  const extensionId = browser.runtime.id;
  const extensionOrigin = new URL(browser.runtime.getURL('/')).origin;
  browser.runtime.onMessage.addListener((message: unknown, sender: SenderInfo) => {
    const parsed = v.safeParse(RequestSchema, message);
    if (!parsed.success) return undefined;
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
          ? { from: verdict.from, tabId: verdict.tabId, origin: verdict.origin }
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
