/**
 * The one offscreen document (Chrome) is shared: passphrase crypto (passphrase-crypto.ts) and a new
 * repository's first push (lib/features/create-repo/push-runner.ts) both open it and close it when
 * done. Each counts its work here while it runs, and neither closes the document while the other's
 * work is in flight.
 */
let inFlight = 0;

export function offscreenWorkStarted(): void {
  inFlight++;
}

export function offscreenWorkEnded(): void {
  inFlight = Math.max(0, inFlight - 1);
}

/** Whether any user of the offscreen document has work running in it. */
export const offscreenWorkInFlight = (): boolean => inFlight > 0;
