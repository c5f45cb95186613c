import type { InstallAnswer } from '../messages';

/**
 * What a notice says about an install the key's own card did not start: a key generated to replace
 * one the server refused. `what` is the first half of the sentence ("Generated an RSA 4096 key").
 */
export function installNoticeText(answer: InstallAnswer, what: string): string {
  if (answer.installed) return `${what} and installed it on your account.`;
  if ('needsExpiry' in answer) return `${what}, but the server wants an expiry: ${answer.message}`;
  return `${what}, but the server did not take it either. ${answer.message}`;
}
