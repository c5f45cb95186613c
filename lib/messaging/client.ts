import { browser } from 'wxt/browser';
import type { Reply, RequestOf, RequestType, ResponseMap, SerializedFailure } from './protocol';

/** A failure the background reported, carrying its user-facing sentence. */
export class RequestFailure extends Error {
  readonly kind: string;
  readonly detail: SerializedFailure;
  constructor(detail: SerializedFailure) {
    super(detail.message);
    this.name = 'RequestFailure';
    this.kind = detail.kind;
    this.detail = detail;
  }
}

/** Ask the background to do something; resolves with its typed answer or throws RequestFailure. */
export async function ask<T extends RequestType>(request: RequestOf<T>): Promise<ResponseMap[T]> {
  const reply = (await browser.runtime.sendMessage(request)) as Reply<T> | undefined;
  if (!reply)
    throw new RequestFailure({
      kind: 'internal',
      message: 'The extension did not answer. Reload it and try again.',
    });
  if (!reply.ok) throw new RequestFailure(reply.error);
  return reply.value;
}
